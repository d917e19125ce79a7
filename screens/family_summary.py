"""The summary of several children as one screen: for each child, each part labelled with
the child's name: new marks, today's absences, the next school day's timetable changes
and the homework due."""

from __future__ import annotations

from html import escape

from screens.attendance import reason
from screens.base import Screen
from screens.i18n import Translator
from screens.marks import fit_lines, mark_line
from screens.menu import child_label
from screens.nav import menu_rows
from screens.timetable import week_line
from services.family_summary import ChildSummary, FamilySummary


def _child_lines(t: Translator, c: ChildSummary) -> list[str]:
    name = escape(c.child.first_name)
    lines = ["", f"<b>{escape(child_label(t, c.child))}</b>"]
    if c.child.gets_marks:
        if c.marks:
            lines.append(t("summary-marks", name=name))
            lines += ["  " + mark_line(t, m) for m in c.marks]
        else:
            lines.append(t("summary-marks-none", name=name))
    if c.absences:
        lines.append(t("summary-absences", name=name))
        lines += ["  " + t("summary-absence-line", slot=a.slot, subject=escape(a.subject),
                           reason=reason(t, a)) for a in c.absences]
    else:
        lines.append(t("summary-absences-none", name=name))
    day = t.date(c.next_day, weekday=True)
    if c.changes:
        lines.append(t("summary-changes", name=name, date=day))
        lines += ["  " + week_line(t, x) for x in c.changes]
    else:
        lines.append(t("summary-changes-none", name=name, date=day))
    if c.homework:
        lines.append(t("summary-homework", name=name, date=day))
        lines += ["  " + t("homework-item", subject=escape(h.subject), text=escape(h.text))
                  for h in c.homework]
    else:
        lines.append(t("summary-homework-none", name=name, date=day))
    return lines


def summary(t: Translator, view: FamilySummary) -> Screen:
    lines = [t("summary-title", date=t.date(view.today, weekday=True))]
    for child in view.children:
        lines += _child_lines(t, child)
    return Screen(fit_lines(t, lines), menu_rows(t))
