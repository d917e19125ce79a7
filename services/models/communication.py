"""Class notices, message threads, complaints and polls."""

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
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import Base, created_now, enum_type, school_fk
from services.models.enums import ComplaintStatus


class ClassNotice(Base):
    """A notice on a class wall (or school-wide when class_id is null), to guardians,
    students or both, of the whole class or one subgroup."""

    __tablename__ = "class_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_now()
    audience: Mapped[str] = mapped_column(String(10), server_default="both")
    subgroup_id: Mapped[int | None] = mapped_column(
        ForeignKey("subgroups.id", ondelete="SET NULL"))
    urgent: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # The last reminder to those who have not acknowledged (one a day at most).
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # A photo or a document sent along, by Telegram file_id (relayed, never downloaded).
    attachment_kind: Mapped[str | None] = mapped_column(String(10))
    attachment_file_id: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        Index("ix_class_notices_class_time", "class_id", "created_at"),
        CheckConstraint("audience IN ('guardians', 'students', 'both')", name="audience"),
    )


class NoticeReceipt(Base):
    """One recipient account of a notice: written when it is posted; `acknowledged_at`
    when they press "✅ Acknowledged". The recipient's wall is their receipts."""

    __tablename__ = "notice_receipts"
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("class_notices.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True)
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


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
    category: Mapped[str] = mapped_column(String(20), server_default="other")
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The last day it was escalated to the director as overdue (once a day).
    escalated_on: Mapped[dt.date | None] = mapped_column(Date)
    # A photo or a document filed with it, by Telegram file_id.
    attachment_kind: Mapped[str | None] = mapped_column(String(10))
    attachment_file_id: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (Index("ix_complaints_school_status", "school_id", "status"),)


class Poll(Base):
    """A school poll to a class (or the whole school when class_id is null): 2–10 options,
    single or multiple choice, anonymous or named, open until `closes_at`; `closed_at`
    when it was closed and its summary sent to the author."""

    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSONB)
    created_at: Mapped[dt.datetime] = created_now()
    closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    audience: Mapped[str] = mapped_column(String(10), server_default="both")
    multiple: Mapped[bool] = mapped_column(Boolean, server_default=false())
    anonymous: Mapped[bool] = mapped_column(Boolean, server_default=false())
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PollRecipient(Base):
    """An account the poll was addressed to: only these may vote."""

    __tablename__ = "poll_recipients"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL"))


class PollVote(Base):
    """One chosen option of one account (several rows for a multiple-choice poll); a
    changed vote replaces the account's rows."""

    __tablename__ = "poll_votes"
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    option: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    voted_at: Mapped[dt.datetime] = created_now()
