"""School polls (000 §3.2): an admin or a teacher asks a class (a manager: the whole
school) a question with 2–10 options, single or multiple choice, anonymous or named, open
until a closing time. Only the accounts it was addressed to vote, with buttons; a vote can
be changed until the poll closes, one ballot per account. The author sees live results and
gets a summary (with a chart on request) at closing. An anonymous poll's results never name
anyone, to its author or to an admin.

Who may ask where is the notices' rule (services.notices.check_target).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, clock, notices, notifications
from services.access import SCHOOL_MANAGERS
from services.errors import DiaryError, TextTooLong
from services.models import Poll, PollRecipient, PollVote, Student
from services.notifications import Push, SchoolClock
from services.push_events import PollEvent

QUESTION_MAX = 300
OPTION_MAX = 60  # an option is a button's text
MIN_OPTIONS, MAX_OPTIONS = 2, 10
DURATIONS_H = (24, 72, 168)  # the closing times offered: a day, three days, a week
SHOWN = 10


class PollClosed(DiaryError):
    """A vote in a poll that has closed."""

    text_id = "poll-closed"


class BadOptions(DiaryError):
    """Fewer than two options, more than ten, or one too long."""

    text_id = "poll-bad-options"
    alert = False

    def __init__(self) -> None:
        super().__init__("options", low=MIN_OPTIONS, high=MAX_OPTIONS, limit=OPTION_MAX)


def checked_question(text: str) -> str:
    text = text.strip()
    if not text or len(text) > QUESTION_MAX:
        raise TextTooLong(QUESTION_MAX)
    return text


def checked_options(text: str) -> list[str]:
    """One option a line."""
    options = [line.strip() for line in text.splitlines() if line.strip()]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or any(
            len(o) > OPTION_MAX for o in options):
        raise BadOptions()
    return options


@dataclass(frozen=True)
class Created:
    poll_id: int
    recipients: int


async def create(session: AsyncSession, account_id: int, *, class_id: int | None,
                 audience: str, question: str, options: list[str], multiple: bool,
                 anonymous: bool, hours: int) -> Created:
    scope, _ = await notices.check_target(session, account_id, class_id, audience)
    if hours not in DURATIONS_H:
        raise access.deny(account_id, "poll_create")
    question = checked_question(question)
    options = checked_options("\n".join(options))
    staff = scope.staff
    now = clock.now()
    poll = Poll(school_id=staff.school_id, class_id=class_id, author_id=staff.staff_id,
                question=question, options=options, created_at=now, audience=audience,
                closes_at=now + dt.timedelta(hours=hours), multiple=multiple,
                anonymous=anonymous)
    session.add(poll)
    await session.flush()
    recipients = await notices.audience_recipients(session, staff.school_id, class_id,
                                                   audience)
    if recipients:
        await session.execute(insert(PollRecipient).values([
            dict(poll_id=poll.id, account_id=r.account_id, student_id=r.student_id)
            for r in recipients.values()]).on_conflict_do_nothing())
    school = await notifications.school_clock(session, staff.school_id)
    event = PollEvent("poll_new", poll.id, question, tuple(options), multiple, anonymous)
    await notifications.deliver_to(session, school, [
        (r, Push(event, f"poll:{poll.id}")) for r in recipients.values()])
    return Created(poll.id, len(recipients))


def _is_open(poll: Poll) -> bool:
    return poll.closed_at is None and (poll.closes_at is None or clock.now() < poll.closes_at)


@dataclass(frozen=True)
class Ballot:
    poll_id: int
    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool
    chosen: frozenset[int]
    open: bool


async def _addressed(session: AsyncSession, account_id: int, poll_id: int) -> Poll:
    poll = await session.get(Poll, poll_id)
    addressed = poll is not None and await session.scalar(
        select(PollRecipient.account_id).where(PollRecipient.poll_id == poll_id,
                                               PollRecipient.account_id == account_id))
    if poll is None or not addressed:
        raise access.deny(account_id, "poll_vote", poll_id=poll_id)
    return poll


async def _ballot(session: AsyncSession, account_id: int, poll: Poll) -> Ballot:
    chosen = frozenset(await session.scalars(
        select(PollVote.option).where(PollVote.poll_id == poll.id,
                                      PollVote.account_id == account_id)))
    return Ballot(poll.id, poll.question, tuple(poll.options), poll.multiple, poll.anonymous,
                  chosen, _is_open(poll))


async def vote(session: AsyncSession, account_id: int, poll_id: int, option: int) -> Ballot:
    """Choose an option (single choice: instead of the earlier one; multiple: toggled).
    The same choice again changes nothing: one ballot per account."""
    poll = await _addressed(session, account_id, poll_id)
    if not 0 <= option < len(poll.options):
        raise access.deny(account_id, "poll_vote", poll_id=poll_id, option=option)
    if not _is_open(poll):
        raise PollClosed()
    mine = (PollVote.poll_id == poll_id) & (PollVote.account_id == account_id)
    current = set(await session.scalars(select(PollVote.option).where(mine)))
    if poll.multiple and option in current:
        await session.execute(delete(PollVote).where(mine, PollVote.option == option))
    elif option not in current:
        if not poll.multiple:
            await session.execute(delete(PollVote).where(mine))
        await session.execute(insert(PollVote).values(
            poll_id=poll_id, account_id=account_id, option=option, voted_at=clock.now())
            .on_conflict_do_nothing())
    return await _ballot(session, account_id, poll)


@dataclass(frozen=True)
class Results:
    poll_id: int
    question: str
    options: tuple[str, ...]
    counts: tuple[int, ...]
    voters: int
    recipients: int
    anonymous: bool
    open: bool
    closes_at: dt.datetime | None
    names: tuple[tuple[str, ...], ...]  # per option; empty for an anonymous poll


async def _own_poll(session: AsyncSession, account_id: int, poll_id: int) -> Poll:
    staff = await access.require_staff(session, account_id)
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.school_id != staff.school_id or not (
            poll.author_id == staff.staff_id or staff.roles & SCHOOL_MANAGERS):
        raise access.deny(account_id, "poll_results", poll_id=poll_id)
    return poll


async def results(session: AsyncSession, account_id: int, poll_id: int) -> Results:
    return await _results(session, await _own_poll(session, account_id, poll_id))


async def _results(session: AsyncSession, poll: Poll) -> Results:
    rows = (await session.execute(
        select(PollVote.option, PollVote.account_id, Student.last_name, Student.first_name)
        .join(PollRecipient, (PollRecipient.poll_id == PollVote.poll_id)
              & (PollRecipient.account_id == PollVote.account_id))
        .outerjoin(Student, Student.id == PollRecipient.student_id)
        .where(PollVote.poll_id == poll.id)
        .order_by(Student.last_name, Student.first_name, PollVote.account_id))).all()
    counts = [0] * len(poll.options)
    names: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if 0 <= r.option < len(counts):
            counts[r.option] += 1
            names[r.option].append(f"{r.last_name or ''} {r.first_name or ''}".strip())
    recipients = len(list(await session.scalars(
        select(PollRecipient.account_id).where(PollRecipient.poll_id == poll.id))))
    return Results(poll.id, poll.question, tuple(poll.options), tuple(counts),
                   len({r.account_id for r in rows}), recipients, poll.anonymous,
                   _is_open(poll), poll.closes_at,
                   () if poll.anonymous else tuple(tuple(names[i])
                                                   for i in range(len(counts))))


async def mine(session: AsyncSession, account_id: int) -> list[tuple[int, str, bool]]:
    """The author's latest polls: (id, question, open)."""
    staff = await access.require_staff(session, account_id)
    polls = await session.scalars(
        select(Poll).where(Poll.author_id == staff.staff_id)
        .order_by(Poll.created_at.desc(), Poll.id.desc()).limit(SHOWN))
    return [(p.id, p.question, _is_open(p)) for p in polls]


async def close_due(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    """Close the school's polls whose time has come and send each author the summary;
    returns the polls closed."""
    due = list(await session.scalars(
        select(Poll).where(Poll.school_id == school.school_id, Poll.closed_at.is_(None),
                           Poll.closes_at <= clock.now())
        .order_by(Poll.id).with_for_update(skip_locked=True)))
    pushes = []
    for poll in due:
        poll.closed_at = clock.now()
        found = await _results(session, poll)
        event = PollEvent("poll_closed", poll.id, poll.question, tuple(poll.options),
                          poll.multiple, poll.anonymous, found.counts, found.voters)
        pushes.append((poll.author_id, Push(event, f"poll:{poll.id}:closed")))
    await notifications.notify_staff(session, school, pushes)
    return len(due)

