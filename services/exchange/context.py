"""What one batch carries from section to section while it is applied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.exchange import sql
from services.notifications import Push, SchoolClock


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "deleted": self.deleted}


@dataclass
class Diff:
    """A section's records split by what writing them would do."""

    write: list[dict[str, Any]] = field(default_factory=list)  # created or updated, values
    created: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)
    unchanged: set[str] = field(default_factory=set)


@dataclass
class Apply:
    session: AsyncSession
    school: SchoolClock
    initial_load: bool
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    applied: dict[str, Counts] = field(default_factory=dict)
    pushes: list[tuple[int, Push]] = field(default_factory=list)
    diffs: dict[str, Diff] = field(default_factory=dict)  # for steps that finish later

    @property
    def school_id(self) -> int:
        return self.school.school_id

    def today(self) -> dt.date:
        return self.school.today()

    def quiet(self, day: dt.date) -> bool:
        """No push for a first fill, nor for records older than the backfill window."""
        return self.initial_load or day < self.today() - dt.timedelta(
            days=self.school.backfill_days)

    def counts(self, section: str) -> Counts:
        return self.applied.setdefault(section, Counts())

    async def resolve(self, section: str, ext_ids: Iterable[str | None]) -> dict[str, int]:
        """Row ids of external ids of `section`: this batch's, else the stored ones."""
        known = self.ids.setdefault(section, {})
        missing = {e for e in ext_ids if e is not None and e not in known}
        if missing:
            rows = await sql.stored(self.session, section, self.school_id, missing, ())
            known.update({ext: row["id"] for ext, row in rows.items()})
        return known

    def diff(self, section: str, records: Sequence[dict[str, Any]],
             old: dict[str, dict[str, Any]],
             values: Callable[[dict[str, Any]], dict[str, Any]]) -> Diff:
        """Compare each record's column values with the stored row; count the outcome."""
        result = Diff()
        counts = self.counts(section)
        for rec in records:
            ext = rec["external_id"]
            row = {"external_id": ext, **values(rec)}
            before = old.get(ext)
            if before is None:
                result.created.add(ext)
                counts.created += 1
            elif any(before.get(k) != v for k, v in row.items()):
                result.updated.add(ext)
                counts.updated += 1
            else:
                result.unchanged.add(ext)
                counts.unchanged += 1
                continue
            result.write.append(row)
        return result

    def mark_updated(self, section: str, diff: Diff, ext_ids: Iterable[str]) -> None:
        """Records unchanged in their own columns whose links (roles, members) changed."""
        counts = self.counts(section)
        for ext in ext_ids:
            if ext in diff.unchanged:
                diff.unchanged.discard(ext)
                diff.updated.add(ext)
                counts.unchanged -= 1
                counts.updated += 1
