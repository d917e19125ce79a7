"""One student's timetable: a day, a week, and the schedule of tests (контрольные).

Only the student's own lessons: class-wide ones and those of the subgroups the student is a
member of. A moved lesson shows on its old place ("moved to …") and on its new one
("moved here"). Each view runs a bounded number of statements (no per-lesson queries).
Whether a day is a school day off follows services.working_days, as the reminders do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from services import clock
from services.access import ChildRef, StudentAccess
from services.calendar import PeriodInfo, current_period, periods_for_grade
from services.models import (
    BellSlot,
    Lesson,
    LessonStatus,
    School,
    Staff,
    SubgroupMember,
    Subject,
    WorkType,
)
from services.names import initials
from services.working_days import WorkingDays, today_and_working_days, working_days

LOOKAHEAD_DAYS = 60  # how far "the next school day" is searched for


@dataclass(frozen=True)
class LessonView:
    """A lesson as it shows on one date and slot."""

    lesson_id: int
    date: dt.date  # where it shows: the new date for a lesson moved here
    slot: int
    starts_at: dt.time | None
    ends_at: dt.time | None
    subject_id: int
    subject: str
    room: str | None
    teacher: str  # "Смирнова О. П."
    substitute: str | None
    status: LessonStatus
    moved_to_date: dt.date | None = None  # shown on its old place: where it went
    moved_to_slot: int | None = None
    moved_from_date: dt.date | None = None  # shown on its new place: where it came from
    moved_from_slot: int | None = None
    is_test: bool = False
    work_type: str | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == LessonStatus.CANCELLED

    @property
    def replaced(self) -> bool:
        return self.substitute is not None and not self.cancelled

    @property
    def moved_away(self) -> bool:
        return self.moved_to_date is not None

    @property
    def moved_here(self) -> bool:
        return self.moved_from_date is not None


@dataclass(frozen=True)
class DayTimetable:
    student_id: int
    day: dt.date
    today: dt.date  # the school's local date
    lessons: tuple[LessonView, ...]
    previous_school_day: dt.date | None = None  # the nearest dates with lessons
    next_school_day: dt.date | None = None
    working_day: bool = True  # by the school's working days (services.working_days)

    @property
    def is_weekend(self) -> bool:
        """A day off with nothing on it: a weekend, a public holiday, the holidays."""
        return not self.working_day and not self.lessons


@dataclass(frozen=True)
class WeekTimetable:
    student_id: int
    monday: dt.date
    today: dt.date
    days: tuple[DayTimetable, ...]  # Monday to Sunday


@dataclass(frozen=True)
class TestView:
    lesson_id: int
    date: dt.date
    slot: int
    subject: str
    work_type: str
    cancelled: bool


@dataclass(frozen=True)
class TestSchedule:
    student_id: int
    today: dt.date
    period: PeriodInfo | None
    upcoming: tuple[TestView, ...]
    past: tuple[TestView, ...]  # earlier in the current period


async def school_today(session: AsyncSession, school_id: int) -> dt.date:
    """Today's date in the school's own timezone."""
    tz = await session.scalar(select(School.timezone).where(School.id == school_id))
    return clock.today(tz or "Europe/Moscow")


async def child_today(session: AsyncSession, child: ChildRef) -> dt.date:
    """Today in the child's school: from the timezone read with the child, else read."""
    if child.timezone is not None:
        return clock.today(child.timezone)
    return await school_today(session, child.school_id)


def member_subgroups(student_id: int) -> Select[tuple[int]]:
    return select(SubgroupMember.subgroup_id).where(SubgroupMember.student_id == student_id)


def own_lessons(access: StudentAccess) -> list[ColumnElement[bool]]:
    """Conditions for the student's lessons: their class, class-wide or own subgroup, and
    only the subjects the viewer may see."""
    child = access.child
    conditions: list[ColumnElement[bool]] = [
        Lesson.class_id == child.class_id,
        or_(Lesson.subgroup_id.is_(None),
            Lesson.subgroup_id.in_(member_subgroups(child.student_id))),
    ]
    if access.subject_ids is not None:
        conditions.append(Lesson.subject_id.in_(access.subject_ids))
    return conditions


async def _bells(session: AsyncSession, school_id: int) -> dict[int, tuple[dt.time, dt.time]]:
    rows = await session.execute(
        select(BellSlot.slot, BellSlot.starts_at, BellSlot.ends_at)
        .where(BellSlot.school_id == school_id))
    return {r.slot: (r.starts_at, r.ends_at) for r in rows}


