"""Settings apply at send time: a push held for a digest (or quiet hours) goes out with the
chat's mutes, privacy mode and language as they are when it is sent, not as they were when
it was queued. Settings are changed through the real Dispatcher; the real delivery worker
sends through the same local Bot API session."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery import DeliveryWorker
from services import clock, journal
from tests.conftest import BotEnv

GUARDIAN = 1001  # demo: Михаил's mother, Russian
MOSCOW = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 23)
DIGEST_SENT = dt.datetime(2026, 11, 23, 19, 1, tzinfo=MOSCOW)


async def _ids(env: BotEnv) -> dict[str, int]:
    student = int(await env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    found: dict[str, int] = {"student": student}
    found["class"] = int(await env.scalar("SELECT class_id FROM students WHERE id = :s",
                                          s=student))
    for name in ("Математика", "Русский язык", "Физика"):
        found[name] = int(await env.scalar(
            "SELECT j.id FROM subjects j JOIN schools s ON s.id = j.school_id "
            "WHERE s.external_id = 'demo-school' AND j.name = :n", n=name))
    found["answer"] = int(await env.scalar(
        "SELECT w.id FROM work_types w JOIN schools s ON s.id = w.school_id "
        "WHERE s.external_id = 'demo-school' AND w.code = 'answer'"))
    return found


async def _queue_while_in_digest(env: BotEnv, ids: dict[str, int]) -> None:
    """Two marks and a homework for Михаил, all held for the 19:00 digest."""
    async with env.db.sessionmaker.begin() as s:
        for subject, value in (("Математика", 5), ("Русский язык", 4)):
            await journal.add_mark(s, student_id=ids["student"], subject_id=ids[subject],
                                   work_type_id=ids["answer"], date=TODAY, value=value)
        await journal.set_homework(s, class_id=ids["class"], subject_id=ids["Русский язык"],
                                   due_on=TODAY + dt.timedelta(days=2), text="Упражнение 42")
    held = await env.scalar(
        "SELECT string_agg(kind, ',' ORDER BY id) FROM notifications WHERE chat_id = :c "
        "AND status = 'pending' AND due_at = :d", c=GUARDIAN,
        d=dt.datetime(2026, 11, 23, 19, 0, tzinfo=MOSCOW))
    assert held == "marks,marks,homework"


async def _deliver_digest(env: BotEnv) -> list[Any]:
    """What the guardian's chat receives when the digest falls due."""
    before = len(env.session.sent_to(GUARDIAN))
    with clock.frozen(DIGEST_SENT):
        await DeliveryWorker(env.bot, env.db.sessionmaker, worker_id="digest").run_once()
    return env.session.sent_to(GUARDIAN)[before:]


async def test_mutes_privacy_and_language_changed_while_held_apply_when_sent(
    bot_env: BotEnv,
) -> None:
    ids = await _ids(bot_env)
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🔔 Уведомления")
    await client.press("Сводка раз в день")
    await _queue_while_in_digest(bot_env, ids)

    # While the pushes wait: hide values, mute a subject and a kind, switch to English.
    await client.press("👁 Скрывать оценки: нет")
    await client.press("🔔 Домашние задания")
    await client.press("📚 Предметы: Михаил")
    await client.press("🔔 Математика")
    await client.send("/settings")
    await client.press("🇬🇧 English")

    [push] = await _deliver_digest(bot_env)

    text = push.html_text
    assert text.startswith("📊 <b>Михаил</b>: new mark\n")  # English now
    assert "Русский язык: <tg-spoiler><b>4</b></tg-spoiler>" in text  # hidden now
    assert "Математика" not in text  # subject muted meanwhile
    assert "Упражнение 42" not in text  # homework muted meanwhile
    statuses = await bot_env.scalar(
        "SELECT string_agg(kind || ':' || status, ',' ORDER BY id) FROM notifications "
        "WHERE chat_id = :c AND event_at >= :t", c=GUARDIAN,
        t=dt.datetime(2026, 11, 23, tzinfo=MOSCOW))
    assert statuses == "marks:dropped,marks:sent,homework:dropped"


async def test_privacy_turned_off_while_held_shows_the_values(bot_env: BotEnv) -> None:
    ids = await _ids(bot_env)
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🔔 Уведомления")
    await client.press("Сводка раз в день")
    await client.press("👁 Скрывать оценки: нет")  # hidden when queued
    await _queue_while_in_digest(bot_env, ids)
    await client.press("🙈 Скрывать оценки: да")  # shown when sent

    [push] = await _deliver_digest(bot_env)

    text = push.html_text
    assert "tg-spoiler" not in text
    assert "Математика" in text and "Русский язык" in text and "Упражнение 42" in text
    assert "выставлены 2 оценки" in text  # still Russian


async def test_a_night_push_held_for_quiet_hours_goes_out_in_the_morning_settings(
    bot_env: BotEnv,
) -> None:
    ids = await _ids(bot_env)
    night = dt.datetime(2026, 11, 23, 23, 0, tzinfo=MOSCOW)
    with clock.frozen(night):  # inside the school's quiet hours, 21:00-07:00
        async with bot_env.db.sessionmaker.begin() as s:
            await journal.add_mark(s, student_id=ids["student"], subject_id=ids["Физика"],
                                   work_type_id=ids["answer"], date=TODAY, value=3)
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🇬🇧 English")
    await client.press("🔔 Notifications")
    await client.press("👁 Hide marks: no")

    before = len(bot_env.session.sent_to(GUARDIAN))
    with clock.frozen(dt.datetime(2026, 11, 24, 7, 1, tzinfo=MOSCOW)):
        await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker).run_once()
    [push] = bot_env.session.sent_to(GUARDIAN)[before:]

    assert push.html_text.startswith("📊 <b>Михаил</b>: new mark\n")
    assert "Физика: <tg-spoiler><b>3</b></tg-spoiler>" in push.html_text
