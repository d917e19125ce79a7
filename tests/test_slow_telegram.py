"""No database connection waits on Telegram. With a slow Telegram (every request takes a
quarter of a second) a flood of updates, from one chat and from several, comes in while
another chat asks for /help: the other chat's answer comes within twice its idle time,
and the pool, kept small here, is never exhausted. (While the unit of work stayed open
across the reply, every send held a connection and the other chat waited for one.)"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bot.app import build_bot
from services.db import make_engine, make_sessionmaker
from telegram_fakes.local_session import LocalSession
from tests.conftest import BotEnv

LATENCY = 0.25
FLOOD = 60
POOL = 2
PROBES = 3
OTHER = 1002
FLOODERS = (1001, 1003, 1004, 1005, 1006, 1007, 1008)  # the first sends a burst of its own


async def _answer_time(client: Any) -> float:
    started = time.perf_counter()
    await client.send("/help")
    return time.perf_counter() - started


async def test_a_flood_from_one_chat_does_not_slow_another(bot_env: BotEnv) -> None:
    engine = make_engine(bot_env.db.url, pool_size=POOL, max_overflow=0, pool_timeout=2)
    bot_env.dp["sessionmaker"] = make_sessionmaker(engine)
    slow = LocalSession(latency=LATENCY)
    bot = build_bot("42:TEST", session=slow)
    clients = [bot_env.client(user_id) for user_id in (OTHER, *FLOODERS)]
    for client in clients:
        client.bot, client.session = bot, slow
    other, burst, *crowd = clients
    try:
        await other.send("/help")  # warm: the account exists
        idle = statistics.median([await _answer_time(other) for _ in range(PROBES)])

        senders = [burst] * (FLOOD // 2) + crowd * (FLOOD // 2 // len(crowd))
        flood = [asyncio.create_task(c.send("/menu")) for c in senders]
        await asyncio.sleep(LATENCY / 2)  # the flood is in full swing
        # Medians of a few probes each, so one hiccup of a shared machine decides nothing.
        busy = statistics.median([await _answer_time(other) for _ in range(PROBES)])
        answer = other.last_text
        results = await asyncio.gather(*flood)
    finally:
        await engine.dispose()

    assert answer and "Что-то пошло не так" not in answer
    assert busy < 2 * idle, (busy, idle)
    # Every flood update was answered with its view, none with the apology of a pool
    # timeout.
    texts = [r[-1].text or "" for r in results]
    assert len(texts) == len(senders) and not any("Что-то пошло не так" in x for x in texts)
