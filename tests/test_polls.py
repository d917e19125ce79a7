"""School polls through the real Dispatcher: composing, voting with the push's buttons,
changing a vote, one ballot per account, live results (named and anonymous), closing
with the author's summary and its chart, and refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery import DeliveryWorker
from services import clock, scheduled_jobs
from tests.conftest import BotEnv

GUARDIAN, STUDENT, CLASS_TEACHER, MATH_TEACHER, ADMIN = 1001, 1002, 2001, 2002, 2003
MOSCOW = ZoneInfo("Europe/Moscow")
NOT_AVAILABLE = "Это недоступно."


async def _deliver(env: BotEnv, *chats: int) -> dict[int, list[Any]]:
    before = {c: len(env.session.sent_to(c)) for c in chats}
    await DeliveryWorker(env.bot, env.db.sessionmaker).run_once()
    return {c: env.session.sent_to(c)[before[c]:] for c in chats}


def _buttons(message: Any) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def _close_due(env: BotEnv, at: dt.datetime) -> int:
    with clock.frozen(at):
        async with env.db.sessionmaker.begin() as s:
            runs = [r for r in await scheduled_jobs.due_runs(s, at) if r.job == "polls-close"]
        closed = 0
        for run in runs:
            async with env.db.sessionmaker.begin() as s:
                closed += await run.work(s)
        return closed


async def _votes(env: BotEnv, telegram_id: int) -> str | None:
    return await env.scalar(
        "SELECT string_agg(v.option::text, ',' ORDER BY v.option) FROM poll_votes v "
        "JOIN accounts a ON a.id = v.account_id WHERE a.telegram_id = :t", t=telegram_id)


async def test_a_named_poll_with_changed_votes_closing_results_and_chart(
    bot_env: BotEnv,
) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("🗳 Опросы")
    await teacher.press("✏️ Новый опрос")
    await teacher.press("5А")
    await teacher.press("👪🎒 Родители и ученики")
    await teacher.send("Куда едем на <экскурсию>?")
    await teacher.send("Музей\nЗоопарк\n\nТеатр")
    assert "Проверьте опрос" in (teacher.last_text or "")
    assert await bot_env.scalar("SELECT count(*) FROM polls") == 0
    await teacher.press("📤 Отправить")
    assert "Получателей: 2" in (teacher.last_text or "")

    pushes = await _deliver(bot_env, GUARDIAN, STUDENT)
    [to_guardian], [to_student] = pushes[GUARDIAN], pushes[STUDENT]
    assert to_guardian.html_text.startswith("🗳 <b>Опрос</b>: Куда едем на &lt;экскурсию&gt;?")
    assert _buttons(to_guardian) == ["1. Музей", "2. Зоопарк", "3. Театр"] == _buttons(
        to_student)

    guardian, student = bot_env.client(GUARDIAN), bot_env.client(STUDENT)
    replies = await guardian.press("1. Музей")
    assert replies[0].alert.startswith("Голос учтён")
    assert "✅ 1. Музей" in _buttons(guardian.keyboard_message)
    await guardian.press("2. Зоопарк")  # changed
    await guardian.press("✅ 2. Зоопарк")  # the same again: still one ballot
    assert await _votes(bot_env, GUARDIAN) == "1"
    await student.press("2. Зоопарк")

    await teacher.press("📊 Результаты")
    results = teacher.last_text or ""
    assert "1. Музей: 0" in results and "2. Зоопарк: 2" in results
    assert "Ковалёв Артём, Петров Михаил" in results  # a named poll
    assert "Проголосовали 2 из 2" in results

    # It closes after a day: the author gets the summary, then the chart.
    closes = dt.datetime(2026, 11, 24, 10, 5, tzinfo=MOSCOW)
    assert await _close_due(bot_env, closes - dt.timedelta(minutes=10)) == 0
    assert await _close_due(bot_env, closes) == 1
    with clock.frozen(closes):
        [summary] = (await _deliver(bot_env, CLASS_TEACHER))[CLASS_TEACHER]
        assert summary.html_text.startswith("🗳 <b>Опрос закрыт</b>")
        assert "2. Зоопарк: <b>2</b>" in summary.html_text
        assert "Проголосовали: 2" in summary.html_text
        replies = await teacher.press("📊 Диаграмма")
        [photo] = [r for r in replies if r.method == "sendPhoto"]
        assert photo.file_bytes is not None and photo.file_bytes.startswith(b"\x89PNG")
        # Closed: no more votes.
        replies = await guardian.press("1. Музей")
        assert replies[-1].alert == "Опрос уже закрыт."
    assert await _votes(bot_env, GUARDIAN) == "1"


async def test_an_anonymous_multiple_choice_poll_in_english(bot_env: BotEnv) -> None:
    admin = bot_env.client(ADMIN)
    await admin.send("/settings")
    await admin.press("🇬🇧 English")
    await admin.send("/menu")
    await admin.press("🗳 Polls")
    await admin.press("✏️ New poll")
    await admin.press("the whole school")
    await admin.press("👪 Parents")
    await admin.send("Which clubs?")
    await admin.send("Chess")  # one option is not enough
    assert "2 to 10 answers" in (admin.last_text or "")
    await admin.send("Chess\nRobotics\nChoir")
    await admin.press("☑️ Several answers")
    await admin.press("🙈 Anonymous")
    await admin.press("⏱ Open for days: 1")
    assert "Open for days: 3" in (admin.last_text or "")
    assert "Several answers allowed, anonymous" in (admin.last_text or "")
    await admin.press("📤 Send")

    [push] = (await _deliver(bot_env, GUARDIAN))[GUARDIAN]
    assert "Можно выбрать несколько вариантов, анонимно" in push.html_text  # Russian reader
    guardian = bot_env.client(GUARDIAN)
    await guardian.press("1. Chess")
    await guardian.press("3. Choir")
    await guardian.press("2. Robotics")
    await guardian.press("✅ 1. Chess")  # unticked
    assert await _votes(bot_env, GUARDIAN) == "1,2"
    # Parents only: the student was not asked.
    poll = await bot_env.scalar("SELECT max(id) FROM polls")
    replies = await bot_env.client(STUDENT).click(f"pl:v:{poll}:0")
    assert replies[-1].alert == NOT_AVAILABLE

    await admin.press("📊 Results")
    text = admin.last_text or ""
    assert "1. Chess: 0" in text and "2. Robotics: 1" in text and "3. Choir: 1" in text
    assert "Петров" not in text and "never shown" in text


async def test_refused_poll_callbacks(bot_env: BotEnv) -> None:
    class_1a = await bot_env.scalar("SELECT id FROM classes WHERE name = '1А'")
    math = bot_env.client(MATH_TEACHER)
    await math.send("/menu")
    replies = await math.click(f"pl:c:{class_1a}:0")  # a class they do not teach
    assert replies[-1].alert == NOT_AVAILABLE
    replies = await bot_env.client(GUARDIAN).click("pl:r:1:0")  # results: not theirs
    assert replies[-1].alert == NOT_AVAILABLE
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied'") == 2
