"""Bot commands shown in Telegram's menu, in Russian and English."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand

from screens.i18n import LOCALES, translator

COMMANDS = ("menu", "marks", "timetable", "homework", "attendance", "forecast", "messages",
            "settings", "help")


async def register_commands(bot: Bot) -> None:
    for locale in LOCALES:
        t = translator(locale)
        commands = [BotCommand(command=c, description=t(f"command-{c}")) for c in COMMANDS]
        # Russian is also the default for every other language.
        await bot.set_my_commands(commands, language_code=None if locale == "ru" else locale)
