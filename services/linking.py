"""One-time link codes: issue, redeem, revoke; consent; unlinking and termination.

A code is 10 symbols from a 30-symbol alphabet without look-alikes (no 0/O, 1/I/L, U),
about 49 bits, printed as two groups of five. Only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, outbox
from services.access import SCHOOL_MANAGERS, ChildRef, audit, deny, load_roles
from services.errors import CodeInvalid, NotFound, TooManyAttempts
from services.models import (
    Account,
    AccountLink,
    ClassGroup,
    Consent,
    ConsentDecision,
    Guardian,
    GuardianStudent,
    LinkAttempt,
    LinkCode,
    LinkKind,
    Notification,
    NotificationStatus,
    School,
    Staff,
    StaffRoleKind,
    Student,
    StudentClassHistory,
    StudentStatus,
)
from services.push_events import AccessEndedEvent

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
GROUP = 5
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(hours=1)


# Unknown, used, expired or revoked: deliberately one error, so there is no oracle.
InvalidCode = CodeInvalid


# --- codes ------------------------------------------------------------------------------


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """What the user typed, without spaces, dashes or case; empty if it cannot be a code."""
    cleaned = "".join(ch for ch in raw.upper() if ch not in " -_\u00a0\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def format_code(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def looks_like_code(text: str | None) -> bool:
    return bool(text) and bool(normalize_code(text or ""))


@dataclass(frozen=True)
class IssuedCode:
    student_id: int | None
    staff_id: int | None
    person_name: str
    class_name: str | None
    kind: LinkKind
    code: str  # formatted for reading aloud, e.g. "K7QMX-3PD9T"
    payload: str  # for /start deep links: the bare code
    expires_at: dt.datetime

    def deep_link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.payload}"


async def _revoke_unused(session: AsyncSession, **target: int | LinkKind) -> None:
    conditions = [getattr(LinkCode, k) == v for k, v in target.items()]
    await session.execute(
        update(LinkCode)
        .where(*conditions, LinkCode.used_at.is_(None), LinkCode.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


async def _new_code(session: AsyncSession, *, school_id: int, kind: LinkKind,
                    student_id: int | None, staff_id: int | None,
                    issued_by_id: int | None) -> tuple[str, dt.datetime]:
    ttl = await session.scalar(select(School.link_code_ttl_hours).where(School.id == school_id))
    expires_at = clock.now() + dt.timedelta(hours=ttl or 72)
    code = generate_code()
    session.add(LinkCode(school_id=school_id, code_hash=hash_code(code), kind=kind,
                         student_id=student_id, staff_id=staff_id, issued_by_id=issued_by_id,
                         issued_at=clock.now(), expires_at=expires_at))
    return code, expires_at


async def issue_student_codes(
    session: AsyncSession, student_ids: list[int], kinds: tuple[LinkKind, ...],
    *, issued_by_id: int | None = None,
) -> list[IssuedCode]:
    """New codes for students; each revokes that student's previous unused code of its kind."""
    rows = (await session.execute(
        select(Student.id, Student.school_id, Student.last_name, Student.first_name,
               ClassGroup.name.label("class_name"))
        .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
        .where(Student.id.in_(student_ids), Student.status == StudentStatus.ACTIVE)
        .order_by(Student.last_name, Student.first_name)
    )).all()
    issued = []
    for row in rows:
        for kind in kinds:
            await _revoke_unused(session, student_id=row.id, kind=kind)
            code, expires_at = await _new_code(session, school_id=row.school_id, kind=kind,
                                               student_id=row.id, staff_id=None,
                                               issued_by_id=issued_by_id)
            issued.append(IssuedCode(row.id, None, f"{row.last_name} {row.first_name}",
                                     row.class_name, kind, format_code(code), code, expires_at))
            await audit(session, "code_issued", staff_id=issued_by_id, student_id=row.id,
                        school_id=row.school_id, kind=kind.value)
    return issued


