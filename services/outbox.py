"""The outbox: whoever must hear about an event gets a notification row, written in the
event's own transaction, one per recipient chat, deduplicated by key.

The row's payload is the event's (services.push_events) plus two envelope keys: `urgent`
(sent through quiet hours and mutes) and `hide_values` (the chat's privacy mode when the
row was queued: a record only, delivery applies the mode of the moment it sends)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.models import Notification
from services.push_events import PushEvent


async def enqueue(
    session: AsyncSession, *, account_id: int, chat_id: int, event: PushEvent,
    dedupe_key: str, student_id: int | None = None, subject_id: int | None = None,
    due_at: dt.datetime | None = None, event_at: dt.datetime | None = None,
    urgent: bool = False, hide_values: bool = False,
) -> bool:
    """Queue one push; False when the same key was queued before (a re-sent event)."""
    now = clock.now()
    payload = event.to_payload()
    payload["hide_values"] = hide_values
    if urgent:
        payload["urgent"] = True
    values = dict(account_id=account_id, chat_id=chat_id, kind=event.kind, payload=payload,
                  dedupe_key=dedupe_key, student_id=student_id, subject_id=subject_id,
                  event_at=event_at or now, due_at=due_at or now)
    result = await session.execute(
        insert(Notification).values(**values)
        .on_conflict_do_nothing(index_elements=[Notification.dedupe_key])
        .returning(Notification.id)
    )
    return result.first() is not None
