"""Telegram in a storm: a few hundred queued pushes go out through the real delivery worker
while the fake Bot API server answers runs of 429 (with retry_after) and bursts of
500/502/503/504 on top of its own flood limits. In the end every push arrives exactly
once, each chat's pushes in the order they were queued; no chat is written to before a
429's retry_after has passed; and each push was tried only as often as it was refused.

Everything is read from the fake's request log and the outbox rows; the worker is driven
only through its public loop, so a new pacer or shared limiter keeps this test."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import text

from bot.app import build_bot
from bot.delivery import DeliveryWorker
from services import clock, outbox
from services.models import Account
from services.push_events import HomeworkEvent
from telegram_fakes.server import FakeTelegram, Recorded
from telegram_fakes.wire import ApiError
from tests.conftest import Db

CHATS = list(range(6001, 6101))  # a hundred private chats
WAVES = 3  # pushes per chat, queued in three waves while the worker runs
SERVER_ERRORS = (500, 502, 503, 504)
_MARK = re.compile(r"шторм (\d+)-(\d+)")


class StormyTelegram(FakeTelegram):
    """The fake server, refusing sends on a fixed schedule (by the order they arrive):
    every 29th a 429 with retry_after 1, five in a row with retry_after 2, a burst of
    sixteen 5xx, and 4% of the rest a 5xx at random (seeded)."""

    def __init__(self) -> None:
        super().__init__()
        self.sends = 0
        self.injected: list[Recorded] = []
        self._rng = random.Random(14)

    def _guarded_call(self, name: str, handler: Any, rec: Recorded, bot_id: int) -> Any:
        if name == "sendmessage":
            self.sends += 1
            refusal = self._storm(self.sends)
            if refusal is not None:
                self.injected.append(rec)
                raise refusal
        return super()._guarded_call(name, handler, rec, bot_id)

    def _storm(self, n: int) -> ApiError | None:
        if 60 <= n < 65 or n % 29 == 0:
            wait = 2 if n < 65 else 1
            return ApiError(429, f"Too Many Requests: retry after {wait}", "storm", wait)
        if 120 <= n < 136 or self._rng.random() < 0.04:
            status = SERVER_ERRORS[n % len(SERVER_ERRORS)]
            return ApiError(status, "Bad Gateway" if status == 502 else "Server Error",
                            "storm")
        return None


@pytest.fixture
async def storm() -> AsyncIterator[StormyTelegram]:
    async with StormyTelegram() as tg:
        yield tg


@pytest.fixture
async def tbot(storm: StormyTelegram) -> AsyncIterator[Bot]:
    bot = build_bot("42:TEST", api_url=storm.url)
    yield bot
    await bot.session.close()


async def _accounts(db: Db) -> dict[int, int]:
    async with db.sessionmaker.begin() as s:
        accounts = [Account(telegram_id=chat, chat_id=chat, locale="ru") for chat in CHATS]
        s.add_all(accounts)
        await s.flush()
        return {a.chat_id: a.id for a in accounts}


async def _queue_wave(db: Db, accounts: dict[int, int], wave: int) -> None:
    async with db.sessionmaker.begin() as s:
        for chat, account_id in accounts.items():
            await outbox.enqueue(
                s, account_id=account_id, chat_id=chat,
                event=HomeworkEvent(type="homework_new", student="Ким Миша",
                                    subject="Математика",
                                    due_on=dt.date(2026, 11, 24) + dt.timedelta(days=wave),
                                    text=f"шторм {chat}-{wave}"),
                dedupe_key=f"storm:{chat}:{wave}",
                event_at=clock.now() + dt.timedelta(minutes=wave))


async def _statuses(db: Db) -> Counter[str]:
    async with db.sessionmaker() as s:
        rows = await s.execute(text("SELECT status, count(*) FROM notifications GROUP BY 1"))
        return Counter({str(status): int(n) for status, n in rows.all()})


async def test_every_push_arrives_once_in_order_through_429_storms_and_5xx(
        storm: StormyTelegram, tbot: Bot, empty_db: Db, fault_report: Any) -> None:
    accounts = await _accounts(empty_db)
    worker = DeliveryWorker(tbot, empty_db.sessionmaker, backoff_base=0.2)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run_forever(stop))
    try:
        for wave in range(WAVES):
            await _queue_wave(empty_db, accounts, wave)
            await asyncio.sleep(1.0)  # the next wave comes while this one is going out
        for _ in range(600):  # a bound on the run, not a measurement
            if (await _statuses(empty_db))["pending"] == 0:
                break
            await asyncio.sleep(0.2)
    finally:
        stop.set()
        await running

    pushes = len(CHATS) * WAVES
    assert await _statuses(empty_db) == Counter({"sent": pushes})  # nothing lost, none held
    accepted = storm.sent("sendMessage")
    # Exactly once, and in each chat in the order queued.
    seen: dict[int, list[int]] = {chat: [] for chat in CHATS}
    for message in accepted:
        for chat, wave in _MARK.findall(message.params["text"]):
            assert int(chat) == message.chat_id
            seen[int(chat)].append(int(wave))
    assert seen == {chat: list(range(WAVES)) for chat in CHATS}

    # A 429 is honoured: nothing goes into that chat before its retry_after has passed.
    refused_429 = [r for r in storm.injected if r.status == 429]
    assert len(refused_429) >= 5  # the run of five at least
    for refusal in refused_429:
        assert refusal.retry_after is not None
        later = [r for r in storm.requests
                 if r.chat_id == refusal.chat_id and r.at > refusal.at]
        assert later, refusal.chat_id  # it was tried again
        assert later[0].at - refusal.at >= refusal.retry_after - storm.tolerance
    # Telegram's own limits held through the storm, and attempts were bounded: each
    # request was either accepted or refused by the storm, none wasted on anything else.
    sends = [r for r in storm.requests if r.method.lower() == "sendmessage"]
    assert storm.rejected == storm.injected
    assert len(sends) == len(accepted) + len(storm.injected)
    async with empty_db.sessionmaker() as s:
        most_tries = await s.scalar(text("SELECT max(attempts) FROM notifications"))
    assert most_tries < worker.max_attempts

    server_errors = Counter(r.status for r in storm.injected if r.status >= 500)
    fault_report(tried=f"{pushes} pushes to {len(CHATS)} chats in {WAVES} waves against "
                 f"{len(refused_429)} 429s (retry_after 1-2 s) and {sum(server_errors.values())} "
                 f"5xx ({dict(sorted(server_errors.items()))}), {len(sends)} sends in all",
                 kept=f"all {pushes} delivered exactly once, in order per chat, in "
                 f"{len(accepted)} messages; no chat written to within a 429's retry_after; "
                 f"no flood-limit 429; at most {most_tries} attempts a push")
