"""An aiogram session that plays Telegram in-process: `diary demo` and the tests run the real
Bot and Dispatcher against it, and nothing touches the network.

Every request is recorded and answered with a result built locally, typed like Telegram's.
Where Telegram would refuse a request (bad HTML, an edit that changes nothing, a message too
long, callback data over 64 bytes, a blocked user) this session refuses it the same way, so a
bug that would only show in production fails a test instead. What Telegram accepts is
decided by `telegram_fakes.rules`, the same rulebook the fake server uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import mimetypes
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteMyCommands,
    DeleteWebhook,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendChatAction,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    Chat,
    Document,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    PhotoSize,
    URLInputFile,
    User,
)

from telegram_fakes import rules
from telegram_fakes.record import EDITS, ChatId, MessageKey, Record, inline_buttons

if TYPE_CHECKING:
    from aiogram import Bot

BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")

# Methods that only acknowledge; deleteMessage also forgets the message (see _acknowledge).
_ACKNOWLEDGED = (AnswerCallbackQuery, SetMyCommands, DeleteMyCommands, DeleteWebhook,
                 SendChatAction, DeleteMessage)
_SENDS = (SendMessage, SendPhoto, SendDocument)

__all__ = ["LocalSession", "Record", "inline_buttons"]


class LocalSession(BaseSession):
    """Telegram in a box: records requests and answers them locally.

    `messages` holds the current state of every message the bot sent, keyed by
    (chat_id, message_id), so an edit in place is visible. `on_event` (a plain callable) is
    told about every record as it happens; the console prints through it.

    `latency` plays a slow Telegram: every request waits that many seconds before it is
    answered (its record is in `requests` from the start, with neither result nor error).
    `in_flight` counts the requests waiting right now, `max_in_flight` the most at once.
    """

    def __init__(self, *, bot_username: str = "diary_demo_bot", bot_name: str = "Diary",
                 on_event: Callable[[Record], object] | None = None,
                 latency: float = 0.0) -> None:
        super().__init__()
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.on_event = on_event
        self.latency = latency
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[Record] = []
        self.messages: dict[MessageKey, Message] = {}
        self._forbidden: set[ChatId] = set()
        self._answered: set[str] = set()
        # Telegram numbers a private chat's messages in one sequence for both sides, so
        # ChatClient takes the ids of the user's messages from here too.
        self._message_ids: dict[ChatId, itertools.count[int]] = {}
        self._seq = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    # --- what tests and the console use ---------------------------------------------------

    def forbid_chat(self, chat_id: ChatId) -> None:
        """From now on, requests to this chat fail as if the user had blocked the bot."""
        self._forbidden.add(_normalize(chat_id))

    def allow_chat(self, chat_id: ChatId) -> None:
        self._forbidden.discard(_normalize(chat_id))

    def sent_to(self, chat_id: ChatId) -> list[Message]:
        """Messages sent or edited in this chat, in order (an edit appears as a new entry)."""
        chat_id = _normalize(chat_id)
        return [r.message for r in self.requests
                if r.ok and r.chat_id == chat_id and r.message is not None]

    def clear(self) -> None:
        """Forget the request log and the in-flight peak; message state stays, so old
        messages remain editable."""
        self.requests.clear()
        self.max_in_flight = self.in_flight

    def next_message_id(self, chat_id: ChatId) -> int:
        return next(self._message_ids.setdefault(_normalize(chat_id), itertools.count(1)))

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def bot_user(self, bot: Bot) -> User:
        return User(id=bot.id, is_bot=True, first_name=self.bot_name,
                    username=self.bot_username)

    # --- BaseSession ------------------------------------------------------------------------

    async def close(self) -> None:
        """Nothing to close: there is no connection."""

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None,
                             timeout: int = 30, chunk_size: int = 65536,  # noqa: ASYNC109 (BaseSession's)
                             raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        """Downloads are not emulated: an empty stream."""
        return
        yield b""  # unreachable: makes this an async generator, as BaseSession expects

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's)
                           ) -> TelegramType:
        record = Record(method=method.__api_method__, call=method,
                        chat_id=_chat_of(method), seq=next(self._seq))
        self.requests.append(record)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            record.result = await self._answer(bot, method, record)
        except rules.Refused as refusal:
            record.error = TelegramBadRequest(method=method, message=refusal.description)
            raise record.error from None
        except TelegramAPIError as error:
            record.error = error
            raise
        finally:
            self.in_flight -= 1
            if self.on_event is not None:
                self.on_event(record)
        return cast(TelegramType, record.result)

    # --- emulation --------------------------------------------------------------------------

    async def _answer(self, bot: Bot, method: TelegramMethod[Any], record: Record) -> Any:
        if record.chat_id is not None and record.chat_id in self._forbidden:
            raise TelegramForbiddenError(method=method, message=BLOCKED)
        if isinstance(method, _SENDS):
            return await self._send(bot, method, record)
        if isinstance(method, EDITS):
            return self._edit(bot, method)
        if isinstance(method, _ACKNOWLEDGED):
            return self._acknowledge(method)
        if isinstance(method, GetMe):
            return self.bot_user(bot)
        raise TelegramBadRequest(
            method=method,
            message=f"Bad Request: method {method.__api_method__} is not emulated by "
                    "LocalSession")

    async def _send(self, bot: Bot, method: SendMessage | SendPhoto | SendDocument,
                    record: Record) -> Message:
        chat = _chat(method, record.chat_id)
        parse_mode = _resolve(bot, method.parse_mode)
        content: dict[str, Any]
        if isinstance(method, SendMessage):
            text, entities = _render(method.text, parse_mode, method.entities)
            content = {"text": text, "entities": entities}
        else:
            content = {}
            if method.caption is not None:
                caption, entities = _render(method.caption, parse_mode,
                                            method.caption_entities, is_caption=True)
                if caption:  # one that parses to nothing is no caption
                    content = {"caption": caption, "caption_entities": entities}
            content |= await self._attach(bot, method, record)
        markup = method.reply_markup
        markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        _check_markup(markup)
        message = Message(message_id=self.next_message_id(chat.id),
                          date=dt.datetime.now(dt.UTC), chat=chat,
                          from_user=self.bot_user(bot), reply_markup=markup,
                          **content).as_(bot)
        self.messages[(chat.id, message.message_id)] = message
        return message

    async def _attach(self, bot: Bot, method: SendPhoto | SendDocument,
                      record: Record) -> dict[str, Any]:
        """The file part of a photo/document message; the uploaded bytes go to the record."""
        upload = method.photo if isinstance(method, SendPhoto) else method.document
        data, name = await _read(bot, upload)
        record.file_bytes = data
        n = next(self._file_ids)
        file_id = upload if isinstance(upload, str) else f"local-file-{n}"
        unique_id, size = f"local-unique-{n}", len(data) if data else None
        if isinstance(method, SendPhoto):
            width, height = _png_size(data)
            return {"photo": [PhotoSize(file_id=file_id, file_unique_id=unique_id, width=width,
                                        height=height, file_size=size)]}
        mime = mimetypes.guess_type(name)[0] if name else None
        return {"document": Document(file_id=file_id, file_unique_id=unique_id, file_name=name,
                                     mime_type=mime, file_size=size)}

    def _edit(self, bot: Bot,
              method: EditMessageText | EditMessageCaption | EditMessageReplyMarkup,
              ) -> Message | bool:
        if method.inline_message_id is not None:
            return True  # inline messages live in other chats: not tracked
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method=method,
                                     message="Bad Request: message identifier is not specified")
        key = (_normalize(method.chat_id), method.message_id)
        current = self.messages.get(key)
        if current is None:
            raise TelegramBadRequest(method=method,
                                     message="Bad Request: message to edit not found")
        # As in Telegram, an edit without reply_markup removes the inline keyboard.
        changes: dict[str, Any] = {"reply_markup": method.reply_markup}
        _check_markup(method.reply_markup)
        if isinstance(method, EditMessageText):
            changes |= _new_text(bot, method, current)
        elif isinstance(method, EditMessageCaption):
            changes |= _new_caption(bot, method, current)
        edited = current.model_copy(update=changes)
        if _content(edited) == _content(current):
            raise TelegramBadRequest(method=method, message=NOT_MODIFIED)
        stamp = int(dt.datetime.now(dt.UTC).timestamp())  # Message.edit_date is an int
        edited = edited.model_copy(update={"edit_date": stamp}).as_(bot)
        self.messages[key] = edited
        return edited

    def _acknowledge(self, method: TelegramMethod[Any]) -> bool:
        if isinstance(method, AnswerCallbackQuery):
            if method.callback_query_id in self._answered:
                raise TelegramBadRequest(
                    method=method,
                    message="Bad Request: query is too old and response timeout expired or "
                            "query ID is invalid")
            rules.check_alert(method.text)
            self._answered.add(method.callback_query_id)
        if isinstance(method, DeleteMessage):
            self.messages.pop((_normalize(method.chat_id), method.message_id), None)
        return True


# --- helpers --------------------------------------------------------------------------------


def _normalize(chat_id: ChatId) -> ChatId:
    """Numeric ids may arrive as strings; Telegram treats "123" and 123 alike."""
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return chat_id


def _chat_of(method: TelegramMethod[Any]) -> ChatId | None:
    chat_id = getattr(method, "chat_id", None)
    return _normalize(chat_id) if isinstance(chat_id, int | str) else None


def _chat(method: TelegramMethod[Any], chat_id: ChatId | None) -> Chat:
    if not isinstance(chat_id, int):
        raise TelegramBadRequest(method=method, message="Bad Request: chat not found")
    if chat_id > 0:
        return Chat(id=chat_id, type="private")
    return Chat(id=chat_id, type="supergroup" if str(chat_id).startswith("-100") else "group",
                title=f"Chat {chat_id}")


def _resolve(bot: Bot, value: Any) -> Any:
    """A method's Default(...) field, as aiogram would fill it in from the bot's defaults."""
    return bot.default[value.name] if isinstance(value, Default) else value


def _render(source: str, parse_mode: str | None, entities: list[MessageEntity] | None, *,
            is_caption: bool = False) -> tuple[str, list[MessageEntity] | None]:
    """Text and entities as Telegram would store them, with its refusals (rules.Refused)."""
    check = rules.caption if is_caption else rules.message_text
    # Explicit entities win over parse_mode, as in Telegram.
    result = check(source, parse_mode if entities is None else None)
    parsed = [MessageEntity(**entity.as_dict()) for entity in result.entities]
    return result.text, entities or parsed or None


def _new_text(bot: Bot, method: EditMessageText, current: Message) -> dict[str, Any]:
    if current.text is None:
        raise TelegramBadRequest(method=method,
                                 message="Bad Request: there is no text in the message to edit")
    if method.text is None:
        raise TelegramBadRequest(method=method, message="Bad Request: text must be non-empty")
    text, entities = _render(method.text, _resolve(bot, method.parse_mode), method.entities)
    return {"text": text, "entities": entities}


def _new_caption(bot: Bot, method: EditMessageCaption, current: Message) -> dict[str, Any]:
    if current.text is not None:
        raise TelegramBadRequest(
            method=method, message="Bad Request: there is no caption in the message to edit")
    if method.caption is None:
        return {"caption": None, "caption_entities": None}
    caption, entities = _render(method.caption, _resolve(bot, method.parse_mode),
                                method.caption_entities, is_caption=True)
    return {"caption": caption or None, "caption_entities": entities if caption else None}


def _content(message: Message) -> Any:
    """What Telegram compares to decide that an edit changes nothing."""
    return message.model_dump(include={"text", "entities", "caption", "caption_entities",
                                       "reply_markup"})


def _check_markup(markup: InlineKeyboardMarkup | None) -> None:
    rows = markup.inline_keyboard if markup else []
    rules.check_callback_data(button.callback_data for row in rows for button in row)


async def _read(bot: Bot, upload: InputFile | str) -> tuple[bytes | None, str | None]:
    """Bytes and file name of an upload; a file_id or URL string uploads nothing."""
    if isinstance(upload, str):
        return None, None
    if isinstance(upload, URLInputFile):
        return None, upload.filename
    chunks = [chunk async for chunk in upload.read(bot)]
    return b"".join(chunks), upload.filename


def _png_size(data: bytes | None) -> tuple[int, int]:
    if data and data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0
