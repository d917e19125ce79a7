"""Marks for families: recent marks (paged), marks by subject with the average and a chart,
the period overview, and period/year/final marks (menu areas "marks" and "final").

Every button carries the student id; access is checked again on each press. A first-grader
gets one line and nothing else (002 §5.5).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.calendar import period_label
from handlers.family import refuse, student_for_view
from handlers.menu import MenuCb
from handlers.replies import LIMIT, grid, show
from screens.i18n import Translator
from services import access, marks
from services.access import AccessDenied, StudentAccess
from services.accounts import AccountInfo
from services.charts import ChartPoint, render_marks_chart
from services.models import FinalMarkKind

router = Router(name="marks")
CAPTION_LIMIT = 1024


class MarksCb(CallbackData, prefix="mk"):
    """v: r recent, s subject picker, m one subject, c chart, o overview, f final."""

    v: str
    s: int  # student id
    p: int = 0  # page of recent marks, or period id (0: the current period)
    j: int = 0  # subject id


# --- rendering ----------------------------------------------------------------------------


def mark_text(t: Translator, value: int | None, passed: bool | None) -> str:
    if value is not None:
        return str(value)
    return t("marks-pass") if passed else t("marks-fail")


def average_text(t: Translator, average: Decimal | None) -> str:
    return t("marks-average-value", value=average) if average is not None \
        else t("marks-no-average")


def mark_line(t: Translator, m: marks.MarkItem) -> str:
    args = {"date": t.short_date(m.date), "subject": escape(m.subject),
            "value": mark_text(t, m.value, m.passed), "work": escape(m.work_type),
            "weight": m.weight}
    return t("marks-line-weighted" if m.weight > 1 else "marks-line", **args)


def fit_lines(t: Translator, lines: list[str], limit: int = LIMIT,
              tail: tuple[str, ...] = ()) -> str:
    """Whole lines within the limit: the last ones are left out (with a count of them), so
    no line and no HTML tag is ever cut in half. Put what must stay first; `tail` lines
    always end the text."""
    text = "\n".join([*lines, *tail])
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = sum(len(x) + 1 for x in tail) + len(t("marks-more", count=len(lines))) + 1
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    kept.append(t("marks-more", count=len(lines) - len(kept)))
    return "\n".join([*kept, *tail])


def row_of(t: Translator, values: tuple[marks.MarkValue, ...], cap: int | None = None) -> str:
    """Marks in a row, "5 4 4 5"; with a cap, only the latest ones after "…"."""
    shown = values if cap is None or len(values) <= cap else values[-cap:]
    text = " ".join(mark_text(t, v.value, v.passed) for v in shown)
    return text if len(shown) == len(values) else f"… {text}"


def _menu_row(kb: InlineKeyboardBuilder, t: Translator) -> None:
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu"))


def _menu_only(t: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    _menu_row(kb, t)
    return kb.as_markup()


def recent_view(t: Translator, granted: StudentAccess,
                page: marks.RecentMarks) -> tuple[str, InlineKeyboardMarkup]:
    sid = granted.child.student_id
    lines = [t("marks-recent-title", name=escape(granted.child.short_name))]
    lines += [mark_line(t, m) for m in page.marks] or [t("marks-recent-empty")]
    footer = (t("marks-page", page=page.page + 1, pages=page.pages),) if page.pages > 1 else ()
    kb = InlineKeyboardBuilder()
    widths = []
    if page.pages > 1:
        if page.page > 0:
            kb.button(text=t("btn-prev"), callback_data=MarksCb(v="r", s=sid, p=page.page - 1))
        if page.page + 1 < page.pages:
            kb.button(text=t("btn-next"), callback_data=MarksCb(v="r", s=sid, p=page.page + 1))
        widths.append(int(page.page > 0) + int(page.page + 1 < page.pages))
    kb.button(text=t("marks-btn-by-subject"), callback_data=MarksCb(v="s", s=sid))
    kb.button(text=t("marks-btn-overview"), callback_data=MarksCb(v="o", s=sid))
    _menu_row(kb, t)
    kb.adjust(*widths, 2, 1)
    return fit_lines(t, lines, tail=footer), kb.as_markup()


def picker_view(t: Translator, granted: StudentAccess,
                picker: marks.SubjectPicker) -> tuple[str, InlineKeyboardMarkup]:
    sid = granted.child.student_id
    kb = InlineKeyboardBuilder()
    if picker.period is None or not picker.subjects:
        text = t("marks-subjects-empty")
    else:
        text = t("marks-subjects-title", period=period_label(t, picker.period))
        for choice in picker.subjects:
            kb.button(text=t("marks-subject-button", subject=choice.subject.name,
                             count=choice.marks),
                      callback_data=MarksCb(v="m", s=sid, j=choice.subject.id))
    count = len(picker.subjects)
    kb.button(text=t("marks-btn-recent"), callback_data=MarksCb(v="r", s=sid))
    _menu_row(kb, t)
    kb.adjust(*grid(count, 2), 2)
    return text, kb.as_markup()


def subject_view(t: Translator, granted: StudentAccess,
                 view: marks.SubjectMarks) -> tuple[str, InlineKeyboardMarkup]:
    sid = granted.child.student_id
    lines = [t("marks-subject-title", subject=escape(view.subject.name),
               period=period_label(t, view.period))]
    if view.marks:
        lines += [t("marks-subject-average", average=average_text(t, view.average)),
                  t("marks-subject-count", count=len(view.marks)), ""]
    lines += [mark_line(t, m) for m in reversed(view.marks)] or [t("marks-subject-empty")]
    kb = InlineKeyboardBuilder()
    if view.graded:
        kb.button(text=t("marks-btn-chart"),
                  callback_data=MarksCb(v="c", s=sid, p=view.period.id, j=view.subject.id))
    kb.button(text=t("marks-btn-subjects"), callback_data=MarksCb(v="s", s=sid))
    _menu_row(kb, t)
    kb.adjust(1, 2)
    return fit_lines(t, lines), kb.as_markup()


def _overview_line(t: Translator, row: marks.SubjectSummary, cap: int | None) -> str:
    args = {"subject": escape(row.subject.name),
            "marks": row_of(t, row.marks, cap) or t("marks-overview-no-marks"),
            "average": average_text(t, row.average)}
    final = row.period_mark
    if final is None:
        return t("marks-overview-line", **args)
    value = (t("marks-postponed") if final.postponed
             else mark_text(t, final.value, final.passed))
    return t("marks-overview-line-final", final=value, **args)


def overview_view(t: Translator, granted: StudentAccess,
                  view: marks.PeriodOverview) -> tuple[str, InlineKeyboardMarkup]:
    sid = granted.child.student_id
    period = view.period
    head = t("marks-overview-title", period=period_label(t, period),
             start=t.date(period.starts_on), end=t.date(period.ends_on),
             name=escape(granted.child.short_name))
    # With very many marks, each row keeps only its latest marks (averages stay whole).
    for cap in (None, 40, 20, 10, 5):
        lines = [head, *(_overview_line(t, row, cap) for row in view.subjects)]
        if len("\n".join(lines)) <= LIMIT:
            break
    if not view.subjects:
        lines.append(t("marks-overview-empty"))
    kb = InlineKeyboardBuilder()
    steps = 0
    if view.previous is not None:
        kb.button(text=f"◀️ {period_label(t, view.previous)}",
                  callback_data=MarksCb(v="o", s=sid, p=view.previous.id))
        steps += 1
    if view.next is not None:
        kb.button(text=f"{period_label(t, view.next)} ▶️",
                  callback_data=MarksCb(v="o", s=sid, p=view.next.id))
        steps += 1
    kb.button(text=t("marks-btn-final"), callback_data=MarksCb(v="f", s=sid))
    kb.button(text=t("marks-btn-recent"), callback_data=MarksCb(v="r", s=sid))
    _menu_row(kb, t)
    kb.adjust(*([steps] if steps else []), 2, 1)
    return fit_lines(t, lines), kb.as_markup()


_GROUP_TITLES = {FinalMarkKind.YEAR: "marks-final-group-year",
                 FinalMarkKind.EXAM: "marks-final-group-exam",
                 FinalMarkKind.FINAL: "marks-final-group-final"}


def final_view(t: Translator, granted: StudentAccess,
               view: marks.FinalMarks) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t("marks-final-title", name=escape(granted.child.short_name))]
    for group in view.groups:
        title = _GROUP_TITLES.get(group.kind)
        lines.append("")
        lines.append(t(title) if title else t("marks-final-group-period",
                                               period=period_label(t, group.period)))
        for item in group.items:
            value = (t("marks-postponed") if item.postponed
                     else mark_text(t, item.value, item.passed))
            lines.append(t("marks-final-line", subject=escape(item.subject), value=value))
    if not view.groups:
        lines.append(t("marks-final-empty"))
    kb = InlineKeyboardBuilder()
    kb.button(text=t("marks-btn-overview"),
              callback_data=MarksCb(v="o", s=granted.child.student_id))
    _menu_row(kb, t)
    kb.adjust(2)
    return fit_lines(t, lines), kb.as_markup()


# --- access -------------------------------------------------------------------------------


async def _granted(target: Message | CallbackQuery, session: AsyncSession,
                   account: AccountInfo, t: Translator,
                   student_id: int | None) -> StudentAccess | None:
    """Access to the student, or None after replying; a first-grader gets one line."""
    granted = await student_for_view(target, session, account, t, student_id)
    if granted is None:
        return None
    if not granted.child.gets_marks:
        await show(target, t("marks-first-grade"), _menu_only(t))
        return None
    return granted


async def _refused(target: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator, error: AccessDenied, data: MarksCb) -> None:
    """A forged period or subject id: audited and refused like any other."""
    await access.deny(session, account.id, str(error), student_id=data.s, period_id=data.p,
                      subject_id=data.j)
    await refuse(target, t)


# --- handlers -----------------------------------------------------------------------------


async def show_recent(target: Message | CallbackQuery, session: AsyncSession,
                      account: AccountInfo, t: Translator, student_id: int | None = None,
                      page: int = 0) -> None:
    granted = await _granted(target, session, account, t, student_id)
    if granted is None:
        return
    view = await marks.recent_marks(session, granted, page)
    await show(target, *recent_view(t, granted, view))


@router.message(Command("marks"))
@router.callback_query(MenuCb.filter(F.area == "marks"))
async def on_marks_entry(target: Message | CallbackQuery, session: AsyncSession,
                         account: AccountInfo, t: Translator) -> None:
    await show_recent(target, session, account, t)


@router.callback_query(MarksCb.filter(F.v == "r"))
async def on_recent(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> None:
    await show_recent(query, session, account, t, callback_data.s, callback_data.p)


@router.callback_query(MarksCb.filter(F.v == "s"))
async def on_subjects(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    granted = await _granted(query, session, account, t, callback_data.s)
    if granted is None:
        return
    picker = await marks.subject_picker(session, granted)
    await show(query, *picker_view(t, granted, picker))


async def _subject_marks(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                         account: AccountInfo, t: Translator,
                         ) -> tuple[StudentAccess, marks.SubjectMarks] | None:
    """The subject view's data for both the text and the chart, or None once answered."""
    granted = await _granted(query, session, account, t, callback_data.s)
    if granted is None:
        return None
    try:
        view = await marks.subject_marks(session, granted, callback_data.j,
                                         callback_data.p or None)
    except AccessDenied as error:
        await _refused(query, session, account, t, error, callback_data)
        return None
    except marks.NoPeriod:
        await query.answer(t("marks-no-period"), show_alert=True)
        return None
    return granted, view


