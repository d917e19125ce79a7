"""The outbox: whoever must hear about an event gets a notification row, written in the
event's own transaction, one per recipient chat, deduplicated by key."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import text
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


async def enqueue_many(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Queue many pushes in one statement (rows: `enqueue`'s keyword arguments); returns
    how many were new. A key queued before, or twice in `rows`, is queued once."""
    if not rows:
        return 0
    now = clock.now()
    cols: dict[str, list[Any]] = {k: [] for k in (
        "account_id", "chat_id", "kind", "payload", "dedupe_key", "student_id", "subject_id",
        "event_at", "due_at")}
    for row in rows:
        payload = {**row["payload"], "urgent": True} if row.get("urgent") else row["payload"]
        cols["account_id"].append(row["account_id"])
        cols["chat_id"].append(row["chat_id"])
        cols["kind"].append(row["kind"])
        cols["payload"].append(json.dumps(payload, ensure_ascii=False))
        cols["dedupe_key"].append(row["dedupe_key"])
        cols["student_id"].append(row.get("student_id"))
        cols["subject_id"].append(row.get("subject_id"))
        cols["event_at"].append(row.get("event_at") or now)
        cols["due_at"].append(row.get("due_at") or now)
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
