"""How the demo seed writes: bulk inserts counted per table, and one random generator
per area (so changing one area does not reshuffle the others)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import Base


def _rng(area: str) -> random.Random:
    return random.Random(f"demo-seed/{area}")


class _Writer:
    """Bulk inserts through the caller's session, counting rows per table. `render_nulls`
    sends None as NULL: without it the ORM splits the rows into one batch per pattern of
    None values, which made the seed several times slower."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.counts: dict[str, int] = defaultdict(int)

    async def rows(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(model).execution_options(render_nulls=True),
                                       list(rows))
            self.counts[model.__tablename__] += len(rows)

    async def ids(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert and return the new ids in the order of `rows`."""
        if not rows:
            return []
        stmt = (insert(model).execution_options(render_nulls=True)
                .returning(model.__table__.c.id, sort_by_parameter_order=True))
        result = await self.session.execute(stmt, list(rows))
        self.counts[model.__tablename__] += len(rows)
        return list(result.scalars())
