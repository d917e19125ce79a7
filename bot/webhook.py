"""Webhook mode: one aiohttp app takes Telegram's updates (aiogram's webhook handler, behind
the secret-token check) beside the exchange API, the calendar feeds, `/healthz` and
`/metrics` (api/app.py builds those).

An update is answered 200 as soon as it is read and checked, and handled in the
background, as aiogram does by default: Telegram does not wait on a slow report, and a
failing handler does not make Telegram send the same update again and again. What is
refused, and changes nothing: a wrong or missing secret (401), a body over
WEBHOOK_BODY_LIMIT (413), a body that is not JSON or not an Update (400).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import build_exchange_app
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How long shutdown waits for updates already taken to finish.
DRAIN_SECONDS = 30.0


def webhook_path(settings: Settings) -> str:
    """Where the app takes updates: the path of WEBHOOK_URL."""
    return urlsplit(settings.webhook_url or "").path or "/"


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, but bad input gets a short 4xx instead of a 500 (or, handled in
    the background, an error nobody sees after a 200), and the body is read within a limit
    of its own: the app's limit is the exchange batches' (ten times larger)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str,
                 body_limit: int, **data: Any) -> None:
        if not secret_token:
            raise ValueError("a webhook needs a secret token")
        super().__init__(dispatcher, bot, handle_in_background=True,
                         secret_token=secret_token, **data)
        self.body_limit = body_limit

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            log.warning("webhook request refused: wrong or missing secret token")
            return _refuse(401, "wrong or missing secret token")
        body = await self._read(request)
        if body is None:
            return _refuse(413, f"the body is over {self.body_limit} bytes")
        try:
            update = Update.model_validate(json.loads(body), context={"bot": bot})
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _refuse(400, "the body is not valid JSON")
        except ValidationError:
            return _refuse(400, "the body is not a Telegram Update")
        task = asyncio.create_task(self._feed(bot, update))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({})

    __call__ = handle

    async def _read(self, request: web.Request) -> bytes | None:
        """The body, or None when it is over the limit (read no further than that)."""
        if request.content_length is not None and request.content_length > self.body_limit:
            return None
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self.body_limit:
                return None
        return bytes(body)

    async def _feed(self, bot: Bot, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=bot, result=result)
        except Exception as exc:
            # Only the type and the id: a message could quote what the user wrote.
            log.error("update %s failed: %s", update.update_id, type(exc).__name__)
            log.debug("update failure", exc_info=True)

    async def drain(self) -> None:
        """Wait (up to DRAIN_SECONDS) for the updates already taken (tests; shutdown)."""
        if self._background_feed_update_tasks:
            await asyncio.wait(set(self._background_feed_update_tasks), timeout=DRAIN_SECONDS)

    async def close(self) -> None:
        # Updates in flight finish; the bot's session is closed by whoever built the bot
        # (the delivery worker still sends while the dispatcher shuts down).
        await self.drain()


WEBHOOK_HANDLER = web.AppKey("webhook_handler", WebhookHandler)


def build_webhook_app(dp: Dispatcher, bot: Bot,
                      sessionmaker: async_sessionmaker[AsyncSession],
                      settings: Settings) -> web.Application:
    """The exchange app with the webhook route added; its startup and shutdown emit the
    dispatcher's (the delivery worker and the scheduled jobs start and stop with it)."""
    problem = settings.webhook_problem()
    if problem:
        raise ValueError(problem)
    assert settings.webhook_secret is not None
    app = build_exchange_app(sessionmaker, settings)
    handler = WebhookHandler(dp, bot, secret_token=settings.webhook_secret.get_secret_value(),
                             body_limit=settings.webhook_body_limit)
    handler.register(app, path=webhook_path(settings))
    app[WEBHOOK_HANDLER] = handler
    setup_application(app, dp, bot=bot)
    return app