async def issue_class_codes(session: AsyncSession, account_id: int, class_id: int,
                            kinds: tuple[LinkKind, ...] = (LinkKind.GUARDIAN,),
                            ) -> tuple[str, str, list[IssuedCode]]:
    """Codes for a whole class, issued in the bot by its class teacher or a clerk or admin
    of the school: (class name, school timezone, codes)."""
    roles = await load_roles(session, account_id)
    staff = roles.staff
    row = (await session.execute(
        select(ClassGroup.name, ClassGroup.school_id, ClassGroup.class_teacher_id,
               School.timezone)
        .join(School, School.id == ClassGroup.school_id).where(ClassGroup.id == class_id)
    )).one_or_none()
    allowed = (staff is not None and row is not None and row.school_id == staff.school_id
               and (row.class_teacher_id == staff.staff_id or staff.roles & SCHOOL_MANAGERS))
    if not allowed or staff is None or row is None:
        raise deny(account_id, "issue_codes", class_id=class_id)
    ids = await class_student_ids(session, class_id)
    return row.name, row.timezone, await issue_student_codes(session, ids, kinds,
                                                             issued_by_id=staff.staff_id)


async def code_classes(session: AsyncSession, account_id: int) -> list[tuple[int, str]]:
    """Classes this account may issue codes for: (id, name)."""
    staff = (await load_roles(session, account_id)).staff
    if staff is None:
        return []
    stmt = select(ClassGroup.id, ClassGroup.name).where(ClassGroup.school_id == staff.school_id)
    if not staff.roles & SCHOOL_MANAGERS:
        stmt = stmt.where(ClassGroup.class_teacher_id == staff.staff_id)
    rows = await session.execute(stmt.order_by(ClassGroup.grade, ClassGroup.name))
    return [(r.id, r.name) for r in rows]


async def class_student_ids(session: AsyncSession, class_id: int) -> list[int]:
    rows = await session.scalars(
        select(Student.id).where(Student.class_id == class_id,
                                 Student.status == StudentStatus.ACTIVE)
    )
    return list(rows)


async def find_classes(session: AsyncSession, class_name: str,
                       school: str | None = None) -> list[tuple[int, str, str]]:
    """Classes by name (any case), optionally in one school given by its id or external id:
    (class id, class name, the school's external id or id)."""
    stmt = (select(ClassGroup.id, ClassGroup.name, School.id.label("school_id"),
                   School.external_id)
            .join(School, School.id == ClassGroup.school_id)
            .where(func.upper(ClassGroup.name) == class_name.strip().upper()))
    if school is not None:
        stmt = stmt.where(or_(School.external_id == school,
                              cast(School.id, String) == school))
    rows = (await session.execute(stmt.order_by(School.id))).all()
    return [(r.id, r.name, r.external_id or str(r.school_id)) for r in rows]


async def issue_staff_code(session: AsyncSession, staff_id: int,
                           *, issued_by_id: int | None = None) -> IssuedCode:
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise NotFound(staff_id)
    await _revoke_unused(session, staff_id=staff_id, kind=LinkKind.STAFF)
    code, expires_at = await _new_code(session, school_id=staff.school_id, kind=LinkKind.STAFF,
                                       student_id=None, staff_id=staff_id,
                                       issued_by_id=issued_by_id)
    await audit(session, "code_issued", staff_id=issued_by_id, school_id=staff.school_id,
                kind="staff", target_staff_id=staff_id)
    return IssuedCode(None, staff_id, f"{staff.last_name} {staff.first_name}", None,
                      LinkKind.STAFF, format_code(code), code, expires_at)


STAFF_CODE_ISSUERS = frozenset({StaffRoleKind.ADMIN, StaffRoleKind.DEPUTY,
                                StaffRoleKind.DIRECTOR})


async def staff_without_account(session: AsyncSession,
                                account_id: int) -> list[tuple[int, str]]:
    """Colleagues an admin may issue a staff code to: (staff id, name), unlinked first."""
    staff = (await load_roles(session, account_id)).staff
    if staff is None or not staff.roles & STAFF_CODE_ISSUERS:
        return []
    linked = (select(AccountLink.staff_id)
              .where(AccountLink.staff_id == Staff.id, AccountLink.revoked_at.is_(None))
              .exists())
    rows = await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name)
        .where(Staff.school_id == staff.school_id, Staff.is_active, ~linked)
        .order_by(Staff.last_name, Staff.first_name)
    )
    return [(r.id, f"{r.last_name} {r.first_name}") for r in rows]


