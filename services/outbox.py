"""The outbox: whoever must hear about an event gets a notification row, written in the
event's own transaction, one per recipient chat, deduplicated by key.

The row's payload is the event's (services.push_events) plus two envelope keys: `urgent`
(sent through quiet hours and mutes) and `hide_values` (the chat's privacy mode when the
row was queued: a record only, delivery applies the mode of the moment it sends)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.push_events import PushEvent


@dataclass(frozen=True)
class Queued:
    """One push to queue: for whom, what, and when."""

    account_id: int
    chat_id: int
    event: PushEvent
    dedupe_key: str
    student_id: int | None = None
    subject_id: int | None = None
    due_at: dt.datetime | None = None
    event_at: dt.datetime | None = None
    urgent: bool = False
    hide_values: bool = False

    def payload(self) -> dict[str, Any]:
        payload = self.event.to_payload()
        payload["hide_values"] = self.hide_values
        if self.urgent:
            payload["urgent"] = True
        return payload


async def enqueue(session: AsyncSession, **push: Any) -> bool:
    """Queue one push (`Queued`'s fields); False when the same key was queued before (a
    re-sent event)."""
    return await enqueue_many(session, [Queued(**push)]) == 1


async def enqueue_many(session: AsyncSession, rows: list[Queued]) -> int:
    """Queue many pushes in one statement; returns how many were new. A key queued before,
    or twice in `rows`, is queued once."""
    if not rows:
        return 0
    now = clock.now()
    cols: dict[str, list[Any]] = {k: [] for k in (
        "account_id", "chat_id", "kind", "payload", "dedupe_key", "student_id", "subject_id",
        "event_at", "due_at")}
    for row in rows:
        cols["account_id"].append(row.account_id)
        cols["chat_id"].append(row.chat_id)
        cols["kind"].append(row.event.kind)
        cols["payload"].append(json.dumps(row.payload(), ensure_ascii=False))
        cols["dedupe_key"].append(row.dedupe_key)
        cols["student_id"].append(row.student_id)
        cols["subject_id"].append(row.subject_id)
        cols["event_at"].append(row.event_at or now)
        cols["due_at"].append(row.due_at or now)
    result = await session.execute(text(
        "INSERT INTO notifications (account_id, chat_id, kind, payload, dedupe_key, student_id,"
        " subject_id, event_at, due_at, status, attempts) "
        "SELECT a, c, k, CAST(p AS jsonb), d, s, sub, e, du, 'pending', 0 FROM unnest("
        "CAST(:account_id AS integer[]), CAST(:chat_id AS bigint[]), CAST(:kind AS text[]), "
        "CAST(:payload AS text[]), CAST(:dedupe_key AS text[]), CAST(:student_id AS integer[]),"
        " CAST(:subject_id AS integer[]), CAST(:event_at AS timestamptz[]), "
        "CAST(:due_at AS timestamptz[])) AS t(a, c, k, p, d, s, sub, e, du) "
        "ON CONFLICT (dedupe_key) DO NOTHING"), cols)
    return int(getattr(result, "rowcount", 0) or 0)
