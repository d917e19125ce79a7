"""The journal exchange: a school's journal sends batches of records by external id; the
diary stores them set-based and pushes what changed (README: "Journal exchange API").

`apply_batch` is the one entry point for the HTTP API and `diary import` alike. The caller
owns the transaction (one per batch). The batch is validated whole first; any refusal raises
`BatchInvalid` with every reason and nothing is written. Batches of one school are applied
one at a time (a transaction-scoped advisory lock), so two identical batches sent together
give one result: the second finds every record unchanged and queues no push.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import InvalidJournalData
from services.exchange import marks, people, records, refs
from services.exchange.context import Apply
from services.exchange.schema import SECTIONS, Problems, check_shape
from services.notifications import notify_students, school_clock

# The contract's order; a subgroup's members are stored once the students are.
_STEPS = (
    ("periods", people.periods), ("subjects", people.subjects),
    ("work_types", people.work_types), ("staff", people.staff), ("classes", people.classes),
    ("subgroups", people.subgroups), ("students", people.students),
    ("subgroups", people.subgroup_members), ("guardians", people.guardians),
    ("lessons", records.lessons), ("homework", records.homework), ("marks", marks.marks),
    ("attendance", records.attendance), ("final_marks", records.final_marks),
)
_LOCK_SPACE = 0x4A45  # advisory lock namespace of the exchange ("JE")


class BatchInvalid(InvalidJournalData):
    """A batch refused whole; `errors` are {section, index, external_id, reason}."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass(frozen=True)
class BatchResult:
    applied: dict[str, dict[str, int]]
    queued: int  # outbox rows written

    def as_json(self) -> dict[str, Any]:
        return {"applied": self.applied}


async def apply_batch(session: AsyncSession, school_id: int,
                      batch: dict[str, Any]) -> BatchResult:
    """Validate and apply one batch for one school inside the caller's transaction."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:space, :school)"),
                          {"space": _LOCK_SPACE, "school": school_id})
    problems = Problems()
    sections = check_shape(batch, problems)
    if not problems:
        await refs.check_references(session, school_id, sections, problems)
    if problems:
        raise BatchInvalid(problems.items)
    ctx = Apply(session, await school_clock(session, school_id),
                bool(batch.get("initial_load", False)))
    try:
        # A savepoint: a conflict with a stored row found only by the database (a unique
        # key besides the external id) refuses the batch like any other error.
        async with session.begin_nested():
            for section, step in _STEPS:
                if section in sections:
                    ctx.counts(section)
                    await step(ctx, sections[section])
    except IntegrityError as exc:
        raise BatchInvalid([_conflict(exc)]) from exc
    queued = await notify_students(session, ctx.school, ctx.pushes)
    return BatchResult({s: c.as_dict() for s, c in ctx.applied.items()}, queued)


def _conflict(exc: IntegrityError) -> dict[str, Any]:
    # The constraint's name tells the journal which rule; values are not echoed (no
    # personal data in answers or logs beyond what the journal sent).
    name = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
    section = next((s for s in SECTIONS if name and name.startswith(f"uq_{s}_")), None)
    return {"section": section, "index": None, "external_id": None,
            "reason": f"conflicts with a stored record ({name or 'unique key'})"}


__all__ = ["SECTIONS", "BatchInvalid", "BatchResult", "apply_batch"]
