"""Teacher views (menu areas "today" and "classes"): today's lessons, the classes one may
open, a class's marks in one subject (paged), and one student's summary.

Access is decided by services.staff_views through services.access on every press; a
refused or forged button gets the same "not available".
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import grid, paginate, refuse, show
from handlers.replies import On
from screens.format import average_text, period_label
from screens.i18n import Translator
from screens.marks import fit_lines, row_of
from screens.nav import MenuCb
from services import staff_views
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.models import LessonStatus

router = Router(name="staff")
TABLE_MARKS = 40  # latest marks per row of a class table (the average counts them all)


class StaffCb(CallbackData, prefix="sv"):
    """v: c class, t marks table, l students, u student summary."""

    v: str
    c: int = 0  # class id
    j: int = 0  # subject id
    d: int = 0  # period id (0: the current one)
    p: int = 0  # page
    s: int = 0  # student id


def _menu(kb: InlineKeyboardBuilder, t: Translator) -> None:
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())


def _menu_only(t: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    _menu(kb, t)
    return kb.as_markup()


# --- today --------------------------------------------------------------------------------


def lesson_line(t: Translator, x: staff_views.TeacherLesson) -> str:
    time = f"{x.starts_at:%H:%M}–{x.ends_at:%H:%M}" if x.starts_at and x.ends_at else "—"
    args = {"slot": x.slot, "time": time, "klass": escape(x.class_name),
            "subject": escape(x.subject), "subgroup": escape(x.subgroup or "")}
    parts = [t("staff-lesson-subgroup" if x.subgroup else "staff-lesson", **args)]
    if x.room:
        parts.append(t("staff-room", room=escape(x.room)))
    if x.moved_here:
        parts.append(t("staff-status-moved-here"))
    elif x.status == LessonStatus.MOVED and x.moved_to_date is not None:
        parts.append(t("staff-status-moved", date=t.date(x.moved_to_date),
                       slot=x.moved_to_slot or x.slot))
    elif x.as_substitute:
        parts.append(t("staff-status-substitute", name=escape(x.teacher)))
    elif x.substitute is not None:
        parts.append(t("staff-status-replaced", name=escape(x.substitute)))
    elif x.status == LessonStatus.CANCELLED:
        parts.append(t("staff-status-cancelled"))
    elif x.status == LessonStatus.HELD:
        parts.append(t("staff-status-held"))
    else:
        parts.append(t("staff-status-scheduled"))
    return " · ".join(parts)


@router.callback_query(On(MenuCb, area="today"))
async def on_today(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> None:
    try:
        day = await staff_views.teacher_today(session, account.id)
    except AccessDenied:
        await refuse(query, t)
        return
    lines = [t("staff-today-title", date=t.date(day.day, weekday=True))]
    lines += [lesson_line(t, x) for x in day.lessons] or [t("staff-today-empty")]
    await show(query, fit_lines(t, lines), _menu_only(t))


# --- classes ------------------------------------------------------------------------------


@router.callback_query(On(MenuCb, area="classes"))
async def on_classes(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                     t: Translator) -> None:
    try:
        found = await staff_views.visible_classes(session, account.id)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for klass in found.classes:
        kb.button(text=klass.name, callback_data=StaffCb(v="c", c=klass.id))
    count = len(found.classes)
    _menu(kb, t)
    kb.adjust(*grid(count, 4), 1)
    text = t("staff-classes-title") if found.classes else t("staff-classes-empty")
    await show(query, text, kb.as_markup())


@router.callback_query(StaffCb.filter(F.v == "c"))
async def on_class(query: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> None:
    try:
        view = await staff_views.class_view(session, account.id, callback_data.c)
    except AccessDenied:
        await refuse(query, t)
        return
    klass = view.klass
    kb = InlineKeyboardBuilder()
    subjects = view.subjects if klass.gets_marks else ()
    for subject in subjects:
        kb.button(text=subject.name, callback_data=StaffCb(v="t", c=klass.id, j=subject.id))
    kb.button(text=t("staff-btn-students"), callback_data=StaffCb(v="l", c=klass.id))
    kb.button(text=t("staff-btn-classes"), callback_data=MenuCb(area="classes").pack())
    _menu(kb, t)
    count = len(subjects)
    kb.adjust(*grid(count, 2), 1, 2)
    if not klass.gets_marks:
        text = f"{t('staff-class-title', klass=escape(klass.name))}\n{t('marks-first-grade')}"
    elif not subjects:
        text = f"{t('staff-class-title', klass=escape(klass.name))}\n" \
               f"{t('staff-class-no-subjects')}"
    else:
        text = t("staff-class-title", klass=escape(klass.name))
    await show(query, text, kb.as_markup())


def table_pages(t: Translator, table: staff_views.ClassMarksTable) -> list[str]:
    assert table.period is not None
    header = t("staff-table-title", klass=escape(table.klass.name),
               subject=escape(table.subject.name), period=period_label(t, table.period))
    lines = [
        t("staff-table-line", name=escape(row.student.name),
          marks=row_of(t, row.marks, TABLE_MARKS),
          average=average_text(t, row.average)) if row.marks
        else t("staff-table-line-empty", name=escape(row.student.name))
        for row in table.rows]
    return paginate(lines or [t("staff-table-empty")], header)


@router.callback_query(StaffCb.filter(F.v == "t"))
async def on_table(query: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> None:
    data = callback_data
    try:
        table = await staff_views.class_marks_table(session, account.id, data.c, data.j,
                                                    data.d or None)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    widths: list[int] = []
    if not table.klass.gets_marks:
        text = t("marks-first-grade")
    elif table.period is None:
        text = t("staff-no-period")
    else:
        pages = table_pages(t, table)
        page = min(max(data.p, 0), len(pages) - 1)
        text = pages[page]
        if len(pages) > 1:
            text += "\n" + t("marks-page", page=page + 1, pages=len(pages))
            here = {"c": data.c, "j": data.j, "d": table.period.id}
            if page > 0:
                kb.button(text=t("btn-prev"), callback_data=StaffCb(v="t", p=page - 1, **here))
            if page + 1 < len(pages):
                kb.button(text=t("btn-next"), callback_data=StaffCb(v="t", p=page + 1, **here))
            widths.append(int(page > 0) + int(page + 1 < len(pages)))
        steps = 0
        for other, label in ((table.previous, "◀️ {}"), (table.next, "{} ▶️")):
            if other is not None:
                kb.button(text=label.format(period_label(t, other)),
                          callback_data=StaffCb(v="t", c=data.c, j=data.j, d=other.id))
                steps += 1
        if steps:
            widths.append(steps)
    kb.button(text=t("staff-btn-class"), callback_data=StaffCb(v="c", c=data.c))
    _menu(kb, t)
    kb.adjust(*widths, 2)
    await show(query, text, kb.as_markup())


@router.callback_query(StaffCb.filter(F.v == "l"))
async def on_students(query: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    try:
        found = await staff_views.class_students(session, account.id, callback_data.c)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for student in found.students:
        kb.button(text=student.name, callback_data=StaffCb(v="u", s=student.id))
    count = len(found.students)
    kb.button(text=t("staff-btn-class"), callback_data=StaffCb(v="c", c=found.klass.id))
    _menu(kb, t)
    kb.adjust(*grid(count, 3), 2)
    text = (t("staff-students-title", klass=escape(found.klass.name)) if found.students
            else t("staff-students-empty"))
    await show(query, text, kb.as_markup())


def summary_text(t: Translator, summary: staff_views.StudentSummary) -> str:
    child = summary.child
    overview = summary.overview
    if overview is None:
        return t("staff-no-period")
    lines = [t("staff-summary-title", name=escape(f"{child.last_name} {child.first_name}"),
               klass=escape(child.class_name or "—"), period=period_label(t, overview.period))]
    if not child.gets_marks:
        lines.append(t("marks-first-grade"))
    for row in overview.subjects:
        lines.append(t("staff-summary-line", subject=escape(row.subject.name),
                       average=average_text(t, row.average),
                       count=t("marks-subject-count", count=len(row.marks))))
    lines += ["", t("staff-summary-absences", total=summary.absences_total)]
    lines += [t(f"staff-absence-{kind.value}", count=n) for kind, n in summary.absences if n]
    return fit_lines(t, lines)


@router.callback_query(StaffCb.filter(F.v == "u"))
async def on_summary(query: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> None:
    try:
        summary = await staff_views.student_summary(session, account.id, callback_data.s)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    if summary.child.class_id is not None:
        kb.button(text=t("staff-btn-students"),
                  callback_data=StaffCb(v="l", c=summary.child.class_id))
    _menu(kb, t)
    kb.adjust(2)
    await show(query, summary_text(t, summary), kb.as_markup())
