"""`diary run`: long polling, the scheduler (jobs and delivery) and clean shutdown."""

from __future__ import annotations

import asyncio
import logging

from bot.app import build_bot, build_dispatcher
from bot.commands import register_commands
from bot.settings import Settings
from services import migrate
from services.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)


async def run_polling(settings: Settings, url: str) -> None:
    from bot.delivery import deliver_once
    from bot.scheduler import build_scheduler

    engine = make_engine(url)
    await migrate.upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    assert settings.bot_token
    bot = build_bot(settings.bot_token, api_url=settings.telegram_api_url)
    dp = build_dispatcher(sessionmaker, settings)

    async def deliver() -> None:
        await deliver_once(bot, sessionmaker)

    scheduler = build_scheduler(sessionmaker, deliver=deliver)
    try:
        await register_commands(bot)
        scheduler.start()
        log.info("bot started")
        await dp.start_polling(bot, handle_signals=True)
    finally:
        scheduler.shutdown(wait=False)
        await bot.session.close()
        await engine.dispose()
        await asyncio.sleep(0)
