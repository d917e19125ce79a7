"""`diary run` as a real process: it long-polls a local fake Bot API server, answers a
parent, delivers a push written by the journal, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from telegram_fakes.server import FakeTelegram
from tests.conftest import Db
from tests.factories import add_mark_for_active_child

ROOT = Path(__file__).resolve().parent.parent
GUARDIAN = 1001


async def _wait_for(predicate: Any, proc: asyncio.subprocess.Process, seconds: float) -> None:
    for _ in range(int(seconds / 0.1)):
        if predicate():
            return
        assert proc.returncode is None, "diary run exited early"
        await asyncio.sleep(0.1)
    raise AssertionError("timed out waiting for the bot")


async def test_diary_run_answers_delivers_and_stops(demo_db: Db) -> None:
    tg = FakeTelegram()
    url = await tg.start()
    env = {**os.environ, "BOT_TOKEN": "42:TEST", "TELEGRAM_API_URL": url,
           "DATABASE_URL": demo_db.url, "LOG_LEVEL": "WARNING"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        tg.push_message(GUARDIAN, "/menu")
        await _wait_for(lambda: tg.sent("sendMessage", chat_id=GUARDIAN), proc, 60)
        await asyncio.sleep(1.1)  # one message a second into a chat
        await add_mark_for_active_child(demo_db.sessionmaker, GUARDIAN)
        await _wait_for(lambda: len(tg.sent("sendMessage", chat_id=GUARDIAN)) >= 2, proc, 30)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
        await tg.stop()
    menu, push = (r.params["text"] for r in tg.sent("sendMessage", chat_id=GUARDIAN))
    assert "Михаил Петров, 5А" in menu
    assert "Математика" in push and "5" in push
    async with demo_db.sessionmaker() as s:
        assert await s.scalar(text(
            "SELECT count(*) FROM notifications WHERE chat_id = :c AND status = 'sent'"),
            {"c": GUARDIAN}) == 1
    assert tg.count_429 == 0
