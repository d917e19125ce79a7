"""Marks for families as screens: recent marks (paged), a subject with its average and a
chart, the period overview, and period/year/final marks."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from screens.base import CAPTION_LIMIT, TEXT_LIMIT, Button, Screen, layout
from screens.base import grid as grid_sizes
from screens.format import average_text, mark_text, period_label
from screens.i18n import Translator
from screens.nav import menu_button
from screens.payloads import Payload
from services import marks
from services.access import StudentAccess
from services.models import FinalMarkKind


class MarksView(enum.StrEnum):
    RECENT = "r"
    SUBJECTS = "s"
    SUBJECT = "m"
    CHART = "c"
    OVERVIEW = "o"
    FINAL = "f"


@dataclass(frozen=True)
class MarksCb(Payload, prefix="mk"):
    v: MarksView
    s: int  # student id
    p: int = 0  # page of recent marks, or period id (0: the current period)
    j: int = 0  # subject id


def mark_line(t: Translator, m: marks.MarkItem) -> str:
    """A mark, what it was before a correction ("3 → 4"), and the teacher's comment under it."""
    was = "".join(t("marks-was", old=mark_text(t, e.value, e.passed)) for e in m.earlier)
    args = {"date": t.short_date(m.date), "subject": escape(m.subject),
            "value": mark_text(t, m.value, m.passed), "work": escape(m.work_type),
            "weight": m.weight, "was": was}
    line = t("marks-line-weighted" if m.weight > 1 else "marks-line", **args)
    if m.comment:
        line += "\n" + t("marks-comment", comment=escape(m.comment))
    return line


def fit_lines(t: Translator, lines: list[str], limit: int = TEXT_LIMIT,
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


def _go(text: str, view: MarksView, sid: int, p: int = 0, j: int = 0) -> Button:
    return Button(text, MarksCb(view, sid, p, j).pack())


def first_grade(t: Translator) -> Screen:
    return Screen(t("marks-first-grade"), ((menu_button(t),),))


def no_period(t: Translator) -> Screen:
    return Screen(t("marks-no-period"), ((menu_button(t),),))


def recent(t: Translator, granted: StudentAccess, page: marks.RecentMarks) -> Screen:
    sid = granted.child.student_id
    lines = [t("marks-recent-title", name=escape(granted.child.short_name))]
    lines += [mark_line(t, m) for m in page.marks] or [t("marks-recent-empty")]
    footer = (t("marks-page", page=page.page + 1, pages=page.pages),) if page.pages > 1 else ()
    buttons: list[Button] = []
    widths = []
    if page.pages > 1:
        if page.page > 0:
            buttons.append(_go(t("btn-prev"), MarksView.RECENT, sid, page.page - 1))
        if page.page + 1 < page.pages:
            buttons.append(_go(t("btn-next"), MarksView.RECENT, sid, page.page + 1))
        widths.append(int(page.page > 0) + int(page.page + 1 < page.pages))
    buttons += [_go(t("marks-btn-by-subject"), MarksView.SUBJECTS, sid),
                _go(t("marks-btn-overview"), MarksView.OVERVIEW, sid), menu_button(t)]
    return Screen(fit_lines(t, lines, tail=footer), layout(buttons, *widths, 2, 1))


def picker(t: Translator, granted: StudentAccess, choice: marks.SubjectPicker) -> Screen:
    sid = granted.child.student_id
    buttons: list[Button] = []
    if choice.period is None or not choice.subjects:
        text = t("marks-subjects-empty")
    else:
        text = t("marks-subjects-title", period=period_label(t, choice.period))
        buttons += [_go(t("marks-subject-button", subject=c.subject.name, count=c.marks),
                        MarksView.SUBJECT, sid, j=c.subject.id) for c in choice.subjects]
    buttons += [_go(t("marks-btn-recent"), MarksView.RECENT, sid), menu_button(t)]
    return Screen(text, layout(buttons, *grid_sizes(len(choice.subjects), 2), 2))


def subject(t: Translator, granted: StudentAccess, view: marks.SubjectMarks) -> Screen:
    sid = granted.child.student_id
    lines = [t("marks-subject-title", subject=escape(view.subject.name),
               period=period_label(t, view.period))]
    if view.marks:
        lines.append(t("marks-subject-average", average=average_text(t, view.average)))
        if view.class_average is not None:
            lines.append(t("marks-subject-class-average",
                           average=average_text(t, view.class_average)))
        lines += [t("marks-subject-count", count=len(view.marks)), ""]
    lines += [mark_line(t, m) for m in reversed(view.marks)] or [t("marks-subject-empty")]
    buttons: list[Button] = []
    if view.graded:
        buttons.append(_go(t("marks-btn-chart"), MarksView.CHART, sid, view.period.id,
                           view.subject.id))
    buttons += [_go(t("marks-btn-subjects"), MarksView.SUBJECTS, sid), menu_button(t)]
    return Screen(fit_lines(t, lines), layout(buttons, 1, 2))


def chart_title(t: Translator, view: marks.SubjectMarks) -> str:
    return t("marks-chart-title", subject=view.subject.name,
             period=period_label(t, view.period))


def chart_caption(t: Translator, view: marks.SubjectMarks) -> str:
    caption = t("marks-chart-caption", subject=escape(view.subject.name),
                period=period_label(t, view.period), average=average_text(t, view.average),
                count=t("marks-subject-count", count=len(view.graded)))
    return fit_lines(t, caption.split("\n"), CAPTION_LIMIT)


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


def overview(t: Translator, granted: StudentAccess, view: marks.PeriodOverview) -> Screen:
    sid = granted.child.student_id
    period = view.period
    head = t("marks-overview-title", period=period_label(t, period),
             start=t.date(period.starts_on), end=t.date(period.ends_on),
             name=escape(granted.child.short_name))
    # With very many marks, each row keeps only its latest marks (averages stay whole).
    for cap in (None, 40, 20, 10, 5):
        lines = [head, *(_overview_line(t, row, cap) for row in view.subjects)]
        if len("\n".join(lines)) <= TEXT_LIMIT:
            break
    if not view.started:
        lines.append(t("marks-period-not-started", start=t.date(period.starts_on)))
    elif not view.subjects:
        lines.append(t("marks-overview-empty"))
    buttons: list[Button] = []
    if view.previous is not None:
        buttons.append(_go(f"◀️ {period_label(t, view.previous)}", MarksView.OVERVIEW, sid,
                           view.previous.id))
    if view.next is not None:
        buttons.append(_go(f"{period_label(t, view.next)} ▶️", MarksView.OVERVIEW, sid,
                           view.next.id))
    steps = len(buttons)
    buttons += [_go(t("marks-btn-final"), MarksView.FINAL, sid),
                _go(t("marks-btn-recent"), MarksView.RECENT, sid), menu_button(t)]
    return Screen(fit_lines(t, lines), layout(buttons, *([steps] if steps else []), 2, 1))


_GROUP_TITLES = {FinalMarkKind.YEAR: "marks-final-group-year",
                 FinalMarkKind.EXAM: "marks-final-group-exam",
                 FinalMarkKind.FINAL: "marks-final-group-final"}


def final(t: Translator, granted: StudentAccess, view: marks.FinalMarks) -> Screen:
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
    buttons = [_go(t("marks-btn-overview"), MarksView.OVERVIEW, granted.child.student_id),
               menu_button(t)]
    return Screen(fit_lines(t, lines), layout(buttons, 2))
