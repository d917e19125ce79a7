"""What `diary demo` needs of the database: the demo school (seeded once, or afresh with
`--reset`) and a fresh code for the newcomer identity, so one can link a child the way a
parent would."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services import codes
from services.codes import IssuedCode
from services.demo_seed import DEMO_LYCEUM_EXTERNAL_ID, DEMO_SCHOOL_EXTERNAL_ID, seed_demo
from services.errors import DemoResetRefused
from services.models import Base, ClassGroup, LinkKind, School

DEMO_SCHOOLS = (DEMO_SCHOOL_EXTERNAL_ID, DEMO_LYCEUM_EXTERNAL_ID)


async def reset_demo(session: AsyncSession) -> None:
    """Empty every table, so the demo starts over from a fresh school: accounts, links,
    pushes and journal entries made while trying it go too. Refused on a database that
    holds any school other than the demo's (a real school's data is never wiped)."""
    others = list(await session.scalars(
        select(func.coalesce(School.external_id, School.name))
        .where(School.external_id.is_(None) | School.external_id.not_in(DEMO_SCHOOLS))))
    if others:
        raise DemoResetRefused(others)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


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
