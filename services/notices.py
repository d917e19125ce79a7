"""Class notices (003 §3.5): posting one to a class (or the whole school), its receipts and
acknowledgements, the author's counts, reminding only those who have not acknowledged, and
the recipient's wall.

Who may post: a teacher to the classes they teach or lead (services.staff
.visible_classes), a school manager (admin, deputy, director, clerk) to any class of the
school or to the whole school; only a manager may mark a notice urgent (it bypasses quiet
hours and mutes). Inspectors only read. Each recipient account gets one receipt row, and
its push goes through the outbox in one statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, clock, notifications
from services.access import SCHOOL_MANAGERS, StaffRef
from services.errors import AlreadyRemindedToday, TextTooLong
from services.models import (
    Account,
    AccountLink,
    ClassGroup,
    ClassNotice,
    LinkKind,
    NoticeReceipt,
    Notification,
    NotificationStatus,
    Staff,
    Student,
    StudentStatus,
    Subgroup,
    SubgroupMember,
)
from services.notifications import Push, Recipient
from services.push_events import ClassNoticeEvent
from services.staff import visible_classes

TEXT_MAX = 3000  # characters a notice may have (its push stays within one message)
CAPTIONED_MAX = 800  # with a photo or a document, the text goes as its caption
ATTACHMENTS = ("photo", "document")
AUDIENCES = ("guardians", "students", "both")
WALL_PAGE = 5
MINE_SHOWN = 10


@dataclass(frozen=True)
class NoticeScope:
    """Where an account may post: `classes` (id, name); the whole school and urgency too
    when `school_wide`."""

    staff: StaffRef
    classes: tuple[tuple[int, str], ...]
    school_wide: bool

    def target_name(self, class_id: int | None) -> str | None:
        """The class's name ("" for the whole school), None when it may not post there."""
        if class_id is None:
            return "" if self.school_wide else None
        return next((name for cid, name in self.classes if cid == class_id), None)


async def notice_scope(session: AsyncSession, account_id: int) -> NoticeScope:
    staff = await access.require_staff(session, account_id)
    wide = bool(staff.roles & SCHOOL_MANAGERS)
    if staff.read_only:
        raise access.deny(account_id, "notice_post")
    classes = await visible_classes(session, account_id)
    return NoticeScope(staff, tuple((c.id, c.name) for c in classes.classes), wide)


async def check_target(session: AsyncSession, account_id: int, class_id: int | None,
                       audience: str = "both",
                       subgroup_id: int | None = None) -> tuple[NoticeScope, str]:
    """The scope and the class's name (with the subgroup's), or a refusal: a class the
    account does not teach (often a forged button), a subgroup of another class, or an
    audience not listed."""
    scope = await notice_scope(session, account_id)
    name = scope.target_name(class_id)
    if name is not None and subgroup_id is not None:
        group = await session.scalar(select(Subgroup.name).where(
            Subgroup.id == subgroup_id, Subgroup.class_id == class_id))
        name = f"{name}, {group}" if group is not None and class_id is not None else None
    if name is None or audience not in AUDIENCES:
        raise access.deny(account_id, "notice_post", class_id=class_id,
                          subgroup_id=subgroup_id)
    return scope, name


async def subgroups(session: AsyncSession, class_id: int | None) -> list[tuple[int, str]]:
    """A class's subgroups (id, name), for a notice to one of them."""
    if class_id is None:
        return []
    rows = await session.execute(select(Subgroup.id, Subgroup.name)
                                 .where(Subgroup.class_id == class_id)
                                 .order_by(Subgroup.name, Subgroup.id))
    return [(r.id, r.name) for r in rows]


def checked_text(text: str, *, attached: bool = False) -> str:
    """The notice's text as typed (stored raw, escaped wherever it is shown); with an
    attachment it may be empty, and is shorter (a caption)."""
    text = text.strip()
    limit = CAPTIONED_MAX if attached else TEXT_MAX
    if (not text and not attached) or len(text) > limit:
        raise TextTooLong(limit)
    return text


