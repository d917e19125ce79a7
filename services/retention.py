"""Retention (152-FZ art. 21): personal data the bot holds only while it serves a purpose.

One daily pass (`apply_retention`, run by the scheduler once across processes):

1. Outbox rows whose purpose ended get a tombstone: the chat's link to the child ended
   (`account_links.revoked_at`), the chat is no longer linked as staff, the child's consent
   was withdrawn with no other consent standing, and the "access ended" notices (they are
   about an ended link by definition). The law gives 30 days after the end; the pass erases
   at its first run after it, so a missed day or two still stays well inside.
2. Rows sent (or given up on) longer ago than the school's `notification_retention_days`
   (default 90) get a tombstone too.
3. Link attempts older than 30 days are deleted: the brute-force limit looks back minutes.
4. Accounts with no live link and no contact for a year are deleted (their preferences and
   outbox rows go with them, by the foreign keys).

A tombstone replaces the payload (the only column that carries names, marks and texts)
with `{"erased": <why>}` and sets `erased_at`; the row keeps its ids, kind, times and
delivery state, so counts and dedupe keys still work. Only rows no longer pending are
touched: a pending row is re-checked at claim time and dropped if its chat lost the right.

The audit log is left alone: it is the school's record of who did what and holds ids only
(its account ids turn NULL when an account is deleted, its rows stay).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import consent_on_record
from services.models import (
    Account,
    AccountLink,
    Consent,
    ConsentDecision,
    LinkAttempt,
    LinkKind,
    Notification,
    NotificationStatus,
    School,
    Student,
)

log = logging.getLogger(__name__)

LINK_ATTEMPTS_KEPT = dt.timedelta(days=30)
ACCOUNT_IDLE = dt.timedelta(days=365)
DEFAULT_NOTIFICATION_DAYS = 90  # schools.notification_retention_days when none applies
ACCESS_ENDED_KIND = "access"
STAFF_KIND = "staff"


@dataclass(frozen=True)
class RetentionResult:
    """What one pass changed (counts only)."""

    ended_rows: int  # outbox rows tombstoned because their link or consent ended
    old_rows: int  # outbox rows tombstoned because they are older than the school keeps
    link_attempts: int  # link attempts deleted
    accounts: int  # accounts deleted

    @property
    def total(self) -> int:
        return self.ended_rows + self.old_rows + self.link_attempts + self.accounts


def _live_link(*conditions: Any) -> Any:
    return select(AccountLink.id).where(AccountLink.account_id == Notification.account_id,
                                        AccountLink.revoked_at.is_(None), *conditions).exists()


def _withdrawn_students() -> Any:
    """Children whose consent was withdrawn and for whom no one's consent to the current
    text stands (the same rule that gates every view: `access.consent_on_record`)."""
    withdrew = (select(Consent.student_id)
                .where(Consent.decision == ConsentDecision.WITHDRAWN).distinct().subquery())
    return select(withdrew.c.student_id).where(~consent_on_record(withdrew.c.student_id))


def _purpose_ended() -> Any:
    about_child = Notification.student_id.is_not(None)
    return or_(
        and_(about_child, ~_live_link(AccountLink.student_id == Notification.student_id)),
        and_(about_child, Notification.student_id.in_(_withdrawn_students())),
        and_(Notification.kind == STAFF_KIND, ~_live_link(AccountLink.kind == LinkKind.STAFF)),
        Notification.kind == ACCESS_ENDED_KIND,
        and_(~about_child, ~_live_link()),
    )


def _kept_days() -> Any:
    """The retention of a row's school: its child's school, else the shortest of the
    schools the chat was ever linked to, else the default."""
    of_child = (select(School.notification_retention_days)
                .join(Student, Student.school_id == School.id)
                .where(Student.id == Notification.student_id).scalar_subquery())
    of_links = (select(func.min(School.notification_retention_days))
                .join(AccountLink, AccountLink.school_id == School.id)
                .where(AccountLink.account_id == Notification.account_id).scalar_subquery())
    return func.coalesce(of_child, of_links, literal(DEFAULT_NOTIFICATION_DAYS, Integer))


async def _tombstone(session: AsyncSession, why: str, condition: Any,
                     now: dt.datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.status != NotificationStatus.PENDING,
               Notification.erased_at.is_(None), condition)
        .values(payload={"erased": why}, erased_at=now)
        .execution_options(synchronize_session=False))
    return _rowcount(result)


async def erase_ended(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Tombstone the outbox rows whose link or consent ended (rule 1)."""
    return await _tombstone(session, "purpose_ended", _purpose_ended(), now or clock.now())


async def erase_old(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Tombstone the rows finished longer ago than their school keeps them (rule 2)."""
    now = now or clock.now()
    finished = func.coalesce(Notification.sent_at, Notification.due_at)
    return await _tombstone(
        session, "retention", finished < now - func.make_interval(0, 0, 0, _kept_days()), now)


async def delete_old_link_attempts(session: AsyncSession,
                                   now: dt.datetime | None = None) -> int:
    result = await session.execute(
        delete(LinkAttempt).where(LinkAttempt.attempted_at < (now or clock.now())
                                  - LINK_ATTEMPTS_KEPT))
    return _rowcount(result)


async def delete_idle_accounts(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Accounts with no live link whose last contact (or creation) is over a year ago."""
    idle_since = (now or clock.now()) - ACCOUNT_IDLE
    live = select(AccountLink.id).where(AccountLink.account_id == Account.id,
                                        AccountLink.revoked_at.is_(None)).exists()
    result = await session.execute(
        delete(Account).where(func.coalesce(Account.last_seen_at, Account.created_at)
                              < idle_since, ~live)
        .execution_options(synchronize_session=False))
    return _rowcount(result)


async def apply_retention(session: AsyncSession,
                          now: dt.datetime | None = None) -> RetentionResult:
    """The daily pass; returns what it changed. The caller commits."""
    now = now or clock.now()
    result = RetentionResult(
        ended_rows=await erase_ended(session, now),
        old_rows=await erase_old(session, now),
        link_attempts=await delete_old_link_attempts(session, now),
        accounts=await delete_idle_accounts(session, now),
    )
    log.info("retention: %s outbox rows of ended links, %s old rows erased; %s link "
             "attempts, %s accounts deleted", result.ended_rows, result.old_rows,
             result.link_attempts, result.accounts)
    return result


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
