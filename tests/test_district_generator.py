"""The district generator of the bench (bot/district.py) at a tiny scale, every constraint
checked: the counts it promises, the lesson changes it makes, and a generated guardian
reading the child's views through the real dispatcher."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from bot import district
from screens.homework import HwCb, HwView
from screens.marks import MarksCb, MarksView
from screens.timetable import TtCb, TtView
from tests.conftest import DEMO_TODAY, Db


async def _generate(db: Db, scale: float) -> dict[str, Any]:
    conn = await asyncpg.connect(db.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        # Not bulk: foreign keys and unique constraints are checked row by row.
        return await district.generate(conn, scale, DEMO_TODAY, bulk=False)
    finally:
        await conn.close()


async def _scalar(db: Db, sql: str) -> Any:
    conn = await asyncpg.connect(db.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


@pytest.fixture
def district_bot(dispatcher: Any, empty_db: Db) -> Iterator[Any]:
    from bot.app import build_bot
    from telegram_fakes.local_session import LocalSession

    dispatcher["sessionmaker"] = empty_db.sessionmaker
    yield build_bot("42:TEST", session=LocalSession())


async def test_tiny_district_counts_and_changes(empty_db: Db) -> None:
    built = await _generate(empty_db, 0.0006)  # two classes of grades 5 and 6
    counts = built["counts"]
    assert (counts["schools"], counts["classes"], counts["students"]) == (1, 2, 60)
    assert counts["accounts"] == 60 + 2  # a guardian a student; the director, a teacher
    # About 107 marks a student by the date generated for, whatever the scale.
    assert 50 * 60 < counts["marks"] < 170 * 60
    assert counts["individual_homework"] > 0
    statuses = await _scalar(empty_db, "SELECT array_agg(DISTINCT status::text) FROM lessons")
    assert {"held", "scheduled", "replaced", "cancelled", "moved"} <= set(statuses)
    # Every guardian's consent is on record and their link is live: the views open.
    assert await _scalar(empty_db, "SELECT count(*) FROM account_links l JOIN consents c "
                                   "ON c.account_id = l.account_id AND c.decision = 'given' "
                                   "WHERE l.revoked_at IS NULL AND NOT l.consent_pending") == 60
    assert await _scalar(empty_db, "SELECT count(*) FROM marks WHERE date > "
                                   f"'{DEMO_TODAY}'") == 0


async def test_generated_guardian_reads_the_views(empty_db: Db, dispatcher: Any,
                                                  district_bot: Any) -> None:
    from telegram_fakes.chat_client import ChatClient

    await _generate(empty_db, 0.0003)
    student = int(await _scalar(empty_db, "SELECT min(id) FROM students"))
    newest = await _scalar(empty_db, f"""
        SELECT s.name FROM marks m JOIN subjects s ON s.id = m.subject_id
        WHERE m.student_id = {student} AND m.deleted_at IS NULL
        ORDER BY m.date DESC, m.entered_at DESC, m.id DESC LIMIT 1""")
    today_subject = await _scalar(empty_db, f"""
        SELECT s.name FROM lessons l JOIN subjects s ON s.id = l.subject_id
        JOIN students st ON st.class_id = l.class_id
        WHERE st.id = {student} AND l.date = '{DEMO_TODAY}' ORDER BY l.slot LIMIT 1""")
    client = ChatClient(dispatcher, district_bot, district.TELEGRAM_BASE + student)

    await client.click(MarksCb(MarksView.RECENT, student).pack())
    assert newest in client.last_text.splitlines()[1]
    await client.click(TtCb(TtView.DAY, student).pack())
    assert today_subject in (client.last_text or "")
    await client.click(HwCb(HwView.DAY, student).pack())
    assert client.last_text and "Упражнения" in client.last_text
