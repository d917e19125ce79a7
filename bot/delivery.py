"""The delivery worker: sends the outbox to Telegram within its limits.

One pass (`run_once`) claims the due rows of a batch of chats (services.delivery_queue),
turns each chat's rows into message texts (screens.pushes.compose: a burst becomes one
message) and sends them, concurrently across chats, while keeping to Telegram's limits:

- about 30 messages a second overall: a pacer lets one message out every 1/rate seconds
  (no bursts), and a 31st never within a second of when Telegram may have counted the
  30th-previous one (requests held up on their way arrive bunched);
- one message a second into one chat, 20 a minute into a group (negative chat id): the
  worker remembers when each chat last got a message; a chat's later rows wait;
- a 429 pauses ALL sending for the `retry_after` Telegram asked for, then the message is
  retried.

A message's rows are marked sent, and committed, right after Telegram accepted it, so a
crash never sends an accepted message again; rows of a worker that died stay leased until
the lease lapses and are then claimed again, so nothing is lost. (A request that timed out
may or may not have reached Telegram; such a message is retried: at least once.)

Errors: 403 (bot blocked, user deactivated) and 400 "chat not found" deactivate the account
and drop its pending rows; other 400s drop that message's rows; network errors and 5xx
release the rows with exponential backoff and drop them after `max_attempts`.

Logs carry ids only (chat, rows, batch), never texts, names or marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from screens.i18n import Translator, translator
from screens.pushes import PushRow, compose
from services import delivery_queue as queue
from services.delivery_queue import ChatBatch, QueuedRow

log = logging.getLogger(__name__)

_RETRYABLE = (TelegramServerError, TelegramNetworkError, aiohttp.ClientError, TimeoutError)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class PlannedMessage:
    """One Telegram message and the outbox rows it carries."""

    text: str
    row_ids: tuple[int, ...]


def plan_messages(rows: Sequence[QueuedRow], t: Translator) -> list[PlannedMessage]:
    """The messages for one chat's claimed rows. Normally compose() groups them into one;
    when the burst is over 4096 characters it splits, and then each message must still know
    its own rows (so that each is marked sent as soon as it is accepted): the rows are
    taken in order, each message carrying the longest run that composes into one text."""
    push_rows = [PushRow(r.id, r.kind, r.payload, r.student_id, r.event_at) for r in rows]
    texts = compose(push_rows, t)
    if len(texts) <= 1:
        return [PlannedMessage(texts[0], tuple(r.id for r in push_rows))] if texts else []
    plan: list[PlannedMessage] = []
    rest = push_rows
    while rest:
        lo, hi = 1, len(rest)
        while lo < hi:  # the longest prefix that still fits one message
            mid = (lo + hi + 1) // 2
            if len(compose(rest[:mid], t)) <= 1:
                lo = mid
            else:
                hi = mid - 1
        part, rest = rest[:lo], rest[lo:]
        texts = compose(part, t)
        ids = tuple(r.id for r in part)
        # One row too long for a message on its own: its rows go with the last part.
        plan.extend(PlannedMessage(text, ()) for text in texts[:-1])
        if texts:
            plan.append(PlannedMessage(texts[-1], ids))
    return plan


class _Send:
    """One message through the pacer: when it was let out and when Telegram answered."""

    __slots__ = ("answered", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.answered: float | None = None


class _Pacer:
    """At most `rate` messages a second, evenly spaced: one every 1/rate seconds, first come
    first served. A small oversleep of the event loop is made up on the next message
    (`slack`), never more.

    Telegram counts a message when it arrives, and arrivals bunch up when one request is
    delayed on its way (a cold connection, a busy event loop, the network). So a window of
    `limit` messages is also measured from when the `limit`-th previous message was
    answered, less the quickest round trip seen lately (the part of any answer's delay that
    is not a hold-up): a steady latency costs nothing, a delayed request makes the next
    window start that much later. A request still unanswered after `hang` seconds is taken
    to have arrived by then, so one hung request cannot stop all sending."""

    def __init__(self, rate: float, *, limit: int = 30, window: float = 1.0,
                 hang: float = 0.5, slack: float = 0.005) -> None:
        self.interval = 1.0 / rate
        self.slack = slack
        self.window = window
        self.hang = hang
        self._next = 0.0
        self._paused_until = 0.0
        self._recent: deque[_Send] = deque(maxlen=limit)
        self._round_trips: deque[float] = deque(maxlen=200)
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds` from now."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    def done(self, send: _Send, *, sent: bool = True) -> None:
        """The request is over (answered or failed); `sent=False`: it never went out."""
        send.answered = asyncio.get_running_loop().time()
        if sent:
            self._round_trips.append(send.answered - send.started)

    def _window_opens(self) -> tuple[float, bool]:
        """When the window allows one more message, and whether that may still move
        earlier (the oldest message of the window has not been answered yet)."""
        if len(self._recent) < (self._recent.maxlen or 0):
            return 0.0, False
        oldest = self._recent[0]
        if oldest.answered is None:
            return oldest.started + self.hang + self.window, True
        quickest = min(self._round_trips, default=0.0)
        return max(oldest.started, oldest.answered - quickest) + self.window, False

    async def acquire(self) -> _Send:
        """Wait for our turn; the caller reports the end of the request with `done`."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                opens, may_move = self._window_opens()
                at = max(self._next, self._paused_until, opens)
                if at <= now:
                    break
                await asyncio.sleep(min(at - now, 0.005) if may_move else at - now)
            self._next = max(now - self.slack, self._next) + self.interval
            send = _Send(now)
            self._recent.append(send)
            return send


