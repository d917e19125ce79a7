"""Quick entry from the bot, where the school allows it (`School.quick_entry`): a teacher
takes today's register of a lesson they teach, and sets its topic and homework.

Every write goes through the journal's own service functions (`take_register`,
`journal.set_topic`, `journal.set_homework`), so the pushes, the late-entry notes and the
register stamp are the journal's; each record says it came from the bot (`entered_via`).
A lesson is the teacher's when they are its substitute, or its teacher and nobody
substitutes; anything else — another teacher's lesson, another day, a school that does not
allow quick entry, a student not in the lesson — is refused and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, journal
from services.access import StaffRef, audit, deny
from services.attendance_register import RegisterResult, take_register
from services.journal import WriteResult
from services.models import (
    Attendance,
    AttendanceKind,
    ClassGroup,
    Homework,
    Lesson,
    LessonStatus,
    Student,
    StudentStatus,
    SubgroupMember,
    Subject,
)
from services.timetable import school_today

VIA = "bot"
TOPIC_LIMIT = 300
HOMEWORK_LIMIT = 1500
HOMEWORK_DAYS = 7  # due a week on when the subject has no later lesson in the timetable


@dataclass(frozen=True)
class QuickLessonRef:
    id: int
    slot: int
    class_name: str
    subject: str


@dataclass(frozen=True)
class QuickStudent:
    id: int
    last_name: str
    first_name: str
    away: AttendanceKind | None  # as the register stands now; None: present


@dataclass(frozen=True)
class QuickLesson:
    lesson: QuickLessonRef
    date: dt.date
    topic: str | None
    taken: bool  # the register has been taken
    students: tuple[QuickStudent, ...]  # surname order


async def _staff(session: AsyncSession, account_id: int) -> StaffRef:
    staff = await access.require_staff(session, account_id)
    if not staff.quick_entry or staff.read_only:
        raise deny(account_id, "quick_entry")
    return staff


def _mine(staff_id: int) -> ColumnElement[bool]:
    return or_(Lesson.substitute_id == staff_id,
               and_(Lesson.substitute_id.is_(None), Lesson.teacher_id == staff_id))


async def todays_lessons(session: AsyncSession, account_id: int) -> list[QuickLessonRef]:
    """Today's lessons this teacher teaches (not cancelled or moved), in slot order."""
    staff = await _staff(session, account_id)
    today = await school_today(session, staff.school_id)
    rows = await session.execute(
        select(Lesson.id, Lesson.slot, ClassGroup.name.label("klass"),
               Subject.name.label("subject"))
        .join(ClassGroup, ClassGroup.id == Lesson.class_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Lesson.school_id == staff.school_id, Lesson.date == today, _mine(staff.staff_id),
               Lesson.status.in_((LessonStatus.SCHEDULED, LessonStatus.HELD,
                                  LessonStatus.REPLACED)))
        .order_by(Lesson.slot, ClassGroup.name))
    return [QuickLessonRef(r.id, r.slot, r.klass, r.subject) for r in rows]


async def _lesson(session: AsyncSession, account_id: int,
                  lesson_id: int) -> tuple[StaffRef, Lesson]:
    staff = await _staff(session, account_id)
    lesson = await session.get(Lesson, lesson_id)
    today = await school_today(session, staff.school_id)
    if (lesson is None or lesson.school_id != staff.school_id or lesson.date != today
            or lesson.status in (LessonStatus.CANCELLED, LessonStatus.MOVED)
            or staff.staff_id != (lesson.substitute_id or lesson.teacher_id)):
        raise deny(account_id, "quick_entry", lesson_id=lesson_id)
    return staff, lesson


async def lesson_for_entry(session: AsyncSession, account_id: int,
                           lesson_id: int) -> QuickLesson:
    """The lesson with its students and the register as it stands."""
    _, lesson = await _lesson(session, account_id, lesson_id)
    stmt = (select(Student.id, Student.last_name, Student.first_name, Attendance.kind)
            .outerjoin(Attendance, and_(Attendance.student_id == Student.id,
                                        Attendance.lesson_id == lesson.id))
            .where(Student.class_id == lesson.class_id, Student.status == StudentStatus.ACTIVE))
    if lesson.subgroup_id is not None:
        stmt = stmt.join(SubgroupMember, SubgroupMember.student_id == Student.id).where(
            SubgroupMember.subgroup_id == lesson.subgroup_id)
    rows = await session.execute(stmt.order_by(Student.last_name, Student.first_name,
                                               Student.id))
    names = await session.execute(
        select(ClassGroup.name, Subject.name).join(Subject, Subject.id == lesson.subject_id)
        .where(ClassGroup.id == lesson.class_id))
    klass, subject = names.one()
    return QuickLesson(QuickLessonRef(lesson.id, lesson.slot, klass, subject), lesson.date,
                       lesson.topic, lesson.attendance_taken_at is not None,
                       tuple(QuickStudent(r.id, r.last_name, r.first_name, r.kind)
                             for r in rows))


