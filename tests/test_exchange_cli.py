"""The exchange's command line (`schools add`, `tokens`, `import`), and end to end: `diary
serve` as a process takes a batch with a new mark over HTTP, and the delivery worker of
`diary run`, another process, sends the push to the fake Telegram."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import text

from telegram_fakes.server import FakeTelegram
from tests import exchange_batches as eb
from tests.conftest import Db

ROOT = Path(__file__).resolve().parent.parent
# Runs the CLI in a fresh interpreter and reports whether aiogram got imported.
_CODE = ("import sys; from bot.cli import main; rc = main(sys.argv[1:]); "
         "print('AIOGRAM' if 'aiogram' in sys.modules else '', file=sys.stderr); sys.exit(rc)")


def diary(db: Db, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db.url, "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-c", _CODE, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_schools_tokens_and_import(empty_db: Db, tmp_path: Path) -> None:
    add = diary(empty_db, "schools", "add", "--external-id", "sch-1", "--name", "Школа",
                "--timezone", "Asia/Yekaterinburg", "--json")
    assert add.returncode == 0, add.stderr
    assert json.loads(add.stdout)["created"] is True and "AIOGRAM" not in add.stderr
    again = diary(empty_db, "schools", "add", "--external-id", "sch-1", "--name",
                  "Школа № 1", "--timezone", "Europe/Moscow")
    assert again.returncode == 0 and "updated" in again.stdout
    bad_zone = diary(empty_db, "schools", "add", "--external-id", "sch-2", "--name", "Школа",
                     "--timezone", "Mars/Olympus")
    assert bad_zone.returncode == 2 and "unknown timezone" in bad_zone.stderr
    issued = diary(empty_db, "tokens", "issue", "--school", "sch-1", "--json")
    token = json.loads(issued.stdout)
    assert token["school"] == "sch-1" and len(token["token"]) > 30
    async with empty_db.sessionmaker() as s:
        stored = list(await s.scalars(text("SELECT token_hash FROM exchange_tokens")))
        school = (await s.execute(text("SELECT name, timezone FROM schools"))).one()
    assert token["token"] not in stored and len(stored) == 1  # only the hash
    assert tuple(school) == ("Школа № 1", "Europe/Moscow")

    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps(eb.batch(initial_load=True), ensure_ascii=False))
    first = diary(empty_db, "import", str(batch), "--school", "sch-1")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["applied"]["marks"]["created"] == 2
    second = json.loads(diary(empty_db, "import", str(batch), "--school", "sch-1").stdout)
    assert all(c["unchanged"] == sum(c.values()) for c in second["applied"].values())
    batch.write_text(json.dumps({"marks": [{"external_id": "m1", "value": 9}]}))
    refused = diary(empty_db, "import", str(batch), "--school", "sch-1")
    assert refused.returncode == 1
    reasons = {e["reason"] for e in json.loads(refused.stdout)["errors"]}
    assert "value: 1–5 expected" in reasons and "student: required" in reasons

    roster = tmp_path / "5v.csv"
    roster.write_text(
        "class,last_name,first_name,middle_name,guardian_last_name,guardian_first_name,"
        "guardian_middle_name,relation\n"
        "5В,Титов,Лев,,Титова,Мария,Ивановна,mother\n"
        "5В,Титов,Лев,,Титов,Иван,,father\n"
        "5В,Юн,Ира,Сергеевна,,,,\n", encoding="utf-8")
    imported = diary(empty_db, "import", "--roster-csv", str(roster), "--school", "sch-1")
    assert imported.returncode == 0, imported.stderr
    applied = json.loads(imported.stdout)["applied"]
    assert applied["students"]["created"] == 2 and applied["guardians"]["created"] == 2
    assert applied["classes"]["created"] == 1
    revoke = diary(empty_db, "tokens", "revoke", "--school", "sch-1")
    assert revoke.returncode == 0 and "1 token(s) revoked" in revoke.stdout
    unknown = diary(empty_db, "tokens", "issue", "--school", "nope")
    assert unknown.returncode == 2 and "nope" in unknown.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _started(base: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            assert proc.returncode is None, "diary serve exited early"
            try:
                async with http.get(f"{base}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("diary serve did not start")


async def test_serve_takes_a_batch_and_the_push_reaches_telegram(empty_db: Db) -> None:
    async with empty_db.sessionmaker.begin() as s:
        school_id = await eb.school(s)
        token = await eb.tokens.issue_token(s, "sch-1")
        await eb.apply_base(s, school_id)
        student = await s.scalar(text("SELECT id FROM students WHERE external_id = 's1'"))
        await eb.link_guardian(s, school_id, student, 1001)
        # The server runs on the real clock: no quiet hours, so the push is due at once.
        await s.execute(text("UPDATE schools SET quiet_start = '00:00', quiet_end = '00:00'"))
    today = dt.datetime.now(ZoneInfo("Europe/Moscow")).date()
    batch = {"lessons": [{"external_id": "l9", "class": "5a", "subject": "math",
                          "teacher": "t1", "date": today.isoformat(), "slot": 3}],
             "marks": [{"external_id": "m9", "student": "s1", "lesson": "l9",
                        "work_type": "test", "value": 5}]}
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": empty_db.url, "LOG_LEVEL": "WARNING",
           "EXCHANGE_PORT": str(port)}
    # At exit the server says whether aiogram was ever imported (it must not be).
    code = ("import sys, atexit; from bot.cli import main; atexit.register(lambda: print("
            "'AIOGRAM' if 'aiogram' in sys.modules else 'CLEAN', file=sys.stderr, flush=True))"
            "; sys.exit(main(['serve']))")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        await _started(base, proc)
        async with aiohttp.ClientSession() as http, http.post(
                f"{base}/api/v1/batch", json=batch,
                headers={"Authorization": f"Bearer {token}"}) as resp:
            assert resp.status == 200, await resp.text()
            assert (await resp.json())["applied"]["marks"]["created"] == 1
    finally:
        proc.send_signal(signal.SIGINT)  # serve stops cleanly
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert b"CLEAN" in err, err  # serve never imported aiogram
    # The delivery worker of `diary run`, a process of its own, sends the queued push.
    async with FakeTelegram() as tg:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env={
                **env, "BOT_TOKEN": "42:TEST", "TELEGRAM_API_URL": tg.url},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            for _ in range(600):
                if tg.sent("sendMessage", 1001) or bot.returncode is not None:
                    break
                await asyncio.sleep(0.1)
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
        sent = [r.params["text"] for r in tg.sent("sendMessage", 1001)]
    assert len(sent) == 1 and "Миша" in sent[0] and "Математика" in sent[0]
    async with empty_db.sessionmaker() as s:
        assert await s.scalar(text("SELECT count(*) FROM notifications WHERE status = 'sent'")) == 1
