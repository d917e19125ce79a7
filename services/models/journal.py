"""Lessons, homework, work types, marks, final marks and attendance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy import text as sql_text  # Homework has a column named `text`
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import (
    Base,
    created_now,
    enum_type,
    external_id_column,
    external_unique,
    school_fk,
)
from services.models.enums import AttendanceKind, FinalMarkKind, LessonStatus


class Lesson(Base):
    __tablename__ = "lessons"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
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
        enum_type(LessonStatus), default=LessonStatus.SCHEDULED
    )
    moved_to_date: Mapped[dt.date | None] = mapped_column(Date)
    moved_to_slot: Mapped[int | None] = mapped_column(SmallInteger)
    # When the teacher took the register: a lesson everyone attended has no attendance rows,
    # and this is what says its attendance was entered all the same (002 §5.2).
    attendance_taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    entered_via: Mapped[str | None] = mapped_column(String(10))  # "bot": quick entry
    external_id: Mapped[str | None] = external_id_column()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(),
                                                    onupdate=func.now())
    __table_args__ = (
        external_unique("lessons"),
        CheckConstraint("slot BETWEEN 0 AND 12", name="slot"),
        CheckConstraint("status <> 'replaced' OR substitute_id IS NOT NULL", name="substitute"),
        Index("ix_lessons_class_date", "class_id", "date", "slot"),
        Index("ix_lessons_teacher_date", "teacher_id", "date"),
        Index("ix_lessons_substitute_date", "substitute_id", "date",
              postgresql_where=text("substitute_id IS NOT NULL")),
        Index("ix_lessons_class_subject_date", "class_id", "subject_id", "date"),
        # Where moved lessons land: the timetable's second branch (services.timetable).
        Index("ix_lessons_class_moved_to", "class_id", "moved_to_date",
              postgresql_where=text("status = 'moved'")),
        Index("ix_lessons_teacher_moved_to", "teacher_id", "moved_to_date",
              postgresql_where=text("status = 'moved'")),
        # The school's day for its staff: the day's replaced, moved and cancelled lessons.
        Index("ix_lessons_school_changed", "school_id", "date",
              postgresql_where=text("status IN ('replaced', 'moved', 'cancelled')")),
    )


class Homework(Base):
    """Homework for a class, one subgroup of it, or one student (individual)."""

    __tablename__ = "homework"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
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
    external_id: Mapped[str | None] = external_id_column()
    entered_via: Mapped[str | None] = mapped_column(String(10))  # "bot": quick entry
    created_at: Mapped[dt.datetime] = created_now()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(),
                                                    onupdate=func.now())
    __table_args__ = (
        external_unique("homework"),
        CheckConstraint("assigned_on <= due_on", name="dates"),
        Index("ix_homework_class_due", "class_id", "due_on"),
        Index("ix_homework_class_subject_due", "class_id", "subject_id", "due_on"),
        Index("ix_homework_student_due", "student_id", "due_on",
              postgresql_where=sql_text("student_id IS NOT NULL")),
    )


class WorkType(Base):
    """A kind of graded work (answer in class, quiz, test...) with its weight."""

    __tablename__ = "work_types"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(SmallInteger, default=1)
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)  # контрольная: scheduled
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (
        external_unique("work_types"),
        UniqueConstraint("school_id", "code"),
        CheckConstraint("weight BETWEEN 1 AND 10", name="weight"),
    )


class Mark(Base):
    """A current mark: 1-5, or pass/fail for pass-fail subjects. Soft-deleted so a push can
    say it was deleted and the history stays."""

    __tablename__ = "marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
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
    entered_at: Mapped[dt.datetime] = created_now()
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (
        external_unique("marks"),
        CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
        CheckConstraint("(value IS NULL) <> (passed IS NULL)", name="value_or_pass"),
        CheckConstraint("weight BETWEEN 1 AND 10", name="weight"),
        Index("ix_marks_student_date", "student_id", "date"),
        # With what a subject's averages read (the class average probes each classmate).
        Index("ix_marks_student_subject_date", "student_id", "subject_id", "date",
              postgresql_include=["value", "weight", "deleted_at"]),
        Index("ix_marks_lesson", "lesson_id"),
        # Live marks in the recent-marks order (scanned backwards for newest first), with
        # what the pages and averages read: those views never touch the heap.
        Index("ix_marks_student_live", "student_id", "date", "entered_at", "id",
              postgresql_include=["subject_id", "work_type_id", "value", "passed", "weight"],
              postgresql_where=text("deleted_at IS NULL")),
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
    changed_at: Mapped[dt.datetime] = created_now()


class FinalMark(Base):
    """Period (quarter/half-year), year, exam and final marks. `postponed` marks a sick
    student's deferred attestation (001 §5)."""

    __tablename__ = "final_marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    kind: Mapped[FinalMarkKind] = mapped_column(enum_type(FinalMarkKind))
    value: Mapped[int | None] = mapped_column(SmallInteger)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    postponed: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    entered_at: Mapped[dt.datetime] = created_now()
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (
        external_unique("final_marks"),
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
    school_id: Mapped[int] = school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)  # the lesson's date, for student + date reads
    kind: Mapped[AttendanceKind] = mapped_column(enum_type(AttendanceKind))
    minutes_late: Mapped[int | None] = mapped_column(SmallInteger)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    entered_at: Mapped[dt.datetime] = created_now()
    external_id: Mapped[str | None] = external_id_column()
    entered_via: Mapped[str | None] = mapped_column(String(10))  # "bot": quick entry
    __table_args__ = (
        external_unique("attendance"),
        UniqueConstraint("student_id", "lesson_id"),
        Index("ix_attendance_student_date", "student_id", "date"),
        Index("ix_attendance_lesson", "lesson_id"),
    )


class LateEntry(Base):
    """A current mark or an attendance record that arrived after its deadline (002 §5.2:
    five days after the lesson, moved to the next working day when it falls on a day off),
    noted when it arrived, with the teacher it counts against, for the completion report."""

    __tablename__ = "late_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    kind: Mapped[str] = mapped_column(String(10))  # mark / absence
    mark_id: Mapped[int | None] = mapped_column(
        ForeignKey("marks.id", ondelete="CASCADE"), unique=True)
    attendance_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendance.id", ondelete="CASCADE"), unique=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    lesson_date: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint("kind IN ('mark', 'absence')", name="kind"),
        CheckConstraint("(kind = 'mark') = (mark_id IS NOT NULL) AND "
                        "(kind = 'absence') = (attendance_id IS NOT NULL)", name="row"),
        Index("ix_late_entries_school_entered", "school_id", "entered_at"),
    )