class _ChatClock:
    """When each chat may get its next message: `interval` after the last one, and for
    groups no more than `per_minute` in any minute. Times are taken when Telegram answered,
    which is later than when it counted the message, so the spacing only errs long."""

    def __init__(self, interval: float, group_per_minute: int) -> None:
        self.interval = interval
        self.group_per_minute = group_per_minute
        self._last: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}

    def ready_at(self, chat_id: int) -> float:
        at = self._last.get(chat_id, 0.0) + self.interval
        hits = self._groups.get(chat_id)
        if chat_id < 0 and hits is not None and len(hits) >= self.group_per_minute:
            at = max(at, hits[-self.group_per_minute] + 60.0)
        return at

    def note(self, chat_id: int, at: float) -> None:
        self._last[chat_id] = at
        if chat_id < 0:
            hits = self._groups.setdefault(chat_id, deque(maxlen=self.group_per_minute))
            hits.append(at)
        if len(self._last) > 10_000:
            self._forget_before(at - 60.0)

    def _forget_before(self, when: float) -> None:
        for chat_id in [c for c, t in self._last.items() if t < when]:
            del self._last[chat_id]
            self._groups.pop(chat_id, None)


class DeliveryWorker:
    """Sends due outbox rows. Several workers (in one or many processes) may share the
    queue; each needs its own `worker_id`."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        worker_id: str | None = None,
        rate: float = 29.5,
        global_limit: int = 30,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        concurrency: int = 32,
        claim_limit: int = 100,
        lease: float = 60.0,
        max_attempts: int = 8,
        backoff_base: float = 2.0,
        max_backoff: float = 300.0,
        request_timeout: float = 20.0,
        idle_interval: float = 0.5,
        max_local_wait: float = 10.0,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.worker_id = worker_id or default_worker_id()
        self.lease = lease
        self.claim_limit = claim_limit
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.request_timeout = request_timeout
        self.idle_interval = idle_interval
        # A chat that must wait longer than this for its own limit goes back to the queue
        # rather than holding its lease and a place in the pipeline.
        self.max_local_wait = min(max_local_wait, lease / 3)
        # A send must start early enough to end (answered or timed out) before the lease
        # lapses, or another worker may claim the same rows and send them again meanwhile.
        self.send_margin = min(request_timeout + 1.0, lease / 2)
        self._pacer = _Pacer(rate, limit=global_limit)
        self._chats = _ChatClock(per_chat_interval, group_per_minute)
        self._slots = asyncio.Semaphore(concurrency)

    # --- public loop -----------------------------------------------------------------------

    async def run_once(self) -> int:
        """One pass: claim the due rows of up to `claim_limit` chats and send them all.
        Returns the number of messages Telegram accepted."""
        batches = await self._claim(self.claim_limit)
        if not batches:
            return 0
        results = await asyncio.gather(*(self._deliver(b) for b in batches))
        return sum(results)

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Deliver until `stop_event` is set. Claims are pipelined: a new batch is claimed
        while the previous one is still going out, so the pacer never runs dry."""
        active: set[asyncio.Task[int]] = set()
        low_water = max(1, self.claim_limit // 2)
        stopping = asyncio.ensure_future(stop_event.wait())
        try:
            while not stop_event.is_set():
                claimed = 0
                if len(active) < low_water:
                    try:
                        batches = await self._claim(self.claim_limit - len(active))
                    except (SQLAlchemyError, OSError) as exc:
                        log.warning("delivery claim failed: %s", type(exc).__name__)
                        batches = []
                    claimed = len(batches)
                    for batch in batches:
                        task = asyncio.create_task(self._deliver(batch))
                        active.add(task)
                        task.add_done_callback(active.discard)
                timeout = self.idle_interval if not claimed and len(active) < low_water else 0.2
                await asyncio.wait({stopping, *active}, timeout=timeout,
                                   return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if active:
                # Messages already on their way finish; a task cut short leaves its lease,
                # which lapses, and its rows are claimed again.
                _, pending = await asyncio.wait(active, timeout=self.request_timeout + 5)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)

    # --- one chat --------------------------------------------------------------------------

    async def _claim(self, limit: int) -> list[ChatBatch]:
        async with self.sessionmaker.begin() as session:
            return await queue.claim_due(session, worker_id=self.worker_id, limit=limit,
                                         lease=self.lease)

    async def _deliver(self, batch: ChatBatch) -> int:
        """Send one chat's claimed rows; returns the number of messages accepted. Never
        raises: on an unexpected error the rows not yet sent go back to the queue with
        backoff (or, if even that fails, their lease lapses and they are claimed again)."""
        try:
            return await self._deliver_batch(batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Only the type: a message could quote a payload value (a name, a mark).
            log.error("delivery of batch %s (chat %s, rows %s) failed: %s", batch.batch_id,
                      batch.chat_id, batch.row_ids, type(exc).__name__)
            log.debug("delivery failure", exc_info=True)
            with contextlib.suppress(Exception):
                # Rows already marked sent are left alone (only pending rows change).
                await self._retry_later(batch.chat_id, batch.row_ids, batch.attempts, exc)
            return 0

    async def _deliver_batch(self, batch: ChatBatch) -> int:
        loop = asyncio.get_running_loop()
        lease_ends = loop.time() + self.lease
        worn = [r.id for r in batch.rows if r.attempts > self.max_attempts]
        if worn:
            # Claimed again and again without an answer (a worker dying on them each time).
            await self._write(queue.drop_rows, worn, "gave up: claimed too often")
            log.warning("chat %s: rows %s dropped after repeated claims", batch.chat_id, worn)
            batch = replace(batch, rows=tuple(r for r in batch.rows if r.id not in worn))
            if not batch.rows:
                return 0
        plan = plan_messages(batch.rows, translator(batch.locale))
        planned_ids = {i for m in plan for i in m.row_ids}
        empty = [i for i in batch.row_ids if i not in planned_ids]
        if empty:
            await self._write(queue.drop_rows, empty, "nothing to say")
        chat_id = batch.chat_id
        sent = 0
        for n, message in enumerate(plan):
            rest = [i for m in plan[n:] for i in m.row_ids]
            while True:
                wait = self._chats.ready_at(chat_id) - loop.time()
                if wait > self.max_local_wait:
                    # A group at its per-minute limit: back to the queue until it may send.
                    await self._write(queue.release_for_retry, rest, wait, "chat limit",
                                      count_attempt=False)
                    log.info("chat %s at its limit: rows %s deferred %.0f s", chat_id, rest,
                             wait)
                    return sent
                if wait > 0:
                    await asyncio.sleep(wait)
                if lease_ends - loop.time() < self.send_margin + self.lease / 6:
                    async with self.sessionmaker.begin() as session:
                        held = await queue.renew_lease(session, rest,
                                                       worker_id=self.worker_id,
                                                       lease=self.lease)
                    if set(held) != set(rest):
                        log.warning("batch %s: lease lost, rows %s left to others",
                                    batch.batch_id, sorted(set(rest) - set(held)))
                        return sent
                    lease_ends = loop.time() + self.lease
                outcome = await self._send(chat_id, message.text,
                                           not_after=lease_ends - self.send_margin)
                if outcome is None:
                    continue  # held up so long that the lease needs renewing first
                if isinstance(outcome, int):
                    await self._mark_sent(message.row_ids, outcome)
                    log.debug("chat %s: rows %s sent as message %s", chat_id,
                              message.row_ids, outcome)
                    sent += 1
                    break
                if isinstance(outcome, TelegramRetryAfter):
                    continue  # the pacer holds everyone for retry_after; then try again
                if isinstance(outcome, TelegramMigrateToChat):
                    new_chat = outcome.migrate_to_chat_id
                    async with self.sessionmaker.begin() as session:
                        await queue.move_chat(session, chat_id, new_chat)
                    log.info("chat %s moved to %s", chat_id, new_chat)
                    chat_id = new_chat
                    continue
                return sent + await self._failed(batch, chat_id, rest, message, outcome)
        return sent

    async def _send(self, chat_id: int, text: str, *,
                    not_after: float) -> int | Exception | None:
        """One sendMessage within the limits: the message id Telegram gave it, or the
        error (a 429 has already paused the pacer when it is returned); None when the turn
        came only after `not_after` (loop time) and nothing was sent."""
        loop = asyncio.get_running_loop()
        async with self._slots:
            turn = await self._pacer.acquire()
            if loop.time() > not_after:
                self._pacer.done(turn, sent=False)
                return None
            try:
                message = await self.bot.send_message(
                    chat_id, text, request_timeout=int(self.request_timeout))
            except TelegramRetryAfter as exc:
                self._pacer.pause(float(exc.retry_after))
                log.warning("429 for chat %s: all sending paused %s s", chat_id,
                            exc.retry_after)
                return exc
            except (TelegramAPIError, *_RETRYABLE) as exc:
                return exc
            finally:
                self._pacer.done(turn)
                self._chats.note(chat_id, loop.time())
        return message.message_id

    async def _failed(self, batch: ChatBatch, chat_id: int, rest: list[int],
                      message: PlannedMessage, exc: Exception) -> int:
        """A message was refused or lost: decide what becomes of the rows. Returns 0."""
        error = _describe(exc)
        if isinstance(exc, TelegramForbiddenError) or (
            isinstance(exc, TelegramBadRequest) and "chat not found" in exc.message.lower()
        ):
            async with self.sessionmaker.begin() as session:
                dropped = await queue.drop_chat(session, chat_id, error)
            log.info("chat %s refused (%s): account inactive, %s rows dropped", chat_id,
                     type(exc).__name__, dropped)
            return 0
        if isinstance(exc, TelegramBadRequest):
            # Telegram will never take this text (e.g. it cannot parse it): drop this
            # message's rows, and let the chat's other rows be retried on their own.
            await self._write(queue.drop_rows, list(message.row_ids), error)
            others = [i for i in rest if i not in message.row_ids]
            if others:
                await self._write(queue.release_for_retry, others, 0.0, error,
                                  count_attempt=False)
            log.warning("chat %s: rows %s dropped: %s", chat_id, message.row_ids,
                        type(exc).__name__)
            return 0
        attempts = max((r.attempts for r in batch.rows if r.id in set(rest)), default=1)
        await self._retry_later(chat_id, rest, attempts, exc)
        return 0

    async def _retry_later(self, chat_id: int, row_ids: Sequence[int], attempts: int,
                           exc: Exception) -> None:
        """Back to the queue with exponential backoff, or dropped after `max_attempts`."""
        error = _describe(exc)
        if attempts >= self.max_attempts:
            await self._write(queue.drop_rows, row_ids, f"gave up: {error}")
            log.warning("chat %s: rows %s dropped after %s attempts (%s)", chat_id,
                        list(row_ids), attempts, type(exc).__name__)
            return
        delay = min(self.backoff_base * 2 ** (attempts - 1), self.max_backoff)
        await self._write(queue.release_for_retry, row_ids, delay, error)
        log.info("chat %s: rows %s retry in %.1f s (%s)", chat_id, list(row_ids), delay,
                 type(exc).__name__)

    async def _mark_sent(self, row_ids: Sequence[int], message_id: int) -> None:
        """Record an accepted message; tries hard, since a row left unmarked would be sent
        again once its lease lapses."""
        for attempt in range(5):
            try:
                async with self.sessionmaker.begin() as session:
                    await queue.mark_sent(session, row_ids, message_id)
                return
            except (SQLAlchemyError, OSError):
                if attempt == 4:
                    raise
                await asyncio.sleep(0.5 * 2 ** attempt)

    async def _write(self, fn: Callable[..., Awaitable[Any]], row_ids: Sequence[int],
                     *args: Any, **kwargs: Any) -> None:
        async with self.sessionmaker.begin() as session:
            await fn(session, row_ids, *args, **kwargs)


def _describe(exc: Exception) -> str:
    if isinstance(exc, TelegramAPIError):
        return f"{type(exc).__name__}: {exc.message}"[:200]
    return type(exc).__name__


_workers: dict[tuple[int, int], DeliveryWorker] = {}


async def deliver_once(bot: Bot, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """One delivery pass for the scheduler. The worker (and with it what it knows of each
    chat's last message) is kept per bot and database between calls."""
    key = (id(bot), id(sessionmaker))
    worker = _workers.get(key)
    if worker is None:
        worker = _workers[key] = DeliveryWorker(bot, sessionmaker)
    return await worker.run_once()
