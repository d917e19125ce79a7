"""The outbox: whoever must hear about an event gets a notification row, written in the
event's own transaction, one per recipient chat, deduplicated by key.

The row's payload is the event's (services.push_events) plus two envelope keys: `urgent`
(sent through quiet hours and mutes) and `hide_values` (the chat's privacy mode when the
row was queued: a record only, delivery applies the mode of the moment it sends)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Queued:
    """One row for `enqueue_many`: the arguments `enqueue` takes."""

    account_id: int
    chat_id: int
    event: PushEvent
    dedupe_key: str
    due_at: dt.datetime
    student_id: int | None = None
    subject_id: int | None = None
    urgent: bool = False
    hide_values: bool = False


async def enqueue_many(session: AsyncSession, rows: Sequence[Queued], *,
                       event_at: dt.datetime | None = None) -> int:
    """Queue many pushes in one statement (a class-wide event); returns the rows queued,
    those whose key was queued before left out."""
    if not rows:
        return 0
    now = clock.now()
    values = []
    for r in rows:
        payload = r.event.to_payload()
        payload["hide_values"] = r.hide_values
        if r.urgent:
            payload["urgent"] = True
        values.append(dict(account_id=r.account_id, chat_id=r.chat_id, kind=r.event.kind,
                           payload=payload, dedupe_key=r.dedupe_key, student_id=r.student_id,
                           subject_id=r.subject_id, event_at=event_at or now, due_at=r.due_at))
    result = await session.execute(
        insert(Notification).values(values)
        .on_conflict_do_nothing(index_elements=[Notification.dedupe_key])
        .returning(Notification.id)
    )
    return len(result.all())
