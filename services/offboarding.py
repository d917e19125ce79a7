"""Ending access (002 §10): a chat unlinks a child, a student leaves, an admin annuls a
guardian's access or replaces a colleague's chat; and class transfers, which keep links.

Every ended link drops what was still queued for that chat about that child; a chat that
did not end the link itself is told why. Dates are the school's own (its timezone).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, codes, outbox, staff_codes
from services.access import audit, deny
from services.errors import NotFound
from services.models import (
    Account,
    AccountLink,
    ClassGroup,
    LinkKind,
    Notification,
    NotificationStatus,
    School,
    Staff,
    Student,
    StudentClassHistory,
    StudentStatus,
)
from services.push_events import AccessEndedEvent


async def drop_held(session: AsyncSession, account_id: int, student_id: int | None,
                    reason: str) -> None:
    """Nothing more may reach this chat about this child (or, for None, as staff)."""
    await session.execute(
        update(Notification)
        .where(Notification.account_id == account_id,
               Notification.student_id.is_not_distinct_from(student_id),
               Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.DROPPED, last_error=reason)
    )


async def revoke_link(session: AsyncSession, link: AccountLink, reason: str) -> None:
    link.revoked_at = clock.now()
    link.revoke_reason = reason
    await drop_held(session, link.account_id, link.student_id, reason)
    account = await session.get(Account, link.account_id)
    if account is not None and link.student_id is not None \
            and account.active_student_id == link.student_id:
        account.active_student_id = None


async def unlink(session: AsyncSession, account_id: int, student_id: int) -> None:
    links = (await session.scalars(
        select(AccountLink).where(AccountLink.account_id == account_id,
                                  AccountLink.student_id == student_id,
                                  AccountLink.revoked_at.is_(None))
    )).all()
    if not links:
        raise deny(account_id, "unlink", student_id=student_id)
    for link in links:
        await revoke_link(session, link, "unlinked")
    await audit(session, "unlinked", account_id=account_id, student_id=student_id)


async def terminate(session: AsyncSession, links: list[AccountLink], reason: str,
                    name: str) -> int:
    """Revoke the links and tell each chat why (an urgent push, past quiet hours)."""
    for link in links:
        await revoke_link(session, link, reason)
        account = await session.get(Account, link.account_id)
        if account is None:
            continue
        await outbox.enqueue(
            session, account_id=account.id, chat_id=account.chat_id,
            event=AccessEndedEvent(reason=reason, student=name),
            dedupe_key=f"access-ended:{link.id}", student_id=None, urgent=True,
        )
    return len(links)


async def _school_today(session: AsyncSession, school_id: int) -> dt.date:
    timezone = await session.scalar(select(School.timezone).where(School.id == school_id))
    return clock.today(timezone or "Europe/Moscow")


async def student_left(session: AsyncSession, student_id: int, *, reason: str = "left_school",
                       by_staff_id: int | None = None, by: str | None = None) -> int:
    """The student left the school: every link is revoked and every chat told why."""
    student = await session.get(Student, student_id)
    if student is None:
        raise NotFound(f"student {student_id}")
    student.status = StudentStatus.LEFT
    student.left_on = await _school_today(session, student.school_id)
    links = list((await session.scalars(
        select(AccountLink).where(AccountLink.student_id == student_id,
                                  AccountLink.revoked_at.is_(None))
    )).all())
    await codes.revoke_student_codes(session, student_id)
    await audit(session, "student_left", staff_id=by_staff_id, student_id=student_id,
                school_id=student.school_id, by=by)
    return await terminate(session, links, reason, student.first_name)


async def annul_guardian(session: AsyncSession, account_id: int, student_id: int, *,
                         by_staff_id: int | None = None, reason: str = "annulled",
                         by: str | None = None) -> int:
    """An admin annuls a guardian's access to a child. Nothing to annul: no audit row."""
    links = list((await session.scalars(
        select(AccountLink).where(AccountLink.account_id == account_id,
                                  AccountLink.student_id == student_id,
                                  AccountLink.kind == LinkKind.GUARDIAN,
                                  AccountLink.revoked_at.is_(None))
    )).all())
    if not links:
        return 0
    student = await session.get(Student, student_id)
    await audit(session, "guardian_annulled", staff_id=by_staff_id, account_id=account_id,
                student_id=student_id, school_id=student.school_id if student else None,
                by=by)
    return await terminate(session, links, reason, student.first_name if student else "")


async def transfer_student(session: AsyncSession, student_id: int, class_id: int,
                           on_date: dt.date, *, by_staff_id: int | None = None,
                           by: str | None = None) -> None:
    """Move to another class of the same school; links stay, the class history records the
    move, and the audit log who made it."""
    student = await session.get(Student, student_id)
    target = await session.get(ClassGroup, class_id)
    if student is None or target is None or target.school_id != student.school_id:
        raise NotFound(f"student {student_id} or class {class_id}")
    from_class = student.class_id
    await session.execute(
        update(StudentClassHistory)
        .where(StudentClassHistory.student_id == student_id,
               StudentClassHistory.to_date.is_(None))
        .values(to_date=on_date)
    )
    session.add(StudentClassHistory(student_id=student_id, class_id=class_id,
                                    from_date=on_date, reason="transfer"))
    student.class_id = class_id
    await audit(session, "student_transferred", staff_id=by_staff_id, student_id=student_id,
                school_id=student.school_id, from_class_id=from_class, to_class_id=class_id,
                on_date=on_date.isoformat(), by=by)


async def replace_staff_chat(session: AsyncSession, account_id: int, staff_id: int, *,
                             secret: bytes) -> codes.IssuedCode:
    """An admin replaces a colleague's chat (a lost phone): the old link is revoked, the
    old chat is told, and a fresh code is minted. The bot asks before calling this."""
    issuer_id = await staff_codes.staff_issuer(session, account_id, staff_id)
    links = list((await session.scalars(
        select(AccountLink).where(AccountLink.staff_id == staff_id,
                                  AccountLink.kind == LinkKind.STAFF,
                                  AccountLink.revoked_at.is_(None))
    )).all())
    staff = await session.get(Staff, staff_id)
    await terminate(session, links, "replaced", staff.first_name if staff else "")
    await session.flush()
    await audit(session, "staff_chat_replaced", account_id=account_id, staff_id=issuer_id,
                school_id=staff.school_id if staff else None, target_staff_id=staff_id,
                revoked=len(links))
    return await staff_codes.issue_staff_code(session, staff_id, secret=secret,
                                        issued_by_id=issuer_id)
