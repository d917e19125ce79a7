"""Staff, classes, subjects, curriculum, subgroups, students and guardians."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import Base, enum_type, external_id_column, external_unique, school_fk
from services.models.enums import GuardianRelation, StaffRoleKind, StudentStatus


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (external_unique("staff"),)


class StaffRole(Base):
    """A role of a staff member, scoped to that staff member's school."""

    __tablename__ = "staff_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = school_fk()
    role: Mapped[StaffRoleKind] = mapped_column(enum_type(StaffRoleKind))
    __table_args__ = (UniqueConstraint("staff_id", "role"),)


class ClassGroup(Base):
    """A class such as 5А: a grade level and a letter within one academic year."""

    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    academic_year_id: Mapped[int] = mapped_column(
        ForeignKey("academic_years.id", ondelete="CASCADE")
    )
    grade: Mapped[int] = mapped_column(SmallInteger)
    letter: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(10))
    class_teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year_id", "name"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
        external_unique("classes"),
    )


class Subject(Base):
    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(30))
    pass_fail: Mapped[bool] = mapped_column(Boolean, default=False)  # зачёт/незачёт
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (UniqueConstraint("school_id", "name"), external_unique("subjects"))


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
    # Set for subgroups the journal sends, so their external id is unique per school like
    # every other record's (a subgroup otherwise reaches its school through its class).
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (UniqueConstraint("class_id", "subject_id", "name"),
                      external_unique("subgroups"))


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
    school_id: Mapped[int] = school_fk()
    class_id: Mapped[int | None] = mapped_column(
        ForeignKey("classes.id", ondelete="SET NULL"), index=True
    )
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[StudentStatus] = mapped_column(
        enum_type(StudentStatus), default=StudentStatus.ACTIVE
    )
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (external_unique("students"),)


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
    school_id: Mapped[int] = school_fk()
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Set when the guardian refused or withdrew consent: they get paper extracts (000 §4.5).
    prefers_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (external_unique("guardians"),)


class GuardianStudent(Base):
    __tablename__ = "guardian_students"
    guardian_id: Mapped[int] = mapped_column(
        ForeignKey("guardians.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[GuardianRelation] = mapped_column(enum_type(GuardianRelation))
