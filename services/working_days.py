"""What a school working day is: one rule for the staff reminders and the timetable.

A day is a working day when the Russian production calendar counts it as one and the school
is not on holidays:

- the calendar is the `holidays` package's (country RU): Monday to Friday, less the public
  holidays and the days off the government moved onto weekdays (9 January 2026, 31 December
  2026), plus the Saturdays it made working in exchange (1 November 2025). Its own
  `is_working_day` reads both lists, so the moves need no code of ours;
- the school's holidays are its periods of kind holidays in the database: for a grade, the
  ones of that grade (first-graders' extra February week included); for the school as a
  whole (staff deadlines), the ones that cover every grade.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import holidays
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services import clock
from services.calendar import PeriodInfo
from services.models import Period, PeriodKind, School

FIRST_GRADE, LAST_GRADE = 1, 11
SEARCH_DAYS = 60  # how far the nearest working day is looked for
DEFAULT_TIMEZONE = "Europe/Moscow"


@functools.cache
def _russian_calendar(year: int) -> holidays.HolidayBase:
    # One year per object: a lookup within its own year never makes it grow.
    return holidays.country_holidays("RU", years=year)


def is_public_working_day(day: dt.date) -> bool:
    """A working day of the Russian production calendar (moved days off included)."""
    return bool(_russian_calendar(day.year).is_working_day(day))


@dataclass(frozen=True)
class WorkingDays:
    """The working days of one school (or of one grade in it)."""

    school_holidays: tuple[PeriodInfo, ...] = ()

    def is_working_day(self, day: dt.date) -> bool:
        return is_public_working_day(day) and not any(
            h.contains(day) for h in self.school_holidays)

    def next_after(self, day: dt.date, *, within: int = SEARCH_DAYS) -> dt.date | None:
        """The first working day after `day`, if there is one within `within` days."""
        return self._first(day + dt.timedelta(days=n) for n in range(1, within + 1))

    def previous_before(self, day: dt.date, *, within: int = SEARCH_DAYS) -> dt.date | None:
        """The last working day before `day`, if there is one within `within` days."""
        return self._first(day - dt.timedelta(days=n) for n in range(1, within + 1))

    def _first(self, days: Iterable[dt.date]) -> dt.date | None:
        return next((d for d in days if self.is_working_day(d)), None)


def is_working_day(day: dt.date, school_holidays: Iterable[PeriodInfo] = ()) -> bool:
    """The rule for one day, given the school's holidays (none: the calendar alone)."""
    return WorkingDays(tuple(school_holidays)).is_working_day(day)


def _school_holidays(school_id: Any, grade: int | None) -> ColumnElement[bool]:
    low, high = (grade, grade) if grade is not None else (FIRST_GRADE, LAST_GRADE)
    return and_(Period.school_id == school_id, Period.kind == PeriodKind.HOLIDAYS,
                Period.grade_min <= low, Period.grade_max >= high)


def _info(r: Any) -> PeriodInfo:
    return PeriodInfo(r.id, r.kind, r.number, r.name, r.starts_on, r.ends_on)


_PERIOD = (Period.id, Period.kind, Period.number, Period.name, Period.starts_on,
           Period.ends_on)


async def working_days(session: AsyncSession, school_id: int,
                       grade: int | None = None) -> WorkingDays:
    """The school's working days for a grade; without one, for the whole school (only
    holidays that cover every grade count). One statement."""
    rows = await session.execute(select(*_PERIOD).where(_school_holidays(school_id, grade))
                                 .order_by(Period.starts_on))
    return WorkingDays(tuple(_info(r) for r in rows))


async def today_and_working_days(session: AsyncSession, school_id: int,
                                 grade: int | None = None) -> tuple[dt.date, WorkingDays]:
    """The school's today (in its own timezone) and its working days, in one statement
    for the views that need both."""
    rows = (await session.execute(
        select(School.timezone, *_PERIOD)
        .outerjoin(Period, _school_holidays(School.id, grade))
        .where(School.id == school_id).order_by(Period.starts_on))).all()
    timezone = rows[0].timezone if rows else DEFAULT_TIMEZONE
    return (clock.today(timezone),
            WorkingDays(tuple(_info(r) for r in rows if r.id is not None)))
