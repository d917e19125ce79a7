"""`diary run`: long polling with the delivery worker and the scheduled jobs."""

from __future__ import annotations

import logging

from bot.app import build_process
from bot.commands import register_commands
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_polling(settings: Settings, url: str) -> None:
    assert settings.bot_token
    async with build_process(settings, url) as app:
        await register_commands(app.bot)
        log.info("bot started")
        # Polling emits the dispatcher's startup and shutdown: the worker and the jobs
        # start and stop with it.
        await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)