@dataclass(frozen=True)
class Posted:
    notice_id: int
    recipients: int
    queued: int


async def post(session: AsyncSession, account_id: int, *, class_id: int | None,
               audience: str, text: str, urgent: bool = False,
               subgroup_id: int | None = None,
               attachment: tuple[str, str] | None = None) -> Posted:
    """Post a notice (`attachment`: a photo or a document, as (kind, file_id))."""
    scope, class_name = await check_target(session, account_id, class_id, audience,
                                           subgroup_id)
    if urgent and not scope.school_wide:
        raise access.deny(account_id, "notice_urgent", class_id=class_id)
    if attachment is not None and (attachment[0] not in ATTACHMENTS
                                   or not 0 < len(attachment[1]) <= 200):
        raise access.deny(account_id, "notice_attachment")
    text = checked_text(text, attached=attachment is not None)
    kind, file_id = attachment or (None, None)
    staff = scope.staff
    notice_id = await session.scalar(
        insert(ClassNotice).values(school_id=staff.school_id, class_id=class_id,
                                   author_id=staff.staff_id, text=text, audience=audience,
                                   created_at=clock.now(),
                                   subgroup_id=subgroup_id, urgent=urgent,
                                   attachment_kind=kind, attachment_file_id=file_id)
        .returning(ClassNotice.id))
    assert notice_id is not None
    recipients = await audience_recipients(session, staff.school_id, class_id, audience,
                                           subgroup_id)
    if recipients:  # one receipt a family account, in one statement however many
        await session.execute(sql(
            "INSERT INTO notice_receipts (notice_id, account_id, student_id) "
            "SELECT :n, a, s FROM unnest(CAST(:a AS integer[]), CAST(:s AS integer[]))"
            " AS t(a, s) ON CONFLICT DO NOTHING"),
            {"n": notice_id, "a": [r.account_id for r in recipients.values()],
             "s": [r.student_id for r in recipients.values()]})
    event = ClassNoticeEvent("class_notice", notice_id, text, _author(staff), class_name,
                             kind or "", file_id or "")
    queued = await _push(session, staff.school_id, list(recipients.values()),
                         Push(event, f"notice:{notice_id}", urgent=urgent))
    await access.audit(session, "notice_posted", account_id=account_id,
                       staff_id=staff.staff_id, school_id=staff.school_id,
                       notice_id=notice_id, class_id=class_id, recipients=len(recipients))
    return Posted(notice_id, len(recipients), queued)


async def audience_recipients(session: AsyncSession, school_id: int, class_id: int | None,
                              audience: str, subgroup_id: int | None = None,
                              ) -> dict[int, Recipient]:
    """The family accounts a class (or the school, or a subgroup) reaches for an audience,
    one per account (the first child it hears about), by account id."""
    students = select(Student.id).where(Student.school_id == school_id,
                                        Student.status == StudentStatus.ACTIVE)
    if class_id is not None:
        students = students.where(Student.class_id == class_id)
    if subgroup_id is not None:
        students = students.where(Student.id.in_(
            select(SubgroupMember.student_id).where(SubgroupMember.subgroup_id == subgroup_id)))
    by_student = await notifications.family_recipients(
        session, students, students_only=audience == "students")
    recipients: dict[int, Recipient] = {}
    for found in by_student.values():
        for r in found:
            if audience == "guardians" and r.link_kind != LinkKind.GUARDIAN:
                continue
            recipients.setdefault(r.account_id, r)  # one receipt a family account
    return recipients


def _author(staff: StaffRef) -> str:
    return staff.name


async def _push(session: AsyncSession, school_id: int, recipients: list[Recipient],
                push: Push) -> int:
    school = await notifications.school_clock(session, school_id)
    return await notifications.deliver_to(session, school, [(r, push) for r in recipients])


