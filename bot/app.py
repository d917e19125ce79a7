"""The composition root: one factory builds the Bot and the Dispatcher for `diary run`,
`diary demo`, the webhook app and the tests alike."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares import AccountMiddleware, CallbackSanityMiddleware, DbSessionMiddleware
from bot.settings import Settings
from handlers import routers

log = logging.getLogger(__name__)


def build_bot(token: str, *, api_url: str | None = None,
              session: BaseSession | None = None) -> Bot:
    if session is None and api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    # HTML lets us mark replaced lessons and hide marks behind spoilers; every value put
    # into a message is escaped by the renderers.
    return Bot(token, session=session,
               default=DefaultBotProperties(parse_mode=ParseMode.HTML,
                                            link_preview_is_disabled=True))


def make_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return MemoryStorage()


def build_dispatcher(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings | None = None,
    *, storage: BaseStorage | None = None,
) -> Dispatcher:
    settings = settings or Settings()
    dp = Dispatcher(
        storage=storage or make_storage(settings),
        sessionmaker=sessionmaker,
        default_locale=settings.default_locale,
        bot_username=settings.bot_username,
        code_secret=settings.code_key(),
    )
    dp.update.outer_middleware(DbSessionMiddleware())
    dp.update.outer_middleware(AccountMiddleware())
    dp.callback_query.outer_middleware(CallbackSanityMiddleware())
    dp.include_routers(*routers())
    return dp
