"""Attendance screens: a reporting period or a week, with counts by reason and the missed
lessons; ◀️ ▶️ to the neighbouring period or week, paged when long."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, rows
from screens.family import child_line
from screens.format import period_label
from screens.i18n import Translator
from screens.nav import DayPayload, menu_button, pack_day, paged, paginate
from services.access import StudentAccess
from services.attendance import KINDS, AttendanceReport, MissedLesson
from services.models import AttendanceKind


class AtView(enum.StrEnum):
    PERIOD = "p"  # the reporting period holding the day
    WEEK = "w"  # the week holding the day


@dataclass(frozen=True)
class AtCb(DayPayload, prefix="at"):
    v: AtView
    s: int  # student id
    d: int = 0  # a date as YYYYMMDD; 0: today
    p: int = 0  # page


def reason(t: Translator, item: MissedLesson) -> str:
    if item.kind == AttendanceKind.LATE and item.minutes_late:
        return t("attendance-reason-late-minutes", minutes=item.minutes_late)
    return t(f"attendance-reason-{item.kind.value}")


def report_lines(t: Translator, report: AttendanceReport) -> list[str]:
    lines = [t("attendance-range", start=t.date(report.start), end=t.date(report.end)), ""]
    if not report.items:
        lines.append(t("attendance-none"))  # one line, not four zero counts
        return lines
    lines.extend(t(f"attendance-count-{kind.value}", count=report.count(kind))
                 for kind in KINDS)
    lines.append("")
    lines.append(t("attendance-list-title"))
    lines.extend(t("attendance-line", date=t.date(i.date, weekday=True), slot=i.slot,
                   subject=escape(i.subject), reason=reason(t, i)) for i in report.items)
    return lines


def report(t: Translator, granted: StudentAccess, view: AtView, found: AttendanceReport,
           page: int = 0) -> Screen:
    if view == AtView.WEEK:
        title = t("attendance-week-title")
    elif found.period is not None:
        title = t("attendance-period-title", period=period_label(t, found.period))
    else:
        title = t("attendance-range-title")
    s, start = found.student_id, pack_day(found.start)
    pages = paginate(report_lines(t, found), f"{title}\n{child_line(t, granted)}")
    text, paging = paged(t, "attendance", pages, page, lambda p: AtCb(view, s, start, p))
    unit = "week" if view == AtView.WEEK else "period"
    steps = []
    if found.previous_start is not None:
        steps.append(Button(t(f"attendance-btn-prev-{unit}"),
                            AtCb(view, s, pack_day(found.previous_start)).pack()))
    if found.next_start is not None:
        steps.append(Button(t(f"attendance-btn-next-{unit}"),
                            AtCb(view, s, pack_day(found.next_start)).pack()))
    other, other_text = ((AtView.PERIOD, "attendance-btn-period") if view == AtView.WEEK
                         else (AtView.WEEK, "attendance-btn-week"))
    return Screen(text, rows(paging, steps,
                             [Button(t(other_text), AtCb(other, s).pack()), menu_button(t)]))
