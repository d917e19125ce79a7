"""The fake Bot API server, exercised through a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from telegram_fakes.server import FakeTelegram, UploadedFile

# One server and one Bot for the module: closing an aiogram session sleeps 0.25 s, so a bot
# per test would dominate the run time. Each test gets the server reset to a known config.


@pytest.fixture(scope="module")
async def _server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture(scope="module")
async def tbot(_server: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(token="42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(_server.url)))
    yield bot
    await bot.session.close()


@pytest.fixture
def tg(_server: FakeTelegram) -> FakeTelegram:
    _server.reset()
    _server.enforce_limits = False
    _server.global_per_second = 30
    _server.per_chat_interval = 1.0
    _server.group_per_minute = 20
    _server.latency = 0.0
    return _server


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Оценки", callback_data=data)]]
    )


async def test_send_message_returns_parsed_message(tg: FakeTelegram, tbot: Bot) -> None:
    first = await tbot.send_message(7, "Привет")
    second = await tbot.send_message(7, "<b>Дневник</b> &amp; оценки", parse_mode="HTML")
    other = await tbot.send_message(8, "x")
    group = await tbot.send_message(-100123, "всем")

    assert first.text == "Привет"
    assert second.text == "Дневник & оценки"  # HTML markup becomes entities, not text
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.from_user is not None and first.from_user.id == 42
    assert first.from_user.username == "diary_demo_bot"
    assert first.chat.type == "private" and group.chat.type == "supergroup"
    rec = tg.sent(chat_id=7)[1]
    assert rec.params["text"] == "<b>Дневник</b> &amp; оценки" and rec.chat_id == 7
    assert len(tg.sent()) == 4 and (await tbot.get_me()).username == "diary_demo_bot"


async def test_inline_keyboard_round_trips_and_edits(tg: FakeTelegram, tbot: Bot) -> None:
    msg = await tbot.send_message(7, "Меню", reply_markup=_keyboard("grades"))
    assert msg.reply_markup is not None
    assert msg.reply_markup.inline_keyboard[0][0].callback_data == "grades"
    assert tg.sent()[0].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Оценки"

    edited = await tbot.edit_message_text(
        "Оценки за неделю", chat_id=7, message_id=msg.message_id, reply_markup=_keyboard("back")
    )
    assert not isinstance(edited, bool) and edited.text == "Оценки за неделю"
    assert edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await tbot.edit_message_reply_markup(
            chat_id=7, message_id=msg.message_id, reply_markup=_keyboard("back")
        )
    await tbot.edit_message_reply_markup(chat_id=7, message_id=msg.message_id)
    stored = tg.message(7, msg.message_id)
    assert stored is not None and "reply_markup" not in stored
    assert await tbot.delete_message(7, msg.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await tbot.delete_message(7, msg.message_id)


async def test_send_document_records_the_upload(tg: FakeTelegram, tbot: Bot) -> None:
    payload = b"%PDF-1.4 report"
    msg = await tbot.send_document(
        7, BufferedInputFile(payload, filename="report.pdf"), caption="Табель"
    )
    assert msg.document is not None and msg.document.file_name == "report.pdf"
    assert msg.document.file_size == len(payload) and msg.caption == "Табель"
    rec = tg.sent("sendDocument")[0]
    upload = rec.params["document"]
    assert isinstance(upload, UploadedFile)
    assert (upload.data, upload.filename) == (payload, "report.pdf")
    assert list(rec.files.values()) == [upload]

    photo = await tbot.send_photo(7, BufferedInputFile(b"\x89PNG", filename="chart.png"))
    assert photo.photo is not None and len(photo.photo) == 3


async def test_global_limit_rejects_the_31st_send(tg: FakeTelegram, tbot: Bot) -> None:
    tg.enforce_limits = True
    results = await asyncio.gather(
        *(tbot.send_message(1000 + i, "рассылка") for i in range(31)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], TelegramRetryAfter)
    assert errors[0].retry_after >= 1
    assert len(tg.sent()) == 30 and tg.count_429 == 1
    assert [r.reason for r in tg.rejected] == ["rate_limit:global"]


async def test_private_chat_allows_one_message_per_interval(tg: FakeTelegram, tbot: Bot) -> None:
    tg.enforce_limits = True
    tg.per_chat_interval = 0.2
    await tbot.send_message(7, "раз")
    with pytest.raises(TelegramRetryAfter) as exc:
        await tbot.send_message(7, "два")
    assert exc.value.retry_after == 1
    assert tg.rejected[0].reason == "rate_limit:chat" and len(tg.sent()) == 1
    await asyncio.sleep(0.2)
    await tbot.send_message(7, "два")  # the rejected attempt did not restart the interval
    assert len(tg.sent()) == 2


async def test_group_chat_allows_twenty_per_minute(tg: FakeTelegram, tbot: Bot) -> None:
    tg.enforce_limits = True
    for i in range(20):
        await tbot.send_message(-555, f"#{i}")
    with pytest.raises(TelegramRetryAfter) as exc:
        await tbot.send_message(-555, "лишнее")
    assert 55 <= exc.value.retry_after <= 60
    assert tg.rejected[-1].reason == "rate_limit:group"


async def test_chat_faults(tg: FakeTelegram, tbot: Bot) -> None:
    tg.block_chat(1)
    tg.deactivate_chat(2)
    tg.missing_chat(3)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await tbot.send_message(1, "x")
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await tbot.send_message(2, "x")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await tbot.send_message(3, "x")
    assert [r.reason for r in tg.rejected] == ["blocked", "deactivated", "chat_not_found"]
    assert tg.sent() == [] and len(tg.requests) == 3
    tg.restore_chat(1)
    await tbot.send_message(1, "снова")


async def test_injected_server_errors(tg: FakeTelegram, tbot: Bot) -> None:
    tg.fail_next(2, status=502)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await tbot.send_message(7, "x")
    await tbot.send_message(7, "x")

    async def failures(seed: int) -> list[bool]:
        tg.reset()
        tg.fail_randomly(0.5, seed=seed)
        outcome = await asyncio.gather(
            *(tbot.send_message(i + 1, "x") for i in range(20)), return_exceptions=True
        )
        assert all(isinstance(o, TelegramServerError) for o in outcome if isinstance(o, Exception))
        return [isinstance(o, Exception) for o in outcome]

    first = await failures(seed=3)
    assert 0 < sum(first) < 20
    assert sum(await failures(seed=3)) == sum(first)  # deterministic


async def test_get_updates_long_poll(tg: FakeTelegram, tbot: Bot) -> None:
    update_id = tg.push_message(7, "/start")
    updates = await tbot.get_updates()
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None and message.text == "/start" and message.chat.id == 7

    async def push_later() -> None:
        await asyncio.sleep(0.05)
        tg.push_update({"message": {"message_id": 50, "date": 1, "text": "hi",
                                    "chat": {"id": 9, "type": "private"}}})  # fmt: skip

    started = time.monotonic()
    pusher = asyncio.create_task(push_later())
    updates = await tbot.get_updates(offset=update_id + 1, timeout=5)
    await pusher
    assert time.monotonic() - started < 1  # woke on the push, not at the timeout
    assert [u.message.text for u in updates if u.message] == ["hi"]
    reply = await tbot.send_message(9, "ответ")
    assert reply.message_id == 51  # ids are shared with the user's messages in a chat


async def test_raw_protocol_edges(tg: FakeTelegram, tbot: Bot) -> None:
    await tbot.set_my_commands([BotCommand(command="start", description="Начать")])
    assert [c.command for c in await tbot.get_my_commands()] == ["start"]
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.url}/bot42:TEST/sendTelepathy") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False, "error_code": 404, "description": "Not Found: method not found"
            }  # fmt: skip
        started = time.monotonic()
        async with http.post(f"{tg.url}/bot42:TEST/getUpdates", data={"timeout": "0.1"}) as resp:
            assert (await resp.json())["result"] == []
        assert 0.1 <= time.monotonic() - started < 1


def test_module_does_not_import_aiogram() -> None:
    code = "import sys, telegram_fakes.server; assert 'aiogram' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
