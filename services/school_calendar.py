"""The school calendar of a student's grade: its terms and holidays, which term is current,
how many days are left of it, and the holidays going on today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import StudentAccess
from services.calendar import (
    PeriodInfo,
    current_period,
    holidays,
    periods_for_grade,
    reporting_periods,
    year_period,
)
from services.timetable import school_today


@dataclass(frozen=True)
class SchoolCalendar:
    student_id: int
    today: dt.date
    terms: tuple[PeriodInfo, ...]  # quarters or half-years of the grade, in order
    holidays: tuple[PeriodInfo, ...]
    year: PeriodInfo | None
    current: PeriodInfo | None  # the term containing today (or just ended in holidays)
    holiday_now: PeriodInfo | None  # the holidays containing today

    @property
    def in_term(self) -> bool:
        return self.current is not None and self.current.contains(self.today)

    @property
    def days_left(self) -> int | None:
        """Calendar days from today to the term's last day (0: today is the last day)."""
        if self.current is None or not self.in_term:
            return None
        return (self.current.ends_on - self.today).days


async def school_calendar(session: AsyncSession, access: StudentAccess) -> SchoolCalendar:
    """The terms and holidays of the student's grade, which term is current, and the
    holidays going on today (two statements)."""
    child = access.child
    today = await school_today(session, child.school_id)
    periods = (await periods_for_grade(session, child.school_id, child.grade)
               if child.grade is not None else [])
    rest = tuple(holidays(periods))
    return SchoolCalendar(
        child.student_id, today, tuple(reporting_periods(periods)), rest,
        year_period(periods), current_period(periods, today),
        next((h for h in rest if h.contains(today)), None))
