"""`diary demo --reset` starts over from a fresh demo school; files the console saves never
overwrite each other; demo and CLI output carries no library warnings or INFO lines."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from services.models import School
from tests.conftest import BotEnv, Db
from tests.test_cli import ROOT

NOISE = re.compile(r"\b(INFO|WARNING|DEBUG)\b|Warning:|warnings\.warn")


async def demo(db: Db, script: bytes, *flags: str, cwd: Path = ROOT) -> tuple[str, str]:
    env = {**os.environ, "DATABASE_URL": db.url}
    env.pop("LOG_LEVEL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", *flags, cwd=cwd, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(script), 180)
    assert proc.returncode == 0, err.decode()[-2000:]
    return out.decode(), err.decode()


async def scalar(db: Db, sql: str) -> Any:
    async with db.sessionmaker() as s:
        return await s.scalar(text(sql))


async def test_demo_reset_starts_over_from_a_fresh_school(empty_db: Db) -> None:
    await demo(empty_db, b":quit\n")
    marks = await scalar(empty_db, "SELECT count(*) FROM marks")
    accounts = await scalar(empty_db, "SELECT count(*) FROM accounts")
    async with empty_db.sessionmaker.begin() as s:
        await s.execute(text("DELETE FROM marks WHERE id IN (SELECT id FROM marks LIMIT 10)"))
        await s.execute(text("UPDATE schools SET name = 'Испорченная школа'"))
    # Without --reset, the demo goes on with the database as it is.
    out, _ = await demo(empty_db, b":quit\n")
    assert "Демо-школа создана" not in out
    assert await scalar(empty_db, "SELECT count(*) FROM marks") == marks - 10
    out, _ = await demo(empty_db, b":quit\n", "--reset")
    assert "Демо-школа создана" in out
    assert await scalar(empty_db, "SELECT count(*) FROM marks") == marks
    assert await scalar(empty_db, "SELECT count(*) FROM schools WHERE name = "
                                  "'Испорченная школа'") == 0
    assert await scalar(empty_db, "SELECT count(*) FROM accounts") <= accounts


async def test_demo_reset_refuses_a_database_with_real_schools(empty_db: Db) -> None:
    await demo(empty_db, b":quit\n")
    async with empty_db.sessionmaker.begin() as s:
        s.add(School(name="Школа № 4", timezone="Asia/Vladivostok", external_id="school-4"))
    env = {**os.environ, "DATABASE_URL": empty_db.url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", "--reset", cwd=ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(proc.communicate(b":quit\n"), 180)
    assert proc.returncode == 2
    assert "school-4" in err.decode()
    assert await scalar(empty_db, "SELECT count(*) FROM schools") >= 3


def saved_pngs(folder: Path) -> list[str]:
    names = sorted(p.name for p in folder.iterdir())
    assert all((folder / name).read_bytes().startswith(b"\x89PNG") for name in names)
    return names


async def test_saved_files_never_overwrite_each_other(bot_env: BotEnv, tmp_path: Path) -> None:
    from bot.app import build_bot
    from bot.console import Identity, run_console
    from telegram_fakes.local_session import LocalSession

    for _run in range(2):  # each run starts its message ids over: same names, two files
        session = LocalSession()
        bot = build_bot("42:TEST", session=session)
        lines = iter(["1", "/marks", "2", "1", "1", ":quit"])  # the parent's first chart
        out: list[str] = []
        await run_console(bot_env.dp, bot, session, [Identity("Родитель", 1001)],
                          input_func=lambda _prompt, lines=lines: next(lines),
                          output=out.append, files_dir=tmp_path)
        assert any(".png" in line for line in out), out[-5:]
    saved = saved_pngs(tmp_path)
    assert len(saved) == 2 and saved[0] != saved[1], saved


async def test_demo_and_cli_output_carry_no_library_noise(empty_db: Db) -> None:
    out, err = await demo(empty_db, b"1\n2\n:quit\n")
    assert not NOISE.search(err), err[-2000:]
    assert not NOISE.search(out), out[-2000:]
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    env["DATABASE_URL"] = empty_db.url
    for args in (("migrate",), ("seed-demo",), ("codes", "issue", "--class", "5А")):
        result = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert not NOISE.search(result.stderr), (args, result.stderr)
        assert not NOISE.search(result.stdout), (args, result.stdout)
