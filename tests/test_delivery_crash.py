"""Crash safety of delivery: a worker killed with SIGKILL in the middle of a batch loses
nothing, and repeats no more than what was in flight (at-least-once).

The worker runs in a subprocess against the fake Bot API server, which answers the first
K messages and then withholds its answer. Once the worker has recorded the K accepted
messages and is provably waiting on the later ones, it is killed; a new worker, after the
dead one's lease lapsed, must deliver every remaining row.

- When the withheld messages were never delivered, every chat gets its message exactly
  once.
- When they were delivered and only the answer was lost (Telegram accepted them, the
  worker never learnt it), those, and only those, may arrive a second time."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path
from subprocess import DEVNULL

from sqlalchemy import text

from bot.app import build_bot
from bot.delivery import DeliveryWorker
from services import outbox
from services.models import Account
from services.push_events import MarkEvent
from telegram_fakes.server import FakeTelegram
from tests.conftest import Db

ROOT = Path(__file__).resolve().parent.parent
CHATS = list(range(901, 911))  # ten chats, one grouped message each
DELIVERED_BEFORE_CRASH = 4
LEASE = 2.0


async def _counts(db: Db) -> dict[str, int]:
    async with db.sessionmaker() as s:
        result = await s.execute(text("SELECT status, count(*) FROM notifications GROUP BY 1"))
        return {str(status): int(n) for status, n in result.all()}


async def _queue_two_marks_per_chat(db: Db) -> None:
    async with db.sessionmaker.begin() as s:
        for chat in CHATS:
            acc = Account(telegram_id=chat, chat_id=chat, locale="ru")
            s.add(acc)
            await s.flush()
            for n, subject in enumerate(("Математика", "Физика")):
                await outbox.enqueue(
                    s, account_id=acc.id, chat_id=chat,
                    event=MarkEvent(type="mark_added", student=f"Ученик {chat}",
                                    subject=subject, work_type="Тест", weight=2,
                                    date=dt.date(2026, 11, 23), value=4 + n),
                    dedupe_key=f"crash:{chat}:{n}")


def _read(path: Path) -> str:
    return path.read_text()


async def _run_and_kill(db: Db, tg: FakeTelegram, log_path: Path, withheld: str,
                        in_flight: int) -> None:
    """Run a worker process until K messages are accepted AND recorded and `in_flight`
    more are waiting for an answer (`withheld`: the fake's reason for them); kill it."""
    with log_path.open("wb") as log:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.delivery_child", db.url, tg.url,
            "--lease", str(LEASE), cwd=ROOT, stdout=DEVNULL, stderr=log,
        )
    try:
        for _ in range(600):
            waiting = [r for r in tg.requests if r.reason == withheld]
            counts = await _counts(db)
            if len(waiting) >= in_flight and counts.get("sent", 0) == 2 * DELIVERED_BEFORE_CRASH:
                return
            assert child.returncode is None, _read(log_path)
            await asyncio.sleep(0.05)
        raise AssertionError(f"never mid-batch: {await _counts(db)}\n" + _read(log_path))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        await child.wait()


async def _restart_and_drain(db: Db, tg: FakeTelegram) -> None:
    """A new worker takes the rest once the dead worker's lease has lapsed."""
    bot = build_bot("42:TEST", api_url=tg.url)
    try:
        worker = DeliveryWorker(bot, db.sessionmaker, worker_id="restarted")
        for _ in range(100):
            await worker.run_once()
            if (await _counts(db)).get("pending", 0) == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        await bot.session.close()


async def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    empty_db: Db, tmp_path: Path,
) -> None:
    await _queue_two_marks_per_chat(empty_db)

    async with FakeTelegram() as tg:
        tg.stall_after(DELIVERED_BEFORE_CRASH)
        await _run_and_kill(empty_db, tg, tmp_path / "worker.log", "stalled", 1)

        delivered = {r.chat_id for r in tg.sent()}
        assert len(delivered) == DELIVERED_BEFORE_CRASH
        # The rest were claimed by the dead worker (leased to it), not delivered.
        async with empty_db.sessionmaker() as s:
            left = (await s.execute(text(
                "SELECT chat_id, locked_by FROM notifications WHERE status = 'pending'"
            ))).all()
        assert {chat for chat, _ in left} == set(CHATS) - delivered
        assert {who for _, who in left} == {"child"}
        tg.stall_after(None)
        await _restart_and_drain(empty_db, tg)

        assert await _counts(empty_db) == {"sent": 2 * len(CHATS)}
        for chat in CHATS:
            [message] = tg.sent(chat_id=chat)  # exactly once: no loss, no duplicate
            assert f"Ученик {chat}" in message.params["text"]
        assert tg.count_429 == 0


async def test_a_message_delivered_but_unanswered_at_the_crash_comes_at_most_twice(
    empty_db: Db, tmp_path: Path,
) -> None:
    await _queue_two_marks_per_chat(empty_db)

    async with FakeTelegram() as tg:
        tg.stall_after(DELIVERED_BEFORE_CRASH, deliver=True)
        await _run_and_kill(empty_db, tg, tmp_path / "worker.log", "withheld",
                            len(CHATS) - DELIVERED_BEFORE_CRASH)
        in_flight = {r.chat_id for r in tg.requests if r.reason == "withheld"}
        answered = {r.chat_id for r in tg.sent() if r.reason != "withheld"}
        assert len(answered) == DELIVERED_BEFORE_CRASH and not answered & in_flight
        tg.stall_after(None)
        await _restart_and_drain(empty_db, tg)

        assert await _counts(empty_db) == {"sent": 2 * len(CHATS)}
        received = {chat: len(tg.sent(chat_id=chat)) for chat in CHATS}
        assert all(n >= 1 for n in received.values())  # nothing lost
        repeated = {chat for chat, n in received.items() if n > 1}
        # Only what Telegram had accepted without the worker learning it comes again,
        # and at most once more.
        assert repeated <= in_flight
        assert max(received.values()) <= 2
        assert sum(n - 1 for n in received.values()) <= len(in_flight)
        for chat in answered:
            assert received[chat] == 1
        assert tg.count_429 == 0
