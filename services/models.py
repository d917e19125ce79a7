"""The diary data model (SQLAlchemy 2, typed).

Names follow ../shared/GLOSSARY.md. Every row a journal can send us carries an
`external_id` unique per school, so the journal can re-send it and we update instead of
duplicating. Times are stored in UTC (`timestamptz`); dates are school-local calendar dates.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: DateTime(timezone=True)}


def _enum(cls: type[enum.Enum]) -> Enum:
    # Store the enum's lowercase values, not member names, so SQL reads naturally.
    return Enum(
        cls,
        name=cls.__name__.lower(),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def _now() -> Any:
    return mapped_column(server_default=func.now())


def _school_fk() -> Any:
    return mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)


def _external_id() -> Any:
    return mapped_column(String(64), nullable=True)


def _external_unique(table: str) -> UniqueConstraint:
    return UniqueConstraint("school_id", "external_id", name=f"uq_{table}_school_external")


# --- enums ------------------------------------------------------------------------------


class PeriodKind(enum.StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    HOLIDAYS = "holidays"


class StudentStatus(enum.StrEnum):
    ACTIVE = "active"
    TRANSFERRED = "transferred"
    LEFT = "left"


class GuardianRelation(enum.StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    OTHER = "other"


class StaffRoleKind(enum.StrEnum):
    ADMIN = "admin"
    DEPUTY = "deputy"
    CLASS_TEACHER = "class_teacher"
    SUBJECT_TEACHER = "subject_teacher"
    CLERK = "clerk"
    DIRECTOR = "director"
    INSPECTOR = "inspector"


class LessonStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    REPLACED = "replaced"
    MOVED = "moved"
    CANCELLED = "cancelled"


class AttendanceKind(enum.StrEnum):
    ABSENT = "absent"  # Н: no reason given, counts as unexcused
    ILL = "ill"  # Б
    EXCUSED = "excused"  # УП
    LATE = "late"  # ОП


class FinalMarkKind(enum.StrEnum):
    PERIOD = "period"  # quarter or half-year
    YEAR = "year"
    EXAM = "exam"
    FINAL = "final"


class LinkKind(enum.StrEnum):
    GUARDIAN = "guardian"
    STUDENT = "student"
    STAFF = "staff"


class ConsentDecision(enum.StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ComplaintStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"


# --- school and calendar ----------------------------------------------------------------


class School(Base):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # Grading settings: the fraction at which a weighted average rounds up (0.5: 3.5 → 4).
    rounding_threshold: Mapped[float] = mapped_column(Numeric(3, 2), default=0.5)
    link_code_ttl_hours: Mapped[int] = mapped_column(Integer, default=72)
    backfill_days: Mapped[int] = mapped_column(Integer, default=7)
    consent_version: Mapped[int] = mapped_column(Integer, default=1)
    quiet_start: Mapped[dt.time] = mapped_column(Time, default=dt.time(21, 0))
    quiet_end: Mapped[dt.time] = mapped_column(Time, default=dt.time(7, 0))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = _now()
    __table_args__ = (
        CheckConstraint("rounding_threshold > 0 AND rounding_threshold < 1", name="rounding"),
        CheckConstraint("link_code_ttl_hours BETWEEN 1 AND 720", name="code_ttl"),
    )


class AcademicYear(Base):
    __tablename__ = "academic_years"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("starts_on < ends_on", name="dates"),
    )


class Period(Base):
    """A reporting period (quarter, half-year, year) or holidays within an academic year."""

    __tablename__ = "periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    academic_year_id: Mapped[int] = mapped_column(
        ForeignKey("academic_years.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PeriodKind] = mapped_column(_enum(PeriodKind))
    number: Mapped[int] = mapped_column(SmallInteger, default=1)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # Which grades the period applies to: quarters for 1-9, half-years for 10-11.
    grade_min: Mapped[int] = mapped_column(SmallInteger, default=1)
    grade_max: Mapped[int] = mapped_column(SmallInteger, default=11)
    __table_args__ = (
        CheckConstraint("starts_on <= ends_on", name="dates"),
        CheckConstraint("grade_min BETWEEN 1 AND 11 AND grade_max BETWEEN grade_min AND 11",
                        name="grades"),
        Index("ix_periods_school_dates", "school_id", "starts_on", "ends_on"),
    )


class BellSlot(Base):
    """When lesson number `slot` starts and ends in a school."""

    __tablename__ = "bell_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    slot: Mapped[int] = mapped_column(SmallInteger)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    __table_args__ = (UniqueConstraint("school_id", "slot"),)


# --- people -----------------------------------------------------------------------------


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (_external_unique("staff"),)


class StaffRole(Base):
    """A role of a staff member, scoped to that staff member's school."""

    __tablename__ = "staff_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = _school_fk()
    role: Mapped[StaffRoleKind] = mapped_column(_enum(StaffRoleKind))
    __table_args__ = (UniqueConstraint("staff_id", "role"),)


