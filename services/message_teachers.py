"""Whom a family may write to about a student: the class teacher, the teachers of the
child's subjects (their own subgroup's), and teachers substituting in the child's lessons
lately or soon. Refused for anyone who is not the student's family."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import access
from services.models import ClassGroup, Lesson, Staff, Subject, TeachingAssignment
from services.names import full_name
from services.timetable import member_subgroups, school_today

SUBSTITUTE_DAYS = (30, 14)  # a substitute's lessons this many days back and ahead count


@dataclass(frozen=True)
class Teacher:
    staff_id: int
    name: str
    subjects: tuple[str, ...]
    class_teacher: bool = False
    substitute: bool = False


async def teachers_for(session: AsyncSession, account_id: int,
                       student_id: int) -> tuple[Teacher, ...]:
    """The teachers the chat may write to about the student; refused for anyone who is
    not the student's family."""
    granted = await access.student_access(session, account_id, student_id, purpose="message")
    if granted.as_staff:
        raise access.deny(account_id, "message_teacher", student_id=student_id)
    child = granted.child
    if child.class_id is None:
        return ()
    own = or_(TeachingAssignment.subgroup_id.is_(None),
              TeachingAssignment.subgroup_id.in_(member_subgroups(student_id)))
    subjects: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    rows = await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name, Subject.name)
        .join(TeachingAssignment, TeachingAssignment.staff_id == Staff.id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(TeachingAssignment.class_id == child.class_id, own, Staff.is_active)
        .order_by(Subject.name))
    for r in rows:
        names[r.id] = full_name(r.last_name, r.first_name, r.middle_name)
        subjects.setdefault(r.id, []).append(r.name)
    today = await school_today(session, child.school_id)
    back, ahead = SUBSTITUTE_DAYS
    lesson_own = or_(Lesson.subgroup_id.is_(None),
                     Lesson.subgroup_id.in_(member_subgroups(student_id)))
    subs = await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name, Subject.name)
        .join(Lesson, Lesson.substitute_id == Staff.id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Lesson.class_id == child.class_id, lesson_own, Staff.is_active,
               Lesson.date.between(today - dt.timedelta(days=back),
                                   today + dt.timedelta(days=ahead)))
        .distinct())
    substitutes: set[int] = set()
    for r in subs:
        if r.id not in names:
            substitutes.add(r.id)
            names[r.id] = full_name(r.last_name, r.first_name, r.middle_name)
            subjects.setdefault(r.id, [])
        if r.name not in subjects[r.id]:
            subjects[r.id].append(r.name)
    head = (await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name)
        .join(ClassGroup, ClassGroup.class_teacher_id == Staff.id)
        .where(ClassGroup.id == child.class_id, Staff.is_active))).one_or_none()
    if head is not None:
        names.setdefault(head.id, full_name(head.last_name, head.first_name, head.middle_name))
        subjects.setdefault(head.id, [])
    found = [Teacher(i, names[i], tuple(subjects[i]), head is not None and i == head.id,
                     i in substitutes) for i in names]
    return tuple(sorted(found, key=lambda x: (not x.class_teacher, x.name)))
