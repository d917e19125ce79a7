"""The journal's deadlines (002 §5.2) and the entries that miss them.

Current marks and absences go into the journal "не более пяти дней с даты проведения урока":
five calendar days after the lesson (or the work) date. A deadline that falls on a day that
is not a school working day (a weekend, a public holiday, the school's holidays: see
services.working_days) moves to the next working day, as a term in days does under the
Civil Code (ГК РФ ст. 193). So a Monday lesson's marks are on time until the next Monday,
and the marks of a lesson just before the winter holidays until the first day back.

On a working day this is the same as "lesson date ≤ today − 5", the rule the daily staff
reminder already uses (services.reminders): on the deadline day the lesson is named.

An entry that arrives after its deadline is noted when it arrives (`record_late_marks`,
`record_late_absences`: set-based, so a journal batch of thousands costs two statements),
as a `LateEntry` row with the teacher it counts against: the lesson's (the substitute's
for a replaced lesson), else whoever entered it. An initial load (backfill) is not late.

The calendar questions the scheduled jobs ask also live here: the first working day of a
week (the escalation digest) and of a month (the director's completion report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, Integer, any_, bindparam, cast, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import Attendance, Lesson, Mark, School, Student
from services.working_days import WorkingDays, working_days

MARKING_DEADLINE_DAYS = 5  # 002 §5.2: marks and absences within 5 days of the lesson
DAY = dt.timedelta(days=1)


def entry_deadline(lesson_date: dt.date, days: WorkingDays) -> dt.date:
    """The last day a mark or an absence of a lesson on `lesson_date` is on time."""
    due = lesson_date + MARKING_DEADLINE_DAYS * DAY
    if days.is_working_day(due):
        return due
    return days.next_after(due) or due


def is_late(lesson_date: dt.date, entered_on: dt.date, days: WorkingDays) -> bool:
    """Whether an entry made on `entered_on` (the school's local date) missed the deadline."""
    return entered_on > entry_deadline(lesson_date, days)


def first_working_day_of_week(today: dt.date, days: WorkingDays) -> bool:
    """Whether `today` is the first working day of its ISO week (Monday, or the day after a
    Monday off). A week with no working day has none."""
    monday = today - today.weekday() * DAY
    return days.is_working_day(today) and not any(
        days.is_working_day(monday + n * DAY) for n in range(today.weekday()))


def first_working_day_of_month(today: dt.date, days: WorkingDays) -> bool:
    """Whether `today` is the first working day of its month: the day the director's
    monthly completion report (003 §2.13) is due. After the New Year days off and the
    winter holidays that is mid-January."""
    first = today.replace(day=1)
    return days.is_working_day(today) and not any(
        days.is_working_day(first + n * DAY) for n in range(today.day - 1))


# --- late entries, noted as they arrive --------------------------------------------------


def _ids(ids: Sequence[int]) -> Any:
    """One array parameter, however many ids (a list of single ones is capped)."""
    return bindparam("ids", sorted(set(ids)), type_=ARRAY(Integer))


def _local_date(school_timezone: Any, at: Any) -> Any:
    return cast(func.timezone(school_timezone, at), Date)


async def _record(session: AsyncSession, kind: str, rows: Sequence[Any]) -> int:
    """Insert the late ones among candidate rows (id, school, date, local entry date...)."""
    calendars: dict[int, WorkingDays] = {}
    deadlines: dict[tuple[int, dt.date], dt.date] = {}  # a batch has few distinct lesson days
    late = []
    for r in rows:
        if r.school_id not in calendars:
            calendars[r.school_id] = await working_days(session, r.school_id)
        key = (r.school_id, r.lesson_date)
        if key not in deadlines:
            deadlines[key] = entry_deadline(r.lesson_date, calendars[r.school_id])
        if r.entered_on <= deadlines[key]:
            continue
        late.append({"school_id": r.school_id, "kind": kind,
                     "mark_id": r.id if kind == "mark" else None,
                     "attendance_id": r.id if kind == "absence" else None,
                     "teacher_id": r.teacher_id, "class_id": r.class_id,
                     "subject_id": r.subject_id, "lesson_date": r.lesson_date,
                     "deadline": deadlines[key], "entered_at": r.entered_at})
    if not late:
        return 0
    # One statement from arrays, however many: a journal batch can bring thousands of late
    # marks at once (a multi-row VALUES would run into the bound-parameter cap).
    cols = {k: [row[k] for row in late] for k in late[0]}
    result = await session.execute(text(
        "INSERT INTO late_entries (school_id, kind, mark_id, attendance_id, teacher_id, "
        "class_id, subject_id, lesson_date, deadline, entered_at) "
        "SELECT * FROM unnest(CAST(:school_id AS integer[]), CAST(:kind AS text[]), "
        "CAST(:mark_id AS integer[]), CAST(:attendance_id AS integer[]), "
        "CAST(:teacher_id AS integer[]), CAST(:class_id AS integer[]), "
        "CAST(:subject_id AS integer[]), CAST(:lesson_date AS date[]), "
        "CAST(:deadline AS date[]), CAST(:entered_at AS timestamptz[])) "
        "ON CONFLICT DO NOTHING"), cols)
    return int(getattr(result, "rowcount", 0) or 0)


async def record_late_marks(session: AsyncSession, mark_ids: Sequence[int]) -> int:
    """Note which of these (just written) marks arrived late. Returns rows noted."""
    if not mark_ids:
        return 0
    entered_on = _local_date(School.timezone, Mark.entered_at)
    # A mark given without a lesson reference counts against that day's lesson of the
    # subject in the student's class, if there is one.
    same_day = (select(func.coalesce(Lesson.substitute_id, Lesson.teacher_id))
                .where(Lesson.class_id == Student.class_id,
                       Lesson.subject_id == Mark.subject_id, Lesson.date == Mark.date)
                .order_by(Lesson.slot).limit(1).correlate(Mark, Student).scalar_subquery())
    direct = (select(func.coalesce(Lesson.substitute_id, Lesson.teacher_id))
              .where(Lesson.id == Mark.lesson_id).correlate(Mark).scalar_subquery())
    rows = (await session.execute(
        select(Mark.id, Mark.school_id, Mark.date.label("lesson_date"),
               entered_on.label("entered_on"), Mark.entered_at, Mark.subject_id,
               Student.class_id,
               func.coalesce(direct, same_day, Mark.entered_by_id).label("teacher_id"))
        .join(School, School.id == Mark.school_id)
        .join(Student, Student.id == Mark.student_id)
        .where(Mark.id == any_(_ids(mark_ids)),
               entered_on - Mark.date > literal(MARKING_DEADLINE_DAYS)))).all()
    return await _record(session, "mark", rows)


async def record_late_absences(session: AsyncSession, attendance_ids: Sequence[int]) -> int:
    """Note which of these (just written) attendance rows arrived late. Returns rows noted."""
    if not attendance_ids:
        return 0
    entered_on = _local_date(School.timezone, Attendance.entered_at)
    rows = (await session.execute(
        select(Attendance.id, Attendance.school_id, Attendance.date.label("lesson_date"),
               entered_on.label("entered_on"), Attendance.entered_at, Lesson.subject_id,
               Lesson.class_id,
               func.coalesce(Lesson.substitute_id, Lesson.teacher_id,
                             Attendance.entered_by_id).label("teacher_id"))
        .join(School, School.id == Attendance.school_id)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(Attendance.id == any_(_ids(attendance_ids)),
               entered_on - Attendance.date > literal(MARKING_DEADLINE_DAYS)))).all()
    return await _record(session, "absence", rows)
