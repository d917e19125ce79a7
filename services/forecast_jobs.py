"""The forecast pushes scheduled jobs send: the weekly summary and the period-end risk list.

The risk rule: two weeks before a quarter or half-year ends, a child's subject is at risk
when its forecast is 3 or lower, or lower than the mark the child got for the same subject
in the previous period of that kind. A bot that was down on the day still sends it up to a
week later (one run per period, so never twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import forecast
from services import push_events as ev
from services.calendar import PeriodInfo, periods_for_grade, reporting_periods
from services.models import FinalMark, FinalMarkKind, Period, PeriodKind
from services.notifications import Push, SchoolClock, family_recipients, notify_students
from services.rosters import ClassRow, active_students, school_classes

RISK_DAYS_BEFORE = 14  # the risk list goes out two weeks before a period ends
RISK_GRACE_DAYS = 7  # ... or up to a week later if the bot was down then
RISK_MARK = 3  # a forecast of this or lower is at risk


def at_risk(forecast_mark: int, previous: int | None) -> bool:
    """The risk rule for one subject: weak, or lower than last period's mark."""
    return forecast_mark <= RISK_MARK or (previous is not None and forecast_mark < previous)


@dataclass(frozen=True)
class RiskPeriod:
    """A period whose risk list is due, and the grades it applies to."""

    period: PeriodInfo
    grades: tuple[int, int]


async def _followed(session: AsyncSession, classes: Sequence[ClassRow],
                    ) -> list[tuple[ClassRow, list[int]]]:
    """Per class, its active students that some family chat hears about (two statements)."""
    students = await active_students(session, [c.id for c in classes])
    followed = await family_recipients(session, (s for ids in students.values() for s in ids))
    result = []
    for c in classes:
        ids = [s for s in students.get(c.id, []) if s in followed]
        if ids:
            result.append((c, ids))
    return result


# --- the weekly forecast summary --------------------------------------------------------


def _item(f: forecast.SubjectForecast) -> dict[str, Any]:
    return {"subject": f.subject, "average": float(f.average or 0), "forecast": f.forecast,
            "need": f.need, "target": f.target}


async def weekly_forecasts(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    """Every followed student's forecast per subject; snapshots are refreshed (the family
    has now been told these forecasts). Returns rows queued."""
    year, week, _ = today.isocalendar()
    queued = 0
    for c, ids in await _followed(session, await school_classes(session, school.school_id)):
        found = await forecast.class_forecasts(session, school_id=school.school_id,
                                               class_id=c.id, grade=c.grade,
                                               student_ids=ids, today=today)
        pushes = []
        for student_id in ids:
            items = [f for f in found[student_id] if f.forecast is not None]
            if not items:
                continue
            await forecast.store_snapshots(session, student_id, items)
            pushes.append((student_id, Push(
                ev.ForecastWeeklyEvent(period=items[0].period,
                                       items=tuple(ev.WeeklyItem(**_item(f)) for f in items)),
                f"forecast-weekly:{year}-W{week:02d}:{student_id}")))
        queued += await notify_students(session, school, pushes)
    return queued


# --- two weeks before a period ends: subjects at risk -----------------------------------


async def risk_periods(session: AsyncSession, school_id: int,
                       today: dt.date) -> list[RiskPeriod]:
    """The quarters and half-years whose risk list is due today: ending in 14 days, or
    up to a week sooner for a list that was missed."""
    rows = await session.scalars(select(Period).where(
        Period.school_id == school_id,
        Period.kind.in_([PeriodKind.QUARTER, PeriodKind.HALF_YEAR]),
        Period.ends_on.between(today + dt.timedelta(days=RISK_DAYS_BEFORE - RISK_GRACE_DAYS),
                               today + dt.timedelta(days=RISK_DAYS_BEFORE))))
    return [RiskPeriod(PeriodInfo(p.id, p.kind, p.number, p.name, p.starts_on, p.ends_on),
                       (p.grade_min, p.grade_max)) for p in rows]


async def _previous_finals(session: AsyncSession, student_ids: Sequence[int],
                           period: PeriodInfo, periods: Sequence[PeriodInfo],
                           ) -> dict[tuple[int, int], int]:
    """{(student, subject): mark} of the period of the same kind just before `period`."""
    earlier = [p for p in periods if p.kind == period.kind and p.ends_on < period.starts_on]
    if not earlier:
        return {}
    rows = await session.execute(
        select(FinalMark.student_id, FinalMark.subject_id, FinalMark.value)
        .where(FinalMark.student_id.in_(student_ids), FinalMark.period_id == earlier[-1].id,
               FinalMark.kind == FinalMarkKind.PERIOD, FinalMark.value.is_not(None)))
    return {(r.student_id, r.subject_id): r.value for r in rows}


async def period_risks(session: AsyncSession, school: SchoolClock, due: RiskPeriod,
                       today: dt.date) -> int:
    """Per followed child, the subjects at risk in the period. Returns rows queued."""
    period, (low, high) = due.period, due.grades
    classes = await school_classes(session, school.school_id, (max(2, low), high))
    queued = 0
    for c, ids in await _followed(session, classes):
        periods = reporting_periods(await periods_for_grade(session, school.school_id, c.grade))
        found = await forecast.class_forecasts(session, school_id=school.school_id,
                                               class_id=c.id, grade=c.grade, student_ids=ids,
                                               today=today, period=period)
        previous = await _previous_finals(session, ids, period, periods)
        pushes = []
        for student_id in ids:
            items = []
            for f in found[student_id]:
                before = previous.get((student_id, f.subject_id))
                if f.forecast is not None and at_risk(f.forecast, before):
                    items.append({"subject": f.subject, "average": float(f.average or 0),
                                  "forecast": f.forecast, "previous": before})
            if items:
                pushes.append((student_id, Push(
                    ev.ForecastRiskEvent.from_payload({
                        "period": period.name, "ends_on": period.ends_on.isoformat(),
                        "items": items}),
                    f"period-risk:{period.id}:{student_id}")))
        queued += await notify_students(session, school, pushes)
    return queued
