"""One-time link codes: issuing, hashing and redeeming.

A code is 10 symbols from a 30-symbol alphabet without look-alikes (no 0/O, 1/I/L, U),
about 49 bits, printed as two groups of five. Only its HMAC-SHA-256 under a server secret
is stored (the secret lives outside the database), so a stolen dump allows no offline
search of the code space.

A guardian code names one guardian of the roster when it is issued for that person: the
link then knows who it is, and that guardian's refusal concerns them alone. Bad codes are
capped per chat (five an hour) and per school: a burst of failures from many chats paces
every new attempt there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services import code_attempts as attempts
from services.access import (
    SCHOOL_MANAGERS,
    ChildRef,
    audit,
    child_ref,
    deny,
    guardian_has_consented,
    has_consent,
    load_roles,
)
from services.accounts import set_active_student
from services.errors import CodeInvalid, NotFound
from services.models import (
    AccountLink,
    ClassGroup,
    Guardian,
    GuardianStudent,
    LinkAttempt,
    LinkCode,
    LinkKind,
    School,
    Staff,
    Student,
    StudentStatus,
)
from services.names import full_name

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
GROUP = 5
DEFAULT_TTL_HOURS = 72

# Unknown, used, expired or revoked: deliberately one error, so there is no oracle.
InvalidCode = CodeInvalid


# --- the code itself -------------------------------------------------------------------


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


def hash_code(code: str, secret: bytes) -> str:
    """The stored form: a keyed hash, useless without the server's secret."""
    if not secret:
        raise ValueError("the code secret is empty")
    return hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()


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
    guardian_id: int | None = None
    guardian_name: str | None = None  # the named guardian a guardian code is for

    def deep_link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.payload}"


# --- issuing ---------------------------------------------------------------------------


def _unused(**target: int | LinkKind | None) -> list[ColumnElement[bool]]:
    conditions = [getattr(LinkCode, k).is_(None) if v is None else getattr(LinkCode, k) == v
                  for k, v in target.items()]
    return [*conditions, LinkCode.used_at.is_(None), LinkCode.revoked_at.is_(None),
            LinkCode.expires_at > clock.now()]


async def revoke_unused(session: AsyncSession, **target: int | LinkKind | None) -> int:
    result = await session.execute(update(LinkCode).where(*_unused(**target))
                                   .values(revoked_at=clock.now()))
    return int(getattr(result, "rowcount", 0) or 0)


async def new_code(session: AsyncSession, secret: bytes, *, school_id: int, kind: LinkKind,
                    student_id: int | None, staff_id: int | None, issued_by_id: int | None,
                    guardian_id: int | None = None) -> tuple[str, dt.datetime]:
    ttl = await session.scalar(select(School.link_code_ttl_hours).where(School.id == school_id))
    expires_at = clock.now() + dt.timedelta(hours=ttl or DEFAULT_TTL_HOURS)
    code = generate_code()
    session.add(LinkCode(school_id=school_id, code_hash=hash_code(code, secret), kind=kind,
                         student_id=student_id, staff_id=staff_id, guardian_id=guardian_id,
                         issued_by_id=issued_by_id, issued_at=clock.now(),
                         expires_at=expires_at))
    return code, expires_at


async def issue_student_codes(
    session: AsyncSession, student_ids: list[int], kinds: tuple[LinkKind, ...],
    *, secret: bytes, issued_by_id: int | None = None, by: str | None = None,
) -> list[IssuedCode]:
    """New codes for students; each revokes every unused code of its kind for that student
    (named guardians' codes included: a bulk re-issue replaces all slips)."""
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
            await revoke_unused(session, student_id=row.id, kind=kind)
            code, expires_at = await new_code(session, secret, school_id=row.school_id,
                                               kind=kind, student_id=row.id, staff_id=None,
                                               issued_by_id=issued_by_id)
            issued.append(IssuedCode(row.id, None, f"{row.last_name} {row.first_name}",
                                     row.class_name, kind, format_code(code), code, expires_at))
            await audit(session, "code_issued", staff_id=issued_by_id, student_id=row.id,
                        school_id=row.school_id, kind=kind.value, by=by)
    return issued



