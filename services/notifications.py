"""Who hears about an event, and when: the producer side of pushes.

Called inside the event's own transaction (journal writes, linking, scheduled jobs). For
every recipient chat it applies that chat's preferences (muted kinds and subjects → no row;
quiet hours and digests → a later `due_at`) and writes the outbox rows of one call in one
statement (`services.outbox.enqueue_many`), keyed so a re-sent event never queues twice.
Fan-out is set-based: a class- or school-wide event reads its recipients together with
their settings in one query (the audience passed as a subquery: `notify_audience`), so
the statements an event runs do not grow with the families it reaches. A
held row is checked again when it is sent (services.delivery_queue): mutes, privacy mode
and language are the chat's as they are then.

Family recipients of a student: live guardian links with consent given and the student's
own link, and only while a guardian's consent to the current text is on record for the
child (`access.consent_on_record`); the account must be active (not blocked the bot) and
the student active.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, and_, null, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services import clock, notification_settings, outbox
from services.access import consent_on_record
from services.models import (
    Account,
    AccountLink,
    LinkKind,
    NotificationPreference,
    School,
    Staff,
    Student,
    StudentStatus,
)
from services.push_events import PushEvent


@dataclass(frozen=True)
class Recipient:
    account_id: int
    chat_id: int
    locale: str
    student_id: int | None  # the child the push is about (None for staff pushes)
    student_name: str  # the child's first name
    link_kind: LinkKind
    # The chat's effective preferences for this child, when read with the recipient (the
    # fan-out queries); None: `deliver_to` reads them.
    prefs: notification_settings.Preferences | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SchoolClock:
    """What the producer needs of a school to time a push."""

    school_id: int
    timezone: str
    quiet_start: dt.time
    quiet_end: dt.time
    backfill_days: int

    def today(self) -> dt.date:
        return clock.today(self.timezone)


async def school_clock(session: AsyncSession, school_id: int) -> SchoolClock:
    row = (await session.execute(
        select(School.id, School.timezone, School.quiet_start, School.quiet_end,
               School.backfill_days).where(School.id == school_id)
    )).one()
    return SchoolClock(row.id, row.timezone, row.quiet_start, row.quiet_end, row.backfill_days)


# The chat's own row for the child and its defaults (student_id NULL), joined to each
# recipient so a fan-out reads recipients and their settings in one query.
_CHILD_PREFS = aliased(NotificationPreference)
_CHAT_PREFS = aliased(NotificationPreference)
_PREF_FIELDS = ("digest", "digest_time", "quiet_start", "quiet_end", "muted_kinds",
                "muted_subject_ids", "hide_values", "family_summary")


def _pref_columns(child: bool) -> list[Any]:
    t, prefix = (_CHILD_PREFS, "child") if child else (_CHAT_PREFS, "chat")
    return [t.id.label(f"{prefix}_id"),
            *(getattr(t, f).label(f"{prefix}_{f}") for f in _PREF_FIELDS)]


def _with_prefs(stmt: Select[Any], student_id: Any | None) -> Select[Any]:
    """`stmt` (over AccountLink) with the chat's preferences about `student_id` joined (a
    staff push, `student_id` None: the chat's defaults only)."""
    chat = and_(_CHAT_PREFS.account_id == AccountLink.account_id,
                _CHAT_PREFS.student_id.is_(None))
    if student_id is None:
        return (stmt.add_columns(*(null().label(f"child_{f}") for f in ("id", *_PREF_FIELDS)),
                                 *_pref_columns(False))
                .outerjoin(_CHAT_PREFS, chat))
    return (stmt.add_columns(*_pref_columns(True), *_pref_columns(False))
            .outerjoin(_CHILD_PREFS, and_(_CHILD_PREFS.account_id == AccountLink.account_id,
                                          _CHILD_PREFS.student_id == student_id))
            .outerjoin(_CHAT_PREFS, chat))


def _prefs_of(row: Any) -> notification_settings.Preferences:
    """As `notification_settings.preferences_many`: the child's row, else the chat's
    defaults, else the built-in defaults."""
    for prefix in ("child", "chat"):
        if getattr(row, f"{prefix}_id") is not None:
            # The settings module's own conversion, fed the joined columns.
            return notification_settings._from_row(SimpleNamespace(  # type: ignore[arg-type]
                **{f: getattr(row, f"{prefix}_{f}") for f in _PREF_FIELDS}))
    return notification_settings.DEFAULT


StudentIds = Iterable[int] | Select[Any]


async def family_recipients(session: AsyncSession, student_ids: StudentIds, *,
                            students_only: bool = False) -> dict[int, list[Recipient]]:
    """The chats that hear about each student, with their preferences (one query).
    `student_ids` may be a query selecting them (a class, a school): no round trip."""
    wanted: Any = student_ids
    if not isinstance(student_ids, Select):
        wanted = sorted(set(student_ids))
        if not wanted:
            return {}
    kinds = [LinkKind.STUDENT] if students_only else [LinkKind.GUARDIAN, LinkKind.STUDENT]
    rows = (await session.execute(_with_prefs(
        select(AccountLink.account_id, AccountLink.kind, AccountLink.student_id,
               Account.chat_id, Account.locale, Student.first_name)
        .join(Account, Account.id == AccountLink.account_id)
        .join(Student, Student.id == AccountLink.student_id)
        .where(AccountLink.student_id.in_(wanted), AccountLink.kind.in_(kinds),
               AccountLink.revoked_at.is_(None), AccountLink.consent_pending.is_(False),
               consent_on_record(AccountLink.student_id),
               Account.is_active, Student.status == StudentStatus.ACTIVE),
        AccountLink.student_id)
        .order_by(AccountLink.student_id, AccountLink.account_id)
    )).all()
    result: dict[int, list[Recipient]] = defaultdict(list)
    for r in rows:
        result[r.student_id].append(Recipient(r.account_id, r.chat_id, r.locale, r.student_id,
                                              r.first_name, r.kind, _prefs_of(r)))
    return dict(result)


