"""The reminders scheduled jobs send: homework due tomorrow (to students, the evening
before) and, to staff, lessons left without marks past the deadline.

The deadline is 002 §5.2's: current marks and absences go into the journal "не более пяти
дней с даты проведения урока", five days, moved to the next working day when they end on a
day off (services.deadlines). The staff reminder itself goes out on school working days
only (services.working_days), so it names a lesson on its deadline day, or on the first
working day after a deadline that passed over a weekend or the holidays.

A lesson counts as filled once anything is entered for it: a mark, an absence, or the
register taken with everyone present (services.attendance_register).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services import push_events as ev
from services.deadlines import MARKING_DEADLINE_DAYS
from services.models import (
    Attendance,
    ClassGroup,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    Student,
    SubgroupMember,
    Subject,
)
from services.notifications import Push, SchoolClock, notify_staff, notify_students
from services.rosters import active_students

STAFF_LOOKBACK_DAYS = 30  # older gaps are the deputy's business, not a daily reminder
STAFF_ITEMS_MAX = 40
HOMEWORK_TEXT_MAX = 600


def overdue_since(today: dt.date) -> dt.date:
    """The last lesson date whose marks are due by `today`: on a working day, the lessons
    whose deadline (services.deadlines.entry_deadline) is today or past."""
    return today - dt.timedelta(days=MARKING_DEADLINE_DAYS)


# --- the evening before: homework due tomorrow, to students -----------------------------


async def homework_eve(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    """Per student, tomorrow's homework of their class, subgroups and their own; to the
    students' own chats only. Returns rows queued."""
    tomorrow = today + dt.timedelta(days=1)
    rows = (await session.execute(
        select(Homework.class_id, Homework.subgroup_id, Homework.student_id, Homework.text,
               Subject.name.label("subject"))
        .join(Subject, Subject.id == Homework.subject_id)
        .where(Homework.school_id == school.school_id, Homework.due_on == tomorrow)
        .order_by(Subject.name, Homework.id))).all()
    if not rows:
        return 0
    students = await active_students(session, sorted({r.class_id for r in rows}))
    subgroup_ids = sorted({r.subgroup_id for r in rows if r.subgroup_id is not None})
    members: dict[int, set[int]] = defaultdict(set)
    if subgroup_ids:
        for m in await session.execute(
                select(SubgroupMember.subgroup_id, SubgroupMember.student_id)
                .where(SubgroupMember.subgroup_id.in_(subgroup_ids))):
            members[m.subgroup_id].add(m.student_id)
    items: dict[int, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r.student_id is not None:
            audience = [r.student_id]
        elif r.subgroup_id is not None:
            audience = [s for s in students.get(r.class_id, []) if s in members[r.subgroup_id]]
        else:
            audience = students.get(r.class_id, [])
        for student_id in audience:
            items[student_id].append({"subject": r.subject,
                                      "text": r.text[:HOMEWORK_TEXT_MAX]})
    pushes = [(student_id, Push(ev.HomeworkTomorrowEvent(
                                    due_on=tomorrow,
                                    items=tuple(ev.HomeworkItem(**i) for i in found)),
                                f"homework-eve:{tomorrow.isoformat()}:{student_id}"))
              for student_id, found in sorted(items.items())]
    return await notify_students(session, school, pushes, students_only=True)


# --- staff: lessons past the 5-day deadline with nothing entered ------------------------


def unfilled() -> ColumnElement[bool]:
    """A lesson with nothing entered: no live mark, no attendance row, and no register
    taken (a lesson everyone attended has its attendance entered all the same)."""
    any_mark = exists().where(
        Mark.deleted_at.is_(None),
        or_(Mark.lesson_id == Lesson.id,
            and_(Mark.lesson_id.is_(None), Mark.subject_id == Lesson.subject_id,
                 Mark.date == Lesson.date,
                 Mark.student_id.in_(select(Student.id).where(
                     Student.class_id == Lesson.class_id)))))
    any_attendance = exists().where(Attendance.lesson_id == Lesson.id)
    return and_(~any_mark, ~any_attendance, Lesson.attendance_taken_at.is_(None))


FILLABLE = (LessonStatus.HELD, LessonStatus.REPLACED, LessonStatus.SCHEDULED)


async def unmarked_lessons(session: AsyncSession, school_id: int,
                           today: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Per teacher (the substitute for a replaced lesson), lessons past the deadline with
    nothing entered (`unfilled`). First grade is left out: it gets no marks, and until
    the journal sends its registers most of its lessons would look unfilled."""
    rows = (await session.execute(
        select(Lesson.date, Lesson.slot, ClassGroup.name.label("klass"),
               Subject.name.label("subject"),
               func.coalesce(Lesson.substitute_id, Lesson.teacher_id).label("teacher"))
        .join(ClassGroup, ClassGroup.id == Lesson.class_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Lesson.school_id == school_id, ClassGroup.grade > 1,
               Lesson.status.in_(FILLABLE),
               Lesson.date.between(today - dt.timedelta(days=STAFF_LOOKBACK_DAYS),
                                   overdue_since(today)),
               unfilled())
        .order_by(Lesson.date, Lesson.slot, ClassGroup.name))).all()
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        result[r.teacher].append({"class": r.klass, "subject": r.subject,
                                  "date": r.date.isoformat(), "slot": r.slot})
    return dict(result)


async def staff_reminders(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    """One push per teacher listing their overdue lessons. Returns rows queued."""
    found = await unmarked_lessons(session, school.school_id, today)
    pushes = [(staff_id, Push(ev.UnmarkedLessonsEvent.from_payload(
                                  {"items": items[:STAFF_ITEMS_MAX]}),
                              f"staff-unmarked:{today.isoformat()}:{staff_id}"))
              for staff_id, items in sorted(found.items())]
    return await notify_staff(session, school, pushes)
