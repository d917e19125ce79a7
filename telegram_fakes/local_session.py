"""An aiogram session that plays Telegram in-process: `diary demo` and the tests run the real
Bot and Dispatcher against it, and nothing touches the network.

Every request is recorded and answered with a result built locally, typed like Telegram's.
Where Telegram would refuse a request (bad HTML, an edit that changes nothing, a message too
long, callback data over 64 bytes, a blocked user) this session refuses it the same way, so a
bug that would only show in production fails a test instead.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import mimetypes
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
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

if TYPE_CHECKING:
    from aiogram import Bot

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
CALLBACK_DATA_LIMIT = 64  # bytes
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")

# Methods that only acknowledge; deleteMessage also forgets the message (see _acknowledge).
_ACKNOWLEDGED = (AnswerCallbackQuery, SetMyCommands, DeleteMyCommands, DeleteWebhook,
                 SendChatAction, DeleteMessage)
_SENDS = (SendMessage, SendPhoto, SendDocument)
_EDITS = (EditMessageText, EditMessageCaption, EditMessageReplyMarkup)

ChatId = int | str
MessageKey = tuple[ChatId, int]


@dataclass(eq=False)
class Record:
    """One request the bot made, with what "Telegram" answered (or the error it raised)."""

    method: str  # the API name: "sendMessage", "editMessageText", "answerCallbackQuery"…
    call: TelegramMethod[Any]  # the method object exactly as the bot built it
    chat_id: ChatId | None
    seq: int = 0  # position in the session's history, never reused (survives clear())
    result: Any = None
    error: TelegramAPIError | None = None
    file_bytes: bytes | None = None  # what was uploaded with sendPhoto/sendDocument

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> Message | None:
        """The message as it stands after this request (sent or edited)."""
        return self.result if isinstance(self.result, Message) else None

    @property
    def message_id(self) -> int | None:
        return self.message.message_id if self.message else None

    @property
    def is_edit(self) -> bool:
        return isinstance(self.call, _EDITS)

    @property
    def text(self) -> str | None:
        """Text or caption as the user sees it (HTML already rendered)."""
        if self.message is None:
            return None
        return self.message.text if self.message.text is not None else self.message.caption

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return inline_buttons(self.message)

    @property
    def document_bytes(self) -> bytes | None:
        return self.file_bytes if isinstance(self.call, SendDocument) else None

    @property
    def photo_bytes(self) -> bytes | None:
        return self.file_bytes if isinstance(self.call, SendPhoto) else None

    @property
    def filename(self) -> str | None:
        message = self.message
        return message.document.file_name if message and message.document else None

    @property
    def callback_query_id(self) -> str | None:
        return self.call.callback_query_id if isinstance(self.call, AnswerCallbackQuery) else None

    @property
    def alert(self) -> str | None:
        """The toast or alert text of an answerCallbackQuery."""
        return self.call.text if isinstance(self.call, AnswerCallbackQuery) else None

    @property
    def show_alert(self) -> bool:
        return isinstance(self.call, AnswerCallbackQuery) and bool(self.call.show_alert)


def inline_buttons(message: Message | None) -> list[tuple[str, str]]:
    """(text, callback_data or url) of every inline button, in reading order."""
    markup = message.reply_markup if message else None
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [(b.text, b.callback_data or b.url or "") for row in markup.inline_keyboard
            for b in row]


class LocalSession(BaseSession):
    """Telegram in a box: records requests and answers them locally.

    `messages` holds the current state of every message the bot sent, keyed by
    (chat_id, message_id), so an edit in place is visible. `on_event` (a plain callable) is
    told about every record as it happens; the console prints through it.
    """

    def __init__(self, *, bot_username: str = "diary_demo_bot", bot_name: str = "Diary",
                 on_event: Callable[[Record], object] | None = None) -> None:
        super().__init__()
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.on_event = on_event
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
        """Forget the request log; message state stays, so old messages remain editable."""
        self.requests.clear()

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
        try:
            record.result = await self._answer(bot, method, record)
        except TelegramAPIError as error:
            record.error = error
            raise
        finally:
            if self.on_event is not None:
                self.on_event(record)
        return cast(TelegramType, record.result)

    # --- emulation --------------------------------------------------------------------------

    async def _answer(self, bot: Bot, method: TelegramMethod[Any], record: Record) -> Any:
        if record.chat_id is not None and record.chat_id in self._forbidden:
            raise TelegramForbiddenError(method=method, message=BLOCKED)
        if isinstance(method, _SENDS):
            return await self._send(bot, method, record)
        if isinstance(method, _EDITS):
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
            text, entities = _render(method, method.text, parse_mode, method.entities)
            content = {"text": text, "entities": entities}
        else:
            content = {}
            if method.caption is not None:
                caption, entities = _render(method, method.caption, parse_mode,
                                            method.caption_entities, CAPTION_LIMIT)
                content = {"caption": caption, "caption_entities": entities}
            content |= await self._attach(bot, method, record)
        markup = method.reply_markup
        markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        _check_markup(method, markup)
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
        _check_markup(method, method.reply_markup)
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
            if method.text and len(method.text) > ALERT_LIMIT:
                raise TelegramBadRequest(method=method, message="Bad Request: MESSAGE_TOO_LONG")
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


def _render(method: TelegramMethod[Any], source: str, parse_mode: str | None,
            entities: list[MessageEntity] | None,
            limit: int = TEXT_LIMIT) -> tuple[str, list[MessageEntity] | None]:
    """Text and entities as Telegram would store them, with its refusals."""
    text = source
    if entities is None and parse_mode and parse_mode.lower() == "html":
        try:
            text, entities = parse_html(source)
        except ValueError as error:
            raise TelegramBadRequest(
                method=method, message=f"Bad Request: can't parse entities: {error}") from None
    what = "message text" if limit == TEXT_LIMIT else "message caption"
    if limit == TEXT_LIMIT and not text.strip():
        raise TelegramBadRequest(method=method, message="Bad Request: message text is empty")
    if len(text) > limit:
        raise TelegramBadRequest(method=method, message=f"Bad Request: {what} is too long")
    return text, entities or None


def _new_text(bot: Bot, method: EditMessageText, current: Message) -> dict[str, Any]:
    if current.text is None:
        raise TelegramBadRequest(method=method,
                                 message="Bad Request: there is no text in the message to edit")
    if method.text is None:
        raise TelegramBadRequest(method=method, message="Bad Request: text must be non-empty")
    text, entities = _render(method, method.text, _resolve(bot, method.parse_mode),
                             method.entities)
    return {"text": text, "entities": entities}


def _new_caption(bot: Bot, method: EditMessageCaption, current: Message) -> dict[str, Any]:
    if current.text is not None:
        raise TelegramBadRequest(
            method=method, message="Bad Request: there is no caption in the message to edit")
    if method.caption is None:
        return {"caption": None, "caption_entities": None}
    caption, entities = _render(method, method.caption, _resolve(bot, method.parse_mode),
                                method.caption_entities, CAPTION_LIMIT)
    return {"caption": caption, "caption_entities": entities}


def _content(message: Message) -> Any:
    """What Telegram compares to decide that an edit changes nothing."""
    return message.model_dump(include={"text", "entities", "caption", "caption_entities",
                                       "reply_markup"})


def _check_markup(method: TelegramMethod[Any], markup: InlineKeyboardMarkup | None) -> None:
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            data = button.callback_data
            if data is not None and not 0 < len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise TelegramBadRequest(method=method,
                                         message="Bad Request: BUTTON_DATA_INVALID")


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


# --- Telegram's HTML parse mode -------------------------------------------------------------

_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}


_NAMED = {"lt", "gt", "amp", "quot"}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # entity offsets count UTF-16 code units


@dataclass
class _Open:
    tag: str
    offset: int
    attrs: dict[str, str | None] = field(default_factory=dict)


class _TelegramHtml(HTMLParser):
    """Turns Telegram-flavoured HTML into plain text plus entities, refusing what Telegram
    refuses (unsupported or unbalanced tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.length = 0  # UTF-16 units so far ("offset" is HTMLParser's own attribute)
        self.stack: list[_Open] = []
        self.entities: list[MessageEntity] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in _ENTITY_TYPES or (tag == "span" and found.get("class") != "tg-spoiler"):
            raise ValueError(f'Unsupported start tag "{tag}"')
        self.stack.append(_Open(tag, self.length, found))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise ValueError(f'Unexpected end tag "{tag}"')
        opened = self.stack.pop()
        if opened.tag != tag:
            raise ValueError(f'Unmatched end tag "</{tag}>", expected "</{opened.tag}>"')
        length = self.length - opened.offset
        if opened.tag == "code" and self.stack and self.stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            self.stack[-1].attrs.setdefault("class", opened.attrs.get("class"))
        elif length:
            self.entities.append(self._entity(opened, length))

    def _entity(self, opened: _Open, length: int) -> MessageEntity:
        attrs = opened.attrs
        language = (attrs.get("class") or "").removeprefix("language-") or None
        if opened.tag == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        else:
            kind = _ENTITY_TYPES[opened.tag]
        return MessageEntity(type=kind, offset=opened.offset, length=length,
                             url=attrs.get("href") if opened.tag == "a" else None,
                             language=language if opened.tag == "pre" else None,
                             custom_emoji_id=attrs.get("emoji-id"))

    def handle_data(self, data: str) -> None:
        # Telegram reads every raw "<" as a tag; HTMLParser passes "<5" or "a < b" as text.
        if "<" in data:
            tag = data.split("<", 1)[1].split(">", 1)[0].split(" ", 1)[0]
            raise ValueError(f'Unsupported start tag "{tag}"')
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        # Telegram knows these four named entities; any other stays as typed.
        self._text(html.unescape(f"&{name};") if name in _NAMED else f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(html.unescape(f"&#{name};"))

    def _text(self, text: str) -> None:
        self.parts.append(text)
        self.length += _utf16_len(text)

    def handle_comment(self, data: str) -> None:
        raise ValueError("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise ValueError("Unsupported declaration")


def parse_html(source: str) -> tuple[str, list[MessageEntity]]:
    """Plain text and entities of a parse_mode=HTML text; ValueError where Telegram fails."""
    parser = _TelegramHtml()
    parser.feed(source)
    parser.close()
    if parser.stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1].tag}"')
    entities = sorted(parser.entities, key=lambda e: (e.offset, -e.length))
    return "".join(parser.parts), entities
