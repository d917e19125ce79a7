"""The evening summary of several children as push text: each child under their name and
class, each part labelled with the child's name (the same parts and texts as the on-demand
summary, screens/family_summary.py), marks hidden under a spoiler in privacy mode."""

from __future__ import annotations

from html import escape

from screens.format import mark_text
from screens.i18n import Translator
from services import push_events as ev


def _reason(t: Translator, kind: str) -> str:
    known = ("absent", "ill", "excused", "late")
    return t(f"attendance-reason-{kind if kind in known else 'absent'}")


def _change(t: Translator, e: ev.LessonChangeEvent) -> str:
    args = dict(date=t.date(e.date, weekday=True) if e.date else "—", slot=e.slot,
                subject=escape(e.subject))
    if e.type == "lesson_replaced":
        return t("push-lesson-replaced", teacher=escape(e.teacher or "—"), **args)
    if e.type == "lesson_moved" and e.new_date is None:
        return t("push-lesson-moved-away", **args)
    if e.type == "lesson_moved" and e.new_date is not None:
        return t("push-lesson-moved", new_date=t.date(e.new_date, weekday=True),
                 new_slot=e.new_slot or 0, **args)
    return t("push-lesson-cancelled", **args)


def _child(t: Translator, c: ev.SummaryChild, hide: bool) -> list[str]:
    name = escape(c.student)
    lines = ["", f"<b>{escape(c.label or c.student)}</b>"]
    if c.gets_marks:
        lines.append(t("summary-marks" if c.marks else "summary-marks-none", name=name))
        lines += ["  " + t("push-mark-line", subject=escape(m.subject),
                           work=escape(m.work_type), weight=m.weight or 1,
                           date=t.date(m.date) if m.date else "—",
                           value=mark_text(t, m.value, m.passed, hide=hide))
                  for m in c.marks]
    lines.append(t("summary-absences" if c.absences else "summary-absences-none", name=name))
    lines += ["  " + t("summary-absence-line", slot=a.slot, subject=escape(a.subject),
                       reason=_reason(t, a.attendance)) for a in c.absences]
    day = t.date(c.next_day, weekday=True) if c.next_day else "—"
    lines.append(t("summary-changes" if c.changes else "summary-changes-none", name=name,
                   date=day))
    lines += ["  " + _change(t, x) for x in c.changes]
    lines.append(t("summary-homework" if c.homework else "summary-homework-none", name=name,
                   date=day))
    lines += ["  " + t("homework-item", subject=escape(h.subject), text=escape(h.text))
              for h in c.homework]
    return lines


def summary_lines(t: Translator, e: ev.FamilySummaryEvent,
                  hide: bool) -> tuple[str, list[str]]:
    """The header and the lines of the summary push (the lines break between children)."""
    header = t("summary-title", date=t.date(e.today, weekday=True) if e.today else "—")
    lines: list[str] = []
    for child in e.children:
        lines += _child(t, child, hide)
    # The composer joins lines with newlines and a blank line is a line of its own.
    return header, lines[1:] if lines and lines[0] == "" else lines