async def staff_recipients(session: AsyncSession,
                           staff_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """The chats linked to each staff member, with their preferences (one query)."""
    ids = sorted(set(staff_ids))
    if not ids:
        return {}
    rows = (await session.execute(_with_prefs(
        select(AccountLink.account_id, AccountLink.staff_id, Account.chat_id, Account.locale)
        .join(Account, Account.id == AccountLink.account_id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .where(AccountLink.staff_id.in_(ids), AccountLink.kind == LinkKind.STAFF,
               AccountLink.revoked_at.is_(None), Account.is_active, Staff.is_active),
        None)
    )).all()
    result: dict[int, list[Recipient]] = defaultdict(list)
    for r in rows:
        result[r.staff_id].append(Recipient(r.account_id, r.chat_id, r.locale, None, "",
                                            LinkKind.STAFF, _prefs_of(r)))
    return dict(result)


@dataclass(frozen=True)
class Push:
    """One event about one student (or one staff member's chats): what to send."""

    event: PushEvent
    key: str  # the event's dedupe key; the recipient's account id is appended
    subject_id: int | None = None
    urgent: bool = False

    @property
    def kind(self) -> str:
        return self.event.kind


async def deliver_to(session: AsyncSession, school: SchoolClock,
                     targets: Sequence[tuple[Recipient, Push]], *,
                     event_at: dt.datetime | None = None) -> int:
    """Queue each (recipient, push) per the recipient's preferences; returns rows queued."""
    if not targets:
        return 0
    now = clock.now()
    prefs = await notification_settings.preferences_many(
        session, {(r.account_id, r.student_id) for r, _ in targets if r.prefs is None})
    rows: list[outbox.Queued] = []
    seen: set[str] = set()
    # Every push of this call is made `now`: its due time depends on the preferences only.
    due_of: dict[tuple[notification_settings.Preferences, bool], dt.datetime] = {}
    for recipient, push in targets:
        pref = recipient.prefs
        if pref is None:
            pref = prefs[(recipient.account_id, recipient.student_id)]
        key = f"{push.key}:{recipient.account_id}"
        if key in seen or (not push.urgent and not pref.wants(push.kind, push.subject_id)):
            continue
        seen.add(key)
        event = push.event
        if recipient.student_id is not None:
            event = event.about(recipient.student_name)
        due = due_of.get((pref, push.urgent))
        if due is None:
            due = due_of[(pref, push.urgent)] = notification_settings.due_at(
                pref, now=now, timezone=school.timezone, school_quiet_start=school.quiet_start,
                school_quiet_end=school.quiet_end, urgent=push.urgent)
        rows.append(outbox.Queued(
            account_id=recipient.account_id, chat_id=recipient.chat_id, event=event,
            dedupe_key=key, student_id=recipient.student_id,
            subject_id=push.subject_id, due_at=due, event_at=event_at or now,
            urgent=push.urgent, hide_values=pref.hide_values))
    # One statement for the lot: a journal batch can queue thousands of rows.
    return await outbox.enqueue_many(session, rows)


async def notify_students(session: AsyncSession, school: SchoolClock,
                          pushes: Sequence[tuple[int, Push]], *, students_only: bool = False,
                          event_at: dt.datetime | None = None) -> int:
    """Queue pushes about students to their families: [(student id, push)]. The push key
    should name the student when one event concerns several students."""
    recipients = await family_recipients(session, (s for s, _ in pushes),
                                         students_only=students_only)
    targets = [(r, push) for student_id, push in pushes for r in recipients.get(student_id, [])]
    return await deliver_to(session, school, targets, event_at=event_at)


async def notify_audience(session: AsyncSession, school: SchoolClock, students: Select[Any],
                          push: Push, *, event_at: dt.datetime | None = None) -> int:
    """Queue one event to the families of every student `students` selects (a class, a
    subgroup, a school): recipients and their settings in one query, the rows in one
    insert. The push key is made per student (the student's id appended)."""
    recipients = await family_recipients(session, students)
    targets = [(r, replace(push, key=f"{push.key}:{student_id}"))
               for student_id, found in recipients.items() for r in found]
    return await deliver_to(session, school, targets, event_at=event_at)


async def notify_student(session: AsyncSession, school: SchoolClock, student_id: int,
                         push: Push, *, event_at: dt.datetime | None = None) -> int:
    return await notify_students(session, school, [(student_id, push)], event_at=event_at)


async def notify_staff(session: AsyncSession, school: SchoolClock,
                       pushes: Sequence[tuple[int, Push]]) -> int:
    """Queue pushes to staff members' chats: [(staff id, push)]."""
    recipients = await staff_recipients(session, (s for s, _ in pushes))
    targets = [(r, push) for staff_id, push in pushes for r in recipients.get(staff_id, [])]
    return await deliver_to(session, school, targets)
