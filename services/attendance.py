"""One student's attendance for a reporting period or a week: counts by reason and the
missed lessons. Absent without a reason counts as unexcused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import StudentAccess
from services.calendar import PeriodInfo, current_period, periods_for_grade, reporting_periods
from services.models import Attendance, AttendanceKind, Lesson, Subject
from services.timetable import child_today, week_of

KINDS = (AttendanceKind.ABSENT, AttendanceKind.ILL, AttendanceKind.EXCUSED,
         AttendanceKind.LATE)


@dataclass(frozen=True)
class MissedLesson:
    date: dt.date
    slot: int
    subject: str
    kind: AttendanceKind
    minutes_late: int | None


@dataclass(frozen=True)
class AttendanceReport:
    student_id: int
    start: dt.date
    end: dt.date
    today: dt.date
    period: PeriodInfo | None  # set for a period report
    counts: tuple[tuple[AttendanceKind, int], ...]  # every kind, in KINDS order
    items: tuple[MissedLesson, ...]  # date and slot order
    previous_start: dt.date | None = None  # a day within the previous / next range
    next_start: dt.date | None = None

    def count(self, kind: AttendanceKind) -> int:
        return dict(self.counts)[kind]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


async def _report(session: AsyncSession, access: StudentAccess, start: dt.date,
                  end: dt.date) -> tuple[tuple[tuple[AttendanceKind, int], ...],
                                         tuple[MissedLesson, ...]]:
    query = (
        select(Attendance.date, Lesson.slot, Subject.name.label("subject"), Attendance.kind,
               Attendance.minutes_late)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Attendance.student_id == access.child.student_id,
               Attendance.date.between(start, end))
        .order_by(Attendance.date, Lesson.slot, Attendance.id)
    )
    if access.subject_ids is not None:
        query = query.where(Lesson.subject_id.in_(access.subject_ids))
    items = tuple(MissedLesson(r.date, r.slot, r.subject, r.kind, r.minutes_late)
                  for r in await session.execute(query))
    counts = tuple((kind, sum(1 for i in items if i.kind == kind)) for kind in KINDS)
    return counts, items


async def missed_lessons(session: AsyncSession, access: StudentAccess, start: dt.date,
                         end: dt.date) -> tuple[MissedLesson, ...]:
    """The lessons missed (or come late to) between two dates, in date and slot order."""
    return (await _report(session, access, start, end))[1]


async def period_attendance(session: AsyncSession, access: StudentAccess,
                            day: dt.date | None = None) -> AttendanceReport:
    """Attendance in the reporting period holding `day` (default: the current period)."""
    child = access.child
    today = await child_today(session, child)
    periods = (await periods_for_grade(session, child.school_id, child.grade)
               if child.grade is not None else [])
    period = current_period(periods, day or today)
    if period is None:  # no calendar: the last 30 days
        start, end = today - dt.timedelta(days=30), today
        previous_start = next_start = None
    else:
        start, end = period.starts_on, period.ends_on
        terms = reporting_periods(periods)
        index = next(i for i, p in enumerate(terms) if p.id == period.id)
        previous_start = terms[index - 1].starts_on if index > 0 else None
        later = terms[index + 1] if index + 1 < len(terms) else None
        next_start = later.starts_on if later is not None and later.starts_on <= today else None
    counts, items = await _report(session, access, start, end)
    return AttendanceReport(child.student_id, start, end, today, period, counts, items,
                            previous_start, next_start)


async def week_attendance(session: AsyncSession, access: StudentAccess,
                          day: dt.date | None = None) -> AttendanceReport:
    """Attendance Monday to Sunday of the week holding `day` (default: this week)."""
    today = await child_today(session, access.child)
    monday, end = week_of(day or today)
    counts, items = await _report(session, access, monday, end)
    following = monday + dt.timedelta(days=7)
    return AttendanceReport(access.child.student_id, monday, end, today, None, counts, items,
                            monday - dt.timedelta(days=7),
                            following if following <= today else None)