async def issue_staff_code_as(session: AsyncSession, account_id: int,
                              staff_id: int) -> IssuedCode:
    """A staff code issued in the bot by an admin of the same school."""
    issuer = (await load_roles(session, account_id)).staff
    target = await session.get(Staff, staff_id)
    if (issuer is None or not issuer.roles & STAFF_CODE_ISSUERS or target is None
            or target.school_id != issuer.school_id):
        raise deny(account_id, "issue_staff_code", target_staff_id=staff_id)
    return await issue_staff_code(session, staff_id, issued_by_id=issuer.staff_id)


async def revoke_student_codes(session: AsyncSession, student_id: int) -> None:
    await _revoke_unused(session, student_id=student_id)


# --- redeeming --------------------------------------------------------------------------


@dataclass(frozen=True)
class Redeemed:
    kind: LinkKind
    child: ChildRef | None  # None for a staff link
    staff_name: str | None
    needs_consent: bool


async def _check_rate(session: AsyncSession, telegram_id: int) -> None:
    since = clock.now() - FAILURE_WINDOW
    failures = (await session.scalars(
        select(LinkAttempt.attempted_at)
        .where(LinkAttempt.telegram_id == telegram_id, ~LinkAttempt.succeeded,
               LinkAttempt.attempted_at > since)
        .order_by(LinkAttempt.attempted_at)
    )).all()
    if len(failures) >= MAX_FAILURES:
        # Locked until the oldest failure in the window is an hour old.
        raise TooManyAttempts(failures[-MAX_FAILURES] + FAILURE_WINDOW)


async def redeem(session: AsyncSession, *, account_id: int, telegram_id: int,
                 raw_code: str) -> Redeemed:
    """Link the account by a code. Bad codes cost one of five attempts an hour."""
    await _check_rate(session, telegram_id)
    code = normalize_code(raw_code)
    now = clock.now()
    link_code = None
    if code:
        link_code = await session.scalar(
            select(LinkCode).where(LinkCode.code_hash == hash_code(code))
            .with_for_update()
        )
    if (link_code is None or link_code.used_at is not None
            or link_code.revoked_at is not None or link_code.expires_at <= now):
        session.add(LinkAttempt(telegram_id=telegram_id, succeeded=False, attempted_at=now))
        await audit(session, "link_failed", account_id=account_id, telegram_id=telegram_id,
                    code_id=link_code.id if link_code else None)
        raise InvalidCode()
    session.add(LinkAttempt(telegram_id=telegram_id, succeeded=True, attempted_at=now))
    link_code.used_at = now
    link_code.used_by_account_id = account_id
    result = await _link(session, account_id, link_code)
    await audit(session, "linked", account_id=account_id, telegram_id=telegram_id,
                student_id=link_code.student_id, school_id=link_code.school_id,
                kind=link_code.kind.value, code_id=link_code.id)
    return result


async def _link(session: AsyncSession, account_id: int, code: LinkCode) -> Redeemed:
    live = await session.scalar(
        select(AccountLink).where(
            AccountLink.account_id == account_id, AccountLink.kind == code.kind,
            AccountLink.revoked_at.is_(None),
            AccountLink.student_id.is_not_distinct_from(code.student_id),
            AccountLink.staff_id.is_not_distinct_from(code.staff_id),
        )
    )
    needs_consent = code.kind == LinkKind.GUARDIAN
    if live is None:
        live = AccountLink(account_id=account_id, kind=code.kind, school_id=code.school_id,
                           student_id=code.student_id, staff_id=code.staff_id,
                           guardian_id=code.guardian_id, link_code_id=code.id,
                           consent_pending=needs_consent)
        session.add(live)
        await session.flush()
    needs_consent = live.consent_pending
    if code.kind == LinkKind.STAFF:
        staff = await session.get(Staff, code.staff_id)
        name = f"{staff.first_name} {staff.middle_name or ''}".strip() if staff else None
        return Redeemed(code.kind, None, name, False)
    child = await child_ref(session, code.student_id)  # type: ignore[arg-type]
    if not needs_consent:
        await set_active_student(session, account_id, child.student_id)
    return Redeemed(code.kind, child, None, needs_consent)


