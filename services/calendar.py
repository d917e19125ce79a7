"""Academic calendar: which reporting period a class is in, holidays, period dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import Period, PeriodKind


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    kind: PeriodKind
    number: int
    name: str
    starts_on: dt.date
    ends_on: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _info(p: Period) -> PeriodInfo:
    return PeriodInfo(p.id, p.kind, p.number, p.name, p.starts_on, p.ends_on)


async def periods_for_grade(session: AsyncSession, school_id: int,
                            grade: int) -> list[PeriodInfo]:
    """Every period and holiday of the school's current data that applies to a grade."""
    rows = await session.scalars(
        select(Period).where(Period.school_id == school_id, Period.grade_min <= grade,
                             Period.grade_max >= grade)
        .order_by(Period.starts_on, Period.kind)
    )
    return [_info(p) for p in rows]


def reporting_periods(periods: list[PeriodInfo]) -> list[PeriodInfo]:
    """Quarters or half-years (whichever the grade has), in order."""
    return [p for p in periods if p.kind in (PeriodKind.QUARTER, PeriodKind.HALF_YEAR)]


def current_period(periods: list[PeriodInfo], day: dt.date) -> PeriodInfo | None:
    """The reporting period containing `day`; during holidays, the one just ended (its
    marks are what families look at), before the first one, the first."""
    terms = reporting_periods(periods)
    if not terms:
        return None
    for term in terms:
        if term.contains(day):
            return term
    past = [t for t in terms if t.ends_on < day]
    return past[-1] if past else terms[0]


def holidays(periods: list[PeriodInfo]) -> list[PeriodInfo]:
    return [p for p in periods if p.kind == PeriodKind.HOLIDAYS]


def year_period(periods: list[PeriodInfo]) -> PeriodInfo | None:
    return next((p for p in periods if p.kind == PeriodKind.YEAR), None)