class ClassGroup(Base):
    """A class such as 5А: a grade level and a letter within one academic year."""

    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    academic_year_id: Mapped[int] = mapped_column(
        ForeignKey("academic_years.id", ondelete="CASCADE")
    )
    grade: Mapped[int] = mapped_column(SmallInteger)
    letter: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(10))
    class_teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year_id", "name"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
        _external_unique("classes"),
    )


class Subject(Base):
    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(30))
    pass_fail: Mapped[bool] = mapped_column(Boolean, default=False)  # зачёт/незачёт
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (UniqueConstraint("school_id", "name"), _external_unique("subjects"))


class CurriculumItem(Base):
    """Hours per subject per class per year, and who teaches it (per subgroup if split)."""

    __tablename__ = "curriculum"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    hours_per_week: Mapped[float] = mapped_column(Numeric(4, 1))
    hours_per_year: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("class_id", "subject_id"),)


class Subgroup(Base):
    """Part of a class for one subject (languages, IT, labour), with its own teacher."""

    __tablename__ = "subgroups"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    __table_args__ = (UniqueConstraint("class_id", "subject_id", "name"),)


class TeachingAssignment(Base):
    """Who teaches a subject to a class (or one subgroup of it)."""

    __tablename__ = "teaching_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    subgroup_id: Mapped[int | None] = mapped_column(
        ForeignKey("subgroups.id", ondelete="CASCADE")
    )
    __table_args__ = (
        UniqueConstraint("staff_id", "class_id", "subject_id", "subgroup_id",
                         postgresql_nulls_not_distinct=True),
    )


class Student(Base):
    __tablename__ = "students"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="SET NULL"), index=True
    )
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[StudentStatus] = mapped_column(
        _enum(StudentStatus), default=StudentStatus.ACTIVE
    )
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (_external_unique("students"),)


class StudentClassHistory(Base):
    __tablename__ = "student_class_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))


class SubgroupMember(Base):
    __tablename__ = "subgroup_members"
    subgroup_id: Mapped[int] = mapped_column(
        ForeignKey("subgroups.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Guardian(Base):
    __tablename__ = "guardians"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Set when the guardian refused or withdrew consent: they get paper extracts (000 §4.5).
    prefers_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (_external_unique("guardians"),)


class GuardianStudent(Base):
    __tablename__ = "guardian_students"
    guardian_id: Mapped[int] = mapped_column(
        ForeignKey("guardians.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[GuardianRelation] = mapped_column(_enum(GuardianRelation))


# --- lessons, homework, marks, attendance -----------------------------------------------


class Lesson(Base):
    __tablename__ = "lessons"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(SmallInteger)
    room: Mapped[str | None] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(Text)
    material: Mapped[str | None] = mapped_column(Text)
    # A test (контрольная) or other work announced in advance for this lesson.
    planned_work_type_id: Mapped[int | None] = mapped_column(ForeignKey("work_types.id"))
    status: Mapped[LessonStatus] = mapped_column(
        _enum(LessonStatus), default=LessonStatus.SCHEDULED
    )
    moved_to_date: Mapped[dt.date | None] = mapped_column(Date)
    moved_to_slot: Mapped[int | None] = mapped_column(SmallInteger)
    external_id: Mapped[str | None] = _external_id()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(),
                                                    onupdate=func.now())
    __table_args__ = (
        _external_unique("lessons"),
        CheckConstraint("slot BETWEEN 0 AND 12", name="slot"),
        CheckConstraint("status <> 'replaced' OR substitute_id IS NOT NULL", name="substitute"),
        Index("ix_lessons_class_date", "class_id", "date", "slot"),
        Index("ix_lessons_teacher_date", "teacher_id", "date"),
        Index("ix_lessons_substitute_date", "substitute_id", "date",
              postgresql_where=text("substitute_id IS NOT NULL")),
        Index("ix_lessons_class_subject_date", "class_id", "subject_id", "date"),
    )


class Homework(Base):
    """Homework for a class, one subgroup of it, or one student (individual)."""

    __tablename__ = "homework"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="CASCADE"))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    assigned_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str | None] = _external_id()
    created_at: Mapped[dt.datetime] = _now()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(),
                                                    onupdate=func.now())
    __table_args__ = (
        _external_unique("homework"),
        CheckConstraint("assigned_on <= due_on", name="dates"),
        Index("ix_homework_class_due", "class_id", "due_on"),
    )


