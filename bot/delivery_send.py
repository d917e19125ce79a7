"""Pieces of the delivery worker (bot.delivery): one push as one Bot API request, the
errors it tells apart, and the lease it sends under."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramServerError
from aiogram.types import Message
from sqlalchemy.exc import SQLAlchemyError

from handlers.replies import markup
from screens.base import Rows
from services.delivery_queue import ChatBatch

RETRYABLE = (TelegramServerError, TelegramNetworkError, aiohttp.ClientError, TimeoutError)
# The database is away (restarting, unreachable): asyncpg raises some of these while
# connecting without SQLAlchemy wrapping them (e.g. "the database system is starting up").
DB_DOWN = (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Lease:
    """When (loop time) the lease on a batch's rows ends; renewals move it."""

    ends: float


async def send_push(bot: Bot, chat_id: int, text: str, rows: Rows,
                    media: tuple[str, str] | None, seconds: int, *, paid: bool) -> Message:
    """sendMessage; or, for a push with a photo or document (by file_id), that file with
    the text as its caption. `paid`: under Telegram's paid broadcast limit."""
    extra: dict[str, Any] = {"reply_markup": markup(rows), "request_timeout": seconds}
    if paid:
        extra["allow_paid_broadcast"] = True
    if media is not None and media[0] == "photo":
        return await bot.send_photo(chat_id, media[1], caption=text, **extra)
    if media is not None:
        return await bot.send_document(chat_id, media[1], caption=text, **extra)
    return await bot.send_message(chat_id, text, **extra)


def is_paid(batch: ChatBatch, row_ids: Sequence[int], min_audience: int | None) -> bool:
    """Whether a message goes as a paid broadcast: the option is on (`min_audience` set)
    and the message carries an urgent notice to at least that many chats."""
    if min_audience is None:
        return False
    wanted = set(row_ids)
    return any(r.broadcast_audience >= min_audience for r in batch.rows if r.id in wanted)


def describe(exc: Exception) -> str:
    if isinstance(exc, TelegramAPIError):
        return f"{type(exc).__name__}: {exc.message}"[:200]
    return type(exc).__name__
