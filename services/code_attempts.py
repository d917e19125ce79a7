"""Limits on link-code attempts. Per chat: five failures an hour lock that chat. Per
school: a burst of failures from any chats paces every new attempt in that school; codes
nobody issued name no school, so their failures pace attempts everywhere. A paced attempt
costs the chat nothing; the burst is logged once, with ids only."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.errors import TooManyAttempts
from services.models import LinkAttempt

log = logging.getLogger("services.codes")

MAX_FAILURES = 5
# From this many failures in the window on, a bad code's reply says how many tries are left.
WARN_AFTER = 3
FAILURE_WINDOW = dt.timedelta(hours=1)
# A burst: this many failures within the window, from any chats, in one school (or with
# codes nobody issued, which name no school). New attempts there are then paced.
SCHOOL_BURST = 20
SCHOOL_WINDOW = dt.timedelta(minutes=10)
SCHOOL_PACE = dt.timedelta(seconds=30)


async def check_chat(session: AsyncSession, telegram_id: int) -> None:
    since = clock.now() - FAILURE_WINDOW
    failures = (await session.scalars(
        select(LinkAttempt.attempted_at)
        .where(LinkAttempt.telegram_id == telegram_id, ~LinkAttempt.succeeded,
               LinkAttempt.attempted_at > since)
        .order_by(LinkAttempt.attempted_at)
    )).all()
    if len(failures) >= MAX_FAILURES:
        # Locked until the oldest failure in the window is an hour old.
        raise TooManyAttempts(failures[-MAX_FAILURES] + FAILURE_WINDOW)


def _bucket(school_id: int | None) -> ColumnElement[bool]:
    return (LinkAttempt.school_id.is_(None) if school_id is None
            else LinkAttempt.school_id == school_id)


async def check_school(session: AsyncSession, school_id: int | None) -> None:
    """In a burst of failures, one attempt per pace in that school (or, for codes that name
    no school, everywhere). A paced attempt costs the chat nothing."""
    now = clock.now()
    failures = await session.scalar(
        select(func.count()).select_from(LinkAttempt)
        .where(_bucket(school_id), ~LinkAttempt.succeeded,
               LinkAttempt.attempted_at > now - SCHOOL_WINDOW))
    if (failures or 0) < SCHOOL_BURST:
        return
    last = await session.scalar(select(func.max(LinkAttempt.attempted_at))
                                .where(_bucket(school_id)))
    if last is not None and last + SCHOOL_PACE > now:
        raise TooManyAttempts(last + SCHOOL_PACE)


async def record_failure(session: AsyncSession, telegram_id: int,
                          school_id: int | None) -> int | None:
    """Record a failed attempt; the tries the chat has left before the lock once it has
    failed `WARN_AFTER` times within the window, else None."""
    now = clock.now()
    session.add(LinkAttempt(telegram_id=telegram_id, school_id=school_id, succeeded=False,
                            attempted_at=now))
    await session.flush()
    failures = await session.scalar(
        select(func.count()).select_from(LinkAttempt)
        .where(_bucket(school_id), ~LinkAttempt.succeeded,
               LinkAttempt.attempted_at > now - SCHOOL_WINDOW))
    if failures == SCHOOL_BURST:
        # Ids only: which school (if any), how many; never a chat or a code.
        log.warning("link code failures burst in school %s: %d in %d min from any chats; "
                    "new attempts there are paced", school_id if school_id else "unknown",
                    failures, SCHOOL_WINDOW.seconds // 60)
    chat_failures = int(await session.scalar(
        select(func.count()).select_from(LinkAttempt)
        .where(LinkAttempt.telegram_id == telegram_id, ~LinkAttempt.succeeded,
               LinkAttempt.attempted_at > now - FAILURE_WINDOW)) or 0)
    if chat_failures < WARN_AFTER:
        return None
    return max(0, MAX_FAILURES - chat_failures)