class WorkType(Base):
    """A kind of graded work (answer in class, quiz, test...) with its weight."""

    __tablename__ = "work_types"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(SmallInteger, default=1)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)  # контрольная: scheduled
    __table_args__ = (
        UniqueConstraint("school_id", "code"),
        CheckConstraint("weight BETWEEN 1 AND 10", name="weight"),
    )


class Mark(Base):
    """A current mark: 1-5, or pass/fail for pass-fail subjects. Soft-deleted so a push can
    say it was deleted and the history stays."""

    __tablename__ = "marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    work_type_id: Mapped[int] = mapped_column(ForeignKey("work_types.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    weight: Mapped[int] = mapped_column(SmallInteger, default=1)
    comment: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    entered_at: Mapped[dt.datetime] = _now()
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (
        _external_unique("marks"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
        CheckConstraint("(value IS NULL) <> (passed IS NULL)", name="value_or_pass"),
        CheckConstraint("weight BETWEEN 1 AND 10", name="weight"),
        Index("ix_marks_student_date", "student_id", "date"),
        Index("ix_marks_student_subject_date", "student_id", "subject_id", "date"),
        Index("ix_marks_lesson", "lesson_id"),
    )


class MarkChange(Base):
    """Change history of a mark: who changed what, when."""

    __tablename__ = "mark_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    mark_id: Mapped[int] = mapped_column(ForeignKey("marks.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # created / updated / deleted
    old_value: Mapped[int | None] = mapped_column(SmallInteger)
    new_value: Mapped[int | None] = mapped_column(SmallInteger)
    old_passed: Mapped[bool | None] = mapped_column(Boolean)
    new_passed: Mapped[bool | None] = mapped_column(Boolean)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    changed_at: Mapped[dt.datetime] = _now()


class FinalMark(Base):
    """Period (quarter/half-year), year, exam and final marks. `postponed` marks a sick
    student's deferred attestation (001 §5)."""

    __tablename__ = "final_marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    kind: Mapped[FinalMarkKind] = mapped_column(_enum(FinalMarkKind))
    value: Mapped[int | None] = mapped_column(SmallInteger)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    postponed: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    entered_at: Mapped[dt.datetime] = _now()
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (
        _external_unique("final_marks"),
        UniqueConstraint("student_id", "subject_id", "period_id", "kind"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
        CheckConstraint(
            "(postponed AND value IS NULL AND passed IS NULL)"
            " OR (NOT postponed AND (value IS NULL) <> (passed IS NULL))",
            name="value_or_postponed",
        ),
    )


class Attendance(Base):
    __tablename__ = "attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)  # the lesson's date, for student + date reads
    kind: Mapped[AttendanceKind] = mapped_column(_enum(AttendanceKind))
    minutes_late: Mapped[int | None] = mapped_column(SmallInteger)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    entered_at: Mapped[dt.datetime] = _now()
    external_id: Mapped[str | None] = _external_id()
    __table_args__ = (
        _external_unique("attendance"),
        UniqueConstraint("student_id", "lesson_id"),
        Index("ix_attendance_student_date", "student_id", "date"),
        Index("ix_attendance_lesson", "lesson_id"),
    )


# --- Telegram side: accounts, links, codes, consent ------------------------------------


class Account(Base):
    """A Telegram user talking to the bot (private chat: chat id == user id)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    active_student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once 403'd
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _now()
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccountLink(Base):
    """A role of an account: guardian of a student, the student themself, or a staff member.
    Revoked links stay for the record; access checks read only live ones."""

    __tablename__ = "account_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LinkKind] = mapped_column(_enum(LinkKind))
    school_id: Mapped[int] = _school_fk()
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    link_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("link_codes.id", ondelete="SET NULL")
    )
    # A guardian link waits for consent before any data is shown (152-FZ).
    consent_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_at: Mapped[dt.datetime] = _now()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (
        CheckConstraint(
            "(kind = 'staff') = (staff_id IS NOT NULL) AND (kind = 'staff') = (student_id IS NULL)",
            name="target",
        ),
        Index("uq_account_links_live", "account_id", "kind", "student_id", "staff_id",
              unique=True, postgresql_where=text("revoked_at IS NULL"),
              postgresql_nulls_not_distinct=True),
    )


class LinkCode(Base):
    """A one-time code; only its hash is stored."""

    __tablename__ = "link_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[LinkKind] = mapped_column(_enum(LinkKind))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    issued_at: Mapped[dt.datetime] = _now()
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    used_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(
            "(kind = 'staff') = (staff_id IS NOT NULL) AND (kind = 'staff') = (student_id IS NULL)",
            name="target",
        ),
    )


class LinkAttempt(Base):
    """Every code attempt by a chat, for the brute-force limit and the audit."""

    __tablename__ = "link_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[dt.datetime] = _now()
    __table_args__ = (Index("ix_link_attempts_chat_time", "telegram_id", "attempted_at"),)


class Consent(Base):
    """A guardian's decision on personal-data processing, with the text version shown."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="SET NULL"))
    decision: Mapped[ConsentDecision] = mapped_column(_enum(ConsentDecision))
    text_version: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime] = _now()
    __table_args__ = (Index("ix_consents_account_student", "account_id", "student_id"),)


# --- communication ----------------------------------------------------------------------


class ClassNotice(Base):
    """A notice on a class wall (or school-wide when class_id is null)."""

    __tablename__ = "class_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _now()
    __table_args__ = (Index("ix_class_notices_class_time", "class_id", "created_at"),)


class MessageThread(Base):
    """A conversation between a guardian or student account and a staff member about a child."""

    __tablename__ = "message_threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _now()
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ThreadMessage(Base):
    __tablename__ = "thread_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE"), index=True
    )
    from_staff: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[dt.datetime] = _now()
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Complaint(Base):
    """004 §11: a demand to restore or protect rights violated while the service was given."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        _enum(ComplaintStatus), default=ComplaintStatus.NEW
    )
    created_at: Mapped[dt.datetime] = _now()
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Poll(Base):
    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = _school_fk()
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = _now()
    closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PollVote(Base):
    __tablename__ = "poll_votes"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    option: Mapped[int] = mapped_column(SmallInteger)
    voted_at: Mapped[dt.datetime] = _now()


# --- pushes -----------------------------------------------------------------------------


class Notification(Base):
    """Outbox: one row per recipient chat, written in the event's own transaction."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # marks, timetable, homework, forecast, ...
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    event_at: Mapped[dt.datetime] = _now()
    due_at: Mapped[dt.datetime] = _now()
    status: Mapped[NotificationStatus] = mapped_column(
        _enum(NotificationStatus), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    # Rows merged into one grouped message share a batch id; it also marks a row as claimed
    # by a send in flight, so a crash after Telegram accepted it cannot send it twice.
    batch_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # A worker's lease on a claimed row; after it lapses (the worker died) others retry it.
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    locked_by: Mapped[str | None] = mapped_column(String(60))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        Index("ix_notifications_due", "due_at", postgresql_where=text("status = 'pending'")),
        Index("ix_notifications_chat_pending", "chat_id",
              postgresql_where=text("status = 'pending'")),
    )


