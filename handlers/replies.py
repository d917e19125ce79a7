"""The adapter from screens to aiogram, and the filter that turns a button's payload back
into a typed value.

Handlers return screens; `send` is called by the edge after the update's transaction has
committed (bot/middlewares.py), so nothing is said that was not stored and no database
connection waits on Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from screens.base import Alert, Bytes, Document, Media, Photo, Replies, Reply, Rows, Screen
from screens.payloads import Payload


def markup(rows: Rows) -> InlineKeyboardMarkup | None:
    # Built without validation: every value is a plain string the screens made (payloads
    # are checked against Telegram's limit when packed), so pydantic's checks and copies
    # would only cost time.
    if not rows:
        return None
    return InlineKeyboardMarkup.model_construct(inline_keyboard=[
        [InlineKeyboardButton.model_construct(text=b.text, callback_data=b.payload)
         if b.url is None else InlineKeyboardButton.model_construct(text=b.text, url=b.url)
         for b in row]
        for row in rows])


def is_reply(result: Any) -> bool:
    if isinstance(result, Screen | Alert | Photo | Document | Media):
        return True
    return (isinstance(result, Sequence) and not isinstance(result, str) and bool(result)
            and all(isinstance(r, Screen | Alert | Photo | Document | Media) for r in result))


async def send(event: TelegramObject, replies: Replies) -> None:
    """Show what a handler returned: a button press edits its message in place (a new
    message for `Screen.new`, photos and documents) and is always answered once; a message
    gets new messages."""
    items: Sequence[Reply] = () if replies is None else (
        (replies,) if isinstance(replies, Screen | Alert | Photo | Document | Media)
        else replies)
    if isinstance(event, CallbackQuery):
        await _to_query(event, items)
    elif isinstance(event, Message):
        for item in items:
            await _to_chat(event, item)
    elif isinstance(event, ChatMemberUpdated) and event.bot is not None:
        # The bot added to a chat: no message to answer, so one is sent to the chat.
        for item in items:
            if isinstance(item, Screen | Alert):
                rows = item.rows if isinstance(item, Screen) else ()
                await event.bot.send_message(event.chat.id, item.text, reply_markup=markup(rows))


async def _to_query(query: CallbackQuery, items: Sequence[Reply]) -> None:
    alert = next((i for i in items if isinstance(i, Alert)), None)
    await query.answer(alert.text if alert else None, show_alert=bool(alert and alert.popup))
    message = query.message
    if not isinstance(message, Message):
        return  # an inline or too old message: nothing to edit or answer into
    for item in items:
        if isinstance(item, Screen) and not item.new and message.text is not None:
            await _edit(message, item)
        elif not isinstance(item, Alert):
            # A photo or document has no text to edit: the view comes anew.
            await _to_chat(message, item)


async def _edit(message: Message, screen: Screen) -> None:
    try:
        await message.edit_text(screen.text, reply_markup=markup(screen.rows))
    except TelegramBadRequest as error:
        # The same button pressed twice: the view is already on screen.
        if "message is not modified" not in error.message:
            raise


async def _to_chat(message: Message, item: Reply) -> None:
    if isinstance(item, Screen):
        await message.answer(item.text, reply_markup=markup(item.rows))
    elif isinstance(item, Alert):
        await message.answer(item.text)
    elif isinstance(item, Media):
        send = message.answer_photo if item.kind == "photo" else message.answer_document
        await send(item.file_id, caption=item.caption or None)
    elif isinstance(item, Photo):
        await message.answer_photo(BufferedInputFile(await _made(item.png), item.filename),
                                   caption=item.caption or None, reply_markup=markup(item.rows))
    else:
        await message.answer_document(BufferedInputFile(await _made(item.data), item.filename),
                                      caption=item.caption or None)


async def _made(data: Bytes) -> bytes:
    return data if isinstance(data, bytes) else await asyncio.to_thread(data)


_last: tuple[type[Payload] | None, str, Payload | None] = (None, "", None)


class On(Filter):
    """`@router.callback_query(On(MarksCb, v=MarksView.RECENT))`: the press carries a valid
    MarksCb with those field values; the handler gets it as `callback_data`. A payload of
    the right prefix that does not unpack falls through to the fallback's refusal."""

    def __init__(self, kind: type[Payload], **expected: Any) -> None:
        self.kind = kind
        self.expected = expected

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        raw = query.data or ""
        if not self.kind.matches(raw):
            return False
        # A press passes several `On` filters of its kind (the menu's one per area): it is
        # unpacked once. Payloads are frozen, so one value is safely shared.
        global _last
        kind, last_raw, value = _last
        if kind is not self.kind or last_raw != raw:
            try:
                value = self.kind.unpack(raw)
            except ValueError:
                value = None
            _last = (self.kind, raw, value)
        if value is None:
            return False
        if any(getattr(value, k) != v for k, v in self.expected.items()):
            return False
        return {"callback_data": value}
