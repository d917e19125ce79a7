"""`diary run`: long polling, the delivery worker, the scheduled jobs, clean shutdown."""

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
    from bot.delivery import DeliveryWorker
    from bot.scheduler import build_scheduler

    engine = make_engine(url)
    await migrate.upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    assert settings.bot_token
    bot = build_bot(settings.bot_token, api_url=settings.telegram_api_url)
    dp = build_dispatcher(sessionmaker, settings)
    # The worker runs beside polling (not as a scheduler tick) so it keeps Telegram's
    # 30 messages a second busy; several processes share the queue safely.
    stop = asyncio.Event()
    worker = asyncio.create_task(DeliveryWorker(bot, sessionmaker).run_forever(stop))
    scheduler = build_scheduler(sessionmaker)
    try:
        await register_commands(bot)
        scheduler.start()
        log.info("bot started")
        await dp.start_polling(bot, handle_signals=True, close_bot_session=False)
    finally:
        stop.set()
        scheduler.shutdown(wait=False)
        await worker
        await bot.session.close()
        await engine.dispose()
