"""Sending a view: edit the message a button belongs to, or answer a command; split long
text within Telegram's 4096-character limit."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from screens.html_text import shorten

LIMIT = 4096


async def show(target: Message | CallbackQuery, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    """Navigation edits the same message; a command gets a new one."""
    if isinstance(target, CallbackQuery):
        await target.answer()
        message = target.message
        if isinstance(message, Message):
            if message.text is not None:
                try:
                    await message.edit_text(text, reply_markup=markup)
                except TelegramBadRequest as error:
                    # The same button pressed twice: the view is already on screen.
                    if "message is not modified" not in error.message:
                        raise
                return
            # A photo or document has no text to edit: send the view anew.
            await message.answer(text, reply_markup=markup)
        return
    await target.answer(text, reply_markup=markup)


def grid(count: int, width: int) -> list[int]:
    """Row widths for `count` buttons laid out `width` to a row, for InlineKeyboardBuilder
    .adjust(*grid(...), *then): the rows of what follows the grid come after it."""
    full, rest = divmod(count, width)
    return [width] * full + ([rest] if rest else [])


def paginate(lines: list[str], header: str = "", limit: int = LIMIT - 200) -> list[str]:
    """Group lines into pages below the limit (room left for a page footer); a line is
    never split, an overlong one is cut."""
    pages: list[str] = []
    current = header
    for line in lines:
        line = shorten(line, limit // 2)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current != header:
            pages.append(current)
            candidate = f"{header}\n{line}" if header else line
        current = candidate
    pages.append(current)
    return pages
