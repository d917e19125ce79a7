"""Paper extracts (000 §4.5, 001 §2): for families without electronic access, what the
diary would have shown for a date range — marks with work types and the teacher's comment,
absences, homework — one extract per student, a batch per class for the class teacher.

A student gets a paper extract when a guardian asked for paper (refused or withdrew
consent: `prefers_paper`) or when no guardian reads the diary electronically (no live,
consented guardian link). The batch is due every two weeks on the school's first working
day of the fortnight (`extract_due`); the scheduler decides when, this module what.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import class_access, deny
from services.errors import NotFound
from services.models import StaffRoleKind
from services.notifications import Push, SchoolClock, notify_staff
from services.push_events import PaperExtractsEvent
from services.reports.base import OVERSIGHT, rows

FORTNIGHT = 14
DAY = dt.timedelta(days=1)

# Students of a class whose families get paper. `:class_id` names the class.
PAPER_CONDITION = """(
    EXISTS (SELECT 1 FROM guardian_students gs JOIN guardians g ON g.id = gs.guardian_id
            WHERE gs.student_id = st.id AND g.prefers_paper)
    OR NOT EXISTS (SELECT 1 FROM account_links al
                   WHERE al.student_id = st.id AND al.kind = 'guardian'
                     AND al.revoked_at IS NULL AND NOT al.consent_pending))"""

_STUDENTS = f"""
SELECT st.id, concat_ws(' ', st.last_name, st.first_name, st.middle_name), c.name,
       concat_ws(' ', t.last_name, t.first_name, t.middle_name)
FROM students st
JOIN classes c ON c.id = st.class_id
LEFT JOIN staff t ON t.id = c.class_teacher_id
WHERE st.class_id = :class_id AND st.status = 'active'
  AND (CAST(:student_id AS integer) IS NULL OR st.id = :student_id)
  AND (NOT :paper_only OR {PAPER_CONDITION})
ORDER BY st.last_name, st.first_name, st.id
"""

_MARKS = """
SELECT m.student_id, m.date, sj.name, m.value, m.passed, wt.name, m.weight, m.comment
FROM marks m
JOIN subjects sj ON sj.id = m.subject_id
JOIN work_types wt ON wt.id = m.work_type_id
WHERE m.student_id = ANY(:ids) AND m.deleted_at IS NULL AND m.date BETWEEN :d0 AND :d1
ORDER BY m.student_id, m.date, sj.name, m.id
"""

_ABSENCES = """
SELECT a.student_id, a.date, l.slot, sj.name, a.kind::text, a.minutes_late
FROM attendance a
JOIN lessons l ON l.id = a.lesson_id
JOIN subjects sj ON sj.id = l.subject_id
WHERE a.student_id = ANY(:ids) AND a.date BETWEEN :d0 AND :d1
ORDER BY a.student_id, a.date, l.slot
"""

# Class-wide homework, the homework of the student's subgroups, and their own.
_HOMEWORK = """
SELECT st.id, h.due_on, sj.name, h.text
FROM students st
JOIN homework h ON h.class_id = st.class_id
JOIN subjects sj ON sj.id = h.subject_id
WHERE st.id = ANY(:ids) AND h.due_on BETWEEN :d0 AND :d1
  AND (h.student_id IS NULL OR h.student_id = st.id)
  AND (h.subgroup_id IS NULL OR EXISTS (
      SELECT 1 FROM subgroup_members sm
      WHERE sm.subgroup_id = h.subgroup_id AND sm.student_id = st.id))
ORDER BY st.id, h.due_on, sj.name, h.id
"""


@dataclass(frozen=True)
class ExtractMark:
    date: dt.date
    subject: str
    value: int | None
    passed: bool | None
    work_type: str
    weight: int
    comment: str | None


@dataclass(frozen=True)
class ExtractAbsence:
    date: dt.date
    slot: int
    subject: str
    kind: str  # AttendanceKind value
    minutes_late: int | None


@dataclass(frozen=True)
class ExtractHomework:
    due_on: dt.date
    subject: str
    text: str


@dataclass(frozen=True)
class StudentExtract:
    student_id: int
    student: str
    class_name: str
    class_teacher: str
    date_from: dt.date
    date_to: dt.date
    marks: tuple[ExtractMark, ...]
    absences: tuple[ExtractAbsence, ...]
    homework: tuple[ExtractHomework, ...]


@dataclass(frozen=True)
class ClassExtracts:
    class_id: int
    class_name: str
    school_name: str
    date_from: dt.date
    date_to: dt.date
    extracts: tuple[StudentExtract, ...]


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The two weeks up to today."""
    return today - (FORTNIGHT - 1) * DAY, today


async def class_extracts(session: AsyncSession, class_id: int, date_from: dt.date,
                         date_to: dt.date, *, paper_only: bool = True,
                         student_id: int | None = None) -> ClassExtracts:
    """The extracts of a class (four statements whatever its size): by default only the
    students whose families get paper."""
    head = await rows(session, "SELECT c.name, s.name FROM classes c JOIN schools s "
                               "ON s.id = c.school_id WHERE c.id = :class_id",
                      class_id=class_id)
    if not head:
        raise NotFound("class")
    students = await rows(session, _STUDENTS, class_id=class_id, paper_only=paper_only,
                          student_id=student_id)
    ids = [s[0] for s in students]
    window: dict[str, Any] = {"ids": ids, "d0": date_from, "d1": date_to}
    marks: dict[int, list[ExtractMark]] = defaultdict(list)
    absences: dict[int, list[ExtractAbsence]] = defaultdict(list)
    homework: dict[int, list[ExtractHomework]] = defaultdict(list)
    if ids:
        for r in await rows(session, _MARKS, **window):
            marks[r[0]].append(ExtractMark(*r[1:]))
        for r in await rows(session, _ABSENCES, **window):
            absences[r[0]].append(ExtractAbsence(*r[1:]))
        for r in await rows(session, _HOMEWORK, **window):
            homework[r[0]].append(ExtractHomework(*r[1:]))
    extracts = tuple(
        StudentExtract(sid, name, klass, teacher, date_from, date_to, tuple(marks[sid]),
                       tuple(absences[sid]), tuple(homework[sid]))
        for sid, name, klass, teacher in students)
    return ClassExtracts(class_id, head[0][0], head[0][1], date_from, date_to, extracts)


