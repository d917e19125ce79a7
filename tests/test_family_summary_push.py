"""The evening summary of several children: opted in on the notifications screen through
the real Dispatcher, queued by the scheduled job at the school's evening time (once, however
often the job is asked), delivered by the real worker."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery import DeliveryWorker
from bot.scheduler import run_school_jobs
from services import clock, journal
from tests.conftest import BotEnv

GUARDIAN = 1001  # demo: mother of Михаил (5А) and Ольга (1А), Russian
STUDENT = 1002  # demo: Артём, one student, no children
MOSCOW = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 23)
EVENING = dt.datetime(2026, 11, 23, 19, 10, tzinfo=MOSCOW)


async def _mark_for_misha(env: BotEnv) -> None:
    student = int(await env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    subject = int(await env.scalar(
        "SELECT j.id FROM subjects j JOIN schools s ON s.id = j.school_id "
        "WHERE s.external_id = 'demo-school' AND j.name = 'Физика'"))
    work = int(await env.scalar(
        "SELECT w.id FROM work_types w JOIN schools s ON s.id = w.school_id "
        "WHERE s.external_id = 'demo-school' AND w.code = 'answer'"))
    async with env.db.sessionmaker.begin() as s:
        await journal.add_mark(s, student_id=student, subject_id=subject, work_type_id=work,
                               date=TODAY, value=5)


async def _evening(env: BotEnv, chat: int) -> list[Any]:
    """The scheduled jobs at 19:10, asked twice, then delivery: what the chat receives."""
    await DeliveryWorker(env.bot, env.db.sessionmaker, worker_id="before").run_once()
    before = len(env.session.sent_to(chat))
    with clock.frozen(EVENING):
        first = await run_school_jobs(env.db.sessionmaker)
        again = await run_school_jobs(env.db.sessionmaker)
        assert any(k.startswith("family-summary:") for k in first)
        assert not any(k.startswith("family-summary:") for k in again)
        await DeliveryWorker(env.bot, env.db.sessionmaker, worker_id="evening").run_once()
    return env.session.sent_to(chat)[before:]


async def _opt_in(env: BotEnv, english: bool = False) -> str:
    client = env.client(GUARDIAN)
    await client.send("/settings")
    if english:
        await client.press("🇬🇧 English")
        await client.press("🔔 Notifications")
        await client.press("👪 Evening summary: no")
    else:
        await client.press("🔔 Уведомления")
        await client.press("👪 Вечерняя сводка: нет")
    return client.last_text or ""


async def test_an_opted_in_guardian_gets_one_evening_summary(bot_env: BotEnv) -> None:
    text = await _opt_in(bot_env)
    assert "Вечерняя сводка по всем детям: приходит в 19:00" in text
    await _mark_for_misha(bot_env)

    pushes = await _evening(bot_env, GUARDIAN)
    summaries = [m for m in pushes if (m.html_text or "").startswith("👪")]
    assert len(summaries) == 1
    body = summaries[0].html_text
    assert body.startswith("👪 <b>Сводка по детям</b>: Пн, 23 ноября")
    assert "<b>Михаил Петров, 5А</b>" in body and "<b>Ольга Петрова, 1А</b>" in body
    assert "📊 Михаил: новые оценки за вчера и сегодня" in body
    assert "Физика: <b>5</b>" in body
    assert "📚 Ольга:" in body and "🚶 Ольга:" in body
    assert summaries[0].reply_markup is None  # several children: no single view to open
    assert await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'summary'") == 1


async def test_the_summary_in_english_and_off_again(bot_env: BotEnv) -> None:
    text = await _opt_in(bot_env, english=True)
    assert "Evening summary of all children: sent at 19:00" in text
    [summary] = [m for m in await _evening(bot_env, GUARDIAN)
                 if (m.html_text or "").startswith("👪")]
    assert "<b>Михаил Петров, 5А</b>" in summary.html_text

    client = bot_env.client(GUARDIAN)
    await client.press("👪 Evening summary: yes")
    assert "Evening summary of all children: off" in (client.last_text or "")


async def test_nobody_gets_it_without_opting_in(bot_env: BotEnv) -> None:
    await _mark_for_misha(bot_env)
    with clock.frozen(EVENING):
        await run_school_jobs(bot_env.db.sessionmaker)
    assert await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'summary'") == 0
    # A chat with one child is not offered the choice.
    client = bot_env.client(STUDENT)
    await client.send("/settings")
    await client.press("🔔")
    assert "Вечерняя сводка" not in (client.last_text or "")
    assert not any("Вечерняя сводка" in text for text, _ in client.buttons())


def test_the_summary_event_round_trips_and_renders_changes_and_privacy() -> None:
    from screens.i18n import translator
    from screens.pushes import PushRow, compose
    from services import push_events as ev

    tomorrow = TODAY + dt.timedelta(days=1)
    event = ev.FamilySummaryEvent(today=TODAY, children=(
        ev.SummaryChild("Михаил", "Михаил Петров, 5А", True,
                        (ev.SummaryMark("Физика", "Ответ", 1, TODAY, 4),),
                        (ev.SummaryAbsence(2, "История", "ill"),), tomorrow,
                        (ev.LessonChangeEvent("lesson_replaced", "Алгебра", tomorrow, 3,
                                              teacher="Степанов И. В."),
                         ev.LessonChangeEvent("lesson_cancelled", "ИЗО", tomorrow, 5)),
                        (ev.HomeworkItem("Алгебра", "№ 12 <б>"),)),
        ev.SummaryChild("Ольга", "Ольга Петрова, 1А", False, next_day=tomorrow)))
    payload = {**event.to_payload(), "hide_values": True}
    assert ev.decode("summary", payload) == event
    [push] = compose([PushRow.from_stored(1, "summary", payload, None, EVENING)],
                     translator("ru"))
    assert "Физика: <b><tg-spoiler>4</tg-spoiler></b>" in push.text, push.text
    assert "Степанов И. В." in push.text and "ИЗО" in push.text
    assert "№ 12 &lt;б&gt;" in push.text
    assert "болезнь" in push.text
    assert "📊 Ольга" not in push.text  # a first grader gets no marks
    assert push.rows == ()
