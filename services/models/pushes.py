"""Notifications (the outbox), preferences, forecast snapshots, job runs, audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import Base, created_now, enum_type
from services.models.enums import NotificationStatus


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
    event_at: Mapped[dt.datetime] = created_now()
    due_at: Mapped[dt.datetime] = created_now()
    status: Mapped[NotificationStatus] = mapped_column(
        enum_type(NotificationStatus), default=NotificationStatus.PENDING
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
    # Set when retention replaced the payload with a tombstone (services/retention.py).
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        Index("ix_notifications_due", "due_at", postgresql_where=text("status = 'pending'")),
        Index("ix_notifications_chat_pending", "chat_id",
              postgresql_where=text("status = 'pending'")),
        # A reply to a push names the message it answers: found by chat and message id.
        Index("ix_notifications_chat_message", "chat_id", "telegram_message_id",
              postgresql_where=text("telegram_message_id IS NOT NULL")),
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
    # A guardian of several children: one evening summary of them all (opt-in).
    family_summary: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=text("false"))
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
    updated_at: Mapped[dt.datetime] = created_now()


class JobRun(Base):
    """One row per scheduled job run key, so a job runs once across bot processes."""

    __tablename__ = "job_runs"
    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    run_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    started_at: Mapped[dt.datetime] = created_now()
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditLog(Base):
    """Who did or read what. Carries ids, never names or mark values."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[dt.datetime] = created_now()
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