_SHOWN_COLUMNS = (Lesson.id, Lesson.date, Lesson.slot, Lesson.subject_id, Lesson.room,
                  Lesson.status, Lesson.moved_to_date, Lesson.moved_to_slot, Lesson.teacher_id,
                  Lesson.substitute_id, Lesson.planned_work_type_id)


def shown_between(own: list[ColumnElement[bool]], start: dt.date, end: dt.date) -> Any:
    """The lessons that show between two dates: held there, or moved there from outside.
    Two disjoint branches (UNION ALL), each on its own index: an OR of the two dates would
    leave only the class usable and read its whole year."""
    return union_all(
        select(*_SHOWN_COLUMNS).where(*own, Lesson.date.between(start, end)),
        select(*_SHOWN_COLUMNS).where(*own, Lesson.status == LessonStatus.MOVED,
                                      Lesson.moved_to_date.between(start, end),
                                      ~Lesson.date.between(start, end))).subquery("shown")


async def lessons_between(session: AsyncSession, access: StudentAccess, start: dt.date,
                          end: dt.date) -> list[LessonView]:
    """Every lesson of the student shown between two dates (inclusive), in date and slot
    order; a lesson moved within the range shows on both places. Two statements."""
    if access.child.class_id is None:
        return []
    bells = await _bells(session, access.child.school_id)
    teacher, substitute = aliased(Staff), aliased(Staff)
    shown = shown_between(own_lessons(access), start, end)
    rows = (await session.execute(
        select(shown.c.id, shown.c.date, shown.c.slot, shown.c.subject_id, shown.c.room,
               shown.c.status, shown.c.moved_to_date, shown.c.moved_to_slot,
               Subject.name.label("subject"),
               teacher.last_name.label("t_last"), teacher.first_name.label("t_first"),
               teacher.middle_name.label("t_middle"),
               substitute.last_name.label("s_last"), substitute.first_name.label("s_first"),
               substitute.middle_name.label("s_middle"),
               WorkType.is_test, WorkType.name.label("work_type"))
        .select_from(shown)
        .join(Subject, Subject.id == shown.c.subject_id)
        .join(teacher, teacher.id == shown.c.teacher_id)
        .outerjoin(substitute, substitute.id == shown.c.substitute_id)
        .outerjoin(WorkType, WorkType.id == shown.c.planned_work_type_id)
    )).all()
    taken = {(r.date, r.slot, r.subject_id) for r in rows if r.status != LessonStatus.MOVED}
    views: list[LessonView] = []
    for r in rows:
        sub = (initials(r.s_last, r.s_first, r.s_middle) if r.s_last is not None else None)
        base = dict(lesson_id=r.id, subject_id=r.subject_id, subject=r.subject, room=r.room,
                    teacher=initials(r.t_last, r.t_first, r.t_middle), substitute=sub,
                    is_test=bool(r.is_test), work_type=r.work_type)
        moved = r.status == LessonStatus.MOVED and r.moved_to_date is not None
        if start <= r.date <= end:
            bell = bells.get(r.slot, (None, None))
            views.append(LessonView(
                date=r.date, slot=r.slot, starts_at=bell[0], ends_at=bell[1], status=r.status,
                moved_to_date=r.moved_to_date if moved else None,
                moved_to_slot=r.moved_to_slot if moved else None, **base))
        if moved and start <= r.moved_to_date <= end:
            new_slot = r.moved_to_slot if r.moved_to_slot is not None else r.slot
            if (r.moved_to_date, new_slot, r.subject_id) in taken:
                continue  # the journal also sent the lesson at its new place
            bell = bells.get(new_slot, (None, None))
            views.append(LessonView(
                date=r.moved_to_date, slot=new_slot, starts_at=bell[0], ends_at=bell[1],
                status=LessonStatus.SCHEDULED, moved_from_date=r.date,
                moved_from_slot=r.slot, **base))
    views.sort(key=lambda v: (v.date, v.slot, v.moved_here, v.lesson_id))
    return views


async def student_working_days(session: AsyncSession, access: StudentAccess) -> WorkingDays:
    """The working days of the student's school and grade (its holidays included)."""
    return await working_days(session, access.child.school_id, access.child.grade)


async def next_school_day(session: AsyncSession, access: StudentAccess,
                          after: dt.date) -> dt.date:
    """The first date after `after` with a lesson of the student; without any data, the next
    working day."""
    return (await school_days_around(session, access, after))[1]


