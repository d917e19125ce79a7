"""Schools, academic years, periods and bell slots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import (
    Base,
    created_now,
    enum_type,
    external_id_column,
    external_unique,
    school_fk,
)
from services.models.enums import PeriodKind


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
    # Working days a complaint's answer is due in, from its registration (004 §11).
    complaint_days: Mapped[int] = mapped_column(Integer, server_default="15")
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_now()
    # How long a sent push keeps its content before retention erases it (152-FZ art. 21).
    notification_retention_days: Mapped[int] = mapped_column(Integer, default=90,
                                                             server_default="90")
    # Quick entry: teachers may take today's register and set a lesson's topic and homework
    # from the bot (small schools without journal staff). Off unless the school allows it.
    quick_entry: Mapped[bool] = mapped_column(Boolean, default=False,
                                              server_default=text("false"))
    __table_args__ = (
        CheckConstraint("rounding_threshold > 0 AND rounding_threshold < 1", name="rounding"),
        CheckConstraint("link_code_ttl_hours BETWEEN 1 AND 720", name="code_ttl"),
        CheckConstraint("notification_retention_days BETWEEN 1 AND 3650",
                        name="notification_retention"),
    )


class AcademicYear(Base):
    __tablename__ = "academic_years"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
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
    school_id: Mapped[int] = school_fk()
    academic_year_id: Mapped[int] = mapped_column(
        ForeignKey("academic_years.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PeriodKind] = mapped_column(enum_type(PeriodKind))
    number: Mapped[int] = mapped_column(SmallInteger, default=1)
    name: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # Which grades the period applies to: quarters for 1-9, half-years for 10-11.
    grade_min: Mapped[int] = mapped_column(SmallInteger, default=1)
    grade_max: Mapped[int] = mapped_column(SmallInteger, default=11)
    external_id: Mapped[str | None] = external_id_column()
    __table_args__ = (
        external_unique("periods"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
        CheckConstraint("grade_min BETWEEN 1 AND 11 AND grade_max BETWEEN grade_min AND 11",
                        name="grades"),
        Index("ix_periods_school_dates", "school_id", "starts_on", "ends_on"),
    )


class BellSlot(Base):
    """When lesson number `slot` starts and ends in a school."""

    __tablename__ = "bell_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    slot: Mapped[int] = mapped_column(SmallInteger)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    __table_args__ = (UniqueConstraint("school_id", "slot"),)
