"""Telegram accounts, links to students, link codes, attempts and consent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import Base, created_now, enum_type, school_fk
from services.models.enums import ConsentDecision, LinkKind


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
    created_at: Mapped[dt.datetime] = created_now()
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccountLink(Base):
    """A role of an account: guardian of a student, the student themself, or a staff member.
    Revoked links stay for the record; access checks read only live ones."""

    __tablename__ = "account_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[LinkKind] = mapped_column(enum_type(LinkKind))
    school_id: Mapped[int] = school_fk()
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
    linked_at: Mapped[dt.datetime] = created_now()
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
    """A one-time code; only its keyed hash (HMAC-SHA-256) is stored. A guardian code may
    name one guardian of the roster (`guardian_id`)."""

    __tablename__ = "link_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[LinkKind] = mapped_column(enum_type(LinkKind))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    issued_at: Mapped[dt.datetime] = created_now()
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
    """Every code attempt by a chat, for the brute-force limits (per chat and per school)
    and the audit. `school_id` is the school of the code tried; unknown codes name none."""

    __tablename__ = "link_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[dt.datetime] = created_now()
    __table_args__ = (Index("ix_link_attempts_chat_time", "telegram_id", "attempted_at"),
                      Index("ix_link_attempts_school_time", "school_id", "attempted_at"))


class Consent(Base):
    """A guardian's decision on personal-data processing, with the text version it was
    about: given in the bot (`account_id`), or from a signed paper form recorded by staff
    (`source` "paper": the form's number, the date it was signed, who recorded it).
    Rows are only added; a decider's latest row is their decision."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="SET NULL"))
    decision: Mapped[ConsentDecision] = mapped_column(enum_type(ConsentDecision))
    text_version: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[dt.datetime] = created_now()
    source: Mapped[str] = mapped_column(String(10), default="bot", server_default="bot")
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    form_number: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"))
    __table_args__ = (
        Index("ix_consents_account_student", "account_id", "student_id"),
        CheckConstraint(
            "(source = 'bot' AND account_id IS NOT NULL) OR "
            "(source = 'paper' AND form_number IS NOT NULL AND signed_on IS NOT NULL)",
            name="source"),
    )


class CalendarFeed(Base):
    """A chat's secret calendar (ICS) address for one child; only the secret's keyed hash
    is stored (as for link codes). Re-issuing replaces the hash; revoking deletes the row."""

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"),
                                            index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = created_now()
    last_read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("account_id", "student_id"),)
