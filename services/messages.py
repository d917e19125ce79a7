"""Messages between families and teachers (002 §2, §3.4, §3.6; 003 §4.2).

A thread is one student's family chat (a guardian's, or the student's own) with one
teacher: the class teacher, a teacher of one of the child's subjects (their subgroup's), or
a teacher who substitutes in the child's lessons. Messages are relayed through the outbox
as pushes (services.push_events.ThreadMessageEvent), one message each, so a reply to a
relayed message names its thread; photos and documents go by Telegram's file_id. Nobody's
Telegram account is ever shown: a teacher is named, a family by the child.

A message to a teacher outside their office hours waits in the outbox until they open
(services.office_hours). A per-chat limit stops floods. A teacher may mute a thread (no
pushes) or block it (the family can no longer write); the class teacher and the deputy
(and the school's admins and director) can still read a blocked thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, clock, notifications, office_hours, outbox
from services.access import Roles
from services.errors import (
    MessageEmpty,
    MessageTooLong,
    ThreadBlocked,
    TooManyMessages,
)
from services.message_teachers import teachers_for
from services.models import (
    Account,
    ClassGroup,
    LinkKind,
    MessageThread,
    Notification,
    Staff,
    StaffRoleKind,
    Student,
    ThreadMessage,
)
from services.names import full_name
from services.notifications import Push, Recipient
from services.push_events import ThreadMessageEvent

MAX_TEXT = 2000  # characters of one message (a relayed file's caption is cut to fit)
FLOOD_WINDOW = dt.timedelta(minutes=10)
FLOOD_LIMIT = 10  # messages one family chat may write in FLOOD_WINDOW
STAFF_FLOOD_LIMIT = 60  # a teacher answers many families
HISTORY = 10  # messages shown in a thread's view
BLOCKED_READERS = frozenset({StaffRoleKind.DEPUTY, StaffRoleKind.ADMIN,
                             StaffRoleKind.DIRECTOR})
FILE_KINDS = ("photo", "document")


@dataclass(frozen=True)
class Attachment:
    kind: str  # "photo" or "document"
    file_id: str


@dataclass(frozen=True)
class ThreadInfo:
    id: int
    student_id: int
    student: str  # "Михаил Петров"
    class_name: str
    staff_id: int
    teacher: str
    account_id: int
    muted: bool
    blocked: bool
    unread: int = 0


@dataclass(frozen=True)
class Line:
    from_staff: bool
    text: str
    file_kind: str | None
    sent_at: dt.datetime


@dataclass(frozen=True)
class ThreadView:
    thread: ThreadInfo
    side: str  # "family", "staff" or "reader" (a blocked thread read by its overseers)
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Sent:
    thread: ThreadInfo
    held_until: dt.datetime | None  # outside the teacher's office hours: when it goes
    timezone: str


# --- threads -----------------------------------------------------------------------------


async def open_thread(session: AsyncSession, account_id: int, student_id: int,
                      staff_id: int) -> ThreadInfo:
    """The chat's thread with the teacher about the student (made on first use)."""
    if staff_id not in {x.staff_id for x in await teachers_for(session, account_id,
                                                               student_id)}:
        raise access.deny(account_id, "message_teacher", student_id=student_id,
                          staff_id=staff_id)
    school_id = await session.scalar(select(Student.school_id).where(Student.id == student_id))
    await session.execute(
        insert(MessageThread).values(school_id=school_id, student_id=student_id,
                                     account_id=account_id, staff_id=staff_id, topic="")
        .on_conflict_do_nothing(index_elements=["student_id", "account_id", "staff_id"]))
    thread_id = await session.scalar(select(MessageThread.id).where(
        MessageThread.student_id == student_id, MessageThread.account_id == account_id,
        MessageThread.staff_id == staff_id))
    assert thread_id is not None
    return await _info(session, thread_id)


# --- reading a thread ----------------------------------------------------------------------


def _thread_query() -> Select[Any]:
    return (select(MessageThread, Student.first_name, Student.last_name,
                   ClassGroup.name.label("class_name"), ClassGroup.class_teacher_id,
                   Student.school_id, Staff.last_name.label("t_last"),
                   Staff.first_name.label("t_first"), Staff.middle_name.label("t_middle"))
            .join(Student, Student.id == MessageThread.student_id)
            .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
            .join(Staff, Staff.id == MessageThread.staff_id))


def _as_info(r: Any, unread: int = 0) -> ThreadInfo:
    th: MessageThread = r.MessageThread
    return ThreadInfo(th.id, th.student_id, f"{r.first_name} {r.last_name}",
                      r.class_name or "—", th.staff_id, full_name(r.t_last, r.t_first,
                                                                  r.t_middle),
                      th.account_id, th.muted, th.blocked_at is not None, unread)


async def _info(session: AsyncSession, thread_id: int) -> ThreadInfo:
    return _as_info((await session.execute(
        _thread_query().where(MessageThread.id == thread_id))).one())


