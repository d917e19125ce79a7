"""What `diary demo` needs of the database: the demo school (seeded once) and a fresh
code for the newcomer identity, so one can link a child the way a parent would."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import codes
from services.codes import IssuedCode
from services.demo_seed import seed_demo
from services.models import ClassGroup, LinkKind, School


async def prepare_demo(session: AsyncSession, today: dt.date,
                       secret: bytes) -> tuple[bool, IssuedCode | None]:
    """(whether the school was created now, a fresh guardian code for one 5А student)."""
    created = not await session.scalar(select(func.count()).select_from(School))
    if created:
        await seed_demo(session, today=today)
    class_id = await session.scalar(
        select(ClassGroup.id).join(School)
        .where(School.external_id == "demo-school", ClassGroup.name == "5А"))
    ids = await codes.class_student_ids(session, class_id) if class_id else []
    issued = await codes.issue_student_codes(session, ids[-1:], (LinkKind.GUARDIAN,),
                                             secret=secret)
    return created, (issued[0] if issued else None)
