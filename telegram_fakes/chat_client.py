"""Talk to a Dispatcher like a Telegram user: real `Update` objects go through
`dp.feed_update`, and the bot's answers come back as `Record`s from the LocalSession.

Several clients (different user ids) may share one bot and session.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    Sticker,
    Update,
    User,
    Voice,
)

from telegram_fakes.local_session import LocalSession, Record, inline_buttons

_query_ids = itertools.count(1)
_file_ids = itertools.count(1)


class ChatClient:
    """One user in a private chat with the bot (chat id == user id)."""

    def __init__(self, dp: Dispatcher, bot: Bot, user_id: int, *, first_name: str = "Тест",
                 language_code: str = "ru") -> None:
        if not isinstance(bot.session, LocalSession):
            raise TypeError("ChatClient needs a Bot built with session=LocalSession()")
        self.dp = dp
        self.bot = bot
        self.session: LocalSession = bot.session
        self.user_id = user_id
        self.user = User(id=user_id, is_bot=False, first_name=first_name,
                         language_code=language_code)
        self.chat = Chat(id=user_id, type="private", first_name=first_name)

    # --- the user acts ----------------------------------------------------------------------

    async def send(self, text: str) -> list[Record]:
        """Send a text message; a leading /command is marked as Telegram marks it."""
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [MessageEntity(type="bot_command", offset=0,
                                      length=len(command.encode("utf-16-le")) // 2)]
        return await self._send_message(text=text, entities=entities)

    async def send_sticker(self, emoji: str = "🙂") -> list[Record]:
        file_id, unique_id = _file_ids_for("sticker")
        return await self._send_message(sticker=Sticker(
            file_id=file_id, file_unique_id=unique_id, type="regular", width=512, height=512,
            is_animated=False, is_video=False, emoji=emoji))

    async def send_photo(self, caption: str | None = None) -> list[Record]:
        file_id, unique_id = _file_ids_for("photo")
        photo = PhotoSize(file_id=file_id, file_unique_id=unique_id, width=320, height=240)
        return await self._send_message(photo=[photo], caption=caption)

    async def send_voice(self, duration: int = 3) -> list[Record]:
        file_id, unique_id = _file_ids_for("voice")
        return await self._send_message(voice=Voice(
            file_id=file_id, file_unique_id=unique_id, duration=duration, mime_type="audio/ogg"))

    async def click(self, callback_data: str, message: Message | None = None) -> list[Record]:
        """Press a button with this callback_data on `message` (by default the latest bot
        message with a keyboard, else the latest bot message, else an old one: see
        `_earlier_message`)."""
        target = (message or self.keyboard_message or self.last_message
                  or self._earlier_message(callback_data))
        query_id = f"q{next(_query_ids)}"
        query = CallbackQuery(id=query_id, from_user=self.user,
                              chat_instance=f"ci{self.user_id}", message=target,
                              data=callback_data)
        return await self._feed(Update(update_id=self.session.next_update_id(),
                                       callback_query=query), query_id)

    async def press(self, button: str | int) -> list[Record]:
        """Press a button of the latest keyboard by its text (exact, else a unique substring)
        or by its 1-based number in reading order."""
        message = self.keyboard_message
        if message is None:
            raise AssertionError(f"chat {self.user_id}: no message with a keyboard")
        found = _find_button(_buttons_of(message), button)
        if found.callback_data is None:
            raise AssertionError(f"button {found.text!r} has no callback_data "
                                 f"(url={found.url!r})")
        return await self.click(found.callback_data, message)

    # --- what the user sees -----------------------------------------------------------------

    @property
    def last_message(self) -> Message | None:
        """The latest message the bot sent or edited in this chat, as it stands now."""
        history = self.session.sent_to(self.user_id)
        if history:
            last = history[-1]
            return self.session.messages.get((self.user_id, last.message_id), last)
        mine = [m for (chat, _), m in self.session.messages.items() if chat == self.user_id]
        return max(mine, key=lambda m: m.message_id, default=None)

    @property
    def last_text(self) -> str | None:
        message = self.last_message
        if message is None:
            return None
        return message.text if message.text is not None else message.caption

    @property
    def keyboard_message(self) -> Message | None:
        """The newest bot message in this chat that currently has inline buttons."""
        with_keyboard = [m for (chat, _), m in self.session.messages.items()
                         if chat == self.user_id and _buttons_of(m)]
        return max(with_keyboard, key=lambda m: m.message_id, default=None)

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data or url) of the latest keyboard."""
        return inline_buttons(self.keyboard_message)

    # --- plumbing ---------------------------------------------------------------------------

    def _earlier_message(self, callback_data: str) -> Message:
        """A bot message from before this session (say, before a restart) carrying the
        button: how a stale or forged callback reaches a fresh chat. It is registered with
        the session, as Telegram still has it, so the bot may edit it."""
        button = InlineKeyboardButton(text="…", callback_data=callback_data)
        message = Message(message_id=self.session.next_message_id(self.user_id),
                          date=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                          chat=self.chat, from_user=self.session.bot_user(self.bot),
                          text="…", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
        self.session.messages[(self.user_id, message.message_id)] = message
        return message

    async def _send_message(self, **content: Any) -> list[Record]:
        message = Message(message_id=self.session.next_message_id(self.user_id),
                          date=dt.datetime.now(dt.UTC), chat=self.chat, from_user=self.user,
                          **content)
        return await self._feed(Update(update_id=self.session.next_update_id(),
                                       message=message))

    async def _feed(self, update: Update, query_id: str | None = None) -> list[Record]:
        """Feed one update; return what the bot did in this chat (and to this query)."""
        start = self.session.requests[-1].seq if self.session.requests else 0
        await self.dp.feed_update(self.bot, update)
        return [r for r in self.session.requests
                if r.seq > start and r.ok
                and (r.chat_id == self.user_id
                     or (query_id is not None and r.callback_query_id == query_id))]


def _file_ids_for(kind: str) -> tuple[str, str]:
    """A plausible (file_id, file_unique_id) pair for something the user uploads."""
    n = next(_file_ids)
    return f"user-{kind}-{n}", f"user-{kind}-u{n}"


def _buttons_of(message: Message) -> list[InlineKeyboardButton]:
    markup = message.reply_markup
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [button for row in markup.inline_keyboard for button in row]


def _find_button(buttons: list[InlineKeyboardButton],
                 wanted: str | int) -> InlineKeyboardButton:
    listing = ", ".join(f"[{i}] {b.text!r}" for i, b in enumerate(buttons, 1))
    if isinstance(wanted, int):
        if 1 <= wanted <= len(buttons):
            return buttons[wanted - 1]
        raise AssertionError(f"no button number {wanted}; buttons: {listing}")
    exact = [b for b in buttons if b.text == wanted]
    partial = [b for b in buttons if wanted in b.text]
    matches = exact or partial
    if len(matches) == 1:
        return matches[0]
    problem = "ambiguous" if matches else "no"
    raise AssertionError(f"{problem} button {wanted!r}; buttons: {listing}")
