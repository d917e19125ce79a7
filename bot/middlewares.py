"""Outer middlewares, in the order an update meets them:

1. `PrivateChatsOnly`: an update from a group, supergroup or channel changes no account
   and shows no data; the bot says once, briefly, that it works in a private chat.
2. `OneAtATimePerChat`: a chat's updates are handled in the order they came, one at a
   time, so a flood from one chat takes one lane and other chats are not queued behind it.
3. `UnitOfWork`: one transaction per update. The handler's service work runs in it and
   commits (or rolls back) before the reply goes out: the handler returns screens and this
   middleware sends them after the commit, so no connection or row lock waits on Telegram
   and nothing is said that was not stored. A domain error rolls the work back, unless it
   `keeps_work` (a failed link code: its attempt row is what the limit counts). The
   transaction begins at the first statement that writes or locks, so an update that only
   reads sends no BEGIN and no COMMIT (`services.db.begin_on_first_write`).
4. `AccountMiddleware`: the account of whoever sent the update, and its language.

And on messages, `CommandLeavesConversation`: a command ends a half-finished conversation
(a link code awaited, say), so what is typed after it is not read as that conversation's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject, Update, User
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import replies
from screens.common import private_only_notice
from screens.i18n import translator
from services import accounts
from services.db import begin_on_first_write
from services.errors import DiaryError

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
_JOINED = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR}


class PrivateChatsOnly(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if chat is None or chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        assert isinstance(event, Update)
        if _wants_notice(event):
            user: User | None = data.get("event_from_user")
            t = translator(user.language_code if user and user.language_code
                           else data.get("default_locale", "ru"))
            notice = private_only_notice(t, data.get("bot_username", ""),
                                         as_alert=event.callback_query is not None)
            try:
                await replies.send(event.event, notice)
            except TelegramAPIError as error:
                # Removed from the group, say: nobody's account is touched for it.
                log.info("group notice to chat %s not sent: %s", chat.id, type(error).__name__)
        return None


def _wants_notice(update: Update) -> bool:
    """Commands, button presses and the bot being added; other group chatter gets silence."""
    if update.callback_query is not None:
        return True
    if update.my_chat_member is not None:
        return update.my_chat_member.new_chat_member.status in _JOINED
    message = update.message
    return message is not None and (message.text or "").startswith("/")


class OneAtATimePerChat(BaseMiddleware):
    """Within one process; across processes Telegram's own per-chat order is what holds."""

    def __init__(self) -> None:
        self._lanes: dict[int, tuple[asyncio.Lock, int]] = {}

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if chat is None:
            return await handler(event, data)
        async with self._lane(chat.id):
            return await handler(event, data)

    @asynccontextmanager
    async def _lane(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._lanes.get(chat_id, (asyncio.Lock(), 0))
        self._lanes[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._lanes[chat_id]
            if users == 1:
                del self._lanes[chat_id]  # idle chats cost no memory
            else:
                self._lanes[chat_id] = (lock, users - 1)


class UnitOfWork(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        try:
            result = await self._work(handler, event, data)
        except DBAPIError as error:
            # The pool does not ping before each checkout: a connection that died with its
            # server (a PostgreSQL restart) fails its first statement, and SQLAlchemy then
            # drops the whole pool. Failing there, the update has read nothing and written
            # nothing (the account is the first statement), so it is tried once more on a
            # fresh connection.
            if not error.connection_invalidated or "account" in data:
                raise
            log.warning("database connection lost before update %s: tried once more",
                        getattr(event, "update_id", "?"))
            result = await self._work(handler, event, data)
        if replies.is_reply(result):
            assert isinstance(event, Update)
            await replies.send(event.event, result)
            return True
        return result

    async def _work(self, handler: Handler, event: TelegramObject,
                    data: dict[str, Any]) -> Any:
        maker: async_sessionmaker[AsyncSession] = data["sessionmaker"]
        kept: DiaryError | None = None
        async with maker.begin() as session:
            # Reads run without BEGIN/COMMIT; the first write begins the transaction.
            await begin_on_first_write(session)
            data["session"] = session
            try:
                result = await handler(event, data)
            except DiaryError as error:
                if not error.keeps_work:
                    raise
                kept = error  # committed as the block ends, then answered by the errors router
            finally:
                del data["session"]  # the errors router must not use a closed session
        if kept is not None:
            raise kept
        return result


class AccountMiddleware(BaseMiddleware):
    """Loads (or creates) the account of whoever sent the update and picks its language."""

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
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


class CommandLeavesConversation(BaseMiddleware):
    """Any command clears the conversation state before its handler runs; a handler that
    starts a conversation of its own (/start without a code) sets it afresh."""

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if (isinstance(event, Message) and (event.text or "").startswith("/")
                and state is not None):
            await state.clear()
            data["raw_state"] = None  # what the routers' state filters read
        return await handler(event, data)