class NotificationPreference(Base):
    """How one chat wants pushes about one child (student_id null: defaults for the chat)."""

    __tablename__ = "notification_preferences"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    digest: Mapped[bool] = mapped_column(Boolean, default=False)  # instant when false
    digest_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(19, 0))
    quiet_start: Mapped[dt.time | None] = mapped_column(Time)  # null: the school's default
    quiet_end: Mapped[dt.time | None] = mapped_column(Time)
    muted_kinds: Mapped[list[str]] = mapped_column(JSONB, default=list)
    muted_subject_ids: Mapped[list[int]] = mapped_column(JSONB, default=list)
    hide_values: Mapped[bool] = mapped_column(Boolean, default=False)  # spoiler privacy mode
    __table_args__ = (
        UniqueConstraint("account_id", "student_id", postgresql_nulls_not_distinct=True),
    )


class ForecastSnapshot(Base):
    """The last forecast told to the family, so only changes are pushed."""

    __tablename__ = "forecast_snapshots"
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), primary_key=True
    )
    period_id: Mapped[int] = mapped_column(
        ForeignKey("periods.id", ondelete="CASCADE"), primary_key=True
    )
    average: Mapped[float] = mapped_column(Numeric(4, 2))
    forecast: Mapped[int] = mapped_column(SmallInteger)
    updated_at: Mapped[dt.datetime] = _now()


class JobRun(Base):
    """One row per scheduled job run key, so a job runs once across bot processes."""

    __tablename__ = "job_runs"
    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    started_at: Mapped[dt.datetime] = _now()
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    """Who did or read what. Carries ids, never names or mark values."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = _now()
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(60))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    __table_args__ = (
        Index("ix_audit_log_student_time", "student_id", "at"),
        Index("ix_audit_log_action_time", "action", "at"),
    )


# First-grade students get no marks (002 §5.5). A CHECK cannot see the student's class, so
# a trigger (migrations/versions/0001) enforces it for every writer: bot, journal import
# and CLI alike.
