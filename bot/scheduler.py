"""Scheduled work, wired: one APScheduler 3 `AsyncIOScheduler` per bot process.

What runs and when is decided in services (services.scheduled_jobs: the school-time slots
and the daily retention pass; the jobs themselves in services.reminders,
services.forecast_jobs and services.retention). Here: the trigger that asks every few
minutes what is due, and the run of each due job ONCE however many processes run the
scheduler. A run is one transaction (the edge of a job, as an update's is for a handler):
it first claims the run (a `pg_try_advisory_xact_lock` on the run's name, then the `JobRun`
row with ON CONFLICT DO NOTHING; services.job_runs) and only the process whose claim
succeeded does the work; a failed run rolls its claim back, so the next tick retries it.

The jobs only write outbox rows; the delivery worker sends them. Digests need no job: they
are rows due at the digest time.

For the composition root: `ScheduledJobs(sessionmaker, settings)` with `start()` and
`stop()` for the dispatcher's startup and shutdown hooks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import METRICS
from bot.settings import Settings
from services import clock, job_runs, scheduled_jobs
from services.scheduled_jobs import Work

log = logging.getLogger(__name__)

SCHOOL_JOBS_ID = "school-jobs"

Sessionmaker = async_sessionmaker[AsyncSession]


async def run_once(sessionmaker: Sessionmaker, job: str, run_key: str, work: Work) -> int | None:
    """Run `work` in one transaction unless this (job, run_key) ran or is running
    elsewhere; returns its result, or None when another process has it."""
    try:
        async with sessionmaker.begin() as session:
            if not await job_runs.claim(session, job, run_key):
                METRICS.job_run(job, "taken_elsewhere")
                return None
            result = await work(session)
            await job_runs.finish(session, job, run_key)
    except Exception:
        METRICS.job_run(job, "failed")
        raise
    METRICS.job_run(job, "done")
    log.info("job %s %s done: %s", job, run_key, result)
    return result


async def run_school_jobs(sessionmaker: Sessionmaker) -> dict[str, int]:
    """Do every run due now that nobody did; returns {run key: rows written} for the runs
    this process did."""
    async with sessionmaker() as session:  # read only: what is due
        due = await scheduled_jobs.due_runs(session, clock.now())
    done: dict[str, int] = {}
    for run in due:
        result = await run_once(sessionmaker, run.job, run.run_key, run.work)
        if result is not None:
            done[run.run_key] = result
    return done


def build_scheduler(sessionmaker: Sessionmaker,
                    settings: Settings | None = None) -> AsyncIOScheduler:
    """The process's scheduler, not started: one tick ("school-jobs") every few minutes,
    the first at once. Safe to run in several processes."""
    settings = settings or Settings()
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    scheduler.add_job(functools.partial(run_school_jobs, sessionmaker), "interval",
                      minutes=settings.jobs_interval_minutes, id=SCHOOL_JOBS_ID,
                      next_run_time=dt.datetime.now(dt.UTC), max_instances=1, coalesce=True,
                      misfire_grace_time=60)
    return scheduler


class ScheduledJobs:
    """The scheduler as the dispatcher's startup and shutdown hooks run it:
    `dp.startup.register(jobs.start)`, `dp.shutdown.register(jobs.stop)`."""

    def __init__(self, sessionmaker: Sessionmaker, settings: Settings | None = None) -> None:
        self.scheduler = build_scheduler(sessionmaker, settings)

    async def start(self) -> None:
        # Started from a coroutine so APScheduler picks up the running event loop.
        if not self.scheduler.running:
            self.scheduler.start()

    async def stop(self) -> None:
        """No new run starts; a run in flight is cancelled, and its transaction with it (the
        next process to tick does it again)."""
        if self.scheduler.running:
            self.scheduler.pause()  # a wakeup already queued on the loop starts nothing
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # APScheduler 3 shuts down in a callback on the loop
