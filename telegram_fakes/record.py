"""What LocalSession records: one `Record` per request the bot made, with Telegram's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, Message

EDITS = (EditMessageText, EditMessageCaption, EditMessageReplyMarkup)

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
        return isinstance(self.call, EDITS)

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
