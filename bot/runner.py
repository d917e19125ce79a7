"""`diary run`: long polling (the default) or, with `--webhook`, the webhook app; either way
with the delivery worker and the scheduled jobs."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import build_process, settle_heap
from bot.commands import register_commands
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_polling(settings: Settings, url: str) -> None:
    assert settings.bot_token
    async with build_process(settings, url) as app:
        await register_commands(app.bot)
        log.info("bot started")
        settle_heap()
        # Polling emits the dispatcher's startup and shutdown: the worker and the jobs
        # start and stop with it.
        await app.dp.start_polling(app.bot, handle_signals=True, close_bot_session=False)


async def run_webhook(settings: Settings, url: str) -> None:
    """Serve the webhook app on EXCHANGE_HOST:EXCHANGE_PORT until SIGTERM or SIGINT. Every
    worker sets the same webhook on start (idempotent); none deletes it on the way out, since
    the others go on taking updates."""
    from aiohttp import web

    from bot.webhook import build_webhook_app

    assert settings.bot_token and settings.webhook_url and settings.webhook_secret
    async with build_process(settings, url) as app:
        web_app = build_webhook_app(app.dp, app.bot, app.sessionmaker, settings)
        await register_commands(app.bot)
        await app.bot.set_webhook(settings.webhook_url,
                                  secret_token=settings.webhook_secret.get_secret_value(),
                                  allowed_updates=app.dp.resolve_used_update_types())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        runner = web.AppRunner(web_app, handle_signals=False)
        await runner.setup()  # emits the dispatcher's startup: worker and jobs start
        try:
            await web.TCPSite(runner, settings.exchange_host, settings.exchange_port).start()
            log.info("webhook app on %s:%s", settings.exchange_host, settings.exchange_port)
            settle_heap()
            await stop.wait()
        finally:
            # Stops taking requests, lets updates in flight finish, then the dispatcher's
            # shutdown stops the worker and the jobs.
            await runner.cleanup()
