"""The forecast pushes scheduled jobs send: the weekly summary and the period-end risk list.

The risk rule: two weeks before a quarter or half-year ends, a child's subject is at risk
when its forecast is 3 or lower, or lower than the mark the child got for the same subject
in the previous period of that kind. A bot that was down on the day still sends it up to a
week later (one run per period, so never twice).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import forecast, forecast_snapshots
from services import push_events as ev
from services.calendar import PeriodInfo, current_period, reporting_periods
from services.models import FinalMark, FinalMarkKind, Period, PeriodKind
from services.notifications import Push, Recipient, SchoolClock, deliver_to, family_recipients
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
                    ) -> tuple[list[tuple[ClassRow, list[int]]], dict[int, list[Recipient]]]:
    """Per class, its active students that some family chat hears about, and those chats
    per student (two statements for the whole school)."""
    students = await active_students(session, [c.id for c in classes])
    followed = await family_recipients(session, (s for ids in students.values() for s in ids))
    result = []
    for c in classes:
        ids = [s for s in students.get(c.id, []) if s in followed]
        if ids:
            result.append((c, ids))
    return result, followed


async def _school_periods(session: AsyncSession,
                          school_id: int) -> list[tuple[PeriodInfo, int, int]]:
    """Every period of the school with its grades, in `periods_for_grade`'s order (one
    query for all the grades, filtered per grade by `_for_grade`)."""
    rows = await session.execute(
        select(Period.id, Period.kind, Period.number, Period.name, Period.starts_on,
               Period.ends_on, Period.grade_min, Period.grade_max)
        .where(Period.school_id == school_id).order_by(Period.starts_on, Period.kind))
    return [(PeriodInfo(r.id, r.kind, r.number, r.name, r.starts_on, r.ends_on),
             r.grade_min, r.grade_max) for r in rows]


def _for_grade(periods: Sequence[tuple[PeriodInfo, int, int]], grade: int) -> list[PeriodInfo]:
    return [p for p, low, high in periods if low <= grade <= high]


def _targets(pushes: Sequence[tuple[int, Push]], recipients: dict[int, list[Recipient]],
             ) -> list[tuple[Recipient, Push]]:
    return [(r, push) for student_id, push in pushes for r in recipients.get(student_id, [])]


# --- the weekly forecast summary --------------------------------------------------------


def _item(f: forecast.SubjectForecast) -> dict[str, Any]:
    return {"subject": f.subject, "average": float(f.average or 0), "forecast": f.forecast,
            "need": f.need, "target": f.target}


async def weekly_forecasts(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    """Every followed student's forecast per subject; snapshots are refreshed (the family
    has now been told these forecasts). Returns rows queued. Set-based: the whole school's
    forecasts, snapshots and pushes take a fixed number of statements."""
    year, week, _ = today.isocalendar()
    followed, recipients = await _followed(
        session, await school_classes(session, school.school_id))
    periods = await _school_periods(session, school.school_id)
    groups = []
    for c, ids in followed:
        period = current_period(_for_grade(periods, c.grade), today) if c.grade > 1 else None
        if period is not None:
            groups.append(forecast.ForecastGroup(c.id, period, ids))
    found = await forecast.group_forecasts(session, school.school_id, groups, today)
    told: list[tuple[int, forecast.SubjectForecast]] = []
    pushes = []
    for g in groups:
        for student_id in g.student_ids:
            items = [f for f in found[student_id] if f.forecast is not None]
            if not items:
                continue
            told.extend((student_id, f) for f in items)
            pushes.append((student_id, Push(
                ev.ForecastWeeklyEvent(period=items[0].period,
                                       items=tuple(ev.WeeklyItem(**_item(f)) for f in items)),
                f"forecast-weekly:{year}-W{week:02d}:{student_id}")))
    await forecast_snapshots.store_snapshots(session, told)
    return await deliver_to(session, school, _targets(pushes, recipients))


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


async def _previous_finals(session: AsyncSession, classes: Sequence[tuple[ClassRow, list[int]]],
                           period: PeriodInfo, periods: Sequence[tuple[PeriodInfo, int, int]],
                           ) -> dict[tuple[int, int], int]:
    """{(student, subject): mark} of the period of the same kind just before `period` (for
    each class's grade): one query per distinct earlier period, usually one."""
    by_earlier: dict[int, list[int]] = defaultdict(list)
    for c, ids in classes:
        earlier = [p for p in reporting_periods(_for_grade(periods, c.grade))
                   if p.kind == period.kind and p.ends_on < period.starts_on]
        if earlier:
            by_earlier[earlier[-1].id].extend(ids)
    result: dict[tuple[int, int], int] = {}
    for earlier_id, student_ids in by_earlier.items():
        rows = await session.execute(
            select(FinalMark.student_id, FinalMark.subject_id, FinalMark.value)
            .where(FinalMark.student_id.in_(student_ids), FinalMark.period_id == earlier_id,
                   FinalMark.kind == FinalMarkKind.PERIOD, FinalMark.value.is_not(None)))
        result.update({(r.student_id, r.subject_id): r.value for r in rows})
    return result


async def period_risks(session: AsyncSession, school: SchoolClock, due: RiskPeriod,
                       today: dt.date) -> int:
    """Per followed child, the subjects at risk in the period. Returns rows queued; a fixed
    number of statements for the whole school."""
    period, (low, high) = due.period, due.grades
    classes = await school_classes(session, school.school_id, (max(2, low), high))
    followed, recipients = await _followed(session, classes)
    periods = await _school_periods(session, school.school_id)
    found = await forecast.group_forecasts(
        session, school.school_id,
        [forecast.ForecastGroup(c.id, period, ids) for c, ids in followed], today)
    previous = await _previous_finals(session, followed, period, periods)
    pushes = []
    for _, ids in followed:
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
    return await deliver_to(session, school, _targets(pushes, recipients))
