"""Webhook mode in-process: Telegram's update JSON posted to the webhook app reaches the real
dispatcher and the reply reaches the (local) Bot API; /healthz says whether this process
may take traffic."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from api import build_exchange_app
from api.app import migration_heads
from bot.settings import Settings
from bot.webhook import build_webhook_app
from services import migrate
from services.db import make_engine, make_sessionmaker
from tests.conftest import Db
from tests.webhook_env import GUARDIAN, message_update, webhook_env, webhook_settings


async def test_an_update_posted_with_the_secret_is_answered(bot_env: Any) -> None:
    async with webhook_env(bot_env) as hook:
        status, body = await hook.post(message_update(GUARDIAN, "/menu"))
        assert (status, body) == (200, {})
        [menu] = hook.replies()
        assert "Михаил Петров, 5А" in menu
        # The same app still serves the exchange API's contract and the health check.
        assert (await hook.client.get("/openapi.json")).status == 200
        assert (await hook.client.get("/healthz")).status == 200


async def test_healthz_ok_at_the_migration_head(empty_db: Db) -> None:
    app = build_exchange_app(empty_db.sessionmaker, Settings(_env_file=None))
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/healthz")
        assert resp.status == 200
        assert await resp.json() == {"status": "ok"}


async def test_healthz_503_when_a_migration_is_missing(empty_db: Db) -> None:
    await migrate.downgrade(empty_db.engine, "-1")
    behind = await migrate.current_revision(empty_db.engine)
    [head] = migration_heads()
    assert behind and behind != head
    app = build_exchange_app(empty_db.sessionmaker, Settings(_env_file=None))
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/healthz")
        assert resp.status == 503
        body = await resp.json()
        assert body["status"] == "unavailable"
        assert body["reason"] == (f"the database is at migration {behind}, "
                                  f"the code expects {head}")
        await migrate.upgrade(empty_db.engine)
        assert (await client.get("/healthz")).status == 200  # healthy again, no restart


async def test_healthz_ok_when_a_newer_release_migrated_further(empty_db: Db) -> None:
    """A rolling upgrade: `diary migrate` of the new release ran; the old workers stay in
    service until they are replaced."""
    async with empty_db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE alembic_version SET version_num = '9999_next_release'"))
    app = build_exchange_app(empty_db.sessionmaker, Settings(_env_file=None))
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 200


async def test_healthz_503_when_the_database_is_unreachable() -> None:
    # Nothing listens on port 1 of loopback: the connection is refused at once.
    engine = make_engine("postgresql+asyncpg://diary:x@127.0.0.1:1/diary")
    try:
        app = build_exchange_app(make_sessionmaker(engine), Settings(_env_file=None))
        async with TestClient(TestServer(app)) as client:
            resp = await client.get("/healthz")
            assert resp.status == 503
            assert await resp.json() == {"status": "unavailable",
                                         "reason": "the database is unreachable"}
            # /metrics is served anyway: the counters do not need the database.
            assert (await client.get("/metrics")).status == 200
    finally:
        await engine.dispose()


@pytest.mark.parametrize(("settings", "problem"), [
    ({"webhook_url": None}, "WEBHOOK_URL is not set"),
    ({"webhook_secret": None}, "WEBHOOK_SECRET is not set"),
    ({"webhook_secret": "has spaces"}, "WEBHOOK_SECRET must be"),
    ({"webhook_secret": "x" * 257}, "WEBHOOK_SECRET must be"),
])
def test_webhook_app_refuses_to_build_without_url_and_secret(
        bot_env: Any, settings: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        build_webhook_app(bot_env.dp, bot_env.bot, bot_env.db.sessionmaker,
                          webhook_settings(**settings))
