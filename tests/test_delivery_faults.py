"""Delivery faults, honestly: a revoked token stops delivery and loses nothing; a refusal a
retry will not fix is held for a person with its reason; after a server error a chat's
order holds; two workers never lease one chat at once; a send never outlives its lease.

The real worker and a real aiogram Bot talk HTTP to the fake Bot API server (which
enforces Telegram's limits and injects faults), on a real database."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import text

from bot.app import build_bot
from services import clock, delivery_queue, outbox
from services.push_events import HomeworkEvent
from telegram_fakes.server import FakeTelegram
from tests.conftest import Db
from tests.test_delivery import accepted, account, drain, push_marks, rows, worker


@pytest.fixture(scope="module")
async def _server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture(scope="module")
async def tbot(_server: FakeTelegram) -> AsyncIterator[Bot]:
    bot = build_bot("42:TEST", api_url=_server.url)
    yield bot
    await bot.session.close()


@pytest.fixture
def tg(_server: FakeTelegram) -> FakeTelegram:
    _server.reset()
    return _server


# --- 401: the token was revoked ------------------------------------------------------------


async def test_a_revoked_token_stops_delivery_once_and_every_row_stays_pending(
    tg: FakeTelegram, tbot: Bot, empty_db: Db, caplog: pytest.LogCaptureFixture,
) -> None:
    chats = [801, 802, 803]
    for chat in chats:
        await push_marks(empty_db, await account(empty_db, chat), chat, ["Математика", "Химия"])
    revoked = build_bot("42:revoked-token!", api_url=tg.url)  # the fake answers 401
    try:
        w = worker(revoked, empty_db)
        with caplog.at_level(logging.INFO, logger="bot.delivery"):
            assert await w.run_once() == 0
            assert await w.run_once() == 0  # stopped: it does not try again
            await asyncio.wait_for(w.run_forever(asyncio.Event()), 10)  # returns at once
    finally:
        await revoked.session.close()

    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1 and "401" in errors[0].getMessage()
    assert len([r for r in tg.requests if r.status == 401]) <= len(chats)
    got = await rows(empty_db)
    assert {(r.status, r.attempts) for r in got} == {("pending", 0)}
    # With a valid token, everything goes out: nothing was lost.
    await drain(worker(tbot, empty_db), empty_db)
    for chat in chats:
        assert len(accepted(tg, chat)) == 1
    assert {r.status for r in await rows(empty_db)} == {"sent"}


# --- other 4xx: held for a person ---------------------------------------------------------


@pytest.mark.parametrize(("status", "error"), [(400, "TelegramBadRequest"),
                                               (404, "TelegramNotFound"),
                                               (409, "TelegramConflictError")])
async def test_a_refusal_a_retry_will_not_fix_is_held_with_its_reason(
    tg: FakeTelegram, tbot: Bot, empty_db: Db, status: int, error: str,
) -> None:
    chats = [811, 812]
    for chat in chats:
        await push_marks(empty_db, await account(empty_db, chat), chat, ["Математика"])
    tg.fail_next(1, status)
    w = worker(tbot, empty_db)

    assert await w.run_once() == 1

    [held] = [r for r in await rows(empty_db) if r.status == "held"]
    [other] = [c for c in chats if c != held.chat_id]
    assert held.last_error.startswith(f"{error}: ")  # the reason, for the person
    assert {r.status for r in await rows(empty_db, other)} == {"sent"}
    assert await w.run_once() == 0  # held, not retried behind a person's back
    async with empty_db.sessionmaker() as s:
        listed = await delivery_queue.held_rows(s)
        active = await s.scalar(text("SELECT is_active FROM accounts WHERE chat_id = :c"),
                                {"c": held.chat_id})
    assert [(r.id, r.chat_id, r.last_error) for r in listed] == \
        [(held.id, held.chat_id, held.last_error)]
    assert active is True  # nothing wrong with the chat
    # Once the cause is fixed, a person sends it again.
    async with empty_db.sessionmaker.begin() as s:
        assert await delivery_queue.requeue_held(s, [held.id]) == 1
    await drain(w, empty_db)
    assert len(accepted(tg, held.chat_id)) == 1


# --- 5xx: the order within a chat holds ---------------------------------------------------


async def test_after_a_server_error_later_rows_do_not_overtake_earlier_ones(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 821)
    await push_marks(empty_db, acc, 821, ["Математика"])
    tg.fail_next(1, 502)
    w = worker(tbot, empty_db, backoff_base=1.0)
    assert await w.run_once() == 0  # the first row backs off
    await push_marks(empty_db, acc, 821, ["Физика"])  # a later row, due at once
    await w.run_once()
    await drain(w, empty_db)

    texts = [m.params["text"] for m in accepted(tg, 821)]
    joined = "\n".join(texts)
    assert "Математика" in texts[0]  # the earlier row came first
    assert joined.index("Математика") < joined.index("Физика")
    assert {r.status for r in await rows(empty_db, 821)} == {"sent"}


# --- two workers, one chat ----------------------------------------------------------------


async def test_two_claims_side_by_side_never_split_one_chat(empty_db: Db) -> None:
    """Worker A has claimed a chat and not yet committed; a row of that chat falls due and
    worker B claims: B must not get it (it would write into the chat beside A)."""
    acc = await account(empty_db, 831)
    await push_marks(empty_db, acc, 831, ["Математика"])
    await push_marks(empty_db, acc, 831, ["Физика"], due_in=60)
    later = clock.now() + dt.timedelta(minutes=2)
    other_chat = await account(empty_db, 832)
    await push_marks(empty_db, other_chat, 832, ["Химия"])

    async with empty_db.sessionmaker.begin() as a:
        claimed_a = await delivery_queue.claim_due(a, worker_id="A", limit=10, lease=60)
        assert [b.chat_id for b in claimed_a] == [831, 832]
        async with empty_db.sessionmaker.begin() as b:
            assert await delivery_queue.claim_due(b, worker_id="B", limit=10, lease=60,
                                                  now=later) == []
    # A committed its lease: B still keeps off the chat while A holds it.
    async with empty_db.sessionmaker.begin() as b:
        assert await delivery_queue.claim_due(b, worker_id="B", limit=10, lease=60,
                                              now=later) == []
    async with empty_db.sessionmaker.begin() as a:
        await delivery_queue.mark_sent(a, [r.id for c in claimed_a for r in c.rows], 1)
    async with empty_db.sessionmaker.begin() as b:
        [batch] = await delivery_queue.claim_due(b, worker_id="B", limit=10, lease=60,
                                                 now=later)
    assert batch.chat_id == 831 and len(batch.rows) == 1


async def test_two_workers_on_one_long_burst_keep_the_chat_limit(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 841)
    async with empty_db.sessionmaker.begin() as s:
        for n in range(8):  # several messages' worth for one chat
            await outbox.enqueue(
                s, account_id=acc, chat_id=841,
                event=HomeworkEvent(type="homework_new", student="Ким Миша",
                                    subject=f"Предмет {n}", due_on=dt.date(2026, 11, 25),
                                    text=f"задание {n} " + "упражнение " * 130),
                dedupe_key=f"faults:{n}")
    workers = [worker(tbot, empty_db, worker_id=f"w{n}") for n in (1, 2)]

    async def run(w: Any) -> None:
        for _ in range(100):
            await w.run_once()
            async with empty_db.sessionmaker() as s:
                if not await delivery_queue.pending_count(s):
                    return
            await asyncio.sleep(0.05)

    await asyncio.gather(*(run(w) for w in workers))

    messages = accepted(tg, 841)
    joined = "\n".join(m.params["text"] for m in messages)
    assert all(joined.count(f"задание {n} ") == 1 for n in range(8))  # each row once
    gaps = [b.at - a.at for a, b in itertools.pairwise(messages)]
    assert min(gaps) >= tg.per_chat_interval - tg.tolerance
    assert tg.count_429 == 0
    assert {r.status for r in await rows(empty_db, 841)} == {"sent"}


# --- the lease ----------------------------------------------------------------------------


async def _leased_to(db: Db) -> str | None:
    async with db.sessionmaker() as s:
        return await s.scalar(text("SELECT locked_by FROM notifications"))


class _Watched:
    """The bot, noting whether a sendMessage is still on its way."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self.sending = 0

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        self.sending += 1
        try:
            return await self._bot.send_message(*args, **kwargs)
        finally:
            self.sending -= 1