async def child_ref(session: AsyncSession, student_id: int) -> ChildRef:
    row = (await session.execute(
        select(Student.id, Student.school_id, Student.first_name, Student.last_name,
               Student.class_id, ClassGroup.name.label("class_name"), ClassGroup.grade)
        .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
        .where(Student.id == student_id)
    )).one()
    return ChildRef(row.id, row.school_id, row.first_name, row.last_name, row.class_id,
                    row.class_name, row.grade)


async def set_active_student(session: AsyncSession, account_id: int,
                             student_id: int | None) -> None:
    await session.execute(update(Account).where(Account.id == account_id)
                          .values(active_student_id=student_id))


async def choose_active_student(session: AsyncSession, account_id: int,
                                student_id: int) -> ChildRef:
    """Switch the active child; only to a child (or self) this account may see."""
    roles = await load_roles(session, account_id)
    for child in roles.family_students:
        if child.student_id == student_id:
            await set_active_student(session, account_id, student_id)
            return child
    raise deny(account_id, "switch_child", student_id=student_id)


# --- consent (152-FZ) -------------------------------------------------------------------


async def _pending_link(session: AsyncSession, account_id: int,
                        student_id: int) -> AccountLink | None:
    return await session.scalar(
        select(AccountLink).where(
            AccountLink.account_id == account_id, AccountLink.student_id == student_id,
            AccountLink.kind == LinkKind.GUARDIAN, AccountLink.revoked_at.is_(None),
        )
    )


async def consent_version(session: AsyncSession, student_id: int) -> int:
    version = await session.scalar(
        select(School.consent_version).join(Student, Student.school_id == School.id)
        .where(Student.id == student_id)
    )
    return version or 1


async def decide_consent(session: AsyncSession, account_id: int, student_id: int,
                         accept: bool) -> ChildRef:
    """Record the guardian's answer. Refusal links nothing and switches to paper extracts."""
    link = await _pending_link(session, account_id, student_id)
    if link is None or not link.consent_pending:
        raise deny(account_id, "consent", student_id=student_id)
    version = await consent_version(session, student_id)
    decision = ConsentDecision.GIVEN if accept else ConsentDecision.REFUSED
    session.add(Consent(account_id=account_id, student_id=student_id,
                        guardian_id=link.guardian_id, decision=decision,
                        text_version=version, decided_at=clock.now()))
    if accept:
        link.consent_pending = False
        await set_active_student(session, account_id, student_id)
    else:
        await _revoke_link(session, link, "consent_refused")
        await _prefer_paper(session, link, student_id)
    await audit(session, f"consent_{decision.value}", account_id=account_id,
                student_id=student_id, version=version)
    return await child_ref(session, student_id)


async def withdraw_consent(session: AsyncSession, account_id: int, student_id: int) -> None:
    """Withdrawal unlinks the child, stops every push about them and switches to paper."""
    link = await _pending_link(session, account_id, student_id)
    if link is None or link.consent_pending:
        raise deny(account_id, "withdraw_consent", student_id=student_id)
    session.add(Consent(account_id=account_id, student_id=student_id,
                        guardian_id=link.guardian_id, decision=ConsentDecision.WITHDRAWN,
                        text_version=await consent_version(session, student_id),
                        decided_at=clock.now()))
    await _revoke_link(session, link, "consent_withdrawn")
    await _prefer_paper(session, link, student_id)
    await audit(session, "consent_withdrawn", account_id=account_id, student_id=student_id)


async def publish_consent_version(session: AsyncSession, school_id: int) -> int:
    """A new consent text: every guardian of the school is asked again before seeing data."""
    version = await session.scalar(
        update(School).where(School.id == school_id)
        .values(consent_version=School.consent_version + 1).returning(School.consent_version)
    )
    await session.execute(
        update(AccountLink)
        .where(AccountLink.school_id == school_id, AccountLink.kind == LinkKind.GUARDIAN,
               AccountLink.revoked_at.is_(None))
        .values(consent_pending=True)
    )
    return int(version or 1)


