"""The outbox as a queue: the SQL side of push delivery (no aiogram here).

Several bot processes share the queue. A worker claims the due rows of a batch of chats
(`FOR UPDATE SKIP LOCKED`, in its own short transaction), takes a lease on them, sends,
and records each message's rows as sent right after Telegram accepted it. A worker that
dies mid-batch leaves leases that lapse; the rows are then claimed again.

Two clocks are involved, on purpose:
- `due_at` is business time and is compared with `services.clock.now()` (tests and the
  demo freeze it);
- leases and retry delays (`locked_until`) run on the database's own clock
  (`clock_timestamp()`), which every process shares and which a frozen application clock
  cannot stop: a lease must lapse in real time for crash recovery to work.

Like every service, these functions never commit: the worker runs each call in its own
short `sessionmaker.begin()` block (claim, then one block per accepted message), and never
holds a transaction across a network call.

Two workers never write into one chat at once: a claim takes a transaction-scoped
advisory lock per chat (so two claims running side by side cannot split one chat's rows
between them), and a chat is claimed only while none of its pending rows holds a live lease
or a retry delay (so a claim that committed earlier is seen, and after a failed send the
chat's later rows wait for the earlier ones: the order within a chat holds).

Settings apply at send time: a row held for quiet hours or a digest is checked, when it is
claimed, against the chat's preferences as they are then. A kind or subject muted meanwhile
drops it; the privacy mode (`QueuedRow.hide_values`) and the language (`ChatBatch.locale`)
are the chat's current ones, not those it had when the row was queued.

A row Telegram refuses for a reason nobody can fix by retrying (a 4xx other than 403 or
"chat not found") is `held` with the reason in `last_error`, for a person to look at
(`held_rows`, `requeue_held`); it is never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, notification_settings
from services.accounts import mark_inactive
from services.models import (
    Account,
    AccountLink,
    LinkKind,
    Notification,
    NotificationStatus,
    Staff,
    Student,
    StudentStatus,
)
from services.push_events import PushEvent, UnreadablePayload, decode

PENDING = NotificationStatus.PENDING
HELD = NotificationStatus.HELD
_LAST_ERROR_MAX = 200
# Advisory lock space of a chat's claim (the two-key form: apart from the scheduler's).
_CHAT_LOCK_CLASS = 0x0D1A


@dataclass(frozen=True)
class QueuedRow:
    """One claimed outbox row, as the composer needs it: the event, and the chat's privacy
    mode as it is now."""

    id: int
    event: PushEvent
    student_id: int | None
    event_at: dt.datetime
    attempts: int
    hide_values: bool = False
    subject_id: int | None = None
    # An urgent notice's audience (the chats it went to); 0 for anything else. The worker
    # may send large ones under Telegram's paid broadcast limit.
    broadcast_audience: int = 0


@dataclass(frozen=True)
class ChatBatch:
    """The due rows of one chat, claimed together so they become one message."""

    chat_id: int
    account_id: int
    locale: str
    batch_id: str
    rows: tuple[QueuedRow, ...]

    @property
    def row_ids(self) -> list[int]:
        return [r.id for r in self.rows]

    @property
    def attempts(self) -> int:
        """The most attempts any of the rows has had (this one included)."""
        return max(r.attempts for r in self.rows)


def _db_now_plus(seconds_param: str) -> Any:
    """`clock_timestamp() + <param> seconds`: leases and delays run on the database clock."""
    return func.clock_timestamp() + func.make_interval(
        0, 0, 0, 0, 0, 0, bindparam(seconds_param, type_=Float())
    )


def _clip(error: str) -> str:
    return error[:_LAST_ERROR_MAX]


def _chat_busy() -> Any:
    """A pending row of the same chat is leased to a worker, or waits out a retry delay
    (its later rows must not overtake it)."""
    other = Notification.__table__.alias("other")
    return (
        select(other.c.id)
        .where(other.c.chat_id == Notification.chat_id, other.c.status == PENDING.value,
               other.c.locked_until >= func.clock_timestamp())
        .exists()
    )


async def _lock_chats(session: AsyncSession, chats: list[int]) -> list[int]:
    """The chats this claim may take: those whose advisory lock it got. Another claim
    holding a chat's lock is between its scan and its commit; its leases are not visible
    yet, so without the lock both claims could lease rows of one chat."""
    got = await session.scalars(
        text("SELECT c FROM unnest(CAST(:chats AS bigint[])) AS c "
             "WHERE pg_try_advisory_xact_lock(:space, hashtext(c::text))"),
        {"chats": chats, "space": _CHAT_LOCK_CLASS},
    )
    mine = {int(c) for c in got}
    return [c for c in chats if c in mine]


def _no_longer_entitled() -> Any:
    """The chat may no longer hear about the row's student (link revoked, consent asked
    again, the student left) or, for a staff push, is no longer a working staff member's.
    Checked when the row is claimed: it may have waited hours for quiet hours or a digest."""
    live_family = (
        select(AccountLink.id)
        .join(Student, Student.id == AccountLink.student_id)
        .where(AccountLink.account_id == Notification.account_id,
               AccountLink.student_id == Notification.student_id,
               AccountLink.kind.in_([LinkKind.GUARDIAN, LinkKind.STUDENT]),
               AccountLink.revoked_at.is_(None), AccountLink.consent_pending.is_(False),
               Student.status == StudentStatus.ACTIVE)
        .exists()
    )
    live_staff = (
        select(AccountLink.id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .where(AccountLink.account_id == Notification.account_id,
               AccountLink.kind == LinkKind.STAFF, AccountLink.revoked_at.is_(None),
               Staff.is_active)
        .exists()
    )
    return ((Notification.student_id.is_not(None) & ~live_family)
            | ((Notification.kind == "staff") & ~live_staff))


async def claim_due(
    session: AsyncSession, *, worker_id: str, limit: int, lease: float,
    now: dt.datetime | None = None,
) -> list[ChatBatch]:
    """Claim the due rows of up to `limit` chats, oldest first: lease them to `worker_id`
    for `lease` seconds and count the attempt. Run it in its own short transaction.

    A chat is claimed whole (all its due rows at once, so a burst becomes one message).
    Rows of deactivated accounts, rows the chat may no longer see and rows of a kind or
    subject the chat has muted since they were queued are dropped on the way; rows whose
    payload this process cannot read are held.
    """
    now = now or clock.now()
    due = (
        (Notification.status == PENDING) & (Notification.due_at <= now)
        & (Notification.locked_until.is_(None)
           | (Notification.locked_until < func.clock_timestamp()))
    )
    # 1. The oldest due rows; their chats, in order of first appearance, make the batch.
    scan = await session.execute(
        select(Notification.chat_id)
        .where(due, ~_chat_busy())
        .order_by(Notification.due_at, Notification.id)
        .limit(max(limit * 4, 50))
        .with_for_update(skip_locked=True)
    )
    chats: list[int] = []
    for chat_id in scan.scalars():
        if chat_id not in chats:
            chats.append(chat_id)
            if len(chats) >= limit:
                break
    chats = await _lock_chats(session, chats) if chats else []
    if not chats:
        return []
    # 2. Every due row of those chats (checked again for claims committed meanwhile).
    locked = (await session.execute(
        select(Notification.id, _no_longer_entitled().label("stale"))
        .where(due, Notification.chat_id.in_(chats), ~_chat_busy())
        .with_for_update(of=Notification, skip_locked=True)
    )).all()
    ids = [r.id for r in locked]
    if not ids:
        return []
    stale = {r.id for r in locked if r.stale}
    if stale:
        await drop_rows(session, list(stale), "recipient no longer entitled")
        ids = [i for i in ids if i not in stale]
        if not ids:
            return []
    # 3. Take the lease; one batch id per chat.
    prefix = secrets.token_hex(8)
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.account_id == Account.id)
        .values(
            locked_until=_db_now_plus("lease"),
            locked_by=worker_id,
            attempts=Notification.attempts + 1,
            batch_id=func.concat(prefix, ":", Notification.chat_id),
        )
        .returning(
            Notification.id, Notification.chat_id, Notification.account_id,
            Notification.kind, Notification.payload, Notification.student_id,
            Notification.subject_id, Notification.event_at, Notification.attempts,
            Notification.batch_id, Account.locale, Account.is_active,
        )
        .execution_options(synchronize_session=False),
        {"lease": float(lease)},
    )
    rows = result.all()
    inactive = [r.id for r in rows if not r.is_active]
    if inactive:
        await drop_rows(session, inactive, "account inactive")
    by_chat = await _as_sent_now(session, [r for r in rows if r.is_active])
    batches = []
    for chat_id in chats:
        chat_rows = by_chat.get(chat_id)
        if not chat_rows:
            continue
        chat_rows.sort(key=lambda q: (q[1].event_at, q[1].id))
        first = chat_rows[0][0]
        batches.append(ChatBatch(
            chat_id=chat_id, account_id=first.account_id, locale=first.locale,
            batch_id=first.batch_id, rows=tuple(q for _, q in chat_rows),
        ))
    return batches


async def _as_sent_now(session: AsyncSession,
                       rows: list[Any]) -> dict[int, list[tuple[Any, QueuedRow]]]:
    """The claimed rows, per chat, with the chat's preferences of this moment applied:
    muted since queued → dropped; privacy mode → `hide_values`. Unreadable → held."""
    prefs = await notification_settings.preferences_many(
        session, {(r.account_id, r.student_id) for r in rows})
    muted, unreadable = [], []
    by_chat: dict[int, list[tuple[Any, QueuedRow]]] = {}
    for r in rows:
        pref = prefs[(r.account_id, r.student_id)]
        payload = dict(r.payload)
        if not payload.get("urgent") and not pref.wants(r.kind, r.subject_id):
            muted.append(r.id)
            continue
        try:
            event = decode(r.kind, payload)
        except UnreadablePayload as exc:
            unreadable.append((r.id, str(exc)))
            continue
        audience = int(payload.get("audience") or 0) if payload.get("urgent") else 0
        by_chat.setdefault(r.chat_id, []).append((r, QueuedRow(
            r.id, event, r.student_id, r.event_at, r.attempts, pref.hide_values,
            r.subject_id, audience)))
    if muted:
        await drop_rows(session, muted, "muted by the chat before it was sent")
    for row_id, reason in unreadable:
        await hold_rows(session, [row_id], f"unreadable: {reason}")
    return by_chat


async def mark_sent(session: AsyncSession, row_ids: Sequence[int],
                    message_id: int | None) -> int:
    """Telegram accepted the message carrying these rows; the caller commits at once.
    Returns how many rows changed (rows already sent or dropped stay as they were)."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(list(row_ids)), Notification.status == PENDING)
        .values(status=NotificationStatus.SENT, sent_at=clock.now(),
                telegram_message_id=message_id, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def release_for_retry(session: AsyncSession, row_ids: Sequence[int], delay: float,
                            error: str, *, count_attempt: bool = True) -> int:
    """Give the rows back to the queue, to be taken again no sooner than `delay` seconds
    from now (on the database clock, see the module docstring). `count_attempt=False` is
    for a send that never happened (the worker deferred it): the claim's attempt is given
    back."""
    values: dict[str, Any] = {
        "locked_until": _db_now_plus("delay"), "locked_by": None, "last_error": _clip(error),
    }
    if not count_attempt:
        values["attempts"] = func.greatest(Notification.attempts - 1, 0)
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(list(row_ids)), Notification.status == PENDING)
        .values(**values)
        .execution_options(synchronize_session=False),
        {"delay": max(float(delay), 0.0)},
    )
    return _rowcount(result)


