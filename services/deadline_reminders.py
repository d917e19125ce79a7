"""Deadline control pushes to staff (002 §5.2, 003 §2.11 and §3.3): period marks before a
period ends, and the weekly digest of what stays overdue.

- Period marks are due "не позднее одного дня до окончания учебного периода". Each teacher
  still missing some is reminded two working days and one working day before the period
  ends (the second is the deadline day itself), counted on the school's working days
  (services.working_days), so a period ending on a Monday is reminded the Thursday and
  Friday before, and 4 November or the holidays are stepped over. A course's teacher is
  the one of its latest lesson in the period (a substitute does not inherit period marks).
- The digest goes out on the first working day of each week to each class teacher (their
  class) and to the deputies (the whole school): lessons whose deadline passed before the
  teacher's last reminder and still have nothing entered, and period marks still missing
  after their deadline, counted per teacher, class and subject.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg
from sqlalchemy.ext.asyncio import AsyncSession

from services import push_events as ev
from services.deadlines import DAY
from services.models import (
    ClassGroup,
    FinalMark,
    FinalMarkKind,
    Lesson,
    LessonStatus,
    Period,
    PeriodKind,
    Staff,
    StaffRole,
    StaffRoleKind,
    Student,
    StudentStatus,
    SubgroupMember,
    Subject,
)
from services.names import initials
from services.notifications import Push, SchoolClock, notify_staff
from services.reminders import FILLABLE, overdue_since, unfilled
from services.working_days import WorkingDays

# The final mark each kind of period takes.
PERIOD_MARK_KINDS = {PeriodKind.QUARTER: FinalMarkKind.PERIOD,
                     PeriodKind.HALF_YEAR: FinalMarkKind.PERIOD,
                     PeriodKind.YEAR: FinalMarkKind.YEAR}
REMIND_WORKING_DAYS_BEFORE = (2, 1)  # period-mark reminders, in working days before the end
LOOKAHEAD_DAYS = 31  # how far ahead a period's end is looked for
ESCALATION_LOOKBACK_DAYS = 92  # the digest names what is overdue within about a term
DIGEST_ITEMS_MAX = 40  # per list in one digest; the rest is counted


@dataclass(frozen=True)
class PeriodDue:
    """A period whose marks a reminder (or the digest) is about."""

    id: int
    kind: PeriodKind
    name: str
    starts_on: dt.date
    ends_on: dt.date
    grades: tuple[int, int]
    deadline: dt.date  # the last working day before the end

    @property
    def mark_kind(self) -> FinalMarkKind:
        return PERIOD_MARK_KINDS[self.kind]


def reminder_days(ends_on: dt.date, days: WorkingDays) -> tuple[dt.date, ...]:
    """The days a period ending on `ends_on` is reminded: two working days before its end
    and one (the deadline day), earliest first."""
    before: list[dt.date] = []
    day: dt.date | None = ends_on
    for _ in range(max(REMIND_WORKING_DAYS_BEFORE)):
        day = days.previous_before(day) if day is not None else None
        if day is None:
            break
        before.append(day)
    return tuple(sorted(before[n - 1] for n in REMIND_WORKING_DAYS_BEFORE if n <= len(before)))


async def _periods(session: AsyncSession, school_id: int, low: dt.date, high: dt.date,
                   days: WorkingDays) -> list[PeriodDue]:
    rows = await session.scalars(select(Period).where(
        Period.school_id == school_id, Period.kind.in_(list(PERIOD_MARK_KINDS)),
        Period.ends_on.between(low, high)).order_by(Period.ends_on, Period.id))
    return [PeriodDue(p.id, p.kind, p.name, p.starts_on, p.ends_on, (p.grade_min, p.grade_max),
                      days.previous_before(p.ends_on) or p.ends_on - DAY) for p in rows]


async def periods_due(session: AsyncSession, school_id: int, today: dt.date,
                      days: WorkingDays) -> list[PeriodDue]:
    """The periods whose period-mark reminder is due today."""
    found = await _periods(session, school_id, today + DAY, today + LOOKAHEAD_DAYS * DAY, days)
    return [p for p in found if today in reminder_days(p.ends_on, days)]


@dataclass(frozen=True)
class Missing:
    """Students of one course still without their period mark."""

    teacher_id: int
    class_id: int
    klass: str
    subject: str
    missing: int


async def missing_period_marks(session: AsyncSession, school_id: int,
                               period: PeriodDue) -> list[Missing]:
    """Per course (class, subject, subgroup) taught in the period, how many of its active
    students have no mark of the period yet (a postponed one counts as given). One
    statement."""
    low, high = period.grades
    course = (
        select(Lesson.class_id, Lesson.subject_id, Lesson.subgroup_id,
               array_agg(aggregate_order_by(Lesson.teacher_id, Lesson.date.desc(),
                                            Lesson.slot.desc()))[1].label("teacher_id"))
        .join(ClassGroup, ClassGroup.id == Lesson.class_id)
        .where(Lesson.school_id == school_id,
               Lesson.date.between(period.starts_on, period.ends_on),
               Lesson.status != LessonStatus.CANCELLED,
               ClassGroup.grade.between(max(2, low), high))  # 002 §5.5: not first grade
        .group_by(Lesson.class_id, Lesson.subject_id, Lesson.subgroup_id)
        .subquery())
    in_course = or_(course.c.subgroup_id.is_(None), exists().where(
        SubgroupMember.subgroup_id == course.c.subgroup_id,
        SubgroupMember.student_id == Student.id))
    has_mark = exists().where(
        FinalMark.student_id == Student.id, FinalMark.subject_id == course.c.subject_id,
        FinalMark.period_id == period.id, FinalMark.kind == period.mark_kind)
    rows = await session.execute(
        select(course.c.teacher_id, ClassGroup.id, ClassGroup.name, Subject.name.label("subject"),
               func.count(Student.id).label("missing"))
        .select_from(course)
        .join(ClassGroup, ClassGroup.id == course.c.class_id)
        .join(Subject, Subject.id == course.c.subject_id)
        .join(Student, and_(Student.class_id == course.c.class_id,
                            Student.status == StudentStatus.ACTIVE))
        .where(in_course, ~has_mark)
        .group_by(course.c.teacher_id, ClassGroup.id, ClassGroup.grade, ClassGroup.name,
                  Subject.name)
        .order_by(ClassGroup.grade, ClassGroup.name, Subject.name))
    return [Missing(r.teacher_id, r.id, r.name, r.subject, r.missing) for r in rows]


async def period_mark_reminders(session: AsyncSession, school: SchoolClock,
                                period: PeriodDue, today: dt.date) -> int:
    """One push per teacher still missing period marks. Returns rows queued."""
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in await missing_period_marks(session, school.school_id, period):
        items[m.teacher_id].append({"class": m.klass, "subject": m.subject,
                                    "missing": m.missing})
    pushes = [(teacher, Push(ev.PeriodMarksDueEvent.from_payload({
        "period": period.name, "ends_on": period.ends_on.isoformat(),
        "deadline": period.deadline.isoformat(), "items": found[:DIGEST_ITEMS_MAX]}),
        f"period-marks:{period.id}:{today.isoformat()}:{teacher}"))
        for teacher, found in sorted(items.items())]
    return await notify_staff(session, school, pushes)


# --- the weekly digest of what stays overdue --------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """Lessons of one teacher, class and subject still unfilled past their deadline."""

    teacher_id: int
    class_id: int
    klass: str
    subject: str
    count: int
    since: dt.date


async def overdue_lessons(session: AsyncSession, school_id: int, today: dt.date,
                          days: WorkingDays) -> list[Overdue]:
    """Lessons still unfilled whose deadline had passed by the last working day before
    today: the teacher has been reminded at least once. One statement."""
    last = days.previous_before(today)
    if last is None:
        return []
    teacher = func.coalesce(Lesson.substitute_id, Lesson.teacher_id)
    rows = await session.execute(
        select(teacher.label("teacher"), ClassGroup.id, ClassGroup.name,
               Subject.name.label("subject"), func.count().label("lessons"),
               func.min(Lesson.date).label("since"))
        .join(ClassGroup, ClassGroup.id == Lesson.class_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Lesson.school_id == school_id, ClassGroup.grade > 1,
               Lesson.status.in_(FILLABLE),
               Lesson.date.between(today - ESCALATION_LOOKBACK_DAYS * DAY,
                                   overdue_since(last)),
               unfilled())
        .group_by(teacher, ClassGroup.id, ClassGroup.grade, ClassGroup.name, Subject.name)
        .order_by(ClassGroup.grade, ClassGroup.name, Subject.name))
    return [Overdue(r.teacher, r.id, r.name, r.subject, r.lessons, r.since) for r in rows]


async def periods_past_deadline(session: AsyncSession, school_id: int, today: dt.date,
                                days: WorkingDays) -> list[PeriodDue]:
    """Recent periods whose period-mark deadline is past."""
    found = await _periods(session, school_id, today - ESCALATION_LOOKBACK_DAYS * DAY,
                           today + LOOKAHEAD_DAYS * DAY, days)
    return [p for p in found if p.deadline < today]


async def _names(session: AsyncSession, staff_ids: set[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    rows = await session.execute(select(Staff.id, Staff.last_name, Staff.first_name,
                                        Staff.middle_name).where(Staff.id.in_(staff_ids)))
    return {r.id: initials(r.last_name, r.first_name, r.middle_name) for r in rows}


async def _audience(session: AsyncSession, school_id: int,
                    class_ids: set[int]) -> tuple[dict[int, int], list[int]]:
    """({class id: its class teacher}, the school's active deputies)."""
    teachers = {r.id: r.class_teacher_id for r in await session.execute(
        select(ClassGroup.id, ClassGroup.class_teacher_id).where(
            ClassGroup.id.in_(class_ids), ClassGroup.class_teacher_id.is_not(None)))}
    deputies = list(await session.scalars(
        select(StaffRole.staff_id).join(Staff, Staff.id == StaffRole.staff_id)
        .where(StaffRole.school_id == school_id, StaffRole.role == StaffRoleKind.DEPUTY,
               Staff.is_active).order_by(StaffRole.staff_id)))
    return teachers, deputies


def _capped(items: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    return list(items[:DIGEST_ITEMS_MAX]), max(0, len(items) - DIGEST_ITEMS_MAX)


async def deadline_digest(session: AsyncSession, school: SchoolClock, today: dt.date,
                          days: WorkingDays) -> int:
    """The week's escalation: to each class teacher what is overdue in their class, to the
    deputies everything. Returns rows queued."""
    sid = school.school_id
    lessons = await overdue_lessons(session, sid, today, days)
    marks = [(p, m) for p in await periods_past_deadline(session, sid, today, days)
             for m in await missing_period_marks(session, sid, p)]
    if not lessons and not marks:
        return 0
    names = await _names(session, {x.teacher_id for x in lessons}
                         | {m.teacher_id for _, m in marks})
    class_teachers, deputies = await _audience(
        session, sid, {x.class_id for x in lessons} | {m.class_id for _, m in marks})

    def readers(class_id: int) -> set[int]:
        teacher = class_teachers.get(class_id)
        return set(deputies) | ({teacher} if teacher is not None else set())

    per: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = defaultdict(
        lambda: ([], []))
    for x in lessons:
        item = {"teacher": names.get(x.teacher_id, ""), "class": x.klass,
                "subject": x.subject, "count": x.count, "since": x.since.isoformat()}
        for staff_id in readers(x.class_id):
            per[staff_id][0].append(item)
    for p, m in marks:
        item = {"teacher": names.get(m.teacher_id, ""), "class": m.klass,
                "subject": m.subject, "period": p.name, "missing": m.missing}
        for staff_id in readers(m.class_id):
            per[staff_id][1].append(item)
    year, week, _ = today.isocalendar()
    pushes = []
    for staff_id, (overdue, missing) in sorted(per.items()):
        overdue_items, more_lessons = _capped(overdue)
        missing_items, more_marks = _capped(missing)
        pushes.append((staff_id, Push(ev.DeadlineDigestEvent.from_payload({
            "lessons": overdue_items, "period_marks": missing_items,
            "more": more_lessons + more_marks}),
            f"deadline-digest:{year}-W{week:02d}:{staff_id}")))
    return await notify_staff(session, school, pushes)
