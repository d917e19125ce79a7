"""A staff member's days: their lessons on a day (today, tomorrow, any day) or through a
week, as the teacher or as the substitute, with lessons moved onto the day; and, for
school-wide staff (admins, deputies, the director, clerks, inspectors), the school's day:
its classes and the day's replacements, moves and cancellations.

A lesson whose bell has rung reads as held (the journal may not have marked it yet). Each
view runs a fixed number of statements after the access check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from services import access, clock
from services.access import SCHOOL_WIDE, StaffRef
from services.models import (
    AcademicYear,
    BellSlot,
    ClassGroup,
    Lesson,
    LessonStatus,
    School,
    Staff,
    Subgroup,
    Subject,
)
from services.names import initials
from services.timetable import week_of

# --- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeacherLesson:
    lesson_id: int
    date: dt.date  # where it shows (the new date for a lesson moved here)
    slot: int
    starts_at: dt.time | None
    ends_at: dt.time | None
    class_name: str
    subgroup: str | None
    subject: str
    room: str | None
    status: LessonStatus  # SCHEDULED becomes HELD once the lesson's bell has rung
    as_substitute: bool  # this teacher stands in for `teacher`
    teacher: str  # the lesson's own teacher, "Орлова М. Г."
    substitute: str | None  # who stands in, when it is someone else
    moved_to_date: dt.date | None = None
    moved_to_slot: int | None = None
    moved_here: bool = False
    moved_from_date: dt.date | None = None  # for a lesson moved here: where it came from
    moved_from_slot: int | None = None
    today: bool = True  # shown on the school's today


@dataclass(frozen=True)
class TeacherDay:
    staff_id: int
    day: dt.date
    lessons: tuple[TeacherLesson, ...]  # slot order
    today: dt.date | None = None
    school_wide: bool = False  # the school's day is one button away


@dataclass(frozen=True)
class TeacherWeek:
    staff_id: int
    monday: dt.date
    today: dt.date
    days: tuple[TeacherDay, ...]  # Monday to Sunday
    school_wide: bool = False


@dataclass(frozen=True)
class SchoolDay:
    staff_id: int
    school: str
    day: dt.date
    today: dt.date
    classes: tuple[str, ...]  # grade and name order
    changes: tuple[TeacherLesson, ...]  # replaced, moved and cancelled lessons; slot order
    teaches: bool  # the staff member has lessons of their own that week


# --- reading ------------------------------------------------------------------------------


async def _now(session: AsyncSession, school_id: int) -> tuple[str, dt.datetime]:
    row = (await session.execute(select(School.name, School.timezone)
                                 .where(School.id == school_id))).one()
    return row.name, clock.local_now(row.timezone or "Europe/Moscow")


async def _bells(session: AsyncSession, school_id: int) -> dict[int, tuple[dt.time, dt.time]]:
    return {r.slot: (r.starts_at, r.ends_at) for r in await session.execute(
        select(BellSlot.slot, BellSlot.starts_at, BellSlot.ends_at)
        .where(BellSlot.school_id == school_id))}


def _ended(day: dt.date, ends_at: dt.time | None, now: dt.datetime) -> bool:
    if day != now.date():
        return day < now.date()
    return ends_at is not None and ends_at <= now.time()


_CHANGED = (LessonStatus.REPLACED, LessonStatus.MOVED, LessonStatus.CANCELLED)
_SHOWN_COLUMNS = (Lesson.id, Lesson.date, Lesson.slot, Lesson.room, Lesson.status,
                  Lesson.teacher_id, Lesson.substitute_id, Lesson.moved_to_date,
                  Lesson.moved_to_slot, Lesson.class_id, Lesson.subject_id, Lesson.subgroup_id)


def _whose(staff: StaffRef) -> list[list[ColumnElement[bool]]]:
    """A teacher's lessons as two disjoint parts: their own, and those they substitute in
    (each on its own index; an OR of the two would read the school's lessons)."""
    return [[Lesson.teacher_id == staff.staff_id],
            [Lesson.substitute_id == staff.staff_id, Lesson.teacher_id != staff.staff_id]]


def _shown(staff: StaffRef, start: dt.date, end: dt.date, everyone: bool) -> Any:
    """The lessons the view shows, as disjoint UNION ALL branches: held in the range, or
    (one's own only) moved into it from outside. The school's changed lessons count on
    their own date only (the view never shows them on a new one)."""
    school = Lesson.school_id == staff.school_id
    held_in = Lesson.date.between(start, end)
    if everyone:
        return (select(*_SHOWN_COLUMNS).where(school, Lesson.status.in_(_CHANGED), held_in)
                .subquery("shown"))
    moved_in = [Lesson.status == LessonStatus.MOVED, Lesson.moved_to_date.between(start, end),
                ~held_in]
    return union_all(*(select(*_SHOWN_COLUMNS).where(school, *who, *where)
                       for where in ([held_in], moved_in) for who in _whose(staff))
                     ).subquery("shown")


async def _lessons(session: AsyncSession, staff: StaffRef, start: dt.date, end: dt.date,
                   now: dt.datetime, *, everyone: bool = False) -> list[TeacherLesson]:
    """Lessons shown between two dates (a moved lesson on its new date too): the staff
    member's own, or with `everyone` the whole school's changed ones. Two statements."""
    bells = await _bells(session, staff.school_id)
    teacher, substitute = aliased(Staff), aliased(Staff)
    shown = _shown(staff, start, end, everyone)
    rows = (await session.execute(
        select(shown.c.id, shown.c.date, shown.c.slot, shown.c.room, shown.c.status,
               shown.c.teacher_id, shown.c.substitute_id, shown.c.moved_to_date,
               shown.c.moved_to_slot, ClassGroup.name.label("class_name"),
               Subgroup.name.label("subgroup"), Subject.name.label("subject"),
               teacher.last_name.label("t_last"), teacher.first_name.label("t_first"),
               teacher.middle_name.label("t_middle"),
               substitute.last_name.label("s_last"), substitute.first_name.label("s_first"),
               substitute.middle_name.label("s_middle"))
        .select_from(shown)
        .join(ClassGroup, ClassGroup.id == shown.c.class_id)
        .join(Subject, Subject.id == shown.c.subject_id)
        .join(teacher, teacher.id == shown.c.teacher_id)
        .outerjoin(substitute, substitute.id == shown.c.substitute_id)
        .outerjoin(Subgroup, Subgroup.id == shown.c.subgroup_id)
    )).all()
    lessons: list[TeacherLesson] = []
    for r in rows:
        if start <= r.date <= end:
            lessons.append(_view(r, staff, r.date, False, bells, now, everyone))
        if r.status == LessonStatus.MOVED and r.moved_to_date is not None \
                and start <= r.moved_to_date <= end and not everyone:
            lessons.append(_view(r, staff, r.moved_to_date, True, bells, now, everyone))
    lessons.sort(key=lambda v: (v.date, v.slot, v.moved_here, v.lesson_id))
    return lessons


def _view(r: Any, staff: StaffRef, day: dt.date, here: bool,
          bells: dict[int, tuple[dt.time, dt.time]], now: dt.datetime,
          everyone: bool) -> TeacherLesson:
    slot = (r.moved_to_slot if r.moved_to_slot is not None else r.slot) if here else r.slot
    starts_at, ends_at = bells.get(slot, (None, None))
    mine_as_sub = (not everyone and r.substitute_id == staff.staff_id
                   and r.teacher_id != staff.staff_id)
    other_sub = (initials(r.s_last, r.s_first, r.s_middle)
                 if r.s_last is not None and (everyone or r.substitute_id != staff.staff_id)
                 else None)
    moved_away = r.status == LessonStatus.MOVED and not here
    status = LessonStatus.SCHEDULED if here else r.status
    if status == LessonStatus.SCHEDULED and _ended(day, ends_at, now):
        status = LessonStatus.HELD
    return TeacherLesson(
        r.id, day, slot, starts_at, ends_at, r.class_name, r.subgroup, r.subject, r.room,
        status, mine_as_sub, initials(r.t_last, r.t_first, r.t_middle), other_sub,
        r.moved_to_date if moved_away else None, r.moved_to_slot if moved_away else None,
        here, r.date if here else None, r.slot if here else None, day == now.date())


async def teacher_day(session: AsyncSession, account_id: int,
                      day: dt.date | None = None) -> TeacherDay:
    """The staff member's lessons on a day (default: the school's today)."""
    staff = await access.require_staff(session, account_id)
    _, now = await _now(session, staff.school_id)
    day = day or now.date()
    lessons = await _lessons(session, staff, day, day, now)
    return TeacherDay(staff.staff_id, day, tuple(lessons), now.date(), staff.school_wide)


async def teacher_week(session: AsyncSession, account_id: int,
                       day: dt.date | None = None) -> TeacherWeek:
    """The staff member's lessons Monday to Sunday of the week holding `day`."""
    staff = await access.require_staff(session, account_id)
    _, now = await _now(session, staff.school_id)
    monday, sunday = week_of(day or now.date())
    lessons = await _lessons(session, staff, monday, sunday, now)
    days = tuple(TeacherDay(staff.staff_id, d, tuple(x for x in lessons if x.date == d),
                            now.date(), staff.school_wide)
                 for d in (monday + dt.timedelta(days=i) for i in range(7)))
    return TeacherWeek(staff.staff_id, monday, now.date(), days, staff.school_wide)


async def school_day(session: AsyncSession, account_id: int,
                     day: dt.date | None = None) -> SchoolDay:
    """The school's day for school-wide staff: its classes this academic year and the
    day's replaced, moved and cancelled lessons. Anyone else is refused."""
    staff = await access.require_staff(session, account_id, SCHOOL_WIDE)
    school, now = await _now(session, staff.school_id)
    day = day or now.date()
    year = (select(AcademicYear.id)
            .where(AcademicYear.school_id == staff.school_id, AcademicYear.starts_on <= day)
            .order_by(AcademicYear.starts_on.desc()).limit(1).scalar_subquery())
    classes = (await session.scalars(
        select(ClassGroup.name).where(ClassGroup.school_id == staff.school_id,
                                      ClassGroup.academic_year_id == year)
        .order_by(ClassGroup.grade, ClassGroup.name))).all()
    changes = await _lessons(session, staff, day, day, now, everyone=True)
    monday, sunday = week_of(day)
    teaches = bool(await session.scalar(select(func.count()).select_from(union_all(*(
        select(Lesson.id).where(Lesson.school_id == staff.school_id,
                                Lesson.date.between(monday, sunday), *who)
        for who in _whose(staff))).subquery())))
    return SchoolDay(staff.staff_id, school, day, now.date(), tuple(classes), tuple(changes),
                     teaches)
