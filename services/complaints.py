"""Complaints (004 §11): a guardian or a student files one about their child's schooling;
it is registered at once with a number, a date and an answer deadline; the school's admins
take it, answer it or reject it with a reason; the author is pushed every change.

The deadline is the school's `complaint_days` working days after the registration day
(services.working_days: the Russian production calendar with its moved days off, and the
school's holidays). Overdue complaints are escalated to the director once a day until
answered (`escalate_overdue`, a scheduled job).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, clock, notifications
from services.access import StaffRef
from services.errors import NotFound, TextTooLong
from services.models import (
    Account,
    Complaint,
    ComplaintStatus,
    LinkKind,
    School,
    Staff,
    StaffRole,
    StaffRoleKind,
)
from services.notifications import Push, Recipient, SchoolClock
from services.push_events import ComplaintEvent
from services.working_days import WorkingDays, working_days

TEXT_MAX = 2000
CATEGORIES = ("teaching", "safety", "food", "other")
HANDLERS = frozenset({StaffRoleKind.ADMIN, StaffRoleKind.DEPUTY, StaffRoleKind.DIRECTOR})
OPEN = (ComplaintStatus.NEW, ComplaintStatus.IN_PROGRESS)
FILTERS = ("new", "in_progress", "overdue", "closed")
SHOWN = 20
S = ComplaintStatus


def deadline(registered: dt.date, days: int, calendar: WorkingDays) -> dt.date:
    """The `days`-th working day after the registration day."""
    day = registered
    for _ in range(max(1, days)):
        found = calendar.next_after(day)
        day = found if found is not None else day + dt.timedelta(days=1)
    return day


def _end_of(day: dt.date, timezone: str) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0),
                               tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True)
class ComplaintView:
    id: int
    category: str
    status: ComplaintStatus
    text: str
    registered_on: dt.date  # in the school's timezone
    due_on: dt.date | None
    answer: str | None
    student: str
    overdue: bool
    attachment: tuple[str, str] | None = None  # (photo/document, file_id)


def _view(c: Complaint, timezone: str, student: str = "") -> ComplaintView:
    due = clock.local_date(c.due_at - dt.timedelta(seconds=1), timezone) if c.due_at else None
    overdue = c.status in OPEN and c.due_at is not None and clock.now() >= c.due_at
    attached = ((c.attachment_kind, c.attachment_file_id)
                if c.attachment_kind and c.attachment_file_id else None)
    return ComplaintView(c.id, c.category, c.status, c.text,
                         clock.local_date(c.created_at, timezone), due, c.answer, student,
                         overdue, attached)


async def _timezone(session: AsyncSession, school_id: int) -> str:
    return str(await session.scalar(select(School.timezone).where(School.id == school_id)))


def checked_text(text: str) -> str:
    text = text.strip()
    if not text or len(text) > TEXT_MAX:
        raise TextTooLong(TEXT_MAX)
    return text


async def file(session: AsyncSession, account_id: int, active_student_id: int | None, *,
               category: str, text: str,
               attachment: tuple[str, str] | None = None) -> ComplaintView:
    """Register a complaint about the account's (active) child, with a photo or a
    document if given ((kind, file_id)); the school's handlers are pushed. A family
    account only: staff and strangers are refused."""
    if attachment is not None and (attachment[0] not in ("photo", "document")
                                   or not 0 < len(attachment[1]) <= 200):
        raise access.deny(account_id, "complaint_attachment")
    granted = await access.viewed_student(session, account_id, active_student_id,
                                          purpose="complaint")
    if granted.as_staff or category not in CATEGORIES:
        raise access.deny(account_id, "complaint_file")
    child = granted.child
    text = checked_text(text)
    school = await session.get(School, child.school_id)
    assert school is not None
    now = clock.now()
    calendar = await working_days(session, child.school_id)
    due = deadline(clock.local_date(now, school.timezone), school.complaint_days, calendar)
    complaint = Complaint(school_id=child.school_id, account_id=account_id,
                          student_id=child.student_id, text=text, category=category,
                          status=S.NEW, created_at=now, due_at=_end_of(due, school.timezone),
                          attachment_kind=attachment[0] if attachment else None,
                          attachment_file_id=attachment[1] if attachment else None)
    session.add(complaint)
    await session.flush()
    handlers = await _staff_with(session, child.school_id, HANDLERS)
    event = ComplaintEvent("complaint_filed", complaint.id, S.NEW.value, text, due)
    clock_ = await notifications.school_clock(session, child.school_id)
    await notifications.notify_staff(session, clock_, [
        (staff_id, Push(event, f"complaint:{complaint.id}:filed")) for staff_id in handlers])
    return _view(complaint, school.timezone, child.short_name)


async def _staff_with(session: AsyncSession, school_id: int,
                      roles: frozenset[StaffRoleKind]) -> list[int]:
    return list(await session.scalars(
        select(Staff.id).join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(Staff.school_id == school_id, Staff.is_active, StaffRole.role.in_(roles))
        .distinct().order_by(Staff.id)))


async def mine(session: AsyncSession, account_id: int) -> list[ComplaintView]:
    rows = (await session.execute(
        select(Complaint, School.timezone).join(School, School.id == Complaint.school_id)
        .where(Complaint.account_id == account_id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(SHOWN))).all()
    return [_view(c, tz) for c, tz in rows]


async def _handler(session: AsyncSession, account_id: int) -> StaffRef:
    return await access.require_staff(session, account_id, HANDLERS)


async def listing(session: AsyncSession, account_id: int, which: str) -> list[ComplaintView]:
    """The school's complaints by status, or the overdue ones (by age past the deadline),
    oldest first."""
    staff = await _handler(session, account_id)
    query = select(Complaint).where(Complaint.school_id == staff.school_id)
    if which == "overdue":
        query = query.where(Complaint.status.in_(OPEN), Complaint.due_at <= clock.now())
    elif which == "closed":
        query = query.where(Complaint.status.in_([S.ANSWERED, S.REJECTED, S.CLOSED]))
    elif which in ("new", "in_progress"):
        query = query.where(Complaint.status == S(which))
    else:
        raise access.deny(account_id, "complaint_list")
    tz = await _timezone(session, staff.school_id)
    rows = await session.scalars(query.order_by(Complaint.created_at, Complaint.id)
                                 .limit(SHOWN))
    return [_view(c, tz) for c in rows]


async def counts(session: AsyncSession, account_id: int) -> dict[str, int]:
    staff = await _handler(session, account_id)
    rows = await session.execute(
        select(Complaint.status, func.count()).where(Complaint.school_id == staff.school_id)
        .group_by(Complaint.status))
    return {str(status): int(n) for status, n in rows}


async def _school_complaint(session: AsyncSession, account_id: int,
                            complaint_id: int) -> tuple[StaffRef, Complaint]:
    staff = await _handler(session, account_id)
    complaint = await session.get(Complaint, complaint_id, with_for_update=True)
    if complaint is None or complaint.school_id != staff.school_id:
        raise access.deny(account_id, "complaint", complaint_id=complaint_id)
    return staff, complaint


async def one(session: AsyncSession, account_id: int, complaint_id: int) -> ComplaintView:
    staff, complaint = await _school_complaint(session, account_id, complaint_id)
    return _view(complaint, await _timezone(session, staff.school_id))


async def take(session: AsyncSession, account_id: int, complaint_id: int) -> ComplaintView:
    staff, complaint = await _school_complaint(session, account_id, complaint_id)
    if complaint.status != S.NEW:
        raise NotFound("complaint not new")
    complaint.status, complaint.taken_by_id = S.IN_PROGRESS, staff.staff_id
    return await _changed(session, complaint)


async def close(session: AsyncSession, account_id: int, complaint_id: int, *, text: str,
                reject: bool) -> ComplaintView:
    """Answer it, or reject it with a reason; the author is pushed either."""
    staff, complaint = await _school_complaint(session, account_id, complaint_id)
    if complaint.status not in OPEN:
        raise NotFound("complaint closed")
    complaint.answer = checked_text(text)
    complaint.status = S.REJECTED if reject else S.ANSWERED
    complaint.answered_by_id, complaint.answered_at = staff.staff_id, clock.now()
    return await _changed(session, complaint)


async def _changed(session: AsyncSession, complaint: Complaint) -> ComplaintView:
    school = await notifications.school_clock(session, complaint.school_id)
    account = await session.get(Account, complaint.account_id)
    view = _view(complaint, school.timezone)
    if account is not None and account.is_active:
        event = ComplaintEvent("complaint_status", complaint.id, complaint.status.value,
                               complaint.answer or "", view.due_on)
        recipient = Recipient(account.id, account.chat_id, account.locale, None, "",
                              LinkKind.GUARDIAN)
        await notifications.deliver_to(session, school, [(recipient, Push(
            event, f"complaint:{complaint.id}:{complaint.status.value}"))])
    return view


async def escalate_overdue(session: AsyncSession, school: SchoolClock,
                           today: dt.date) -> int:
    """Push the director each open complaint past its deadline, once a day until it is
    answered; returns the pushes queued."""
    overdue = list(await session.scalars(
        select(Complaint).where(Complaint.school_id == school.school_id,
                                Complaint.status.in_(OPEN), Complaint.due_at <= clock.now(),
                                (Complaint.escalated_on.is_(None))
                                | (Complaint.escalated_on < today))
        .order_by(Complaint.id).with_for_update()))
    directors = await _staff_with(session, school.school_id,
                                  frozenset({StaffRoleKind.DIRECTOR}))
    pushes = []
    for c in overdue:
        c.escalated_on = today
        due = _view(c, school.timezone).due_on
        event = ComplaintEvent("complaint_overdue", c.id, c.status.value, c.text, due)
        pushes += [(d, Push(event, f"complaint:{c.id}:overdue:{today.isoformat()}"))
                   for d in directors]
    return await notifications.notify_staff(session, school, pushes)