async def drop_rows(session: AsyncSession, row_ids: Sequence[int], error: str) -> int:
    """Give up on these rows (retries exhausted, or a message Telegram will never take)."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(list(row_ids)), Notification.status == PENDING)
        .values(status=NotificationStatus.DROPPED, locked_until=None, locked_by=None,
                last_error=_clip(error))
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def hold_rows(session: AsyncSession, row_ids: Sequence[int], reason: str) -> int:
    """Keep these rows out of delivery, with the reason, for a person to look at: Telegram
    refused them in a way a retry will not change (see `requeue_held`)."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(list(row_ids)), Notification.status == PENDING)
        .values(status=HELD, locked_until=None, locked_by=None, last_error=_clip(reason))
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


@dataclass(frozen=True)
class HeldRow:
    """A held row as an operator sees it: ids and the reason, no content."""

    id: int
    chat_id: int
    kind: str
    event_at: dt.datetime
    last_error: str | None


async def held_rows(session: AsyncSession, *, limit: int = 100) -> list[HeldRow]:
    result = await session.execute(
        select(Notification.id, Notification.chat_id, Notification.kind,
               Notification.event_at, Notification.last_error)
        .where(Notification.status == HELD).order_by(Notification.id).limit(limit)
    )
    return [HeldRow(*r) for r in result.all()]


