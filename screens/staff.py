"""Teacher views as screens: the classes one may open, a class with its subjects, a class's
marks in one subject (paged), its students, and one student's summary. A staff member's
lessons are in screens/lessons.py."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, grid, layout
from screens.consents import FormCb, Step
from screens.format import average_text, period_label, person_name
from screens.i18n import Translator
from screens.marks import fit_lines, row_of
from screens.nav import MenuArea, MenuCb, menu_button, pager, paginate
from screens.payloads import Payload
from services import staff
from services.consent_report import StudentConsent

TABLE_MARKS = 40  # latest marks per row of a class table (the average counts them all)


class StaffView(enum.StrEnum):
    CLASS = "c"
    TABLE = "t"
    STUDENTS = "l"
    SUMMARY = "u"


@dataclass(frozen=True)
class StaffCb(Payload, prefix="sv"):
    v: StaffView
    c: int = 0  # class id
    j: int = 0  # subject id
    d: int = 0  # period id (0: the current one)
    p: int = 0  # page
    s: int = 0  # student id


def _go(text: str, view: StaffView, **ids: int) -> Button:
    return Button(text, StaffCb(view, **ids).pack())


def _to_class(t: Translator, class_id: int) -> Button:
    return _go(t("staff-btn-class"), StaffView.CLASS, c=class_id)


# --- classes ------------------------------------------------------------------------------


def classes(t: Translator, found: staff.StaffClasses) -> Screen:
    # Button texts are plain text: names go there as they are, unescaped.
    buttons = [_go(klass.name, StaffView.CLASS, c=klass.id) for klass in found.classes]
    text = t("staff-classes-title") if found.classes else t("staff-classes-empty")
    return Screen(text, layout([*buttons, menu_button(t)], *grid(len(buttons), 4), 1))


def _consent_line(t: Translator, student: StudentConsent) -> str:
    people = len(student.people)
    family = (t("staff-class-family", linked=sum(p.linked for p in student.people),
                people=people) if people else t("staff-class-no-family"))
    return t("staff-class-student", status=t(f"staff-class-{student.status.value}"),
             name=escape(student.name), family=family,
             own=t(f"staff-class-own-{student.own_link.value}"))


def klass(t: Translator, view: staff.ClassView) -> Screen:
    ref = view.klass
    subjects = view.subjects if ref.gets_marks else ()
    buttons = [_go(subject.name, StaffView.TABLE, c=ref.id, j=subject.id)
               for subject in subjects]
    buttons.append(_go(t("staff-btn-students"), StaffView.STUDENTS, c=ref.id))
    if view.consents is not None:
        buttons.append(Button(t("menu-staff-consents"), FormCb(Step.REPORT, c=ref.id).pack()))
    buttons += [Button(t("staff-btn-classes"), MenuCb(MenuArea.CLASSES).pack()),
                menu_button(t)]
    if not ref.gets_marks:
        # No subject to choose: a first grade gets no marks at all (002 §5.5).
        lines = [t("staff-class-name", klass=escape(ref.name)), t("marks-first-grade")]
    else:
        lines = [t("staff-class-title", klass=escape(ref.name))]
    if ref.gets_marks and not subjects:
        lines.append(t("staff-class-no-subjects"))
    if view.consents is not None:
        # The class teacher's own class: who is in the bot and who has consented.
        lines += ["", t("staff-class-consents") if view.consents
                  else t("staff-students-empty")]
        lines += [_consent_line(t, student) for student in view.consents]
    extra = 2 if view.consents is not None else 1
    return Screen(fit_lines(t, lines), layout(buttons, *grid(len(subjects), 2), extra, 2))


def table_pages(t: Translator, table: staff.ClassMarksTable) -> list[str]:
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


def table(t: Translator, view: staff.ClassMarksTable, page: int) -> Screen:
    """Page `page` of the table (clamped to the pages there are), with the neighbouring
    pages and periods one button away."""
    ids = {"c": view.klass.id, "j": view.subject.id}
    steps: list[tuple[Button, ...]] = []
    if not view.klass.gets_marks:
        text = t("marks-first-grade")
    elif view.period is None:
        text = t("staff-no-period")
    else:
        pages = table_pages(t, view)
        period_id = view.period.id
        page = min(max(page, 0), len(pages) - 1)
        text = pages[page]
        if len(pages) > 1:
            text += "\n" + t("marks-page", page=page + 1, pages=len(pages))

            def at(p: int) -> StaffCb | None:
                return (StaffCb(StaffView.TABLE, d=period_id, p=p, **ids)
                        if 0 <= p < len(pages) else None)

            steps.append(pager(at(page - 1), at(page + 1), t("btn-prev"), t("btn-next")))
        before, after = view.previous, view.next
        steps.append(pager(
            StaffCb(StaffView.TABLE, d=before.id, **ids) if before else None,
            StaffCb(StaffView.TABLE, d=after.id, **ids) if after else None,
            f"◀️ {period_label(t, before)}" if before else "",
            f"{period_label(t, after)} ▶️" if after else ""))
    rows = tuple(row for row in steps if row)
    return Screen(text, (*rows, (_to_class(t, view.klass.id), menu_button(t))))


def students(t: Translator, found: staff.ClassStudents) -> Screen:
    buttons = [_go(student.name, StaffView.SUMMARY, s=student.id)
               for student in found.students]
    buttons += [_to_class(t, found.klass.id), menu_button(t)]
    text = (t("staff-students-title", klass=escape(found.klass.name)) if found.students
            else t("staff-students-empty"))
    return Screen(text, layout(buttons, *grid(len(found.students), 3), 2))


# --- one student --------------------------------------------------------------------------


def summary_text(t: Translator, summary: staff.StudentSummary) -> str:
    child = summary.child
    overview = summary.overview
    if overview is None:
        return t("staff-no-period")
    lines = [t("staff-summary-title", name=person_name(child.last_name, child.first_name),
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


def summary(t: Translator, view: staff.StudentSummary) -> Screen:
    buttons: list[Button] = []
    if view.child.class_id is not None:
        buttons.append(_go(t("staff-btn-students"), StaffView.STUDENTS,
                           c=view.child.class_id))
    return Screen(summary_text(t, view), layout([*buttons, menu_button(t)], 2))
