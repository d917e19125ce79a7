"""Outer middlewares: one transaction per update, then the account and its language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from screens.i18n import translator
from services import access, accounts

MAX_ID = 2**31 - 1  # ids are PostgreSQL integers; dates packed as YYYYMMDD fit too


class DbSessionMiddleware(BaseMiddleware):
    """Unit of work: commit when the handler returns, roll back when it raises."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        maker: async_sessionmaker[AsyncSession] = data["sessionmaker"]
        async with maker.begin() as session:
            data["session"] = session
            return await handler(event, data)


class AccountMiddleware(BaseMiddleware):
    """Loads (or creates) the account of whoever sent the update and picks its language."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        if user is None or user.is_bot:
            return None  # channel posts and the like: nothing to answer
        account = await accounts.get_or_create(
            data["session"], user.id, chat.id if chat else user.id, user.language_code,
            data.get("default_locale", "ru"),
        )
        data["account"] = account
        data["t"] = translator(account.locale)
        return await handler(event, data)


class CallbackSanityMiddleware(BaseMiddleware):
    """Forged callback data with numbers no id can have (beyond 32 bits) is refused here,
    before any handler or query sees it."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, CallbackQuery) and _has_impossible_number(event.data or ""):
            await access.audit(data["session"], "access_denied", account_id=data["account"].id,
                               what="malformed_callback")
            await event.answer(data["t"]("not-available"), show_alert=True)
            return None
        return await handler(event, data)


def _has_impossible_number(callback_data: str) -> bool:
    return any(part.lstrip("-").isdigit() and abs(int(part)) > MAX_ID
               for part in callback_data.split(":"))
