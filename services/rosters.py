"""Who is in which class, for the jobs that write to whole classes at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import ClassGroup, Student, StudentStatus

MARKED_GRADES = (2, 11)  # first-graders get no marks (002 §5.5)


@dataclass(frozen=True)
class ClassRow:
    id: int
    name: str
    grade: int


async def school_classes(session: AsyncSession, school_id: int,
                         grades: tuple[int, int] = MARKED_GRADES) -> list[ClassRow]:
    """The school's classes within a range of grades, by grade and name."""
    rows = await session.execute(
        select(ClassGroup.id, ClassGroup.name, ClassGroup.grade)
        .where(ClassGroup.school_id == school_id, ClassGroup.grade.between(*grades))
        .order_by(ClassGroup.grade, ClassGroup.name))
    return [ClassRow(r.id, r.name, r.grade) for r in rows]


async def active_students(session: AsyncSession,
                          class_ids: Sequence[int]) -> dict[int, list[int]]:
    """{class id: ids of its active students, in id order} (one statement)."""
    rows = await session.execute(
        select(Student.class_id, Student.id)
        .where(Student.class_id.in_(class_ids), Student.status == StudentStatus.ACTIVE)
        .order_by(Student.id))
    result: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        result[r.class_id].append(r.id)
    return result