async def requeue_held(session: AsyncSession, row_ids: Sequence[int]) -> int:
    """Send held rows again (the cause was fixed): pending, due now, attempts reset."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(list(row_ids)), Notification.status == HELD)
        .values(status=PENDING, attempts=0, due_at=clock.now(), locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def drop_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Telegram refuses the chat for good (bot blocked, user deactivated, chat not found):
    its account goes inactive and every pending row of the chat is dropped. Returns the
    number of rows dropped."""
    await mark_inactive(session, chat_id)
    result = await session.execute(
        update(Notification)
        .where(Notification.chat_id == chat_id, Notification.status == PENDING)
        .values(status=NotificationStatus.DROPPED, locked_until=None, locked_by=None,
                last_error=_clip(reason))
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def renew_lease(session: AsyncSession, row_ids: Sequence[int], *, worker_id: str,
                      lease: float) -> list[int]:
    """Extend this worker's lease on rows it still holds (before a long wait for
    Telegram's limits); returns the ids still held — rows another worker took over after
    the lease lapsed are not."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(list(row_ids)), Notification.status == PENDING,
               Notification.locked_by == worker_id)
        .values(locked_until=_db_now_plus("lease"))
        .returning(Notification.id)
        .execution_options(synchronize_session=False),
        {"lease": float(lease)},
    )
    return list(result.scalars())


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup with a new id: its accounts and pending rows follow."""
    await session.execute(
        update(Account).where(Account.chat_id == old_chat_id).values(chat_id=new_chat_id)
    )
    await session.execute(
        update(Notification)
        .where(Notification.chat_id == old_chat_id, Notification.status == PENDING)
        .values(chat_id=new_chat_id)
        .execution_options(synchronize_session=False)
    )


async def chat_locale(session: AsyncSession, chat_id: int) -> str:
    """The language to write to a chat in: its most recently seen account's locale."""
    locale = await session.scalar(
        select(Account.locale).where(Account.chat_id == chat_id)
        .order_by(Account.last_seen_at.desc().nulls_last(), Account.id).limit(1)
    )
    return locale or "ru"


async def pending_count(session: AsyncSession) -> int:
    """Rows still waiting to go out (due or not), for monitoring and the benchmark."""
    return int(await session.scalar(
        text("SELECT count(*) FROM notifications WHERE status = 'pending'")
    ) or 0)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
