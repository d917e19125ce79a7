"""End to end over HTTP: the bot long-polls a local fake Bot API server, as `diary run`
does with Telegram, and answers a parent."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.app import build_bot
from bot.commands import register_commands
from telegram_fakes.server import FakeTelegram
from tests.conftest import Db


async def _wait_for(predicate: Any, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not answer in time")


async def test_long_polling_answers_over_http(dispatcher: Any, demo_db: Db) -> None:
    tg = FakeTelegram(enforce_limits=False)
    url = await tg.start()
    dispatcher["sessionmaker"] = demo_db.sessionmaker
    bot = build_bot("42:TEST", api_url=url)
    try:
        await register_commands(bot)
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1))
        tg.push_message(1001, "/menu")
        await _wait_for(lambda: tg.sent("sendMessage", chat_id=1001))
        tg.push_message(1001, "/timetable")
        await _wait_for(lambda: len(tg.sent("sendMessage", chat_id=1001)) >= 2)
        await dispatcher.stop_polling()
        await polling
    finally:
        await tg.stop()
    menu, timetable = (r.params["text"] for r in tg.sent("sendMessage", chat_id=1001))
    assert "Михаил Петров, 5А" in menu
    assert "08:30" in timetable
    commands = tg.sent("setMyCommands")
    assert {r.params.get("language_code") for r in commands} == {None, "en"}
    assert any(c["command"] == "marks" for c in commands[0].params["commands"])
