"""What a subject view shows beside the child's own marks: how each mark was changed (the
journal's history, old → new) and the class's average, which is given only when at least
`CLASS_AVERAGE_MIN` classmates have marks, so no one classmate can be made out from it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import StudentAccess
from services.calendar import PeriodInfo
from services.models import Mark, MarkChange, Student

CLASS_AVERAGE_MIN = 5  # classmates with marks, not counting the child
CENT = Decimal("0.01")


@dataclass(frozen=True)
class EarlierValue:
    """A value a mark had before it was corrected."""

    value: int | None
    passed: bool | None


async def earlier_values(session: AsyncSession,
                         mark_ids: Iterable[int]) -> dict[int, tuple[EarlierValue, ...]]:
    """For each corrected mark, the values it had before, oldest first (one statement)."""
    ids = list(mark_ids)
    if not ids:
        return {}
    rows = (await session.execute(
        select(MarkChange.mark_id, MarkChange.old_value, MarkChange.old_passed)
        .where(MarkChange.mark_id.in_(ids), MarkChange.action == "updated",
               (MarkChange.old_value.is_not(None)) | (MarkChange.old_passed.is_not(None)))
        .order_by(MarkChange.changed_at, MarkChange.id)
    )).all()
    found: dict[int, list[EarlierValue]] = defaultdict(list)
    for r in rows:
        found[r.mark_id].append(EarlierValue(r.old_value, r.old_passed))
    return {mark_id: tuple(values) for mark_id, values in found.items()}


async def class_average(session: AsyncSession, access: StudentAccess, subject_id: int,
                        period: PeriodInfo) -> Decimal | None:
    """The mean of the weighted averages of the class's students in a subject and period;
    None unless at least CLASS_AVERAGE_MIN classmates have marks (one statement)."""
    child = access.child
    if child.class_id is None:
        return None
    rows = (await session.execute(
        select(Mark.student_id, func.sum(Mark.value * Mark.weight).label("total"),
               func.sum(Mark.weight).label("weights"))
        .join(Student, Student.id == Mark.student_id)
        .where(Student.class_id == child.class_id, Mark.subject_id == subject_id,
               Mark.deleted_at.is_(None), Mark.value.is_not(None),
               Mark.date.between(period.starts_on, period.ends_on))
        .group_by(Mark.student_id)
    )).all()
    if sum(1 for r in rows if r.student_id != child.student_id) < CLASS_AVERAGE_MIN:
        return None
    averages = [Decimal(int(r.total)) / Decimal(int(r.weights)) for r in rows if r.weights]
    return (sum(averages, Decimal(0)) / len(averages)).quantize(CENT, rounding=ROUND_HALF_UP)
