"""Both fakes follow one rulebook: at Telegram's limits LocalSession and the fake Bot API
server accept and refuse the same requests, with the same wording, and store the same text."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from telegram_fakes import rules
from telegram_fakes.local_session import LocalSession
from telegram_fakes.server import FakeTelegram

CHAT = 7
EMOJI = "😀"  # outside the BMP: 2 UTF-16 code units, 1 code point
_query_ids = itertools.count(1)


def _html(units: int) -> str:
    """HTML whose parsed text is exactly `units` UTF-16 code units long, while the source
    counts more (tags, &amp;) and its code points fewer (emoji): a fake that counts either
    of those instead disagrees at the limit."""
    head = f"<b>{EMOJI * 500}</b> &amp; <i>ok</i> "  # 1000 + 3 + 2 + 1 units once parsed
    return head + "я" * (units - 1006)


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Оценки", callback_data=data)]])


async def _send_text(bot: Bot, units: int) -> Any:
    return await bot.send_message(CHAT, _html(units), parse_mode="HTML")


async def _edit_text(bot: Bot, units: int) -> Any:
    sent = await bot.send_message(CHAT, "черновик")
    return await bot.edit_message_text(_html(units), chat_id=CHAT, message_id=sent.message_id,
                                       parse_mode="HTML")


async def _caption(bot: Bot, units: int) -> Any:
    caption = f"<b>{EMOJI * 100}</b> &lt;" + "я" * (units - 202)  # 200 + 2 units, then я
    return await bot.send_document(CHAT, BufferedInputFile(b"%PDF-1.4", filename="r.pdf"),
                                   caption=caption, parse_mode="HTML")


async def _button(bot: Bot, size: int) -> Any:
    data = "я" * (size // 2) + "x" * (size % 2)  # Cyrillic letters are 2 bytes in UTF-8
    assert len(data.encode()) == size
    return await bot.send_message(CHAT, "Меню", reply_markup=_keyboard(data))


async def _alert(bot: Bot, length: int) -> Any:
    return await bot.answer_callback_query(f"query-{next(_query_ids)}", text="я" * length,
                                           show_alert=True)


Action = Callable[[Bot], Awaitable[Any]]
CASES: list[tuple[str, Action, str | None]] = [
    ("text 4096", lambda b: _send_text(b, rules.TEXT_LIMIT), None),
    ("text 4097", lambda b: _send_text(b, rules.TEXT_LIMIT + 1), "message is too long"),
    ("edit 4096", lambda b: _edit_text(b, rules.TEXT_LIMIT), None),
    ("edit 4097", lambda b: _edit_text(b, rules.TEXT_LIMIT + 1), "message is too long"),
    ("caption 1024", lambda b: _caption(b, rules.CAPTION_LIMIT), None),
    ("caption 1025", lambda b: _caption(b, rules.CAPTION_LIMIT + 1),
     "message caption is too long"),
    ("caption empty once parsed", lambda b: b.send_document(
        CHAT, BufferedInputFile(b"%PDF-1.4", filename="r.pdf"), caption="<i></i>",
        parse_mode="HTML"), None),
    ("callback_data 64 bytes", lambda b: _button(b, rules.CALLBACK_DATA_LIMIT), None),
    ("callback_data 65 bytes", lambda b: _button(b, rules.CALLBACK_DATA_LIMIT + 1),
     "BUTTON_DATA_INVALID"),
    ("alert 200", lambda b: _alert(b, rules.ALERT_LIMIT), None),
    ("alert 201", lambda b: _alert(b, rules.ALERT_LIMIT + 1), "MESSAGE_TOO_LONG"),
    ("bare <", lambda b: b.send_message(CHAT, "оценка <5> за урок", parse_mode="HTML"),
     "can't parse entities"),
    ("unclosed tag", lambda b: b.send_message(CHAT, "<b>жирный", parse_mode="HTML"),
     "can't parse entities"),
    ("empty once parsed", lambda b: b.send_message(CHAT, "<b> </b>", parse_mode="HTML"),
     "message text is empty"),
    ("entities decoded", lambda b: b.send_message(
        CHAT, '&lt;<a href="https://e.org">5</a>&gt; &#1071; &nbsp; &quot;', parse_mode="HTML"),
     None),
    ("plain text 4096 with tags", lambda b: b.send_message(CHAT, "<b>" + "x" * 4089 + "</b>"),
     None),
    ("plain text 4097 with tags", lambda b: b.send_message(CHAT, "<b>" + "x" * 4090 + "</b>"),
     "message is too long"),
]


@pytest.fixture(scope="module")
async def _server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(enforce_limits=False) as tg:
        yield tg


@pytest.fixture(scope="module")
async def server_bot(_server: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(_server.url))
    bot = Bot("42:TEST", session=session)
    yield bot
    await bot.session.close()


def _outcome(result: Any) -> Any:
    """What the user would see: text or caption with its entities, or True."""
    if not isinstance(result, Message):
        return result
    entities = result.entities or result.caption_entities or []
    return (result.text, result.caption,
            [(e.type, e.offset, e.length, e.url) for e in entities])


async def _try(bot: Bot, action: Action) -> tuple[str, Any]:
    try:
        return "accepted", _outcome(await action(bot))
    except TelegramBadRequest as error:
        return "refused", error.message


@pytest.mark.parametrize(("action", "refusal"), [(a, r) for _, a, r in CASES],
                         ids=[name for name, _, _ in CASES])
async def test_both_fakes_agree(server_bot: Bot, action: Action, refusal: str | None) -> None:
    local_bot = Bot("42:TEST", session=LocalSession())

    local, remote = await _try(local_bot, action), await _try(server_bot, action)

    assert local == remote
    if refusal is None:
        assert local[0] == "accepted"
    else:
        assert local[0] == "refused" and local[1].startswith(f"Bad Request: {refusal}")


def test_length_is_counted_in_utf16_after_parsing() -> None:
    source = _html(rules.TEXT_LIMIT)
    text, entities = rules.parse_html(source)
    assert rules.utf16_len(text) == rules.TEXT_LIMIT
    assert len(text) < rules.TEXT_LIMIT < rules.utf16_len(source)
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bold", 0, 1000), ("italic", 1003, 2)]
    assert rules.message_text(source, "HTML").text == text
    with pytest.raises(rules.Refused, match="too long"):
        rules.message_text(source, None)  # no parse mode: the tags are text and count