async def class_extracts_as(session: AsyncSession, account_id: int, class_id: int,
                            date_from: dt.date, date_to: dt.date) -> ClassExtracts:
    """The batch on demand in the bot: the class's teacher or school-wide staff who read
    marks (a clerk does not; a subject teacher sees only their subjects, so gets none)."""
    granted = await class_access(session, account_id, class_id, purpose="paper_extracts")
    staff = granted.staff
    teacher = await rows(session, "SELECT class_teacher_id FROM classes WHERE id = :c",
                         c=class_id)
    leads = StaffRoleKind.CLASS_TEACHER in staff.roles and teacher[0][0] == staff.staff_id
    if not (staff.roles & OVERSIGHT or leads):
        raise deny(account_id, "paper_extracts", class_id=class_id)
    return await class_extracts(session, class_id, date_from, date_to)


@dataclass(frozen=True)
class ExtractBatch:
    """What goes to one class teacher: the batch of their class."""

    class_teacher_id: int
    extracts: ClassExtracts


async def paper_extract_batches(session: AsyncSession, school_id: int, date_from: dt.date,
                                date_to: dt.date) -> list[ExtractBatch]:
    """The fortnight's batches of a school: one per class with a class teacher and at
    least one student on paper."""
    classes = await rows(session, f"""
        SELECT DISTINCT c.id, c.class_teacher_id, c.grade, c.name
        FROM classes c JOIN students st ON st.class_id = c.id AND st.status = 'active'
        WHERE c.school_id = :school_id AND c.class_teacher_id IS NOT NULL
          AND {PAPER_CONDITION}
        ORDER BY c.grade, c.name""", school_id=school_id)
    return [ExtractBatch(teacher, await class_extracts(session, class_id, date_from, date_to))
            for class_id, teacher, _, _ in classes]


# --- when: every two weeks, on the school's first working day of the fortnight -----------


def fortnight_start(day: dt.date, year_start: dt.date) -> dt.date:
    """The Monday that starts the fortnight containing `day`, counted from the week of the
    academic year's first day."""
    anchor = year_start - year_start.weekday() * DAY
    return anchor + ((day - anchor).days // FORTNIGHT) * FORTNIGHT * DAY


def extract_due(day: dt.date, year_start: dt.date,
                is_working_day: Callable[[dt.date], bool]) -> dt.date | None:
    """The fortnight's start (the run key) when `day` is the first working day of its
    fortnight, else None. A fortnight with no working day at all (holidays) has no batch."""
    start = fortnight_start(day, year_start)
    if day < year_start or not is_working_day(day):
        return None
    first = max(start, year_start)  # the year's first fortnight starts with the year
    earlier: Sequence[dt.date] = [first + n * DAY for n in range((day - first).days)]
    return None if any(is_working_day(d) for d in earlier) else start


@dataclass(frozen=True)
class FortnightExtracts:
    """The fortnight's batches of a school, due today: `run_key` makes the run happen once
    across scheduler processes (`run_once`), and each push is keyed by class and fortnight
    so a retried run never queues twice."""

    run_key: str
    date_from: dt.date
    date_to: dt.date
    batches: tuple[ExtractBatch, ...]


async def fortnight_extracts(session: AsyncSession, school_id: int, today: dt.date,
                             is_working_day: Callable[[dt.date], bool],
                             ) -> FortnightExtracts | None:
    """What the two-weekly job hands the class teachers today, or None when today is not
    the fortnight's first working day. The extracts cover the two weeks up to today."""
    found = await rows(session, """
        SELECT starts_on FROM academic_years WHERE school_id = :s AND starts_on <= :today
        ORDER BY starts_on DESC LIMIT 1""", s=school_id, today=today)
    if not found:
        return None
    start = extract_due(today, found[0][0], is_working_day)
    if start is None:
        return None
    date_from, date_to = default_range(today)  # what the bot's button gives today
    batches = await paper_extract_batches(session, school_id, date_from, date_to)
    return FortnightExtracts(f"paper-extracts:{school_id}:{start.isoformat()}", date_from,
                             date_to, tuple(b for b in batches if b.extracts.extracts))


def extract_pushes(found: FortnightExtracts) -> list[tuple[int, Push]]:
    """Staff pushes for `services.notifications.notify_staff`: one per class teacher and
    class, telling them the batch is ready under Reports → Paper extracts."""
    return [(b.class_teacher_id, Push(
        PaperExtractsEvent(class_id=b.extracts.class_id, klass=b.extracts.class_name,
                           count=len(b.extracts.extracts), date_from=found.date_from,
                           date_to=found.date_to),
        f"paper-extracts:{b.extracts.class_id}:{found.date_to.isoformat()}"))
        for b in found.batches]


async def queue_fortnight_extracts(session: AsyncSession, school: SchoolClock,
                                   today: dt.date,
                                   is_working_day: Callable[[dt.date], bool]) -> int:
    """The two-weekly job's work, for `run_once(..., found.run_key, ...)`: queue each class
    teacher's push when today is the day; returns the rows queued."""
    found = await fortnight_extracts(session, school.school_id, today, is_working_day)
    return await notify_staff(session, school, extract_pushes(found)) if found else 0
