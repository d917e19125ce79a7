"""Two real bot processes (`diary run`, long polling) on ONE database and ONE Redis, sending
to one fake Bot API server with Telegram's flood rules on.

What it shows, from the fake's own record of what arrived and when:
- every queued push is delivered, and none twice while both processes live (after the
  SIGKILL, only a message that was in flight at the kill may come once more: delivery is
  at least once, see bot.delivery);
- Telegram's limits held for the two together: at most 30 messages in any second, a chat
  never two within a second, and not one 429;
- a takeover: one process is killed with SIGKILL while it holds leases; the other delivers
  all that was left once the lease lapses, and nothing is lost;
- the day's scheduled retention run happened once across both;
- a conversation started on one process (/start, awaiting the code) goes on on the other
  (the code links): the state is in Redis.

Updates reach one process at a time (Telegram gives one long poll the updates; here the
second process starts only after the first confirmed the /start, and the code is sent after
the first was killed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import secrets
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text

from services import clock, codes, outbox
from services.models import Account, LinkKind
from services.push_events import ClassNoticeEvent
from telegram_fakes.server import FakeTelegram
from tests.conftest import CODE_SECRET, Db

ROOT = Path(__file__).resolve().parent.parent.parent
NEW_PARENT = 7_000_001
SINGLE_CHATS = range(8_000_000, 8_000_120)  # one push each
BUSY_CHATS = range(8_100_000, 8_100_030)  # three pushes each: three messages, 1 s apart
PER_BUSY_CHAT = 3
LEASE = 8.0


async def _queue_pushes(db: Db) -> int:
    """A marked notice per push (each notice is a message of its own)."""
    n = 0
    async with db.sessionmaker.begin() as s:
        for chat in [*SINGLE_CHATS, *BUSY_CHATS]:
            account = Account(telegram_id=chat, chat_id=chat, locale="ru")
            s.add(account)
            await s.flush()
            for k in range(PER_BUSY_CHAT if chat in BUSY_CHATS else 1):
                n += 1
                await outbox.enqueue(
                    s, account_id=account.id, chat_id=chat, dedupe_key=f"two:{chat}:{k}",
                    event=ClassNoticeEvent("class_notice", n, f"push-{chat}-{k}", "Школа", ""))
    return n


async def _scalar(db: Db, sql: str, **params: Any) -> Any:
    async with db.sessionmaker() as s:
        return await s.scalar(text(sql), params)


async def _wait(what: str, predicate: Any, procs: list[Any], seconds: float) -> None:
    for _ in range(int(seconds / 0.1)):
        if await predicate():
            return
        for proc in procs:
            assert proc.returncode is None, f"a bot process exited early ({what})"
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out: {what}")


async def _spawn(env: dict[str, str], log: Path) -> Any:
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=out)


def _max_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_two_processes_share_the_queue_the_limits_and_the_conversation(
    demo_db: Db, redis_url: str, tmp_path: Path, fault_report: Any,
) -> None:
    student = await _scalar(demo_db, "SELECT id FROM students ORDER BY id OFFSET 3 LIMIT 1")
    # The processes run on the real clock, and a code lasts 72 hours from its issue.
    with clock.frozen(dt.datetime.now(dt.UTC)):
        async with demo_db.sessionmaker.begin() as s:
            code = (await codes.issue_student_codes(s, [student], (LinkKind.GUARDIAN,),
                                                     secret=CODE_SECRET))[0]
    prefix = f"two:{secrets.token_hex(4)}:"
    tg = FakeTelegram()
    url = await tg.start()
    env = {**os.environ, "BOT_TOKEN": "42:TEST", "TELEGRAM_API_URL": url,
           "DATABASE_URL": demo_db.url, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix,
           "CODE_SECRET": CODE_SECRET.decode(), "LOG_LEVEL": os.environ.get("TWO_LOG", "WARNING"),
           "DELIVERY_LEASE": str(LEASE), "DELIVERY_IDLE_INTERVAL": "0.2"}
    redis = Redis.from_url(redis_url)
    a = await _spawn(env, tmp_path / "a.log")
    procs = [a]
    b = None
    try:
        # 1. /start on A: it asks for the code, and the state is in Redis.
        tg.push_message(NEW_PARENT, "/start")
        await _wait("A asks for the code", lambda: _async(bool(
            tg.sent("sendMessage", chat_id=NEW_PARENT))), procs, 60)
        await _wait("A confirmed the /start", lambda: _async(any(
            r.method == "getUpdates" and int(r.params.get("offset") or 0) >= 2
            for r in tg.requests)), procs, 30)
        states = [await redis.get(k) for k in await redis.keys(f"*{NEW_PARENT}*state*")]
        assert b"Linking:awaiting_code" in states

        # 2. B joins; both deliver. Kill A while it holds leases.
        b = await _spawn(env, tmp_path / "b.log")
        procs.append(b)
        await _wait("B is up", lambda: _async(len(tg.sent("getMe")) >= 2), procs, 60)
        total = await _queue_pushes(demo_db)
        a_leases = ("SELECT count(*) FROM notifications WHERE status = 'pending' "
                    "AND locked_by LIKE :who AND locked_until > clock_timestamp()")
        await _wait("both deliver, A holds leases", lambda: _both_busy(demo_db, a, b, a_leases),
                    procs, 60)
        a.send_signal(signal.SIGKILL)
        await a.wait()
        procs.remove(a)
        killed_at = asyncio.get_running_loop().time()
        left_to_b = await _scalar(demo_db, a_leases, who=f"%:{a.pid}:%")
        assert left_to_b > 0

        # 3. B delivers what A left, once A's lease lapsed.
        await _wait("everything sent", lambda: _all_sent(demo_db, total), procs,
                    LEASE + 40)
        delivered_at = asyncio.get_running_loop().time()

        # 4. The code, typed to B (A is gone): the conversation goes on there. (After the
        # pushes: a reply is not paced by the delivery worker and would share its second.)
        tg.push_message(NEW_PARENT, code.payload)
        try:
            await _wait("B links the code", lambda: _linked(demo_db), procs, 30)
        except AssertionError:
            raise AssertionError([r.params.get("text") for r in tg.requests
                                  if r.chat_id == NEW_PARENT]) from None
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
        await redis.aclose()
        await tg.stop()

    pushes = [r for r in tg.sent("sendMessage") if r.chat_id != NEW_PARENT]
    copies = Counter(m.group(1) for r in pushes
                     if (m := re.search(r"push-(\d+-\d+)", str(r.params["text"]))))
    expected = {f"{c}-{k}" for c in SINGLE_CHATS for k in range(1)} | {
        f"{c}-{k}" for c in BUSY_CHATS for k in range(PER_BUSY_CHAT)}
    # Nothing lost.
    assert set(copies) == expected
    # No duplicates, except at most a message in flight at the kill (at-least-once).
    again = [p for p, n in copies.items() if n > 1]
    assert max(copies.values()) <= 2 and len(again) <= 2
    # The limits, from the fake's arrival times of both processes' sends.
    sends = tg.sent(None)
    assert _max_in_a_second([r.at for r in sends if r.method.startswith("send")]) <= 30
    by_chat: dict[int, list[float]] = {}
    for r in sends:
        if r.method.startswith("send") and r.chat_id is not None:
            by_chat.setdefault(r.chat_id, []).append(r.at)
    closest = min(later - earlier for times in by_chat.values() if len(times) > 1
                  for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False))
    assert closest >= 0.98  # the fake's own tolerance
    assert tg.count_429 == 0
    # The scheduled retention pass of the day ran once, for both processes.
    assert await _scalar(demo_db, "SELECT count(*) FROM job_runs WHERE job = 'retention'") == 1
    took_over = delivered_at - killed_at
    fault_report(
        tried=f"2 `diary run` processes, one DB + Redis, {total} pushes to "
              f"{len(SINGLE_CHATS) + len(BUSY_CHATS)} chats; SIGKILL of one holding "
              f"{left_to_b} leased rows (lease {LEASE:.0f} s)",
        kept=f"all {len(expected)} delivered, {len(again)} repeated "
             f"(in flight at the kill); max {_max_in_a_second([r.at for r in pushes])}/s, "
             f"closest per-chat gap {closest:.2f} s, 0 429s; the rest delivered by the "
             f"survivor {took_over:.1f} s after the kill; retention ran once; "
             "/start on one process, code linked on the other")


async def _async(value: bool) -> bool:
    return value


async def _both_busy(db: Db, a: Any, b: Any, a_leases: str) -> bool:
    async with db.sessionmaker() as s:
        sent_by = await s.execute(text(
            "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FROM notifications"))
        sent, _ = sent_by.one()
        held_a = await s.scalar(text(a_leases), {"who": f"%:{a.pid}:%"})
        held_b = await s.scalar(text(a_leases), {"who": f"%:{b.pid}:%"})
    return bool(sent >= 40 and held_a and held_b)


async def _linked(db: Db) -> bool:
    return bool(await _scalar(
        db, "SELECT count(*) FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.revoked_at IS NULL", t=NEW_PARENT))


async def _all_sent(db: Db, total: int) -> bool:
    return bool(await _scalar(
        db, "SELECT count(*) FROM notifications WHERE status = 'sent' "
        "AND dedupe_key LIKE 'two:%'") == total)
