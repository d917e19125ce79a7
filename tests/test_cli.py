"""The `diary` command line: the contracts outside tools rely on, and a quick start-up
(aiogram stays out of commands that never talk to Telegram)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tests.conftest import CODE_SECRET, Db

ROOT = Path(__file__).resolve().parent.parent


def diary(db: Db, *args: str) -> subprocess.CompletedProcess[str]:
    # Runs the CLI in a fresh interpreter and reports whether aiogram got imported.
    code = ("import sys; from bot.cli import main; rc = main(sys.argv[1:]); "
            "print('AIOGRAM' if 'aiogram' in sys.modules else '', file=sys.stderr); "
            "sys.exit(rc)")
    env = {**os.environ, "DATABASE_URL": db.url, "LOG_LEVEL": "WARNING",
           "CODE_SECRET": CODE_SECRET.decode()}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_codes_issue_json_contract(demo_db: Db) -> None:
    result = diary(demo_db, "codes", "issue", "--class", "5А", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    async with demo_db.sessionmaker() as s:
        students = await s.scalar(text(
            "SELECT count(*) FROM students st JOIN classes c ON c.id = st.class_id "
            "WHERE c.name = '5А' AND st.status = 'active'"))
        stored = set(await s.scalars(text(
            "SELECT code_hash FROM link_codes WHERE revoked_at IS NULL")))
    assert len(rows) == students
    assert {"student", "class", "kind", "code", "deep_link"} <= set(rows[0])
    assert {r["class"] for r in rows} == {"5А"} and {r["kind"] for r in rows} == {"guardian"}
    from services.codes import hash_code, normalize_code

    assert {hash_code(normalize_code(r["code"]), CODE_SECRET) for r in rows} == stored
    assert "AIOGRAM" not in result.stderr


async def test_codes_issue_pdf_and_unknown_class(demo_db: Db, tmp_path: Path) -> None:
    pdf = tmp_path / "5a.pdf"
    result = diary(demo_db, "codes", "issue", "--class", "5а", "--kind", "both",
                   "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    assert result.stdout.count("\tguardian\t") == result.stdout.count("\tstudent\t") > 20
    missing = diary(demo_db, "codes", "issue", "--class", "9Я")
    assert missing.returncode == 2 and "no class named 9Я" in missing.stderr
    lyceum = diary(demo_db, "codes", "issue", "--class", "5Л", "--school", "demo-lyceum",
                   "--json")
    assert len(json.loads(lyceum.stdout)) == 5
    elsewhere = diary(demo_db, "codes", "issue", "--class", "5Л", "--school", "demo-school")
    assert elsewhere.returncode == 2


async def test_seed_demo_twice_and_migrate(empty_db: Db) -> None:
    first = diary(empty_db, "seed-demo")
    assert first.returncode == 0 and "demo school created" in first.stdout, first.stderr
    async with empty_db.sessionmaker() as s:
        from services.demo_seed import demo_counts

        before = await demo_counts(s)
    second = diary(empty_db, "seed-demo")
    assert "nothing added" in second.stdout
    async with empty_db.sessionmaker() as s:
        assert await demo_counts(s) == before
    migrated = diary(empty_db, "migrate")
    assert migrated.returncode == 0 and "revision" in migrated.stdout
    assert "AIOGRAM" not in first.stderr + second.stderr + migrated.stderr


def test_run_without_token_says_so() -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "BOT_TOKEN" in result.stderr


async def test_demo_seeds_an_empty_database_and_reaches_the_bot(empty_db: Db) -> None:
    import asyncio

    env = {**os.environ, "DATABASE_URL": empty_db.url, "CODE_SECRET": CODE_SECRET.decode()}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", cwd=ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    # Be the parent of two children, open the timetable, then leave.
    out, err = await asyncio.wait_for(proc.communicate(b"1\n2\n:quit\n"), 120)
    screen = out.decode()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "Электронный дневник" in screen and "Михаил Петров, 5А" in screen
    assert "Расписание" in screen and "08:30" in screen
    assert "Новый родитель (код " in screen  # a fresh code to try linking with


async def test_student_leaves_and_access_annulled(demo_db: Db) -> None:
    async with demo_db.sessionmaker() as s:
        children = list(await s.scalars(text(
            "SELECT l.student_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
            "WHERE a.telegram_id = 1001 ORDER BY l.student_id")))
    left = diary(demo_db, "students", "leave", "--student", str(children[0]))
    assert left.returncode == 0 and "1 chat(s) unlinked and notified" in left.stdout
    annulled = diary(demo_db, "access", "annul", "--telegram-id", "1001",
                     "--student", str(children[1]))
    assert annulled.returncode == 0, annulled.stderr
    again = diary(demo_db, "access", "annul", "--telegram-id", "1001",
                  "--student", str(children[1]))
    assert again.returncode == 2
    async with demo_db.sessionmaker() as s:
        reasons = sorted(await s.scalars(text(
            "SELECT payload->>'reason' FROM notifications n JOIN accounts a "
            "ON a.id = n.account_id WHERE a.telegram_id = 1001 AND n.kind = 'access'")))
        live = await s.scalar(text(
            "SELECT count(*) FROM account_links l JOIN accounts a ON a.id = l.account_id "
            "WHERE a.telegram_id = 1001 AND l.revoked_at IS NULL"))
    assert reasons == ["annulled", "left_school"] and live == 0
    assert diary(demo_db, "students", "leave", "--student", "999999").returncode == 2
