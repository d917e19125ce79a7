"""Crash safety of delivery: a worker killed with SIGKILL in the middle of a batch loses
nothing and sends nothing twice.

The worker runs in a subprocess against the fake Bot API server, which answers the first
K messages and then withholds its answer (Telegram never answered: not delivered). Once the
worker has recorded the K accepted messages and is provably waiting on the next one, it is
killed. A new worker, after the dead one's lease lapsed, must deliver every remaining row;
in the end the fake received each chat's message exactly once."""

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
from bot.fake_telegram import FakeTelegram
from services import outbox
from services.models import Account
from services.push_events import MarkEvent
from tests.conftest import Db

ROOT = Path(__file__).resolve().parent.parent
CHATS = list(range(901, 911))  # ten chats, one grouped message each
DELIVERED_BEFORE_CRASH = 4
LEASE = 2.0


async def _counts(db: Db) -> dict[str, int]:
    async with db.sessionmaker() as s:
        result = await s.execute(text("SELECT status, count(*) FROM notifications GROUP BY 1"))
        return {str(status): int(n) for status, n in result.all()}


async def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    empty_db: Db, tmp_path: Path,
) -> None:
    async with empty_db.sessionmaker.begin() as s:
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

    async with FakeTelegram() as tg:
        tg.stall_after(DELIVERED_BEFORE_CRASH)
        log_path = tmp_path / "worker.log"
        with log_path.open("wb") as log:
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.delivery_child", empty_db.url, tg.url,
                "--lease", str(LEASE), cwd=ROOT, stdout=DEVNULL, stderr=log,
            )
        try:
            # Wait until K messages are accepted AND recorded, and the next one is stalled.
            for _ in range(600):
                stalled = [r for r in tg.rejected if r.reason == "stalled"]
                counts = await _counts(empty_db)
                if stalled and counts.get("sent", 0) == 2 * DELIVERED_BEFORE_CRASH:
                    break
                assert child.returncode is None, log_path.read_text()
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"never mid-batch: {await _counts(empty_db)}\n"
                                     + log_path.read_text())
        finally:
            os.kill(child.pid, signal.SIGKILL)
            await child.wait()

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

        # A new worker takes the rest once the dead worker's lease has lapsed.
        bot = build_bot("42:TEST", api_url=tg.url)
        try:
            worker = DeliveryWorker(bot, empty_db.sessionmaker, worker_id="restarted")
            for _ in range(100):
                await worker.run_once()
                if (await _counts(empty_db)).get("pending", 0) == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            await bot.session.close()

        assert await _counts(empty_db) == {"sent": 2 * len(CHATS)}
        for chat in CHATS:
            [message] = tg.sent(chat_id=chat)  # exactly once: no loss, no duplicate
            assert f"Ученик {chat}" in message.params["text"]
        assert tg.count_429 == 0
