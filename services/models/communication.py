"""Class notices, message threads, complaints and polls."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import Base, created_now, enum_type, school_fk
from services.models.enums import ComplaintStatus


class ClassNotice(Base):
    """A notice on a class wall (or school-wide when class_id is null)."""

    __tablename__ = "class_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_now()
    __table_args__ = (Index("ix_class_notices_class_time", "class_id", "created_at"),)


class MessageThread(Base):
    """A conversation between a guardian or student account and a staff member about a child."""

    __tablename__ = "message_threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = created_now()
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The teacher's choices: muted (no pushes about it), blocked (the family can no longer
    # write; the class teacher and the deputy can still read it).
    muted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    blocked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_message_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("student_id", "account_id", "staff_id"),)


class ThreadMessage(Base):
    __tablename__ = "thread_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE"), index=True
    )
    from_staff: Mapped[bool] = mapped_column(Boolean)
    # The chat that wrote it (for the per-chat flood limit); never shown to anyone.
    author_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    # A photo or document relayed by Telegram's file_id (nothing is downloaded).
    file_kind: Mapped[str | None] = mapped_column(String(10))
    file_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[dt.datetime] = created_now()
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OfficeHours(Base):
    """A teacher's office hours on working days, school time (no row: 08:00-18:00)."""

    __tablename__ = "office_hours"
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)


class Complaint(Base):
    """004 §11: a demand to restore or protect rights violated while the service was given."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(
        enum_type(ComplaintStatus), default=ComplaintStatus.NEW
    )
    created_at: Mapped[dt.datetime] = created_now()
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Poll(Base):
    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = created_now()
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
    voted_at: Mapped[dt.datetime] = created_now()
