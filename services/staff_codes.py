"""Staff codes: an admin, deputy or director mints a code only for a colleague without a
live chat; replacing a colleague's chat (`offboarding.replace_staff_chat`) is asked about
first and revokes the old link."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import audit, deny, load_roles
from services.codes import IssuedCode, format_code, new_code, revoke_unused
from services.errors import NotFound, StaffChatLive
from services.models import AccountLink, LinkKind, Staff, StaffRoleKind

STAFF_CODE_ISSUERS = frozenset({StaffRoleKind.ADMIN, StaffRoleKind.DEPUTY,
                                StaffRoleKind.DIRECTOR})


def _staff_has_chat(staff_id: Any) -> Exists:
    return (select(AccountLink.id)
            .where(AccountLink.staff_id == staff_id, AccountLink.revoked_at.is_(None))
            .exists())


async def issue_staff_code(session: AsyncSession, staff_id: int, *, secret: bytes,
                           issued_by_id: int | None = None) -> IssuedCode:
    """A staff code, only for a colleague without a live chat (replacing a chat is
    `offboarding.replace_staff_chat`, which revokes the old link first)."""
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.is_active:
        raise NotFound(f"staff {staff_id}")
    if await session.scalar(select(_staff_has_chat(staff_id))):
        raise StaffChatLive(f"staff {staff_id}")
    await revoke_unused(session, staff_id=staff_id, kind=LinkKind.STAFF)
    code, expires_at = await new_code(session, secret, school_id=staff.school_id,
                                       kind=LinkKind.STAFF, student_id=None,
                                       staff_id=staff_id, issued_by_id=issued_by_id)
    await audit(session, "code_issued", staff_id=issued_by_id, school_id=staff.school_id,
                kind="staff", target_staff_id=staff_id)
    return IssuedCode(None, staff_id, f"{staff.last_name} {staff.first_name}", None,
                      LinkKind.STAFF, format_code(code), code, expires_at)


async def colleagues(session: AsyncSession, account_id: int,
                     *, with_chat: bool = False) -> list[tuple[int, str]]:
    """Colleagues an admin may issue a staff code to (without a live chat), or whose chat
    may be replaced (`with_chat`): (staff id, name)."""
    staff = (await load_roles(session, account_id)).staff
    if staff is None or not staff.roles & STAFF_CODE_ISSUERS:
        return []
    has_chat = _staff_has_chat(Staff.id)
    rows = await session.execute(
        select(Staff.id, Staff.last_name, Staff.first_name)
        .where(Staff.school_id == staff.school_id, Staff.is_active, Staff.id != staff.staff_id,
               has_chat if with_chat else ~has_chat)
        .order_by(Staff.last_name, Staff.first_name)
    )
    return [(r.id, f"{r.last_name} {r.first_name}") for r in rows]


async def any_colleagues(session: AsyncSession, account_id: int) -> bool:
    """Whether this account has any colleague to issue a code to or replace the chat of."""
    return bool(await colleagues(session, account_id)
                or await colleagues(session, account_id, with_chat=True))


async def colleagues_as(session: AsyncSession, account_id: int,
                        *, with_chat: bool = False) -> list[tuple[int, str]]:
    """`colleagues`, refused when the account has no colleague for either list."""
    people = await colleagues(session, account_id, with_chat=with_chat)
    if not people and not await colleagues(session, account_id, with_chat=True):
        raise deny(account_id, "staff_codes")
    return people


async def replaceable_colleague(session: AsyncSession, account_id: int, staff_id: int) -> str:
    """The name of a colleague whose live chat this account may replace."""
    name = dict(await colleagues(session, account_id, with_chat=True)).get(staff_id)
    if name is None:
        raise deny(account_id, "replace_staff_chat", target_staff_id=staff_id)
    return name


async def staff_issuer(session: AsyncSession, account_id: int, staff_id: int) -> int:
    """The issuer's staff id when they may mint codes for this colleague."""
    issuer = (await load_roles(session, account_id)).staff
    target = await session.get(Staff, staff_id)
    if (issuer is None or not issuer.roles & STAFF_CODE_ISSUERS or target is None
            or target.school_id != issuer.school_id or not target.is_active
            or target.id == issuer.staff_id):
        raise deny(account_id, "issue_staff_code", target_staff_id=staff_id)
    return issuer.staff_id


async def issue_staff_code_as(session: AsyncSession, account_id: int, staff_id: int, *,
                              secret: bytes) -> IssuedCode:
    """A staff code issued in the bot by an admin of the same school, for a colleague who
    has no live chat (a forged press for a linked one is refused)."""
    issuer_id = await staff_issuer(session, account_id, staff_id)
    try:
        return await issue_staff_code(session, staff_id, secret=secret, issued_by_id=issuer_id)
    except StaffChatLive:
        raise deny(account_id, "issue_staff_code", target_staff_id=staff_id) from None
