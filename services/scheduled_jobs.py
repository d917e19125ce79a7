"""Which scheduled runs are due at a moment: the school-time slots and the daily retention.

Jobs that belong to a wall-clock time in a school (Friday 18:00 forecast summary, 19:00
homework for tomorrow and the evening summary of several children to the chats that opted
in, 08:00 on working days the staff reminder, the period-mark reminders and on the week's
first working day the deadline digest, 18:00 the risk list two weeks
before a period ends) are due while the school's local time is within a few hours after
the slot; a slot missed for longer is skipped. Retention is due once a UTC day (00:00 UTC is
night in every Russian timezone but the far east's morning).

Each run is named by a job and a run key that says what it is for (school, date, week or
period); the scheduler does each name once across processes (services.job_runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import (
    complaints,
    deadline_reminders,
    deadlines,
    family_summary,
    forecast_jobs,
    polls,
    reminders,
    retention,
)
from services.models import School
from services.notifications import SchoolClock
from services.reports import extracts
from services.reports import schedule as report_schedule
from services.working_days import working_days

SLOT_WINDOW = dt.timedelta(hours=3)  # a slot missed for longer than this is skipped
WEEKLY_FORECAST_AT = (5, dt.time(18, 0))  # ISO weekday (Friday), local time
HOMEWORK_EVE_AT = dt.time(19, 0)
STAFF_REMINDER_AT = dt.time(8, 0)
RISK_AT = dt.time(18, 0)
COMPLAINTS_AT = dt.time(9, 0)  # overdue complaints to the director, every day

Work = Callable[[AsyncSession], Awaitable[int]]


@dataclass(frozen=True)
class DueRun:
    """One run to do (once across processes): its name and its work, given a session in
    the run's own transaction; the work returns how many rows it wrote or changed."""

    job: str
    run_key: str
    work: Work


async def schools(session: AsyncSession) -> list[SchoolClock]:
    rows = await session.execute(
        select(School.id, School.timezone, School.quiet_start, School.quiet_end,
               School.backfill_days).order_by(School.id))
    return [SchoolClock(r.id, r.timezone, r.quiet_start, r.quiet_end, r.backfill_days)
            for r in rows]


def slot_reached(local: dt.datetime, at: dt.time) -> bool:
    """Whether a school's local time is within the window after today's slot `at`."""
    start = dt.datetime.combine(local.date(), at, tzinfo=local.tzinfo)
    return start <= local < start + SLOT_WINDOW


def _for_school(job: Callable[[AsyncSession, SchoolClock, dt.date], Awaitable[int]],
                school: SchoolClock, today: dt.date) -> Work:
    async def work(session: AsyncSession) -> int:
        return await job(session, school, today)
    return work


def _risk_list(school: SchoolClock, due: forecast_jobs.RiskPeriod, today: dt.date) -> Work:
    async def work(session: AsyncSession) -> int:
        return await forecast_jobs.period_risks(session, school, due, today)
    return work


def _retention(now: dt.datetime) -> Work:
    async def work(session: AsyncSession) -> int:
        return (await retention.apply_retention(session, now)).total
    return work


def _call(job: Callable[..., Awaitable[int]], *args: Any) -> Work:
    async def work(session: AsyncSession) -> int:
        return await job(session, *args)
    return work


async def _staff_runs(session: AsyncSession, school: SchoolClock,
                      today: dt.date) -> list[DueRun]:
    """The 08:00 staff runs, on the school's working days only: the unfilled lessons, the
    period-mark reminders, on the week's first working day the escalation digest, on the
    month's the director's completion report, and every two weeks the paper extracts."""
    sid = school.school_id
    days = await working_days(session, sid)
    if not days.is_working_day(today):
        return []
    runs = [DueRun("staff-unmarked", f"staff-unmarked:{sid}:{today.isoformat()}",
                   _for_school(reminders.staff_reminders, school, today))]
    for due in await deadline_reminders.periods_due(session, sid, today, days):
        runs.append(DueRun("period-marks", f"period-marks:{sid}:{due.id}:{today.isoformat()}",
                           _call(deadline_reminders.period_mark_reminders, school, due, today)))
    if deadlines.first_working_day_of_week(today, days):
        year, week, _ = today.isocalendar()
        runs.append(DueRun("deadline-digest", f"deadline-digest:{sid}:{year}-W{week:02d}",
                           _call(deadline_reminders.deadline_digest, school, today, days)))
    if deadlines.first_working_day_of_month(today, days):
        runs.append(DueRun("monthly-completion", f"monthly-completion:{sid}:{today:%Y-%m}",
                           _call(report_schedule.monthly_completion_to_director, school,
                                 today)))
    key = await report_schedule.extracts_run_key(session, sid, today, days.is_working_day)
    if key is not None:
        runs.append(DueRun("paper-extracts", key, _call(
            extracts.queue_fortnight_extracts, school, today, days.is_working_day)))
    return runs


async def school_runs(session: AsyncSession, school: SchoolClock,
                      now: dt.datetime) -> list[DueRun]:
    """The runs due for one school at `now`."""
    local = now.astimezone(ZoneInfo(school.timezone))
    today, sid = local.date(), school.school_id
    runs = []
    weekday, at = WEEKLY_FORECAST_AT
    if local.isoweekday() == weekday and slot_reached(local, at):
        year, week, _ = today.isocalendar()
        runs.append(DueRun("forecast-weekly", f"forecast-weekly:{sid}:{year}-W{week:02d}",
                           _for_school(forecast_jobs.weekly_forecasts, school, today)))
    if slot_reached(local, HOMEWORK_EVE_AT):
        runs.append(DueRun("homework-eve", f"homework-eve:{sid}:{today.isoformat()}",
                           _for_school(reminders.homework_eve, school, today)))
    if slot_reached(local, family_summary.FAMILY_SUMMARY_AT):
        runs.append(DueRun("family-summary", f"family-summary:{sid}:{today.isoformat()}",
                           _for_school(family_summary.evening_summaries, school, today)))
    if slot_reached(local, STAFF_REMINDER_AT):
        runs.extend(await _staff_runs(session, school, today))
    if slot_reached(local, COMPLAINTS_AT):
        runs.append(DueRun("complaints-overdue", f"complaints-overdue:{sid}:{today.isoformat()}",
                           _for_school(complaints.escalate_overdue, school, today)))
    # Polls close at any time: a run per school every ten minutes closes those due.
    bucket = f"{local:%Y-%m-%dT%H}:{local.minute // 10}"
    runs.append(DueRun("polls-close", f"polls-close:{sid}:{bucket}",
                       _for_school(polls.close_due, school, today)))
    if slot_reached(local, RISK_AT):
        for due in await forecast_jobs.risk_periods(session, sid, today):
            runs.append(DueRun("period-risk", f"period-risk:{sid}:{due.period.id}",
                               _risk_list(school, due, today)))
    return runs


async def due_runs(session: AsyncSession, now: dt.datetime) -> list[DueRun]:
    """Every run due at `now`: each school's, then the day's retention pass."""
    runs = []
    for school in await schools(session):
        runs.extend(await school_runs(session, school, now))
    day = now.astimezone(dt.UTC).date().isoformat()
    runs.append(DueRun("retention", f"retention:{day}", _retention(now)))
    return runs
