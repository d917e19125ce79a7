"""What an administrator types on the command line, turned into ids: a school by its
external id or number, a period by its number or name, a chat by its Telegram id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import Account, Period, School, Student


@dataclass(frozen=True)
class SchoolRef:
    id: int
    external_id: str | None
    timezone: str

    @property
    def ref(self) -> str:
        """How the command line names it back."""
        return self.external_id or str(self.id)


async def school(session: AsyncSession, ref: str) -> int | None:
    """A school named by its external id, or by its number."""
    return await session.scalar(select(School.id).where(
        or_(School.external_id == ref, cast(School.id, String) == ref)))


async def school_of_student(session: AsyncSession, student_id: int) -> SchoolRef | None:
    row = (await session.execute(
        select(School.id, School.external_id, School.timezone)
        .join(Student, Student.school_id == School.id)
        .where(Student.id == student_id))).one_or_none()
    return SchoolRef(row.id, row.external_id, row.timezone) if row is not None else None


async def periods(session: AsyncSession, school_id: int, ref: str) -> list[int]:
    """Periods of the school whose number or name (any case) is `ref`."""
    return list(await session.scalars(select(Period.id).where(
        Period.school_id == school_id,
        or_(cast(Period.id, String) == ref, func.lower(Period.name) == ref.strip().lower()))))


async def account_of_telegram_user(session: AsyncSession, telegram_id: int) -> int | None:
    return await session.scalar(select(Account.id).where(Account.telegram_id == telegram_id))
