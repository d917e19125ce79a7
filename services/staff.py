"""What a staff member reads: the classes they may see, a class's marks in one subject,
and one student's summary (their lessons day by day are in services.teacher_days).

Access comes from services.access on every call: `class_access` for class reads and
`student_access(purpose="staff_summary")` for a student (both audit the read). A subject
teacher sees only the subjects they teach in that class, and where they teach only a
subgroup, only its students. Each view runs a fixed number of statements.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import access
from services.access import ChildRef, ClassAccess
from services.calendar import PeriodInfo, current_period, periods_for_grade, reporting_periods
from services.consent_report import StudentConsent, class_consent
from services.marks import (
    MarkValue,
    NoPeriod,
    PeriodOverview,
    SubjectRef,
    period_overview,
    weighted_average,
)
from services.models import (
    AcademicYear,
    Attendance,
    AttendanceKind,
    ClassGroup,
    CurriculumItem,
    Lesson,
    Mark,
    Student,
    StudentStatus,
    SubgroupMember,
    Subject,
    TeachingAssignment,
)
from services.names import initials
from services.timetable import school_today

ABSENCE_KINDS = (AttendanceKind.ABSENT, AttendanceKind.ILL, AttendanceKind.EXCUSED,
                 AttendanceKind.LATE)


# --- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRef:
    id: int
    name: str
    grade: int

    @property
    def gets_marks(self) -> bool:
        return self.grade > 1  # 002 §5.5


@dataclass(frozen=True)
class StaffClasses:
    staff_id: int
    classes: tuple[ClassRef, ...]  # grade and name order


@dataclass(frozen=True)
class ClassView:
    klass: ClassRef
    subjects: tuple[SubjectRef, ...]  # the subjects this staff member may see, by name
    # For the class's own class teacher: each student's link and consent state (surname
    # order); None for anyone else.
    consents: tuple[StudentConsent, ...] | None = None


@dataclass(frozen=True)
class StudentRef:
    id: int
    name: str  # "Иванов А."


@dataclass(frozen=True)
class ClassStudents:
    klass: ClassRef
    students: tuple[StudentRef, ...]  # surname order


@dataclass(frozen=True)
class StudentMarksRow:
    student: StudentRef
    marks: tuple[MarkValue, ...]  # date order
    average: Decimal | None


@dataclass(frozen=True)
class ClassMarksTable:
    klass: ClassRef
    subject: SubjectRef
    period: PeriodInfo | None
    rows: tuple[StudentMarksRow, ...]  # surname order
    previous: PeriodInfo | None = None
    next: PeriodInfo | None = None


@dataclass(frozen=True)
class StudentSummary:
    child: ChildRef
    overview: PeriodOverview | None  # None: the grade has no reporting periods
    absences: tuple[tuple[AttendanceKind, int], ...]  # every kind, ABSENCE_KINDS order

    @property
    def absences_total(self) -> int:
        """Missed lessons (being late is not missing one)."""
        return sum(n for kind, n in self.absences if kind != AttendanceKind.LATE)


# --- classes ------------------------------------------------------------------------------


def _current_year(school_id: int, today: dt.date) -> ColumnElement[int]:
    """The school's academic year that started last on or before today."""
    return (select(AcademicYear.id)
            .where(AcademicYear.school_id == school_id, AcademicYear.starts_on <= today)
            .order_by(AcademicYear.starts_on.desc()).limit(1).scalar_subquery())


async def visible_classes(session: AsyncSession, account_id: int) -> StaffClasses:
    """Classes the staff member may open: all of the school for admins, deputies,
    directors, clerks and inspectors; otherwise their own class and the classes they
    teach (current academic year)."""
    staff = await access.require_staff(session, account_id)
    today = await school_today(session, staff.school_id)
    conditions: list[ColumnElement[bool]] = [
        ClassGroup.school_id == staff.school_id,
        ClassGroup.academic_year_id == _current_year(staff.school_id, today),
    ]
    if not staff.school_wide:
        conditions.append(or_(
            ClassGroup.class_teacher_id == staff.staff_id,
            exists().where(TeachingAssignment.class_id == ClassGroup.id,
                           TeachingAssignment.staff_id == staff.staff_id)))
    rows = (await session.execute(
        select(ClassGroup.id, ClassGroup.name, ClassGroup.grade).where(*conditions)
        .order_by(ClassGroup.grade, ClassGroup.name)
    )).all()
    return StaffClasses(staff.staff_id, tuple(ClassRef(r.id, r.name, r.grade) for r in rows))


async def _class_ref(session: AsyncSession, granted: ClassAccess) -> ClassRef:
    grade = await session.scalar(select(ClassGroup.grade)
                                 .where(ClassGroup.id == granted.class_id))
    return ClassRef(granted.class_id, granted.class_name, int(grade or 0))


def _subject_filter(granted: ClassAccess) -> list[ColumnElement[bool]]:
    if granted.subject_ids is None:
        return []
    return [Subject.id.in_(granted.subject_ids)]


async def class_view(session: AsyncSession, account_id: int, class_id: int) -> ClassView:
    """A class and the subjects of its curriculum this staff member may see; for its class
    teacher also each student's link and consent state."""
    granted = await access.class_access(session, account_id, class_id)
    klass = await _class_ref(session, granted)
    rows = (await session.execute(
        select(Subject.id, Subject.name, Subject.pass_fail)
        .join(CurriculumItem, CurriculumItem.subject_id == Subject.id)
        .where(CurriculumItem.class_id == class_id, *_subject_filter(granted))
        .order_by(Subject.name)
    )).all()
    teacher_id = await session.scalar(select(ClassGroup.class_teacher_id)
                                      .where(ClassGroup.id == class_id))
    consents = None
    if teacher_id == granted.staff.staff_id:
        consents = (await class_consent(session, class_id)).students
    return ClassView(klass, tuple(SubjectRef(r.id, r.name, r.pass_fail) for r in rows),
                     consents)