async def issue_one_code(session: AsyncSession, student_id: int, kind: LinkKind, *,
                         secret: bytes, guardian_id: int | None = None,
                         issued_by_id: int | None = None, by: str | None = None) -> IssuedCode:
    """One student's code (a lost slip), or a code for one named guardian of theirs. Only
    that person's previous unused code stops working; classmates' codes stay valid."""
    row = (await session.execute(
        select(Student.id, Student.school_id, Student.last_name, Student.first_name,
               ClassGroup.name.label("class_name"))
        .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
        .where(Student.id == student_id, Student.status == StudentStatus.ACTIVE)
    )).one_or_none()
    if row is None:
        raise NotFound(f"student {student_id}")
    guardian_name = None
    if guardian_id is not None:
        if kind != LinkKind.GUARDIAN:
            raise NotFound("a named code is for a guardian")
        guardian_name = await _roster_guardian(session, student_id, guardian_id)
        await revoke_unused(session, student_id=student_id, kind=kind,
                             guardian_id=guardian_id)
    else:
        await revoke_unused(session, student_id=student_id, kind=kind, guardian_id=None)
    code, expires_at = await new_code(session, secret, school_id=row.school_id, kind=kind,
                                       student_id=student_id, staff_id=None,
                                       issued_by_id=issued_by_id, guardian_id=guardian_id)
    await audit(session, "code_issued", staff_id=issued_by_id, student_id=student_id,
                school_id=row.school_id, kind=kind.value, guardian_id=guardian_id, single=True,
                by=by)
    return IssuedCode(student_id, None, f"{row.last_name} {row.first_name}", row.class_name,
                      kind, format_code(code), code, expires_at, guardian_id, guardian_name)


async def _roster_guardian(session: AsyncSession, student_id: int, guardian_id: int) -> str:
    row = (await session.execute(
        select(Guardian.last_name, Guardian.first_name, Guardian.middle_name)
        .join(GuardianStudent, GuardianStudent.guardian_id == Guardian.id)
        .where(GuardianStudent.student_id == student_id, Guardian.id == guardian_id)
    )).one_or_none()
    if row is None:
        raise NotFound(f"guardian {guardian_id} of student {student_id}")
    return full_name(row.last_name, row.first_name, row.middle_name)


async def may_issue_for_class(session: AsyncSession, account_id: int,
                              class_id: int) -> tuple[int, str, str]:
    """(staff id, class name, school timezone) when this account may issue the class's
    codes: its class teacher, or a clerk, deputy, director or admin of the school."""
    staff = (await load_roles(session, account_id)).staff
    row = (await session.execute(
        select(ClassGroup.name, ClassGroup.school_id, ClassGroup.class_teacher_id,
               School.timezone)
        .join(School, School.id == ClassGroup.school_id).where(ClassGroup.id == class_id)
    )).one_or_none()
    if (staff is None or row is None or row.school_id != staff.school_id
            or not (row.class_teacher_id == staff.staff_id or staff.roles & SCHOOL_MANAGERS)):
        raise deny(account_id, "issue_codes", class_id=class_id)
    return staff.staff_id, row.name, row.timezone


async def unused_class_codes(session: AsyncSession, account_id: int, class_id: int,
                             kind: LinkKind = LinkKind.GUARDIAN) -> int:
    """How many unused codes a bulk re-issue for the class would stop."""
    await may_issue_for_class(session, account_id, class_id)
    ids = await class_student_ids(session, class_id)
    if not ids:
        return 0
    return int(await session.scalar(
        select(func.count()).select_from(LinkCode)
        .where(LinkCode.student_id.in_(ids), *_unused(kind=kind))) or 0)


async def issue_class_codes(session: AsyncSession, account_id: int, class_id: int,
                            kinds: tuple[LinkKind, ...] = (LinkKind.GUARDIAN,), *,
                            secret: bytes) -> tuple[str, str, list[IssuedCode]]:
    """Codes for a whole class, issued in the bot: (class name, school timezone, codes)."""
    staff_id, name, timezone = await may_issue_for_class(session, account_id, class_id)
    ids = await class_student_ids(session, class_id)
    return name, timezone, await issue_student_codes(session, ids, kinds, secret=secret,
                                                     issued_by_id=staff_id)


async def issue_one_code_as(session: AsyncSession, account_id: int, student_id: int,
                            kind: LinkKind, *, secret: bytes,
                            guardian_id: int | None = None) -> tuple[str, IssuedCode]:
    """One code issued in the bot by someone who may issue the student's class's codes:
    (school timezone, code)."""
    class_id = await session.scalar(select(Student.class_id).where(
        Student.id == student_id, Student.status == StudentStatus.ACTIVE))
    if class_id is None:
        raise deny(account_id, "issue_code", student_id=student_id)
    staff_id, _, timezone = await may_issue_for_class(session, account_id, class_id)
    try:
        code = await issue_one_code(session, student_id, kind, secret=secret,
                                    guardian_id=guardian_id, issued_by_id=staff_id)
    except NotFound:
        raise deny(account_id, "issue_code", student_id=student_id,
                   guardian_id=guardian_id) from None
    return timezone, code


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


