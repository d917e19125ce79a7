"""Set-based reads and writes by external id: a section is a handful of statements whatever
its size (arrays in, `unnest` in SQL), never a loop of ORM objects.

Table and column names come from this package's code only, never from the batch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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
                 defaults: dict[str, str] | None = None,
                 stored_ids: Collection[str] | None = None) -> dict[str, int]:
    """Insert or update `rows` (each with external_id and every column of `types`, a column
    → SQL type map); returns external id → row id for the rows written. `defaults` (column
    → SQL literal) fill columns on insert only: the ORM's Python-side defaults, which the
    database does not know.

    With `stored_ids` (the external ids known to exist, read under the batch's lock) new
    rows take a plain INSERT and the others an UPDATE: cheaper than a speculative
    `ON CONFLICT` insert for thousands of rows. Without it, one upsert statement."""
    if not rows:
        return {}
    if stored_ids is None:
        return await _write(session, table, school_id, rows, types, defaults, "upsert")
    new = [r for r in rows if r["external_id"] not in stored_ids]
    known = [r for r in rows if r["external_id"] in stored_ids]
    written = await _write(session, table, school_id, new, types, defaults, "insert")
    written.update(await _write(session, table, school_id, known, types, None, "update"))
    return written


async def _write(session: AsyncSession, table: str, school_id: int,
                 rows: Sequence[dict[str, Any]], types: dict[str, str],
                 defaults: dict[str, str] | None, how: str) -> dict[str, int]:
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
    values = {n: f"t.{n}" if all_types[n] in _PLAIN else f"CAST(t.{n} AS {all_types[n]})"
              for n in names}
    source = f"unnest({', '.join(arrays)}) AS t({', '.join(names)})"
    if how == "update":
        sets = ", ".join(f"{n} = {values[n]}" for n in types)
        sql = (f"UPDATE {table} x SET {sets} FROM {source} WHERE x.school_id = :school "
               "AND x.external_id = t.external_id RETURNING x.id, x.external_id")
    else:
        extra = defaults or {}
        insert_cols = ", ".join(["school_id", *names, *extra])
        select_cols = ", ".join([":school", *values.values(), *extra.values()])
        sql = f"INSERT INTO {table} ({insert_cols}) SELECT {select_cols} FROM {source} "
        if how == "upsert":
            updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in types)
            sql += f"ON CONFLICT (school_id, external_id) DO UPDATE SET {updates} "
        sql += "RETURNING id, external_id"
    result = await session.execute(text(sql), params)
    return {r.external_id: r.id for r in result}


_PLAIN = frozenset({"text", "integer", "smallint", "date", "boolean", "timestamptz"})


async def execute(session: AsyncSession, sql: str, **params: Any) -> Any:
    return await session.execute(text(sql), params)