@pytest.mark.parametrize(("lease", "request_timeout"), [(1.5, 20.0), (3.0, 1.0)])
async def test_a_send_never_outlives_its_lease(
    tg: FakeTelegram, tbot: Bot, empty_db: Db, lease: float, request_timeout: float,
) -> None:
    """Telegram never answers. Whenever another worker can claim the rows again, the first
    worker's request is over: it cannot be accepted after someone else sent the rows."""
    await push_marks(empty_db, await account(empty_db, 851), 851, ["Математика"])
    tg.stall_after(0)
    watched = _Watched(tbot)
    first = worker(tbot, empty_db, worker_id="first", lease=lease,
                   request_timeout=request_timeout)
    first.bot = watched  # type: ignore[assignment]
    task = asyncio.create_task(first.run_once())
    try:
        for _ in range(500):  # the first worker claims, then Telegram holds its answer
            if await _leased_to(empty_db) == "first":
                break
            await asyncio.sleep(0.01)
        for _ in range(400):
            async with empty_db.sessionmaker.begin() as s:
                taken = await delivery_queue.claim_due(s, worker_id="second", limit=1,
                                                       lease=60)
            if taken:
                assert watched.sending == 0
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the rows never came back")
    finally:
        tg.stall_after(None)
        await task


async def test_held_pushes_are_listed_without_content_and_requeued_from_the_cli(
    empty_db: Db,
) -> None:
    from tests.test_cli import diary

    [row_id] = await push_marks(empty_db, await account(empty_db, 861), 861, ["Математика"],
                                student="Ким Миша")
    async with empty_db.sessionmaker.begin() as s:
        await delivery_queue.hold_rows(s, [row_id], "TelegramBadRequest: Bad Request: x")

    listed = diary(empty_db, "outbox", "held")
    assert listed.returncode == 0, listed.stderr
    assert f"{row_id}\tchat 861\tmarks\t" in listed.stdout
    assert "TelegramBadRequest: Bad Request: x" in listed.stdout
    assert "Ким" not in listed.stdout and "Математика" not in listed.stdout  # ids only
    requeued = diary(empty_db, "outbox", "held", "--requeue", str(row_id))
    assert requeued.returncode == 0 and "1 held push(es) queued again" in requeued.stdout
    assert [(r.status, r.attempts) for r in await rows(empty_db, 861)] == [("pending", 0)]
