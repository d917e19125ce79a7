"""The delivery worker: sends the outbox to Telegram within its limits.

One pass (`run_once`) claims the due rows of a batch of chats (services.delivery_queue),
turns each chat's rows into messages (screens.pushes.compose: a burst becomes one message,
and each message says which rows it completes) and sends them, concurrently across chats,
while keeping to Telegram's limits:

- about 30 messages a second overall: a pacer lets one message out every 1/rate seconds
  (no bursts), and a 31st never within a second of when Telegram may have counted the
  30th-previous one (requests held up on their way arrive bunched);
- one message a second into one chat, 20 a minute into a group (negative chat id): the
  worker remembers when each chat last got a message; a chat's later rows wait;
- a 429 pauses ALL sending for the `retry_after` Telegram asked for, then the message is
  retried.

The pacer is our own, not `aiolimiter` (which only the exchange API's rate uses): a leaky bucket of
capacity n lets n messages out at once and then n a second, so a sliding second can see
almost 2n, which Telegram answers with 429; with capacity 1 it is only the even spacing
above. It also cannot hold everyone for a 429's `retry_after`, nor start a window from when
Telegram answered; and the per-chat clock must say *when* a chat may send next (to wait or
to hand the rows back to the queue), which a limiter's "now or not" does not.

What delivery guarantees: at least once. A message's rows are marked sent, and committed,
right after Telegram accepted it. A worker that dies leaves its leases, which lapse; the
rows are then claimed again, so nothing is lost. A crash (or a lost answer) after Telegram
accepted a message but before its rows were recorded sends that message again, once: the
repeats are bounded by the messages in flight at the crash (at most `concurrency`). A send
never outlives its lease (every request ends, answered or abandoned, before the lease it
was sent under lapses, whatever lease is configured), so a live worker's message is never
repeated by another worker.

Errors:
- 403 (bot blocked, user deactivated) and 400 "chat not found": the account goes inactive
  and its pending rows are dropped;
- 401 (the token was revoked): delivery stops with one error line; every row stays pending
  (its attempt given back) for when the bot runs again with a valid token;
- any other 4xx: that message's rows are `held` with the reason, for a person to look at;
  the chat's other rows go on;
- network errors, timeouts and 5xx: the rows go back with exponential backoff (the chat's
  later rows wait behind them, so the order holds) and are dropped after `max_attempts`.

Logs carry ids only (chat, rows, batch), never texts, names or marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
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
    TelegramUnauthorizedError,
)
from aiogram.types import Message
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import METRICS
from bot.pacing import ChatClock, Pacer
from handlers.replies import markup
from screens.base import Rows
from screens.i18n import translator
from screens.pushes import compose
from services import delivery_queue as queue
from services.delivery_queue import ChatBatch

log = logging.getLogger(__name__)

_RETRYABLE = (TelegramServerError, TelegramNetworkError, aiohttp.ClientError, TimeoutError)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


class DeliveryWorker:
    """Sends due outbox rows. Several workers (in one or many processes) may share the
    queue; each needs its own `worker_id`. Whoever runs delivery holds its worker (it keeps
    what it knows of each chat's last message between passes)."""

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
        # Every send ends (answered or abandoned) `guard` seconds before the lease lapses,
        # or another worker may claim the same rows and send them again meanwhile. A send
        # gets at most `send_budget` seconds, so it must start `send_margin` before the end.
        self.guard = min(1.0, lease / 10)
        self.send_budget = min(request_timeout, lease / 2)
        self.send_margin = self.guard + self.send_budget
        # Set when Telegram refused the token (401): nothing more is sent by this worker.
        self.stopped: str | None = None
        self._pacer = Pacer(rate, limit=global_limit)
        self._chats = ChatClock(per_chat_interval, group_per_minute)
        self._slots = asyncio.Semaphore(concurrency)

    # --- public loop -----------------------------------------------------------------------

    async def run_once(self) -> int:
        """One pass: claim the due rows of up to `claim_limit` chats and send them all.
        Returns the number of messages Telegram accepted."""
        if self.stopped:
            return 0
        lease_ends, batches = await self._claim(self.claim_limit)
        if not batches:
            return 0
        results = await asyncio.gather(*(self._deliver(b, lease_ends) for b in batches))
        return sum(results)

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Deliver until `stop_event` is set (or Telegram refuses the token). Claims are
        pipelined: a new batch is claimed while the previous one is still going out, so the
        pacer never runs dry."""
        active: set[asyncio.Task[int]] = set()
        low_water = max(1, self.claim_limit // 2)
        stopping = asyncio.ensure_future(stop_event.wait())
        try:
            while not stop_event.is_set() and not self.stopped:
                claimed = 0
                if len(active) < low_water:
                    try:
                        lease_ends, batches = await self._claim(self.claim_limit - len(active))
                    except (SQLAlchemyError, OSError) as exc:
                        log.warning("delivery claim failed: %s", type(exc).__name__)
                        batches = []
                    claimed = len(batches)
                    for batch in batches:
                        task = asyncio.create_task(self._deliver(batch, lease_ends))
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
                _, pending = await asyncio.wait(active, timeout=self.send_budget + 5)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)

    # --- one chat --------------------------------------------------------------------------

    async def _claim(self, limit: int) -> tuple[float, list[ChatBatch]]:
        """The claimed batches, and when (loop time) their lease ends at the latest: taken
        before the claim, since the database starts the lease before it answers."""
        lease_ends = asyncio.get_running_loop().time() + self.lease
        async with self.sessionmaker.begin() as session:
            return lease_ends, await queue.claim_due(session, worker_id=self.worker_id,
                                                     limit=limit, lease=self.lease)

    async def _deliver(self, batch: ChatBatch, lease_ends: float) -> int:
        """Send one chat's claimed rows; returns the number of messages accepted. Never
        raises: on an unexpected error the rows not yet sent go back to the queue with
        backoff (or, if even that fails, their lease lapses and they are claimed again)."""
        try:
            return await self._deliver_batch(batch, lease_ends)
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

    async def _deliver_batch(self, batch: ChatBatch, lease_ends: float) -> int:
        loop = asyncio.get_running_loop()
        worn = [r.id for r in batch.rows if r.attempts > self.max_attempts]
        if worn:
            # Claimed again and again without an answer (a worker dying on them each time).
            await self._write(queue.drop_rows, worn, "gave up: claimed too often")
            log.warning("chat %s: rows %s dropped after repeated claims", batch.chat_id, worn)
            batch = replace(batch, rows=tuple(r for r in batch.rows if r.id not in worn))
            if not batch.rows:
                return 0
        plan = compose(batch.rows, translator(batch.locale))
        planned_ids = {i for m in plan for i in m.row_ids}
        empty = [i for i in batch.row_ids if i not in planned_ids]
        if empty:
            await self._write(queue.drop_rows, empty, "nothing to say")
        chat_id = batch.chat_id
        sent = 0
        for n, message in enumerate(plan):
            rest = [i for m in plan[n:] for i in m.row_ids]
            while True:
                if self.stopped:
                    await self._give_back(rest, "delivery stopped")
                    return sent
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
                    renewed_at = loop.time()
                    async with self.sessionmaker.begin() as session:
                        held = await queue.renew_lease(session, rest,
                                                       worker_id=self.worker_id,
                                                       lease=self.lease)
                    if set(held) != set(rest):
                        log.warning("batch %s: lease lost, rows %s left to others",
                                    batch.batch_id, sorted(set(rest) - set(held)))
                        return sent
                    lease_ends = renewed_at + self.lease
                outcome = await self._send(chat_id, message.text,
                                           deadline=lease_ends - self.guard,
                                           rows=message.rows, media=message.media)
                if outcome is None:
                    continue  # held up so long that the lease needs renewing first
                if isinstance(outcome, int):
                    await self._mark_sent(message.row_ids, outcome)
                    log.debug("chat %s: rows %s sent as message %s", chat_id,
                              message.row_ids, outcome)
                    sent += 1
                    break
                if isinstance(outcome, TelegramRetryAfter):
                    METRICS.push_failed(outcome)
                    continue  # the pacer holds everyone for retry_after; then try again
                if isinstance(outcome, TelegramMigrateToChat):
                    new_chat = outcome.migrate_to_chat_id
                    async with self.sessionmaker.begin() as session:
                        await queue.move_chat(session, chat_id, new_chat)
                    log.info("chat %s moved to %s", chat_id, new_chat)
                    chat_id = new_chat
                    continue
                # A message completing no row (the first part of an overlong one) stands
                # or falls with the row it begins.
                own = message.row_ids or next((m.row_ids for m in plan[n + 1:] if m.row_ids),
                                              ())
                return sent + await self._failed(batch, chat_id, rest, own, outcome)
        return sent

    async def _send(self, chat_id: int, text: str, *, deadline: float, rows: Rows = (),
                    media: tuple[str, str] | None = None) -> int | Exception | None:
        """One sendMessage (or sendPhoto / sendDocument by file_id) within the limits,
        ending by `deadline` (loop time) at the latest: the message id Telegram gave it, or
        the error (a 429 has already paused the pacer when it is returned); None when the
        turn came too late for a whole send before the deadline, and nothing was sent."""
        loop = asyncio.get_running_loop()
        async with self._slots:
            turn = await self._pacer.acquire()
            budget = deadline - loop.time()
            if budget < self.send_budget:
                self._pacer.done(turn, sent=False)
                return None
            timeout = min(self.request_timeout, budget)
            try:
                async with asyncio.timeout(timeout):
                    sent = await self._request(chat_id, text, rows, media,
                                               max(1, math.ceil(timeout)))
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
        return sent.message_id

    async def _request(self, chat_id: int, text: str, rows: Rows,
                       media: tuple[str, str] | None, seconds: int) -> Message:
        """sendMessage; or, for a push with a photo or document (by file_id), that file
        with the text as its caption."""
        keyboard = markup(rows)
        if media is not None and media[0] == "photo":
            return await self.bot.send_photo(chat_id, media[1], caption=text,
                                             reply_markup=keyboard, request_timeout=seconds)
        if media is not None:
            return await self.bot.send_document(chat_id, media[1], caption=text,
                                                reply_markup=keyboard, request_timeout=seconds)
        return await self.bot.send_message(chat_id, text, reply_markup=keyboard,
                                           request_timeout=seconds)

    async def _failed(self, batch: ChatBatch, chat_id: int, rest: list[int],
                      own: Sequence[int], exc: Exception) -> int:
        """A message was refused or lost: decide what becomes of the rows (`own`: the
        rows the message carries; `rest`: those and the chat's later ones). Returns 0."""
        error = _describe(exc)
        METRICS.push_failed(exc)
        if isinstance(exc, TelegramForbiddenError) or (
            isinstance(exc, TelegramBadRequest) and "chat not found" in exc.message.lower()
        ):
            async with self.sessionmaker.begin() as session:
                dropped = await queue.drop_chat(session, chat_id, error)
            log.info("chat %s refused (%s): account inactive, %s rows dropped", chat_id,
                     type(exc).__name__, dropped)
            return 0
        if isinstance(exc, TelegramUnauthorizedError):
            if not self.stopped:
                self.stopped = "401 Unauthorized"
                log.error("Telegram refused the bot token (401 Unauthorized): delivery "
                          "stopped, every pending push stays queued; set a valid "
                          "BOT_TOKEN and restart")
            await self._give_back(rest, error)
            return 0
        if isinstance(exc, TelegramAPIError) and not isinstance(exc, _RETRYABLE):
            # Telegram will not take this message as it is (it cannot parse it, the
            # request is wrong...): a person must look, so its rows are held with the
            # reason; the chat's other rows go on without it.
            await self._write(queue.hold_rows, list(own), error)
            others = [i for i in rest if i not in set(own)]
            if others:
                await self._give_back(others, error)
            log.warning("chat %s: rows %s held: %s", chat_id, list(own), type(exc).__name__)
            return 0
        attempts = max((r.attempts for r in batch.rows if r.id in set(rest)), default=1)
        await self._retry_later(chat_id, rest, attempts, exc)
        return 0

    async def _give_back(self, row_ids: Sequence[int], reason: str) -> None:
        """Back to the queue at once, as if never claimed (the attempt is not counted)."""
        if row_ids:
            await self._write(queue.release_for_retry, row_ids, 0.0, reason,
                              count_attempt=False)

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
                METRICS.pushes_sent.inc(len(row_ids))
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