def _students_of(granted: ClassAccess, subject_id: int | None) -> list[ColumnElement[bool]]:
    """Active students of the class; a teacher who teaches a subject only to subgroups sees
    only their members (for `subject_id`, or any subject they teach here)."""
    conditions: list[ColumnElement[bool]] = [Student.class_id == granted.class_id,
                                             Student.status == StudentStatus.ACTIVE]
    if granted.subject_ids is None:
        return conditions
    mine = [TeachingAssignment.staff_id == granted.staff.staff_id,
            TeachingAssignment.class_id == granted.class_id]
    if subject_id is not None:
        mine.append(TeachingAssignment.subject_id == subject_id)
    conditions.append(exists().where(
        *mine,
        or_(TeachingAssignment.subgroup_id.is_(None),
            exists().where(SubgroupMember.subgroup_id == TeachingAssignment.subgroup_id,
                           SubgroupMember.student_id == Student.id))))
    return conditions


def _student_ref(row_id: int, last: str, first: str | None) -> StudentRef:
    return StudentRef(row_id, initials(last, first, None))


async def class_students(session: AsyncSession, account_id: int,
                         class_id: int) -> ClassStudents:
    """The students of a class this staff member may open a summary of."""
    granted = await access.class_access(session, account_id, class_id)
    klass = await _class_ref(session, granted)
    rows = (await session.execute(
        select(Student.id, Student.last_name, Student.first_name)
        .where(*_students_of(granted, None))
        .order_by(Student.last_name, Student.first_name, Student.id)
    )).all()
    return ClassStudents(klass, tuple(_student_ref(r.id, r.last_name, r.first_name)
                                      for r in rows))


async def class_marks_table(session: AsyncSession, account_id: int, class_id: int,
                            subject_id: int, period_id: int | None = None) -> ClassMarksTable:
    """Every (visible) student's marks in one subject in a period (default: the current
    one) with the weighted average. Six statements, however many marks."""
    granted = await access.class_access(session, account_id, class_id)
    if granted.subject_ids is not None and subject_id not in granted.subject_ids:
        raise access.deny(account_id, "subject", class_id=class_id,
                                subject_id=subject_id)
    subject = (await session.execute(
        select(Subject.id, Subject.name, Subject.pass_fail)
        .where(Subject.id == subject_id, Subject.school_id == granted.school_id)
    )).one_or_none()
    if subject is None:
        raise access.deny(account_id, "subject", subject_id=subject_id)
    ref = SubjectRef(subject.id, subject.name, subject.pass_fail)
    klass = await _class_ref(session, granted)
    today = await school_today(session, granted.school_id)
    terms = reporting_periods(await periods_for_grade(session, granted.school_id, klass.grade))
    period = current_period(terms, today)
    if period_id:
        period = next((p for p in terms if p.id == period_id), None)
        if period is None:
            raise access.deny(account_id, "period", class_id=class_id,
                                    period_id=period_id)
    if period is None or not klass.gets_marks:
        return ClassMarksTable(klass, ref, period, ())
    index = terms.index(period)
    previous = terms[index - 1] if index > 0 else None
    following = terms[index + 1] if index + 1 < len(terms) else None
    students = (await session.execute(
        select(Student.id, Student.last_name, Student.first_name)
        .where(*_students_of(granted, subject_id))
        .order_by(Student.last_name, Student.first_name, Student.id)
    )).all()
    marks = (await session.execute(
        select(Mark.student_id, Mark.date, Mark.value, Mark.passed, Mark.weight)
        .join(Student, Student.id == Mark.student_id)
        .where(*_students_of(granted, subject_id), Mark.subject_id == subject_id,
               Mark.deleted_at.is_(None), Mark.date.between(period.starts_on, period.ends_on))
        .order_by(Mark.date, Mark.entered_at, Mark.id)
    )).all()
    by_student: dict[int, list[MarkValue]] = defaultdict(list)
    for m in marks:
        by_student[m.student_id].append(MarkValue(m.date, m.value, m.passed, m.weight))
    rows = tuple(
        StudentMarksRow(_student_ref(s.id, s.last_name, s.first_name),
                        tuple(by_student[s.id]), weighted_average(by_student[s.id]))
        for s in students)
    return ClassMarksTable(klass, ref, period, rows, previous, following)


# --- one student --------------------------------------------------------------------------


async def student_summary(session: AsyncSession, account_id: int,
                          student_id: int) -> StudentSummary:
    """A staff member's look at one student in the current period: the marks and weighted
    average per visible subject, and absences by kind (in visible subjects' lessons). The
    read is audited by services.access."""
    await access.require_staff(session, account_id)
    granted = await access.student_access(session, account_id, student_id,
                                          purpose="staff_summary")
    try:
        overview: PeriodOverview | None = await period_overview(session, granted)
    except NoPeriod:
        overview = None
    counts: dict[AttendanceKind, int] = {}
    if overview is not None:
        period = overview.period
        query = (select(Attendance.kind, func.count())
                 .join(Lesson, Lesson.id == Attendance.lesson_id)
                 .where(Attendance.student_id == student_id,
                        Attendance.date.between(period.starts_on, period.ends_on))
                 .group_by(Attendance.kind))
        if granted.subject_ids is not None:
            query = query.where(Lesson.subject_id.in_(granted.subject_ids))
        counts = {kind: int(n) for kind, n in (await session.execute(query)).all()}
    return StudentSummary(granted.child, overview,
                          tuple((kind, counts.get(kind, 0)) for kind in ABSENCE_KINDS))
