"""Class rosters: who is in which class, for the jobs that write to whole classes at once,
and the students of a class with their guardians as staff pick from them (issuing one
code, recording one paper form). Access for the pickers is checked by the callers' rules
(`codes.may_issue_for_class`, `consent.keeper_for_student`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import codes, consent
from services.access import deny
from services.models import ClassGroup, Guardian, GuardianStudent, Student, StudentStatus
from services.names import full_name

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



@dataclass(frozen=True)
class RosterStudent:
    student_id: int
    name: str
    class_id: int
    guardians: tuple[tuple[int, str], ...] = ()  # (guardian id, full name)


async def class_roster(session: AsyncSession, class_id: int) -> list[RosterStudent]:
    rows = (await session.execute(
        select(Student.id, Student.last_name, Student.first_name)
        .where(Student.class_id == class_id, Student.status == StudentStatus.ACTIVE)
        .order_by(Student.last_name, Student.first_name, Student.id))).all()
    return [RosterStudent(r.id, f"{r.last_name} {r.first_name}", class_id) for r in rows]


async def _with_guardians(session: AsyncSession, student_id: int) -> RosterStudent | None:
    row = (await session.execute(
        select(Student.id, Student.last_name, Student.first_name, Student.class_id)
        .where(Student.id == student_id, Student.status == StudentStatus.ACTIVE)
    )).one_or_none()
    if row is None or row.class_id is None:
        return None
    guardians = (await session.execute(
        select(Guardian.id, Guardian.last_name, Guardian.first_name, Guardian.middle_name)
        .join(GuardianStudent, GuardianStudent.guardian_id == Guardian.id)
        .where(GuardianStudent.student_id == student_id)
        .order_by(Guardian.last_name, Guardian.first_name, Guardian.id))).all()
    return RosterStudent(row.id, f"{row.last_name} {row.first_name}", row.class_id, tuple(
        (g.id, full_name(g.last_name, g.first_name, g.middle_name))
        for g in guardians))


async def student_for_codes(session: AsyncSession, account_id: int,
                            student_id: int) -> RosterStudent:
    """A student and their guardians, for someone who may issue their class's codes."""
    student = await _with_guardians(session, student_id)
    if student is None:
        raise deny(account_id, "issue_code", student_id=student_id)
    await codes.may_issue_for_class(session, account_id, student.class_id)
    return student


async def student_for_forms(session: AsyncSession, account_id: int,
                            student_id: int) -> RosterStudent:
    """A student and their guardians, for someone who records their consent forms."""
    await consent.keeper_for_student(session, account_id, student_id)
    student = await _with_guardians(session, student_id)
    if student is None:
        raise deny(account_id, "consent_form", student_id=student_id)
    return student


async def guardian_for_forms(session: AsyncSession, account_id: int, student_id: int,
                             guardian_id: int) -> tuple[RosterStudent, str]:
    """A student and the name of one of their guardians, for someone who records their
    consent forms."""
    student = await student_for_forms(session, account_id, student_id)
    name = dict(student.guardians).get(guardian_id)
    if name is None:
        raise deny(account_id, "consent_form", student_id=student_id, guardian_id=guardian_id)
    return student, name