async def school_days_around(session: AsyncSession, access: StudentAccess, day: dt.date,
                             calendar: WorkingDays | None = None) -> tuple[dt.date, dt.date]:
    """The nearest earlier and later dates with a lesson of the student the viewer may see
    (one statement, within LOOKAHEAD_DAYS); without such data, the nearest working days
    (`calendar`, loaded when not given and needed)."""
    before = after = None
    if access.child.class_id is not None:
        window = dt.timedelta(days=LOOKAHEAD_DAYS)
        own = own_lessons(access)
        before, after = (await session.execute(select(
            select(func.max(Lesson.date))
            .where(*own, Lesson.date < day, Lesson.date >= day - window).scalar_subquery(),
            select(func.min(Lesson.date))
            .where(*own, Lesson.date > day, Lesson.date <= day + window).scalar_subquery(),
        ))).one()
    if before is None or after is None:
        calendar = calendar or await student_working_days(session, access)
        before = before or calendar.previous_before(day) or day - dt.timedelta(days=1)
        after = after or calendar.next_after(day) or day + dt.timedelta(days=1)
    return before, after


async def day_timetable(session: AsyncSession, access: StudentAccess,
                        day: dt.date | None = None) -> DayTimetable:
    """The student's lessons on one day (default: the school's today)."""
    today, calendar = await today_and_working_days(session, access.child.school_id,
                                                    access.child.grade)
    day = day or today
    lessons = tuple(await lessons_between(session, access, day, day))
    previous, following = await school_days_around(session, access, day, calendar)
    return DayTimetable(access.child.student_id, day, today, lessons, previous, following,
                        calendar.is_working_day(day))


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week holding `day`: the one range every week view shows."""
    monday = monday_of(day)
    return monday, monday + dt.timedelta(days=6)


async def week_timetable(session: AsyncSession, access: StudentAccess,
                         day: dt.date | None = None) -> WeekTimetable:
    """The student's lessons Monday to Sunday of the week holding `day`."""
    today, calendar = await today_and_working_days(session, access.child.school_id,
                                                    access.child.grade)
    monday, sunday = week_of(day or today)
    lessons = await lessons_between(session, access, monday, sunday)
    days = tuple(
        DayTimetable(access.child.student_id, d, today,
                     tuple(v for v in lessons if v.date == d),
                     working_day=calendar.is_working_day(d))
        for d in (monday + dt.timedelta(days=i) for i in range(7)))
    return WeekTimetable(access.child.student_id, monday, today, days)


async def test_schedule(session: AsyncSession, access: StudentAccess) -> TestSchedule:
    """Tests (lessons with a planned work type that is a test) from today on, and the ones
    already written this period. A moved test counts on its new date."""
    child = access.child
    today = await school_today(session, child.school_id)
    period = None
    if child.grade is not None:
        period = current_period(await periods_for_grade(session, child.school_id, child.grade),
                                today)
    since = period.starts_on if period is not None and period.starts_on < today else today
    if child.class_id is None:
        return TestSchedule(child.student_id, today, period, (), ())
    moved = and_(Lesson.status == LessonStatus.MOVED, Lesson.moved_to_date.is_not(None))
    planned = [*own_lessons(access), Lesson.planned_work_type_id.is_not(None)]
    shown_on = case((moved, Lesson.moved_to_date), else_=Lesson.date)
    shown_slot = case((moved, func.coalesce(Lesson.moved_to_slot, Lesson.slot)),
                      else_=Lesson.slot)
    rows = (await session.execute(
        select(Lesson.id, shown_on.label("day"), shown_slot.label("slot"), Lesson.status,
               Subject.name.label("subject"), WorkType.name.label("work_type"))
        .join(WorkType, WorkType.id == Lesson.planned_work_type_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(*own_lessons(access), WorkType.is_test,
               Lesson.id.in_(union_all(  # as in shown_between: one index each
                   select(Lesson.id).where(*planned, Lesson.date >= since),
                   select(Lesson.id).where(*planned, Lesson.status == LessonStatus.MOVED,
                                           Lesson.moved_to_date >= since))))
        .order_by(shown_on, shown_slot, Lesson.id)
    )).all()
    tests = [TestView(r.id, r.day, r.slot, r.subject, r.work_type,
                      r.status == LessonStatus.CANCELLED) for r in rows if r.day >= since]
    return TestSchedule(child.student_id, today, period,
                        tuple(v for v in tests if v.date >= today),
                        tuple(v for v in tests if v.date < today))
