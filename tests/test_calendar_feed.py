"""The calendar subscription: issued, re-issued and revoked in settings through the real
Dispatcher, read through the real aiohttp app (aiohttp's test client) and parsed as ICS."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar
from sqlalchemy import select

from api import build_exchange_app
from bot.settings import Settings
from services import consent, journal
from services.models import Lesson, LessonStatus, Staff, Subject
from tests.conftest import CODE_SECRET, BotEnv

GUARDIAN = 1001  # demo: mother of Михаил (5А) and Ольга (1А), Russian
TODAY = dt.date(2026, 11, 23)
URL = re.compile(r"http://[^\s<]+/calendar/([A-Za-z0-9_-]+)\.ics")


@pytest.fixture
async def feed_client(bot_env: BotEnv) -> AsyncIterator[TestClient]:
    app = build_exchange_app(bot_env.db.sessionmaker, Settings(
        _env_file=None, code_secret=CODE_SECRET.decode()))
    async with TestClient(TestServer(app)) as client:
        yield client


async def _issue(env: BotEnv, button: str) -> str:
    """Press a calendar button in settings; the path of the address it shows."""
    client = env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("📅 Календарь-подписка")
    await client.press(button)
    found = URL.search(client.last_text or "")
    assert found, client.last_text
    return f"/calendar/{found.group(1)}.ics"


async def _events(client: TestClient, path: str) -> list[dict[str, str]]:
    resp = await client.get(path)
    assert resp.status == 200, await resp.text()
    assert resp.content_type == "text/calendar"
    cal = Calendar.from_ical(await resp.read())
    return [{"summary": str(e.get("summary")), "status": str(e.get("status", "")),
             "start": e.decoded("dtstart").isoformat(), "description": str(
                 e.get("description", ""))} for e in cal.walk("VEVENT")]


async def _replace_tomorrows_lesson(env: BotEnv) -> tuple[str, dt.date]:
    student = int(await env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    class_id = int(await env.scalar("SELECT class_id FROM students WHERE id = :s", s=student))
    tomorrow = TODAY + dt.timedelta(days=1)
    async with env.db.sessionmaker.begin() as s:
        lesson = await s.scalar(select(Lesson).where(
            Lesson.class_id == class_id, Lesson.date == tomorrow,
            Lesson.subgroup_id.is_(None), Lesson.status == LessonStatus.SCHEDULED)
            .order_by(Lesson.slot))
        assert lesson is not None
        subject = await s.get(Subject, lesson.subject_id)
        substitute = await s.scalar(select(Staff.id).where(
            Staff.school_id == lesson.school_id, Staff.id != lesson.teacher_id,
            Staff.last_name == "Степанов"))
        await journal.change_lesson(s, lesson.id, status="replaced", substitute_id=substitute)
        await journal.set_homework(s, class_id=class_id, subject_id=lesson.subject_id,
                                   due_on=tomorrow, text="Упражнение 7")
        assert subject is not None
        return subject.name, tomorrow


async def test_the_feed_carries_a_replaced_lesson_and_homework(
    bot_env: BotEnv, feed_client: TestClient,
) -> None:
    subject, tomorrow = await _replace_tomorrows_lesson(bot_env)
    path = await _issue(bot_env, "➕ Ссылка: Михаил")
    events = await _events(feed_client, path)

    replaced = [e for e in events if e["summary"].startswith(f"{subject} — замена: Степанов")]
    assert len(replaced) == 1, [e["summary"] for e in events if subject in e["summary"]]
    assert replaced[0]["start"].startswith(tomorrow.isoformat())
    assert replaced[0]["status"] == "CONFIRMED"
    assert "Степанов" in replaced[0]["description"]
    homework = [e for e in events if e["summary"] == f"📚 ДЗ: {subject}"
                and e["start"] == tomorrow.isoformat()]
    assert any("Упражнение 7" in e["description"] for e in homework)
    assert len(events) > 50  # weeks of lessons

    # In English once the chat's language is English.
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🇬🇧 English")
    english = await _events(feed_client, path)
    assert any(e["summary"].startswith(f"{subject} — substitute: Степанов") for e in english)


async def test_reissued_and_revoked_feeds_are_refused(bot_env: BotEnv,
                                                      feed_client: TestClient) -> None:
    first = await _issue(bot_env, "➕ Ссылка: Михаил")
    assert (await feed_client.get(first)).status == 200
    second = await _issue(bot_env, "🔄 Новая ссылка: Михаил")
    assert (await feed_client.get(first)).status == 404
    assert (await feed_client.get(second)).status == 200

    client = bot_env.client(GUARDIAN)
    await client.press("⬅")  # back to the list
    await client.press("🚫 Отозвать: Михаил")
    assert "Ссылка отозвана" in (client.last_text or "")
    assert (await feed_client.get(second)).status == 404
    assert (await feed_client.get("/calendar/forged-secret.ics")).status == 404
    assert await bot_env.scalar("SELECT count(*) FROM calendar_feeds") == 0


async def test_a_feed_whose_consent_lapsed_is_gone(bot_env: BotEnv,
                                                   feed_client: TestClient) -> None:
    path = await _issue(bot_env, "➕ Ссылка: Михаил")
    account_id, student_id = (await bot_env.scalar(
        "SELECT array[id, active_student_id] FROM accounts WHERE telegram_id = :t",
        t=GUARDIAN))
    async with bot_env.db.sessionmaker.begin() as s:
        await consent.withdraw_consent(s, account_id, student_id)
    assert (await feed_client.get(path)).status == 410


async def test_the_settings_screen_in_english(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🇬🇧 English")
    await client.press("📅 Calendar subscription")
    text = client.last_text or ""
    assert "Calendar subscription" in text and "no link" in text
    await client.press("➕ Link: Михаил")
    assert URL.search(client.last_text or "")
    assert "shown only once" in (client.last_text or "")
