"""Which student a family view is about: the one a button names, or the active child."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services import access
from services.access import StudentAccess
from services.accounts import AccountInfo


async def student_for_view(session: AsyncSession, account: AccountInfo,
                           student_id: int | None = None,
                           purpose: str = "view") -> StudentAccess:
    """Raises NotLinked or AccessDenied; the errors router answers both."""
    return await access.viewed_student(session, account.id, account.active_student_id,
                                       student_id, purpose=purpose)