async def _side(session: AsyncSession, roles: Roles, thread_id: int, *,
                writing: bool) -> tuple[ThreadInfo, str, int]:
    """The thread, the chat's side of it and the school; refused for anyone else."""
    row = (await session.execute(
        _thread_query().where(MessageThread.id == thread_id))).one_or_none()
    if row is not None:
        th: MessageThread = row.MessageThread
        info, school_id = _as_info(row), row.school_id
        family = {c.student_id for c in roles.family_students}
        if th.account_id == roles.account_id and th.student_id in family:
            return info, "family", school_id
        staff = roles.staff
        if staff is not None and staff.school_id == school_id:
            if th.staff_id == staff.staff_id:
                return info, "staff", school_id
            overseer = (row.class_teacher_id == staff.staff_id
                        or bool(staff.roles & BLOCKED_READERS))
            if info.blocked and overseer and not writing:
                await access.audit(session, "staff_read_thread", account_id=roles.account_id,
                                   staff_id=staff.staff_id, student_id=th.student_id,
                                   school_id=school_id, thread_id=thread_id)
                return info, "reader", school_id
    raise access.deny(roles.account_id, "thread", thread_id=thread_id)


async def read_thread(session: AsyncSession, account_id: int, thread_id: int) -> ThreadView:
    """The thread's latest messages; the other side's become read."""
    roles = await access.load_roles(session, account_id)
    info, side, _ = await _side(session, roles, thread_id, writing=False)
    rows = (await session.execute(
        select(ThreadMessage.from_staff, ThreadMessage.text, ThreadMessage.file_kind,
               ThreadMessage.sent_at)
        .where(ThreadMessage.thread_id == thread_id)
        .order_by(ThreadMessage.id.desc()).limit(HISTORY))).all()
    if side != "reader":
        await _mark_read(session, thread_id, from_staff=side == "family")
    lines = tuple(Line(r.from_staff, r.text, r.file_kind, r.sent_at) for r in reversed(rows))
    return ThreadView(info, side, lines)


async def _mark_read(session: AsyncSession, thread_id: int, *, from_staff: bool) -> None:
    await session.execute(
        update(ThreadMessage)
        .where(ThreadMessage.thread_id == thread_id, ThreadMessage.from_staff == from_staff,
               ThreadMessage.read_at.is_(None))
        .values(read_at=clock.now()))


async def staff_threads(session: AsyncSession, account_id: int) -> tuple[ThreadInfo, ...]:
    """The teacher's threads, latest first, with the family messages not yet read."""
    staff = await access.require_staff(session, account_id)
    return await _threads(session, MessageThread.staff_id == staff.staff_id, from_staff=False)


async def blocked_threads(session: AsyncSession, account_id: int) -> tuple[ThreadInfo, ...]:
    """Other teachers' blocked threads this staff member oversees: of their own class for
    a class teacher, of the school for the deputy, admins and the director."""
    staff = await access.require_staff(session, account_id)
    whose = (Student.school_id == staff.school_id if staff.roles & BLOCKED_READERS
             else ClassGroup.class_teacher_id == staff.staff_id)
    return await _threads(session, and_(MessageThread.blocked_at.is_not(None), whose,
                                        MessageThread.staff_id != staff.staff_id),
                          from_staff=False)


async def family_threads(session: AsyncSession, account_id: int) -> tuple[ThreadInfo, ...]:
    """The chat's threads about the children it still sees, with the teachers' unread."""
    roles = await access.load_roles(session, account_id)
    students = [c.student_id for c in roles.family_students]
    return await _threads(session, and_(MessageThread.account_id == account_id,
                                        MessageThread.student_id.in_(students)),
                          from_staff=True)


async def _threads(session: AsyncSession, condition: ColumnElement[bool], *,
                   from_staff: bool) -> tuple[ThreadInfo, ...]:
    unread = (select(func.count(ThreadMessage.id))
              .where(ThreadMessage.thread_id == MessageThread.id,
                     ThreadMessage.from_staff == from_staff, ThreadMessage.read_at.is_(None))
              .scalar_subquery())
    rows = (await session.execute(
        _thread_query().add_columns(unread.label("unread"))
        .where(condition, MessageThread.last_message_at.is_not(None))
        .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc())
        .limit(30))).all()
    return tuple(_as_info(r, r.unread) for r in rows)


# --- writing -------------------------------------------------------------------------------


