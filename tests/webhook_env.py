"""The webhook app in-process for tests: the real dispatcher (bot_env's, on the demo
database, replying through LocalSession) behind aiohttp's test client."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.settings import Settings
from bot.webhook import WEBHOOK_HANDLER, build_webhook_app
from tests.conftest import CODE_SECRET

SECRET = "s3cret_webhook-token"
PATH = "/tg/updates"
GUARDIAN = 1001  # the demo parent, linked to Михаил Петров of 5А
_update_ids = itertools.count(500_000)


def webhook_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None, "code_secret": CODE_SECRET.decode(),
        "webhook_url": f"https://bot.example.org{PATH}", "webhook_secret": SECRET,
        **overrides}
    return Settings(**values)


def message_update(user_id: int, text: str) -> dict[str, Any]:
    """A private-chat text message, as Telegram posts it."""
    user = {"id": user_id, "is_bot": False, "first_name": "Анна", "language_code": "ru"}
    return {"update_id": next(_update_ids),
            "message": {"message_id": next(_update_ids), "date": int(dt.datetime.now().timestamp()),
                        "chat": {"id": user_id, "type": "private", "first_name": "Анна"},
                        "from": user, "text": text}}


@dataclass
class WebhookEnv:
    client: TestClient
    env: Any  # tests.conftest.BotEnv

    async def post(self, body: Any, *, secret: str | None = SECRET,
                   raw: bytes | None = None) -> tuple[int, Any]:
        """Post an update (or raw bytes) as Telegram would; waits until it is handled."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        if raw is None:
            resp = await self.client.post(PATH, json=body, headers=headers)
        else:
            resp = await self.client.post(PATH, data=raw, headers=headers)
        answer = await resp.json(content_type=None)
        await self.client.app[WEBHOOK_HANDLER].drain()
        return resp.status, answer

    def replies(self, chat_id: int = GUARDIAN) -> list[str]:
        return [m.text or m.caption or "" for m in self.env.session.sent_to(chat_id)]

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of /metrics: {(name, sorted labels): value}."""
        resp = await self.client.get("/metrics")
        assert resp.status == 200
        samples = {}
        for family in text_string_to_metric_families(await resp.text()):
            for s in family.samples:
                samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
        return samples


@asynccontextmanager
async def webhook_env(env: Any, **settings: Any) -> AsyncIterator[WebhookEnv]:
    app = build_webhook_app(env.dp, env.bot, env.db.sessionmaker, webhook_settings(**settings))
    async with TestClient(TestServer(app)) as client:
        yield WebhookEnv(client, env)


def sample(metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
           **labels: str) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)
