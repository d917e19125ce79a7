"""The teachers of a student's class by subject, and the class teacher. Subgroup teachers
appear only for the student's own subgroup."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import StudentAccess
from services.models import ClassGroup, Staff, Subgroup, Subject, TeachingAssignment
from services.names import full_name
from services.timetable import member_subgroups


@dataclass(frozen=True)
class SubjectTeacher:
    subject_id: int
    subject: str
    teacher: str  # full name
    subgroup: str | None


@dataclass(frozen=True)
class ClassTeachers:
    student_id: int
    class_name: str | None
    class_teacher: str | None
    subjects: tuple[SubjectTeacher, ...]  # by subject name


async def class_teachers(session: AsyncSession, access: StudentAccess) -> ClassTeachers:
    """Two statements: the class teacher, and the subject teachers."""
    child = access.child
    if child.class_id is None:
        return ClassTeachers(child.student_id, None, None, ())
    head = (await session.execute(
        select(Staff.last_name, Staff.first_name, Staff.middle_name)
        .join(ClassGroup, ClassGroup.class_teacher_id == Staff.id)
        .where(ClassGroup.id == child.class_id, Staff.is_active)
    )).one_or_none()
    query = (
        select(Subject.id, Subject.name.label("subject"), Staff.last_name, Staff.first_name,
               Staff.middle_name, Subgroup.name.label("subgroup"))
        .select_from(TeachingAssignment)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .join(Staff, Staff.id == TeachingAssignment.staff_id)
        .outerjoin(Subgroup, Subgroup.id == TeachingAssignment.subgroup_id)
        .where(TeachingAssignment.class_id == child.class_id, Staff.is_active,
               or_(TeachingAssignment.subgroup_id.is_(None),
                   TeachingAssignment.subgroup_id.in_(member_subgroups(child.student_id))))
        .order_by(Subject.name, Staff.last_name, Staff.first_name)
    )
    if access.subject_ids is not None:
        query = query.where(TeachingAssignment.subject_id.in_(access.subject_ids))
    rows = (await session.execute(query)).all()
    lines = tuple(SubjectTeacher(r.id, r.subject,
                                 full_name(r.last_name, r.first_name, r.middle_name),
                                 r.subgroup) for r in rows)
    return ClassTeachers(child.student_id, child.class_name,
                         full_name(*head) if head is not None else None, lines)