async def acknowledge(session: AsyncSession, account_id: int, notice_id: int) -> bool:
    """Record the receipt; True the first time. A notice not addressed to the account
    (another class's, a forged button) is refused."""
    receipt = (await session.execute(
        select(NoticeReceipt.acknowledged_at)
        .where(NoticeReceipt.notice_id == notice_id, NoticeReceipt.account_id == account_id)
    )).one_or_none()
    if receipt is None:
        raise access.deny(account_id, "notice_ack", notice_id=notice_id)
    if receipt.acknowledged_at is not None:
        return False
    await session.execute(
        update(NoticeReceipt).values(acknowledged_at=clock.now())
        .where(NoticeReceipt.notice_id == notice_id, NoticeReceipt.account_id == account_id))
    return True


# --- the author's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeStatus:
    notice_id: int
    class_name: str  # "" for the whole school
    text: str
    created_at: dt.datetime
    urgent: bool
    recipients: int
    delivered: int
    acknowledged: int
    pending: int  # queued, not sent yet (quiet hours, say)
    unreachable: int  # blocked the bot, unreachable, or not pushed (notices muted)
    reminded_at: dt.datetime | None


def _push_key() -> Any:
    return func.concat("notice:", NoticeReceipt.notice_id, ":", NoticeReceipt.account_id)


async def _own_notice(session: AsyncSession, account_id: int, notice_id: int) -> ClassNotice:
    """A notice the account may follow: its author's, or any of the school's for a
    manager. Anything else is refused."""
    staff = await access.require_staff(session, account_id)
    notice = await session.get(ClassNotice, notice_id)
    if notice is None or notice.school_id != staff.school_id or not (
            notice.author_id == staff.staff_id or staff.roles & SCHOOL_MANAGERS):
        raise access.deny(account_id, "notice_status", notice_id=notice_id)
    return notice


async def status(session: AsyncSession, account_id: int, notice_id: int) -> NoticeStatus:
    notice = await _own_notice(session, account_id, notice_id)
    sent = Notification.status == NotificationStatus.SENT
    waiting = Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.HELD])
    row = (await session.execute(
        select(func.count().label("total"),
               func.count(NoticeReceipt.acknowledged_at).label("acked"),
               func.count().filter(sent).label("sent"),
               func.count().filter(waiting).label("waiting"))
        .select_from(NoticeReceipt)
        .outerjoin(Notification, Notification.dedupe_key == _push_key())
        .where(NoticeReceipt.notice_id == notice_id)
    )).one()
    name = await session.scalar(select(ClassGroup.name).where(
        ClassGroup.id == notice.class_id)) if notice.class_id else ""
    return NoticeStatus(notice.id, name or "", notice.text, notice.created_at, notice.urgent,
                        row.total, row.sent, row.acked, row.waiting,
                        row.total - row.sent - row.waiting, notice.reminded_at)


@dataclass(frozen=True)
class Unacknowledged:
    student: str  # the child the receipt is through
    guardian: bool  # a guardian's receipt (else the student's own)


async def not_acknowledged(session: AsyncSession, account_id: int,
                           notice_id: int) -> list[Unacknowledged]:
    await _own_notice(session, account_id, notice_id)
    rows = (await session.execute(
        select(Student.last_name, Student.first_name, Account.telegram_id,
               NoticeReceipt.account_id, _is_guardian())
        .join(Account, Account.id == NoticeReceipt.account_id)
        .outerjoin(Student, Student.id == NoticeReceipt.student_id)
        .where(NoticeReceipt.notice_id == notice_id, NoticeReceipt.acknowledged_at.is_(None))
        .order_by(Student.last_name, Student.first_name, NoticeReceipt.account_id)
    )).all()
    return [Unacknowledged(f"{r.last_name or ''} {r.first_name or ''}".strip(), r.guardian)
            for r in rows]


def _is_guardian() -> Any:
    return (select(AccountLink.id)
            .where(AccountLink.account_id == NoticeReceipt.account_id,
                   AccountLink.student_id == NoticeReceipt.student_id,
                   AccountLink.kind == LinkKind.GUARDIAN)
            .exists().label("guardian"))


