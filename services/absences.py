"""An absence entered for a lesson, and the push it gives the family (002 §3.6): the push
invites the parent to reply with the reason, and the reply reaches the class teacher as a
message in the child's thread (services.messages.thread_for_reply).

Only an unexplained absence is pushed: illness, an excused absence and lateness are
already explained. Backfill (dated before the school's backfill window) is stored
silently, as marks are.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import InvalidJournalData, NotFound
from services.models import Attendance, AttendanceKind, Lesson, Student, Subject
from services.notifications import Push, notify_student, school_clock
from services.push_events import AbsenceEvent

PUSHED = frozenset({AttendanceKind.ABSENT})


async def record_attendance(session: AsyncSession, *, student_id: int, lesson_id: int,
                            kind: AttendanceKind, entered_by_id: int | None = None,
                            minutes_late: int | None = None) -> int:
    """Store (or change) the student's attendance for the lesson; returns pushes queued."""
    row = (await session.execute(
        select(Lesson.school_id, Lesson.date, Lesson.slot, Lesson.class_id, Subject.name,
               Student.class_id.label("student_class"), Student.school_id.label("school"))
        .join(Subject, Subject.id == Lesson.subject_id)
        .join(Student, Student.id == student_id)
        .where(Lesson.id == lesson_id))).one_or_none()
    if row is None:
        raise NotFound(f"lesson {lesson_id}")
    if row.school != row.school_id or row.student_class != row.class_id:
        raise InvalidJournalData("the student is not in the lesson's class")
    result = await session.execute(
        insert(Attendance).values(school_id=row.school_id, student_id=student_id,
                                  lesson_id=lesson_id, date=row.date, kind=kind,
                                  minutes_late=minutes_late, entered_by_id=entered_by_id)
        .on_conflict_do_update(index_elements=["student_id", "lesson_id"],
                               set_={"kind": kind, "minutes_late": minutes_late,
                                     "entered_by_id": entered_by_id})
        .returning(Attendance.id))
    attendance_id = result.scalar_one()
    if kind not in PUSHED:
        return 0
    school = await school_clock(session, row.school_id)
    if row.date < school.today() - dt.timedelta(days=school.backfill_days):
        return 0
    return await notify_student(session, school, student_id, Push(
        AbsenceEvent(row.name, row.date, row.slot), f"absence:{attendance_id}:{kind.value}"))
