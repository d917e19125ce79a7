"""Set-based reads and writes by external id: a section is a handful of statements whatever
its size (arrays in, `unnest` in SQL), never a loop of ORM objects.

Table and column names come from this package's code only, never from the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def stored(session: AsyncSession, table: str, school_id: int, ext_ids: Iterable[str],
                 columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored rows (id and `columns`) of these external ids, keyed by external id."""
    ids = sorted(set(ext_ids))
    if not ids:
        return {}
    cols = ", ".join(["id", "external_id", *columns])
    rows = await session.execute(text(
        f"SELECT {cols} FROM {table} WHERE school_id = :school "
        "AND external_id = ANY(CAST(:ids AS text[]))"), {"school": school_id, "ids": ids})
    return {r.external_id: dict(r._mapping) for r in rows}


async def upsert(session: AsyncSession, table: str, school_id: int,
                 rows: Sequence[dict[str, Any]], types: dict[str, str],
                 defaults: dict[str, str] | None = None) -> dict[str, int]:
    """Insert or update `rows` (each with external_id and every column of `types`, a column
    → SQL type map) in one statement; returns external id → row id for the rows written.
    `defaults` (column → SQL literal) fill columns on insert only: the ORM's Python-side
    defaults, which the database does not know."""
    if not rows:
        return {}
    names = ["external_id", *types]
    all_types = {"external_id": "text", **types}
    params: dict[str, Any] = {"school": school_id}
    arrays = []
    for i, name in enumerate(names):
        params[f"p{i}"] = [r[name] for r in rows]
        # Enum arrays travel as text and are cast per element: asyncpg knows text[].
        sql_type = all_types[name]
        base = sql_type if sql_type in _PLAIN else "text"
        arrays.append(f"CAST(:p{i} AS {base}[])")
    select_cols = ", ".join(
        f"t.{n}" if all_types[n] in _PLAIN else f"CAST(t.{n} AS {all_types[n]})" for n in names)
    updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in types)
    extra = defaults or {}
    insert_cols = ", ".join(["school_id", *names, *extra])
    select_cols = ", ".join([":school", select_cols, *extra.values()])
    result = await session.execute(text(
        f"INSERT INTO {table} ({insert_cols}) "
        f"SELECT {select_cols} FROM unnest({', '.join(arrays)}) AS t({', '.join(names)}) "
        f"ON CONFLICT (school_id, external_id) DO UPDATE SET {updates} "
        "RETURNING id, external_id"), params)
    return {r.external_id: r.id for r in result}


_PLAIN = frozenset({"text", "integer", "smallint", "date", "boolean", "timestamptz"})


async def execute(session: AsyncSession, sql: str, **params: Any) -> Any:
    return await session.execute(text(sql), params)