async def code_classes_as(session: AsyncSession, account_id: int) -> list[tuple[int, str]]:
    """`code_classes`, refused when the account may issue codes for no class."""
    classes = await code_classes(session, account_id)
    if not classes:
        raise deny(account_id, "codes")
    return classes


async def class_student_ids(session: AsyncSession, class_id: int) -> list[int]:
    rows = await session.scalars(
        select(Student.id).where(Student.class_id == class_id,
                                 Student.status == StudentStatus.ACTIVE)
        .order_by(Student.last_name, Student.first_name, Student.id)
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


async def revoke_student_codes(session: AsyncSession, student_id: int) -> None:
    await revoke_unused(session, student_id=student_id)


async def release_code(session: AsyncSession, code_id: int | None) -> None:
    """A refused consent gives the code back: it links again while it is valid."""
    if code_id is not None:
        await session.execute(update(LinkCode).where(LinkCode.id == code_id)
                              .values(used_at=None, used_by_account_id=None))


# --- redeeming --------------------------------------------------------------------------


@dataclass(frozen=True)
class Redeemed:
    kind: LinkKind
    child: ChildRef | None  # None for a staff link
    staff_name: str | None
    needs_consent: bool  # a guardian link: their answer comes first
    waiting: bool = False  # a student link: no guardian has consented yet


async def code_lifetime_hours(session: AsyncSession) -> int:
    """How long codes are valid, as a bad code's reply says: the schools' setting, the
    longest when schools differ. It never depends on the code that was sent (no oracle)."""
    hours = await session.scalar(select(func.max(School.link_code_ttl_hours)))
    return int(hours or DEFAULT_TTL_HOURS)


async def redeem(session: AsyncSession, *, account_id: int, telegram_id: int,
                 raw_code: str, secret: bytes) -> Redeemed:
    """Link the account by a code. Bad codes cost one of five attempts an hour."""
    await attempts.check_chat(session, telegram_id)
    await attempts.check_school(session, None)
    code = normalize_code(raw_code)
    now = clock.now()
    link_code = None
    if code:
        link_code = await session.scalar(
            select(LinkCode).where(LinkCode.code_hash == hash_code(code, secret))
            .with_for_update()
        )
    if link_code is not None:
        await attempts.check_school(session, link_code.school_id)
    if (link_code is None or link_code.used_at is not None
            or link_code.revoked_at is not None or link_code.expires_at <= now):
        left = await attempts.record_failure(session, telegram_id,
                                             link_code.school_id if link_code else None)
        await audit(session, "link_failed", account_id=account_id, telegram_id=telegram_id,
                    code_id=link_code.id if link_code else None)
        raise InvalidCode(await code_lifetime_hours(session), left)
    session.add(LinkAttempt(telegram_id=telegram_id, school_id=link_code.school_id,
                            succeeded=True, attempted_at=now))
    link_code.used_at = now
    link_code.used_by_account_id = account_id
    result = await _link(session, account_id, link_code)
    await audit(session, "linked", account_id=account_id, telegram_id=telegram_id,
                student_id=link_code.student_id, school_id=link_code.school_id,
                kind=link_code.kind.value, code_id=link_code.id,
                guardian_id=link_code.guardian_id)
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
    if live is None:
        # A named guardian who already consented on paper is not asked again.
        pending = code.kind == LinkKind.GUARDIAN and not (
            code.guardian_id is not None and code.student_id is not None
            and await guardian_has_consented(session, code.student_id, code.guardian_id))
        live = AccountLink(account_id=account_id, kind=code.kind, school_id=code.school_id,
                           student_id=code.student_id, staff_id=code.staff_id,
                           guardian_id=code.guardian_id, link_code_id=code.id,
                           consent_pending=pending)
        session.add(live)
        await session.flush()
    if code.kind == LinkKind.STAFF:
        staff = await session.get(Staff, code.staff_id)
        name = f"{staff.first_name} {staff.middle_name or ''}".strip() if staff else None
        return Redeemed(code.kind, None, name, False)
    assert code.student_id is not None  # the table's check: a non-staff code names a student
    child = await child_ref(session, code.student_id)
    waiting = code.kind == LinkKind.STUDENT and not await has_consent(session, child.student_id)
    if not live.consent_pending and not waiting:
        await set_active_student(session, account_id, child.student_id)
    return Redeemed(code.kind, child, None, live.consent_pending, waiting)
