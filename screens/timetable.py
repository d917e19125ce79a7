"""Timetable screens: a day with ◀️ ▶️ to the nearest school days, the week (paged when
long), and the schedule of tests (контрольные)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, rows
from screens.family import child_line
from screens.format import period_label
from screens.i18n import Translator
from screens.nav import DayPayload, menu_button, pack_day, paged, paginate
from screens.payloads import Payload
from services.access import StudentAccess
from services.timetable import DayTimetable, LessonView, TestSchedule, TestView, WeekTimetable


class TtView(enum.StrEnum):
    DAY = "d"
    WEEK = "w"  # the week holding the day


@dataclass(frozen=True)
class TtCb(DayPayload, prefix="tt"):
    v: TtView
    s: int  # student id
    d: int = 0  # date as YYYYMMDD; 0: the school's today
    p: int = 0  # page of a long view


@dataclass(frozen=True)
class ScheduledTestsCb(Payload, prefix="ts"):
    s: int  # student id
    p: int = 0  # page


def bell_time(lesson: LessonView) -> str:
    if lesson.starts_at is None or lesson.ends_at is None:
        return ""
    return f"{lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}"


def _notes(t: Translator, lesson: LessonView) -> list[str]:
    notes = []
    if lesson.replaced and lesson.substitute:
        notes.append(t("timetable-replaced", teacher=escape(lesson.substitute)))
    if lesson.moved_away and lesson.moved_to_date is not None:
        notes.append(t("timetable-moved-away", date=t.date(lesson.moved_to_date, weekday=True),
                       slot=lesson.moved_to_slot or lesson.slot))
    if lesson.moved_here and lesson.moved_from_date is not None:
        notes.append(t("timetable-moved-here",
                       date=t.date(lesson.moved_from_date, weekday=True),
                       slot=lesson.moved_from_slot or lesson.slot))
    if lesson.is_test and lesson.work_type and not lesson.cancelled:
        notes.append(t("timetable-test", work=escape(lesson.work_type)))
    return notes


def lesson_lines(t: Translator, lesson: LessonView) -> list[str]:
    """A lesson in the day view: number, bell time, subject; room and teacher; notes."""
    subject = escape(lesson.subject)
    key = "timetable-lesson-cancelled" if lesson.cancelled else "timetable-lesson"
    lines = [t(key, slot=lesson.slot, time=bell_time(lesson), subject=subject)]
    details = [t("timetable-room", room=escape(lesson.room))] if lesson.room else []
    details.append(escape(lesson.teacher))
    lines.append("    " + " · ".join(details))
    lines.extend("    " + note for note in _notes(t, lesson))
    return lines


def week_line(t: Translator, lesson: LessonView) -> str:
    """A lesson in the week view: one line."""
    subject = escape(lesson.subject)
    if lesson.cancelled:
        text = t("timetable-week-lesson-cancelled", slot=lesson.slot, subject=subject)
        return f"{text} {t('timetable-cancelled')}"
    parts = [t("timetable-week-lesson", slot=lesson.slot, subject=subject)]
    if lesson.room:
        parts.append(t("timetable-room", room=escape(lesson.room)))
    return " · ".join(parts + _notes(t, lesson))


def _go(text: str, view: TtView, s: int, on: dt.date | None = None) -> Button:
    return Button(text, TtCb(view, s, pack_day(on) if on else 0).pack())


def day(t: Translator, granted: StudentAccess, view: DayTimetable) -> Screen:
    title = "timetable-day-title-today" if view.day == view.today else "timetable-day-title"
    lines = [t(title, date=t.date(view.day, weekday=True)), child_line(t, granted), ""]
    for lesson in view.lessons:
        lines.extend(lesson_lines(t, lesson))
    if not view.lessons:
        lines.append(t("timetable-weekend" if view.is_weekend else "timetable-no-lessons"))
        if view.next_school_day is not None and view.next_school_day > view.day:
            lines.append(t("timetable-next-school-day",
                           date=t.date(view.next_school_day, weekday=True)))
    s = view.student_id
    previous = view.previous_school_day or view.day - dt.timedelta(days=1)
    following = view.next_school_day or view.day + dt.timedelta(days=1)
    tomorrow = view.today + dt.timedelta(days=1)
    steps = [
        _go(t("timetable-btn-prev-day", date=t.date(previous, weekday=True)), TtView.DAY, s,
            previous),
        _go(t("timetable-btn-next-day", date=t.date(following, weekday=True)), TtView.DAY, s,
            following),
    ]
    jumps = []
    if view.day != view.today:
        jumps.append(_go(t("timetable-btn-today"), TtView.DAY, s))
    if view.day != tomorrow:
        jumps.append(_go(t("timetable-btn-tomorrow"), TtView.DAY, s, tomorrow))
    jumps.append(_go(t("timetable-btn-week"), TtView.WEEK, s, view.day))
    return Screen("\n".join(lines), rows(steps, jumps, [menu_button(t)]))


def week_pages(t: Translator, granted: StudentAccess, view: WeekTimetable) -> list[str]:
    title = t("timetable-week-title", start=t.date(view.monday),
              end=t.date(view.monday + dt.timedelta(days=6)))
    lines: list[str] = []
    for one in view.days:
        if one.day.isoweekday() >= 6 and not one.lessons:
            continue  # no empty Saturday in a five-day week, nor an empty Sunday
        lines.append("")
        mark = " 👈" if one.day == view.today else ""
        lines.append(t("timetable-week-day", date=t.date(one.day, weekday=True)) + mark)
        lines.extend(week_line(t, lesson) for lesson in one.lessons)
        if not one.lessons:
            lines.append(t("timetable-week-no-lessons"))
    return paginate(lines, f"{title}\n{child_line(t, granted)}")


def week(t: Translator, granted: StudentAccess, view: WeekTimetable, page: int = 0) -> Screen:
    s, monday = view.student_id, view.monday
    text, paging = paged(t, "timetable", week_pages(t, granted, view), page,
                         lambda p: TtCb(TtView.WEEK, s, pack_day(monday), p))
    return Screen(text, rows(
        paging,
        [_go(t("timetable-btn-prev-week"), TtView.WEEK, s, monday - dt.timedelta(days=7)),
         _go(t("timetable-btn-next-week"), TtView.WEEK, s, monday + dt.timedelta(days=7))],
        [_go(t("timetable-btn-today"), TtView.DAY, s), menu_button(t)]))


def scheduled_test_line(t: Translator, test: TestView) -> str:
    key = "tests-line-cancelled" if test.cancelled else "tests-line"
    return t(key, date=t.date(test.date, weekday=True), slot=test.slot,
             subject=escape(test.subject), work=escape(test.work_type))


def scheduled_tests(t: Translator, granted: StudentAccess, view: TestSchedule,
                    page: int = 0) -> Screen:
    lines = ["", t("tests-upcoming")]
    lines.extend(scheduled_test_line(t, v) for v in view.upcoming)
    if not view.upcoming:
        lines.append(t("tests-none-upcoming"))
    if view.past:
        lines.append("")
        lines.append(t("tests-past", period=period_label(t, view.period)) if view.period
                     else t("tests-past-no-period"))
        lines.extend(scheduled_test_line(t, v) for v in view.past)
    pages = paginate(lines, f"{t('tests-title')}\n{child_line(t, granted)}")
    s = granted.child.student_id
    text, paging = paged(t, "timetable", pages, page, lambda p: ScheduledTestsCb(s, p))
    return Screen(text, rows(paging, [menu_button(t)]))
