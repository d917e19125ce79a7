"""Schools as the journal names them, and the bearer tokens a journal authenticates with.
A token is shown once, when issued; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.errors import InvalidJournalData, NotFound
from services.models import ExchangeToken, School


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_school(session: AsyncSession, *, external_id: str, name: str,
                     timezone: str) -> tuple[int, bool]:
    """Create the school with this external id, or update its name and timezone; returns
    (school id, created)."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidJournalData(f"unknown timezone {timezone!r}") from None
    if not external_id.strip() or not name.strip():
        raise InvalidJournalData("external id and name are required")
    existed = await session.scalar(select(School.id).where(School.external_id == external_id))
    school_id = await session.scalar(
        insert(School).values(external_id=external_id, name=name, timezone=timezone)
        .on_conflict_do_update(index_elements=[School.external_id],
                               set_={"name": name, "timezone": timezone})
        .returning(School.id))
    assert school_id is not None
    return school_id, existed is None


async def school_by_external_id(session: AsyncSession, external_id: str) -> int:
    school_id = await session.scalar(select(School.id).where(School.external_id == external_id))
    if school_id is None:
        raise NotFound(f"school {external_id}")
    return school_id


async def issue_token(session: AsyncSession, school_external_id: str) -> str:
    """A new token for the school's journal (earlier ones stay valid until revoked)."""
    school_id = await school_by_external_id(session, school_external_id)
    token = secrets.token_urlsafe(32)
    session.add(ExchangeToken(school_id=school_id, token_hash=hash_token(token),
                              issued_at=clock.now()))
    await session.flush()
    return token


async def revoke_tokens(session: AsyncSession, school_external_id: str) -> int:
    """Revoke every live token of the school; returns how many."""
    school_id = await school_by_external_id(session, school_external_id)
    result = await session.execute(
        update(ExchangeToken).where(ExchangeToken.school_id == school_id,
                                    ExchangeToken.revoked_at.is_(None))
        .values(revoked_at=clock.now()).returning(ExchangeToken.id))
    return len(result.all())


async def school_of_token(session: AsyncSession, token: str) -> int | None:
    """The school a live token is for; None for an unknown or revoked one."""
    return await session.scalar(select(ExchangeToken.school_id).where(
        ExchangeToken.token_hash == hash_token(token), ExchangeToken.revoked_at.is_(None)))
