"""The outbox: whoever must hear about an event gets a notification row, written in the
event's own transaction, one per recipient chat, deduplicated by key."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.models import Notification


async def enqueue(
    session: AsyncSession, *, account_id: int, chat_id: int, kind: str,
    payload: dict[str, Any], dedupe_key: str, student_id: int | None = None,
    subject_id: int | None = None, due_at: dt.datetime | None = None,
    event_at: dt.datetime | None = None, urgent: bool = False,
) -> bool:
    """Queue one push; False when the same key was queued before (a re-sent event)."""
    now = clock.now()
    values = dict(account_id=account_id, chat_id=chat_id, kind=kind, payload=payload,
                  dedupe_key=dedupe_key, student_id=student_id, subject_id=subject_id,
                  event_at=event_at or now, due_at=due_at or now)
    if urgent:
        values["payload"] = {**payload, "urgent": True}
    result = await session.execute(
        insert(Notification).values(**values)
        .on_conflict_do_nothing(index_elements=[Notification.dedupe_key])
        .returning(Notification.id)
    )
    return result.first() is not None