async def send(session: AsyncSession, account_id: int, thread_id: int, text: str,
               attachment: Attachment | None = None) -> Sent:
    """Store a message and queue its relay to the other side of the thread."""
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise MessageTooLong(limit=MAX_TEXT)
    if not text and attachment is None:
        raise MessageEmpty()
    if attachment is not None and attachment.kind not in FILE_KINDS:
        raise MessageEmpty()
    roles = await access.load_roles(session, account_id)
    info, side, school_id = await _side(session, roles, thread_id, writing=True)
    if side == "family":
        if info.blocked:
            raise ThreadBlocked()
        # Only while the teacher still teaches the child (a new year, a new timetable).
        if info.staff_id not in {x.staff_id for x in await teachers_for(
                session, account_id, info.student_id)}:
            raise access.deny(account_id, "message_teacher", student_id=info.student_id,
                              staff_id=info.staff_id)
    now = clock.now()
    recent = await session.scalar(
        select(func.count(ThreadMessage.id))
        .where(ThreadMessage.author_account_id == account_id,
               ThreadMessage.sent_at > now - FLOOD_WINDOW))
    if (recent or 0) >= (STAFF_FLOOD_LIMIT if side == "staff" else FLOOD_LIMIT):
        raise TooManyMessages()
    message = ThreadMessage(thread_id=thread_id, from_staff=side == "staff",
                            author_account_id=account_id, text=text, sent_at=now,
                            file_kind=attachment.kind if attachment else None,
                            file_id=attachment.file_id if attachment else None)
    session.add(message)
    thread = await session.get(MessageThread, thread_id)
    assert thread is not None
    thread.last_message_at = now
    await session.flush()
    file_kind, file_id = (attachment.kind, attachment.file_id) if attachment else ("", "")
    if side == "staff":
        # The teacher answering has read what the family wrote.
        await _mark_read(session, thread_id, from_staff=False)
        await _to_family(session, info, school_id, ThreadMessageEvent(
            thread_id, message.id, "staff", text, info.teacher, file_kind, file_id))
        return Sent(info, None, "")
    own = roles.self_student is not None and roles.self_student.student_id == info.student_id
    held, timezone = await office_hours.held_until(session, info.staff_id, school_id)
    if not info.muted:
        event = ThreadMessageEvent(thread_id, message.id, "student" if own else "guardian",
                                   text, "", file_kind, file_id,
                                   f"{info.student}, {info.class_name}")
        chats = (await notifications.staff_recipients(session, [info.staff_id])).get(
            info.staff_id, [])
        await outbox.enqueue_many(session, [outbox.Queued(
            account_id=r.account_id, chat_id=r.chat_id, event=event,
            dedupe_key=f"msg:{message.id}:{r.account_id}", due_at=held or now, event_at=now)
            for r in chats])
    return Sent(info, held, timezone)


async def _to_family(session: AsyncSession, info: ThreadInfo, school_id: int,
                     event: ThreadMessageEvent) -> None:
    """The thread's family chat hears the teacher, within its own quiet hours."""
    row = (await session.execute(
        select(Account.id, Account.chat_id, Account.locale, Account.is_active)
        .where(Account.id == info.account_id))).one()
    if not row.is_active:
        return
    roles = await access.load_roles(session, info.account_id)
    child = next((c for c in roles.family_students if c.student_id == info.student_id), None)
    if child is None:
        return  # the link is gone: the chat no longer hears about the child
    kind = LinkKind.STUDENT if child is roles.self_student else LinkKind.GUARDIAN
    recipient = Recipient(row.id, row.chat_id, row.locale, info.student_id, child.first_name,
                          kind)
    school = await notifications.school_clock(session, school_id)
    await notifications.deliver_to(session, school, [(recipient, Push(
        event, key=f"msg:{event.message_id}"))])


async def set_flag(session: AsyncSession, account_id: int, thread_id: int, *,
                   mute: bool | None = None, block: bool | None = None) -> ThreadInfo:
    """The teacher mutes or blocks (or lets back) their own thread."""
    roles = await access.load_roles(session, account_id)
    _, side, _ = await _side(session, roles, thread_id, writing=True)
    if side != "staff":
        raise access.deny(account_id, "thread_settings", thread_id=thread_id)
    thread = await session.get(MessageThread, thread_id)
    assert thread is not None
    if mute is not None:
        thread.muted = mute
    if block is not None:
        thread.blocked_at = clock.now() if block else None
    await session.flush()
    return await _info(session, thread_id)


async def thread_for_reply(session: AsyncSession, account_id: int, chat_id: int,
                           message_id: int) -> int | None:
    """The thread a reply to the bot's message `message_id` continues: the relayed
    message's own, or for an absence push the child's thread with the class teacher.
    None when the message was neither."""
    rows = (await session.execute(
        select(Notification.kind, Notification.payload, Notification.student_id)
        .where(Notification.chat_id == chat_id, Notification.account_id == account_id,
               Notification.telegram_message_id == message_id))).all()
    for r in rows:
        if r.kind == "message" and isinstance(r.payload.get("thread_id"), int):
            return int(r.payload["thread_id"])
    for r in rows:
        if r.kind == "absence" and r.student_id is not None:
            head = await session.scalar(
                select(ClassGroup.class_teacher_id)
                .join(Student, Student.class_id == ClassGroup.id)
                .where(Student.id == r.student_id))
            if head is None:
                return None
            return (await open_thread(session, account_id, r.student_id, head)).id
    return None
