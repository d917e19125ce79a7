"""The record that makes a scheduled run happen once across bot processes.

A run is named by its job and a run key (the job, the school and the date or period it is
for). Inside the run's own transaction, `claim` first takes a transaction-scoped advisory
lock on that name (a concurrent claimer gets False at once instead of waiting), then inserts
the `JobRun` row with ON CONFLICT DO NOTHING (a run done before gets False). Both go away
with the transaction: a run that fails rolls its row back, so the next tick retries it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.models import JobRun


def lock_id(job: str, run_key: str) -> int:
    """The advisory lock's key: 64 bits of a hash of the run's name."""
    digest = hashlib.sha256(f"{job}\x00{run_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def claim(session: AsyncSession, job: str, run_key: str) -> bool:
    """True when this transaction may do the run: nobody is doing it, nobody has done it."""
    locked = await session.scalar(select(func.pg_try_advisory_xact_lock(lock_id(job, run_key))))
    if not locked:
        return False
    claimed = await session.scalar(
        insert(JobRun).values(job=job, run_key=run_key, started_at=clock.now())
        .on_conflict_do_nothing().returning(JobRun.job))
    return claimed is not None


async def finish(session: AsyncSession, job: str, run_key: str) -> None:
    await session.execute(update(JobRun).where(JobRun.job == job, JobRun.run_key == run_key)
                          .values(finished_at=clock.now()))