async def check_student(session: AsyncSession, account_id: int, lesson_id: int,
                        student_id: int) -> QuickLesson:
    """The lesson, when the student is one of its students (a toggle's check)."""
    found = await lesson_for_entry(session, account_id, lesson_id)
    if all(s.id != student_id for s in found.students):
        raise deny(account_id, "quick_entry", lesson_id=lesson_id, student_id=student_id)
    return found


async def save_register(session: AsyncSession, account_id: int, lesson_id: int,
                        away: Collection[int]) -> RegisterResult:
    """Take the register: the students in `away` were not there (a kind already recorded
    for them — ill, excused, late — is kept; others are absent), everyone else was."""
    found = await lesson_for_entry(session, account_id, lesson_id)
    staff = await _staff(session, account_id)
    ids = {s.id for s in found.students}
    if not set(away) <= ids:
        raise deny(account_id, "quick_entry", lesson_id=lesson_id,
                   students=sorted(set(away) - ids))
    kinds = {s.id: s.away or AttendanceKind.ABSENT for s in found.students if s.id in away}
    minutes = dict((await session.execute(
        select(Attendance.student_id, Attendance.minutes_late)
        .where(Attendance.lesson_id == lesson_id, Attendance.kind == AttendanceKind.LATE,
               Attendance.minutes_late.is_not(None),
               Attendance.student_id.in_([s for s, k in kinds.items()
                                          if k == AttendanceKind.LATE])))).tuples().all())
    result = await take_register(session, lesson_id=lesson_id, away=kinds,
                                 minutes_late={s: m for s, m in minutes.items() if m},
                                 entered_by_id=staff.staff_id, via=VIA)
    await audit(session, "quick_entry", account_id=account_id, staff_id=staff.staff_id,
                school_id=staff.school_id, lesson_id=lesson_id, what="register",
                away=len(kinds))
    return result


def _text(raw: str, limit: int) -> str:
    text = " ".join((raw or "").split()) if limit <= TOPIC_LIMIT else (raw or "").strip()
    return text[:limit]


async def save_topic(session: AsyncSession, account_id: int, lesson_id: int,
                     raw: str) -> WriteResult:
    staff, lesson = await _lesson(session, account_id, lesson_id)
    result = await journal.set_topic(session, lesson.id, _text(raw, TOPIC_LIMIT), via=VIA)
    await audit(session, "quick_entry", account_id=account_id, staff_id=staff.staff_id,
                school_id=staff.school_id, lesson_id=lesson_id, what="topic")
    return result


async def homework_due(session: AsyncSession, lesson: Lesson) -> dt.date:
    """The next lesson of the subject for the same students, else a week on."""
    due = await session.scalar(
        select(func.min(Lesson.date)).where(
            Lesson.class_id == lesson.class_id, Lesson.subject_id == lesson.subject_id,
            Lesson.subgroup_id.is_not_distinct_from(lesson.subgroup_id),
            Lesson.date > lesson.date, Lesson.status != LessonStatus.CANCELLED))
    return due or lesson.date + dt.timedelta(days=HOMEWORK_DAYS)


async def save_homework(session: AsyncSession, account_id: int, lesson_id: int,
                        raw: str) -> tuple[WriteResult, dt.date]:
    """Homework given in this lesson, due at the subject's next lesson."""
    staff, lesson = await _lesson(session, account_id, lesson_id)
    due = await homework_due(session, lesson)
    # Sent again, the lesson's homework from the bot is corrected rather than doubled.
    given = await session.scalar(select(Homework.id).where(
        Homework.lesson_id == lesson.id, Homework.entered_via == VIA,
        Homework.student_id.is_(None)).order_by(Homework.id.desc()).limit(1))
    result = await journal.set_homework(
        session, class_id=lesson.class_id, subject_id=lesson.subject_id, due_on=due,
        text=_text(raw, HOMEWORK_LIMIT), assigned_on=lesson.date,
        subgroup_id=lesson.subgroup_id, lesson_id=lesson.id, teacher_id=staff.staff_id,
        homework_id=given, via=VIA)
    await audit(session, "quick_entry", account_id=account_id, staff_id=staff.staff_id,
                school_id=staff.school_id, lesson_id=lesson_id, what="homework")
    return result, due
