"""What the forged-callback tests share: every kind of button payload the bot has, found by
walking the screens package (so a new kind is covered the day it is added), and a
fingerprint of every data table to show a refused press changed nothing."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Any

from sqlalchemy import text

import screens
from screens.payloads import Payload
from tests.conftest import BotEnv

# A refused press is recorded here; the chats' last-seen time is the only other thing a
# press may touch.
UNWATCHED_TABLES = ("audit_log", "alembic_version")
UNWATCHED_COLUMNS = ("last_seen_at",)


def payload_classes() -> list[type[Payload]]:
    """Every Payload subclass in screens/, bases included, by prefix."""
    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"screens.{module.name}")
    found: list[type[Payload]] = []
    stack = list(Payload.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.prefix)


def payload_kinds() -> list[type[Payload]]:
    """The payloads a button can carry (the dataclasses, not their shared bases)."""
    return [c for c in payload_classes() if dataclasses.is_dataclass(c)]


async def data_fingerprint(env: BotEnv) -> dict[str, str]:
    """An md5 of each data table's rows (audit log aside), in one statement."""
    tables = [t for t in await _tables(env) if t not in UNWATCHED_TABLES]
    drop = " - ".join(f"'{c}'" for c in UNWATCHED_COLUMNS)
    sql = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg((to_jsonb(x) - {drop})::text, '|' "
        f"ORDER BY (to_jsonb(x) - {drop})::text), '')) FROM {t} x" for t in tables)
    async with env.db.sessionmaker() as s:
        return {str(name): str(digest) for name, digest in (await s.execute(text(sql))).all()}


async def _tables(env: BotEnv) -> list[str]:
    async with env.db.sessionmaker() as s:
        return list((await s.scalars(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY 1"))).all())


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
