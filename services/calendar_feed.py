"""Calendar feeds: a personal secret ICS address per chat and child, carrying the child's
timetable with its changes, tests and homework due dates (rendered by screens/calendar_feed).

Only a keyed hash of the secret is stored (services.codes.hash_code with the server secret,
as for link codes); the address carries the secret, so it is shown once, when issued.
Re-issuing replaces the hash (the old address stops working), revoking deletes the row.

The feed is a way in like any other: every read checks access again (services.access), so a
feed of a child whose consent lapsed, or who was unlinked, is refused (`FeedLapsed`), and an
unknown or revoked secret is `FeedUnknown`. Only a family (a guardian with consent, or the
student) gets a feed; staff read the diary in the bot, where reads are audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import StudentAccess, deny, student_access
from services.codes import hash_code
from services.errors import AccessDenied
from services.homework import HomeworkItem, homework_due_between
from services.models import Account, CalendarFeed, School
from services.timetable import LessonView, lessons_between

DAYS_BACK = 14  # a feed shows two weeks back ...
DAYS_AHEAD = 60  # ... and two months ahead
SECRET_BYTES = 24


class FeedUnknown(Exception):
    """No feed has this secret (never issued, re-issued since, or revoked)."""


class FeedLapsed(Exception):
    """The feed exists but its chat may no longer read the child (consent, unlink)."""


@dataclass(frozen=True)
class FeedData:
    access: StudentAccess
    locale: str
    timezone: str
    today: dt.date
    lessons: tuple[LessonView, ...]
    homework: tuple[HomeworkItem, ...]


async def _family_access(session: AsyncSession, account_id: int,
                         student_id: int) -> StudentAccess:
    access = await student_access(session, account_id, student_id, purpose="calendar")
    if access.as_staff:
        raise deny(account_id, "calendar", student_id=student_id)
    return access


async def issue(session: AsyncSession, account_id: int, student_id: int, key: bytes) -> str:
    """A new secret for the chat's feed of the child (the previous one stops working)."""
    await _family_access(session, account_id, student_id)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    digest = hash_code(secret, key)
    await session.execute(
        insert(CalendarFeed)
        .values(account_id=account_id, student_id=student_id, secret_hash=digest)
        .on_conflict_do_update(index_elements=["account_id", "student_id"],
                               set_={"secret_hash": digest, "issued_at": clock.now(),
                                     "last_read_at": None}))
    return secret


async def revoke(session: AsyncSession, account_id: int, student_id: int) -> None:
    """The chat's feed of the child stops working; a feed the chat does not have is
    refused (a forged or stale button)."""
    result = await session.execute(delete(CalendarFeed).where(
        CalendarFeed.account_id == account_id, CalendarFeed.student_id == student_id))
    if not getattr(result, "rowcount", 0):
        raise deny(account_id, "calendar", student_id=student_id)


async def feeds_of(session: AsyncSession, account_id: int) -> set[int]:
    """The students this chat has a feed of."""
    return set((await session.scalars(select(CalendarFeed.student_id).where(
        CalendarFeed.account_id == account_id))).all())


async def read_feed(session: AsyncSession, secret: str, key: bytes) -> FeedData:
    """What the feed of this secret shows now; `FeedUnknown` or `FeedLapsed` otherwise."""
    if not secret or len(secret) > 100:
        raise FeedUnknown
    feed = await session.scalar(select(CalendarFeed).where(
        CalendarFeed.secret_hash == hash_code(secret, key)))
    if feed is None:
        raise FeedUnknown
    account = await session.get(Account, feed.account_id)
    if account is None or not account.is_active:
        raise FeedLapsed
    try:
        access = await _family_access(session, feed.account_id, feed.student_id)
    except AccessDenied as exc:
        raise FeedLapsed from exc
    timezone = await session.scalar(select(School.timezone).where(
        School.id == access.child.school_id))
    tz = str(timezone or "UTC")
    today = clock.today(tz)
    start, end = today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)
    lessons = await lessons_between(session, access, start, end)
    homework = [h for h in await homework_due_between(session, access, start, end)
                if not h.planned]
    await session.execute(update(CalendarFeed).where(CalendarFeed.id == feed.id)
                          .values(last_read_at=clock.now()))
    return FeedData(access, account.locale, tz, today, tuple(lessons), tuple(homework))