@router.callback_query(MarksCb.filter(F.v == "m"))
async def on_subject(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> None:
    found = await _subject_marks(query, callback_data, session, account, t)
    if found is not None:
        await show(query, *subject_view(t, *found))


@router.callback_query(MarksCb.filter(F.v == "c"))
async def on_chart(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> None:
    found = await _subject_marks(query, callback_data, session, account, t)
    if found is None:
        return
    view = found[1]
    message = query.message
    if not view.graded or not isinstance(message, Message):
        await query.answer(t("marks-chart-empty"), show_alert=True)
        return
    await query.answer()
    period = period_label(t, view.period)
    points = [ChartPoint(m.date, m.value, m.weight) for m in view.graded
              if m.value is not None]
    # Drawing takes a moment of CPU: keep the event loop free for other chats.
    png = await asyncio.to_thread(
        render_marks_chart, points, title=t("marks-chart-title", subject=view.subject.name,
                                            period=period),
        average_label=t("marks-chart-average"), marks_label=t("marks-chart-marks"))
    caption = t("marks-chart-caption", subject=escape(view.subject.name), period=period,
                average=average_text(t, view.average),
                count=t("marks-subject-count", count=len(view.graded)))
    await message.answer_photo(BufferedInputFile(png, "marks.png"),
                               caption=fit_lines(t, caption.split("\n"), CAPTION_LIMIT))


@router.callback_query(MarksCb.filter(F.v == "o"))
async def on_overview(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    granted = await _granted(query, session, account, t, callback_data.s)
    if granted is None:
        return
    try:
        view = await marks.period_overview(session, granted, callback_data.p or None)
    except AccessDenied as error:
        await _refused(query, session, account, t, error, callback_data)
        return
    except marks.NoPeriod:
        await show(query, t("marks-no-period"), _menu_only(t))
        return
    await show(query, *overview_view(t, granted, view))


async def show_final(target: Message | CallbackQuery, session: AsyncSession,
                     account: AccountInfo, t: Translator,
                     student_id: int | None = None) -> None:
    granted = await _granted(target, session, account, t, student_id)
    if granted is None:
        return
    view = await marks.final_marks(session, granted)
    await show(target, *final_view(t, granted, view))


@router.callback_query(MenuCb.filter(F.area == "final"))
async def on_final_menu(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator) -> None:
    await show_final(query, session, account, t)


@router.callback_query(MarksCb.filter(F.v == "f"))
async def on_final(query: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> None:
    await show_final(query, session, account, t, callback_data.s)