async def remind(session: AsyncSession, account_id: int, notice_id: int) -> int:
    """Push the notice again to those who have not acknowledged it, once a school day at
    most; returns the pushes queued."""
    notice = await _own_notice(session, account_id, notice_id)
    school = await notifications.school_clock(session, notice.school_id)
    today = school.today()
    if notice.reminded_at is not None and clock.local_date(notice.reminded_at,
                                                           school.timezone) == today:
        raise AlreadyRemindedToday()
    rows = (await session.execute(
        select(NoticeReceipt.account_id, NoticeReceipt.student_id, Account.chat_id,
               Account.locale, Student.first_name)
        .join(Account, Account.id == NoticeReceipt.account_id)
        .outerjoin(Student, Student.id == NoticeReceipt.student_id)
        .where(NoticeReceipt.notice_id == notice_id, NoticeReceipt.acknowledged_at.is_(None),
               Account.is_active)
    )).all()
    recipients = [Recipient(r.account_id, r.chat_id, r.locale, r.student_id,
                            r.first_name or "", LinkKind.GUARDIAN) for r in rows]
    author = await session.get(Staff, notice.author_id)
    author_name = (" ".join(p for p in (author.last_name, author.first_name, author.middle_name)
                            if p) if author else None)
    name = await session.scalar(select(ClassGroup.name).where(
        ClassGroup.id == notice.class_id)) if notice.class_id else ""
    event = ClassNoticeEvent("notice_reminder", notice.id, notice.text,
                             author_name, name or "", notice.attachment_kind or "",
                             notice.attachment_file_id or "")
    notice.reminded_at = clock.now()
    return await notifications.deliver_to(session, school, [
        (r, Push(event, f"notice:{notice.id}:remind:{today.isoformat()}", urgent=notice.urgent))
        for r in recipients])


@dataclass(frozen=True)
class NoticeItem:
    notice_id: int
    class_name: str
    author: str
    text: str
    created_at: dt.datetime
    acknowledged: bool
    attachment: bool = False


@dataclass(frozen=True)
class NoticePage:
    items: tuple[NoticeItem, ...]
    page: int
    pages: int


async def mine(session: AsyncSession, account_id: int) -> tuple[NoticeItem, ...]:
    """The author's latest notices, newest first."""
    staff = await access.require_staff(session, account_id)
    rows = (await session.execute(
        select(ClassNotice.id, ClassNotice.text, ClassNotice.created_at, ClassGroup.name)
        .outerjoin(ClassGroup, ClassGroup.id == ClassNotice.class_id)
        .where(ClassNotice.author_id == staff.staff_id)
        .order_by(ClassNotice.created_at.desc(), ClassNotice.id.desc()).limit(MINE_SHOWN)
    )).all()
    return tuple(NoticeItem(r.id, r.name or "", staff.name, r.text, r.created_at, False)
                 for r in rows)


async def wall(session: AsyncSession, account_id: int, page: int = 0) -> NoticePage:
    """The notices addressed to the account, newest first, `WALL_PAGE` a page."""
    total = int(await session.scalar(select(func.count()).select_from(NoticeReceipt)
                                     .where(NoticeReceipt.account_id == account_id)) or 0)
    pages = max(1, -(-total // WALL_PAGE))
    page = max(0, min(page, pages - 1))
    rows = (await session.execute(
        select(ClassNotice.id, ClassNotice.text, ClassNotice.created_at, ClassGroup.name,
               Staff.last_name, Staff.first_name, NoticeReceipt.acknowledged_at,
               ClassNotice.attachment_kind)
        .join(NoticeReceipt, NoticeReceipt.notice_id == ClassNotice.id)
        .join(Staff, Staff.id == ClassNotice.author_id)
        .outerjoin(ClassGroup, ClassGroup.id == ClassNotice.class_id)
        .where(NoticeReceipt.account_id == account_id)
        .order_by(ClassNotice.created_at.desc(), ClassNotice.id.desc())
        .offset(page * WALL_PAGE).limit(WALL_PAGE)
    )).all()
    return NoticePage(tuple(
        NoticeItem(r.id, r.name or "", f"{r.last_name} {r.first_name}", r.text, r.created_at,
                   r.acknowledged_at is not None, r.attachment_kind is not None)
        for r in rows), page, pages)
