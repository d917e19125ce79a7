"""Texts and navigation a user notices: the ticked language, "link another child" for
guardians only, names never declined, /help listing every command, the "didn't understand"
reply with a Menu button, and a command leaving a half-finished conversation."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from sqlalchemy import text

from handlers.settings import SetCb
from screens.settings import SettingsAction
from tests.conftest import BotEnv

GUARDIAN = 1001  # Петрова Анна: Михаил Петров (5А) and Ольга Петрова (1А)
STUDENT = 1002
ADMIN = 2003


def commands_answered(router: Router) -> set[str]:
    """Every command some message handler of the dispatcher answers."""
    found: set[str] = set()
    for handler in router.message.handlers:
        for f in handler.filters or ():
            if isinstance(f.callback, Command):
                found |= {c for c in f.callback.commands if isinstance(c, str)}
    for sub in router.sub_routers:
        found |= commands_answered(sub)
    return found


async def test_active_language_is_ticked(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    texts = [b[0] for b in client.buttons()]
    assert "✅ 🇷🇺 Русский" in texts and "🇬🇧 English" in texts
    await client.press("🇬🇧 English")
    texts = [b[0] for b in client.buttons()]
    assert "✅ 🇬🇧 English" in texts and "🇷🇺 Русский" in texts


async def test_link_another_child_is_for_guardians_only(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/settings")
    assert any("Привязать ещё ребёнка" in b[0] for b in guardian.buttons())
    for telegram_id in (STUDENT, ADMIN):
        client = bot_env.client(telegram_id)
        await client.send("/settings")
        assert not any("Привязать" in b[0] for b in client.buttons()), telegram_id
        # A forged press gets a refusal, and no code is awaited afterwards.
        replies = await client.click(SetCb(SettingsAction.ADD_CHILD).pack())
        assert replies[-1].alert == "Это недоступно."
        assert "Не понял" in (await client.send("привет"))[-1].text


async def test_unlink_question_keeps_the_name_as_it_is(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("Отвязать: 👤 Михаил")
    assert client.last_text.startswith("Отвязать ребёнка: Михаил Петров?")
    english = bot_env.client(GUARDIAN, language_code="en")
    await english.send("/settings")
    await english.press("🇬🇧 English")
    await english.press("Unlink: 👤 Михаил")
    assert english.last_text.startswith("Unlink the child: Михаил Петров?")


async def test_help_lists_every_command_that_works(bot_env: BotEnv) -> None:
    answered = commands_answered(bot_env.dp) | {"start"}
    for locale, word in (("ru", "Не понял"), ("en", "did not understand")):
        client = bot_env.client(GUARDIAN if locale == "ru" else STUDENT, language_code=locale)
        if locale == "en":
            await client.send("/settings")
            await client.press("🇬🇧 English")
        await client.send("/help")
        listed = {line.split(" — ")[0].lstrip("/") for line in client.last_text.splitlines()
                  if line.startswith("/")}
        assert listed == answered, (locale, listed ^ answered)
        for command in sorted(listed - {"start"}):
            assert word not in (await client.send(f"/{command}"))[-1].text, command


async def test_not_understood_offers_the_menu(bot_env: BotEnv) -> None:
    for locale, said, menu in (("ru", "Не понял", "🏠 Меню"), ("en", "did not understand",
                                                                "🏠 Menu")):
        client = bot_env.client(GUARDIAN, language_code=locale)
        if locale == "en":
            await client.send("/settings")
            await client.press("🇬🇧 English")
        replies = await client.send("абракадабра" if locale == "ru" else "gibberish")
        assert said in replies[-1].text
        assert [b[0] for b in client.buttons()] == [menu]
        await client.press(menu)
        assert "Михаил Петров" in client.last_text
        await client.send_sticker()
        assert [b[0] for b in client.buttons()] == [menu]


async def test_a_command_leaves_a_half_finished_conversation(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("Привязать ещё ребёнка")
    awaited: Any = await client.send("привет")
    assert "10 латинских букв и цифр" in awaited[-1].text  # read as a code
    await client.send("/menu")
    assert "Не понял" in (await client.send("привет"))[-1].text


# --- views that say what is (not) there ----------------------------------------------------


async def english_client(env: BotEnv, telegram_id: int) -> Any:
    client = env.client(telegram_id, language_code="en")
    await client.send("/settings")
    await client.press("🇬🇧 English")
    return client


async def test_week_ranges_agree_between_timetable_and_attendance(bot_env: BotEnv) -> None:
    for locale in ("ru", "en"):
        client = (bot_env.client(GUARDIAN) if locale == "ru"
                  else await english_client(bot_env, GUARDIAN))
        await client.send("/timetable")
        await client.press("🗓 " + ("Неделя" if locale == "ru" else "Week"))
        timetable_range = client.last_text.splitlines()[0].split(": ", 1)[1]
        await client.send("/attendance")
        await client.press("🗓 " + ("За неделю" if locale == "ru" else "By week"))
        assert timetable_range in client.last_text, (locale, timetable_range)
        assert timetable_range == ("23 ноября — 29 ноября" if locale == "ru"
                                   else "23 November — 29 November")


async def test_attendance_with_no_absences_says_so_in_one_line(bot_env: BotEnv) -> None:
    async with bot_env.db.sessionmaker.begin() as s:
        await s.execute(text(
            "DELETE FROM attendance WHERE date BETWEEN '2026-11-23' AND '2026-11-29'"))
    for locale, none, count in (("ru", "Пропусков нет.", "По болезни"),
                                ("en", "No missed lessons.", "Ill")):
        client = (bot_env.client(GUARDIAN) if locale == "ru"
                  else await english_client(bot_env, GUARDIAN))
        await client.send("/attendance")
        await client.press("🗓 " + ("За неделю" if locale == "ru" else "By week"))
        body = client.last_text
        assert none in body and count not in body, body


async def test_english_holidays_are_named(bot_env: BotEnv) -> None:
    client = await english_client(bot_env, GUARDIAN)
    await client.send("/menu")
    await client.press("Terms and holidays")
    body = client.last_text
    for name in ("Autumn holidays", "Winter holidays", "Spring holidays", "Summer holidays"):
        assert body.count(name) == 1, (name, body)
    assert "Holidays:" not in body
    assert "каникулы" not in body


async def test_a_period_not_started_says_so(bot_env: BotEnv) -> None:
    for locale, button, said, empty in (
            ("ru", "3 четверть ▶️", "ещё не начался", "нет оценок"),
            ("en", "Quarter 3 ▶️", "has not started yet", "no marks")):
        client = (bot_env.client(GUARDIAN) if locale == "ru"
                  else await english_client(bot_env, GUARDIAN))
        await client.send("/marks")
        await client.press("Сводка за период" if locale == "ru" else "Period overview")
        await client.press(button)
        body = client.last_text
        assert said in body and empty not in body, body
        assert len(body.splitlines()) == 2