async def _prefer_paper(session: AsyncSession, link: AccountLink, student_id: int) -> None:
    guardian_ids = [link.guardian_id] if link.guardian_id else list(await session.scalars(
        select(GuardianStudent.guardian_id).where(GuardianStudent.student_id == student_id)
    ))
    # Without a named guardian on the code we cannot tell which parent refused, so every
    # guardian of the child is flagged for the class teacher's paper extract (000 §4.5).
    if guardian_ids:
        await session.execute(update(Guardian).where(Guardian.id.in_(guardian_ids))
                              .values(prefers_paper=True))


# --- unlinking and termination (002 §10) ------------------------------------------------


async def _revoke_link(session: AsyncSession, link: AccountLink, reason: str) -> None:
    link.revoked_at = clock.now()
    link.revoke_reason = reason
    # Nothing more may reach this chat about this child.
    await session.execute(
        update(Notification)
        .where(Notification.account_id == link.account_id,
               Notification.student_id == link.student_id,
               Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.DROPPED, last_error=reason)
    )
    account = await session.get(Account, link.account_id)
    if account is not None and account.active_student_id == link.student_id:
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
        await _revoke_link(session, link, "unlinked")
    await audit(session, "unlinked", account_id=account_id, student_id=student_id)


async def _terminate(session: AsyncSession, links: list[AccountLink], reason: str,
                     student_name: str) -> int:
    for link in links:
        await _revoke_link(session, link, reason)
        account = await session.get(Account, link.account_id)
        if account is None:
            continue
        await outbox.enqueue(
            session, account_id=account.id, chat_id=account.chat_id,
            event=AccessEndedEvent(reason=reason, student=student_name),
            dedupe_key=f"access-ended:{link.id}", student_id=None, urgent=True,
        )
    return len(links)


async def student_left(session: AsyncSession, student_id: int, *, reason: str = "left_school",
                       by_staff_id: int | None = None) -> int:
    """The student left the school: every link is revoked and every chat told why."""
    student = await session.get(Student, student_id)
    if student is None:
        raise NotFound(student_id)
    student.status = StudentStatus.LEFT
    student.left_on = clock.now().date()
    links = list((await session.scalars(
        select(AccountLink).where(AccountLink.student_id == student_id,
                                  AccountLink.revoked_at.is_(None))
    )).all())
    await revoke_student_codes(session, student_id)
    await audit(session, "student_left", staff_id=by_staff_id, student_id=student_id,
                school_id=student.school_id)
    return await _terminate(session, links, reason, student.first_name)


async def annul_guardian(session: AsyncSession, account_id: int, student_id: int, *,
                         by_staff_id: int | None = None, reason: str = "annulled") -> int:
    """An admin annuls a guardian's access to a child."""
    links = list((await session.scalars(
        select(AccountLink).where(AccountLink.account_id == account_id,
                                  AccountLink.student_id == student_id,
                                  AccountLink.kind == LinkKind.GUARDIAN,
                                  AccountLink.revoked_at.is_(None))
    )).all())
    student = await session.get(Student, student_id)
    await audit(session, "guardian_annulled", staff_id=by_staff_id, account_id=account_id,
                student_id=student_id)
    return await _terminate(session, links, reason, student.first_name if student else "")


async def transfer_student(session: AsyncSession, student_id: int, class_id: int,
                           on_date: dt.date) -> None:
    """Move to another class; links stay, the class history records the move."""
    student = await session.get(Student, student_id)
    if student is None:
        raise NotFound(student_id)
    await session.execute(
        update(StudentClassHistory)
        .where(StudentClassHistory.student_id == student_id,
               StudentClassHistory.to_date.is_(None))
        .values(to_date=on_date)
    )
    session.add(StudentClassHistory(student_id=student_id, class_id=class_id,
                                    from_date=on_date, reason="transfer"))
    student.class_id = class_id
