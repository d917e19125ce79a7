"""A staff member's lessons as screens: a day (today, tomorrow, any day) and a week, and
for school-wide staff the school's day: its classes and the day's replacements, moves and
cancellations."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, rows
from screens.i18n import Translator
from screens.marks import fit_lines
from screens.nav import DayPayload, MenuArea, MenuCb, menu_button, pack_day
from services.models import LessonStatus
from services.teacher_days import SchoolDay, TeacherDay, TeacherLesson, TeacherWeek


class LessonsView(enum.StrEnum):
    DAY = "d"
    WEEK = "w"  # the week holding the day
    SCHOOL = "s"  # the school's day (school-wide staff)


@dataclass(frozen=True)
class LessonsCb(DayPayload, prefix="ml"):
    v: LessonsView
    d: int = 0  # a date as YYYYMMDD; 0: the school's today


def _go(text: str, view: LessonsView, day: dt.date | None = None) -> Button:
    return Button(text, LessonsCb(view, pack_day(day) if day else 0).pack())


def _status(t: Translator, x: TeacherLesson) -> str:
    if x.moved_here:
        if x.today or x.moved_from_date is None:
            return t("staff-status-moved-here")
        return t("staff-status-moved-from", date=t.date(x.moved_from_date),
                 slot=x.moved_from_slot or x.slot)
    if x.status == LessonStatus.MOVED and x.moved_to_date is not None:
        return t("staff-status-moved", date=t.date(x.moved_to_date),
                 slot=x.moved_to_slot or x.slot)
    if x.as_substitute:
        return t("staff-status-substitute", name=escape(x.teacher))
    if x.substitute is not None:
        return t("staff-status-replaced", name=escape(x.substitute))
    if x.status == LessonStatus.CANCELLED:
        return t("staff-status-cancelled")
    if x.status == LessonStatus.HELD:
        return t("staff-status-held")
    return t("staff-status-scheduled")


def lesson_line(t: Translator, x: TeacherLesson, *, teacher: bool = False) -> str:
    time = f"{x.starts_at:%H:%M}–{x.ends_at:%H:%M}" if x.starts_at and x.ends_at else "—"
    args = {"slot": x.slot, "time": time, "klass": escape(x.class_name),
            "subject": escape(x.subject), "subgroup": escape(x.subgroup or "")}
    parts = [t("staff-lesson-subgroup" if x.subgroup else "staff-lesson", **args)]
    if teacher:
        parts.append(escape(x.teacher))
    if x.room:
        parts.append(t("staff-room", room=escape(x.room)))
    parts.append(_status(t, x))
    return " · ".join(parts)


def _jumps(t: Translator, view: LessonsView, day: dt.date | None, today: dt.date,
           *, week: bool = True) -> list[Button]:
    """Today, tomorrow and the week: whichever is not on screen."""
    tomorrow = today + dt.timedelta(days=1)
    found = []
    if day != today:
        found.append(_go(t("staff-btn-today"), view))
    if day != tomorrow:
        found.append(_go(t("staff-btn-tomorrow"), view, tomorrow))
    if week:
        found.append(_go(t("staff-btn-week"), LessonsView.WEEK, day or today))
    return found


def day(t: Translator, view: TeacherDay) -> Screen:
    today = view.today or view.day
    lines = [t("staff-today-title", date=t.date(view.day, weekday=True))]
    empty = "staff-today-empty" if view.day == today else "staff-day-empty"
    lines += [lesson_line(t, x) for x in view.lessons] or [t(empty)]
    school = [_go(t("staff-btn-school"), LessonsView.SCHOOL, view.day)] if view.school_wide \
        else []
    return Screen(fit_lines(t, lines), rows(_jumps(t, LessonsView.DAY, view.day, today),
                                            school, [menu_button(t)]))


def week(t: Translator, view: TeacherWeek) -> Screen:
    sunday = view.monday + dt.timedelta(days=6)
    lines = [t("staff-week-title", start=t.date(view.monday), end=t.date(sunday))]
    for one in view.days:
        if one.day.isoweekday() >= 6 and not one.lessons:
            continue
        lines += ["", t("staff-week-day", date=t.date(one.day, weekday=True))
                  + (" 👈" if one.day == view.today else "")]
        lines += [lesson_line(t, x) for x in one.lessons] or [t("staff-week-no-lessons")]
    steps = [_go(t("staff-btn-prev-week"), LessonsView.WEEK, view.monday - dt.timedelta(days=7)),
             _go(t("staff-btn-next-week"), LessonsView.WEEK, view.monday + dt.timedelta(days=7))]
    return Screen(fit_lines(t, lines), rows(
        steps, _jumps(t, LessonsView.DAY, None, view.today, week=False), [menu_button(t)]))


def school(t: Translator, view: SchoolDay) -> Screen:
    lines = [t("staff-school-title", school=escape(view.school),
               date=t.date(view.day, weekday=True)),
             t("staff-school-classes", count=len(view.classes),
               classes=escape(", ".join(view.classes)) or "—"), ""]
    if view.changes:
        lines.append(t("staff-school-changes"))
        lines += [lesson_line(t, x, teacher=True) for x in view.changes]
    else:
        lines.append(t("staff-school-no-changes"))
    tomorrow = view.today + dt.timedelta(days=1)
    jumps = []
    if view.day != view.today:
        jumps.append(_go(t("staff-btn-today"), LessonsView.SCHOOL))
    if view.day != tomorrow:
        jumps.append(_go(t("staff-btn-tomorrow"), LessonsView.SCHOOL, tomorrow))
    own = [_go(t("staff-btn-my-lessons"), LessonsView.DAY, view.day)] if view.teaches else []
    return Screen(fit_lines(t, lines), rows(
        jumps, [Button(t("menu-staff-classes"), MenuCb(MenuArea.CLASSES).pack()), *own],
        [menu_button(t)]))
