"""The journal's write side for attendance: the register a teacher takes for one lesson.

A register names who was away (absent, ill, excused) or late; everyone else was present,
and that leaves no attendance row. So taking it also stamps `Lesson.attendance_taken_at`:
a lesson everyone attended has its attendance entered all the same, and the reminder about
unfilled lessons (services.reminders) leaves it alone. Re-taking a register replaces it:
students no longer listed lose their row. Rows that arrive after the 002 §5.2 deadline are
noted as late (services.deadlines), unless the register is an initial load (backfill).

A new or changed absence is pushed to the student's family (`absence_push`, the one
producer of absence pushes, which the journal exchange uses too), unless the register is a
backfill or older than the school's backfill window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, deadlines
from services.errors import InvalidJournalData, NotFound
from services.models import Attendance, AttendanceKind, Lesson, Student, SubgroupMember, Subject
from services.notifications import Push, notify_students, school_clock
from services.push_events import AbsenceEvent


def absence_push(attendance_id: int, kind: AttendanceKind | str, *, subject: str,
                 subject_id: int, date: dt.date, slot: int) -> Push:
    """The push about one attendance row: one key per row and kind, so a correction (absent
    → ill) is told and a re-sent identical row is not."""
    kind = AttendanceKind(kind)
    event = AbsenceEvent(attendance=kind.value, subject=subject, date=date, slot=slot)
    return Push(event, f"absence:{attendance_id}:{kind.value}", subject_id)


@dataclass(frozen=True)
class RegisterResult:
    lesson_id: int
    written: int  # attendance rows added or corrected
    removed: int  # rows of students now present
    late: int  # rows noted as entered late
    queued: int = 0  # absence pushes queued


async def _scope(session: AsyncSession, lesson: Lesson) -> set[int]:
    """The students a lesson is for: its subgroup's members, or the whole class."""
    stmt = select(Student.id).where(Student.class_id == lesson.class_id)
    if lesson.subgroup_id is not None:
        stmt = stmt.join(SubgroupMember, SubgroupMember.student_id == Student.id).where(
            SubgroupMember.subgroup_id == lesson.subgroup_id)
    return set(await session.scalars(stmt))


async def take_register(session: AsyncSession, *, lesson_id: int,
                        away: Mapping[int, AttendanceKind | str],
                        minutes_late: Mapping[int, int] | None = None,
                        entered_by_id: int | None = None,
                        backfill: bool = False, via: str | None = None) -> RegisterResult:
    """Record a lesson's register: `away` maps student ids to their attendance kind (an
    empty mapping: everyone was there); `minutes_late` how late the late ones were; `via`
    where it was entered ("bot" for quick entry, None for the journal)."""
    lesson = await session.get(Lesson, lesson_id, with_for_update=True)
    if lesson is None:
        raise NotFound(f"lesson {lesson_id}")
    kinds = {student: AttendanceKind(kind) for student, kind in away.items()}
    minutes = dict(minutes_late or {})
    strangers = (set(kinds) | set(minutes)) - await _scope(session, lesson)
    if strangers:
        raise InvalidJournalData(f"students {sorted(strangers)} are not in this lesson")
    if any(kinds.get(s) != AttendanceKind.LATE or not 0 < m <= 45 for s, m in minutes.items()):
        raise InvalidJournalData("minutes late are 1-45, for late students only")
    now = clock.now()
    if lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = now
    if via is not None:
        lesson.entered_via = via
    stored = {a.student_id: a for a in await session.scalars(
        select(Attendance).where(Attendance.lesson_id == lesson.id))}
    removed = [a.id for s, a in stored.items() if s not in kinds]
    if removed:
        await session.execute(delete(Attendance).where(Attendance.id.in_(removed)))
    added: list[Attendance] = []
    news: list[Attendance] = []  # corrections whose kind changed: told again
    changed = 0
    for student_id, kind in sorted(kinds.items()):
        row = stored.get(student_id)
        late_by = minutes.get(student_id)
        if row is None:
            row = Attendance(school_id=lesson.school_id, student_id=student_id,
                             lesson_id=lesson.id, date=lesson.date, kind=kind,
                             minutes_late=late_by, entered_by_id=entered_by_id,
                             entered_at=now, entered_via=via)
            session.add(row)
            added.append(row)
        elif (row.kind, row.minutes_late) != (kind, late_by):
            # A correction (a doctor's note turning "absent" into "ill") is not a new
            # entry: the row keeps the time it was first entered.
            told = row.kind != kind
            row.kind, row.minutes_late = kind, late_by
            changed += 1
            if told:
                news.append(row)
    await session.flush()
    late = 0 if backfill else await deadlines.record_late_absences(
        session, [a.id for a in added])
    queued = 0 if backfill else await _push(session, lesson, [*added, *news])
    return RegisterResult(lesson.id, len(added) + changed, len(removed), late, queued)


async def _push(session: AsyncSession, lesson: Lesson, rows: list[Attendance]) -> int:
    if not rows:
        return 0
    school = await school_clock(session, lesson.school_id)
    if lesson.date < school.today() - dt.timedelta(days=school.backfill_days):
        return 0
    subject = await session.scalar(select(Subject.name).where(Subject.id == lesson.subject_id))
    return await notify_students(session, school, [
        (row.student_id, absence_push(row.id, row.kind, subject=subject or "",
                                      subject_id=lesson.subject_id, date=lesson.date,
                                      slot=lesson.slot)) for row in rows])

