"""A teacher's office hours: when messages from families reach them. A setting per teacher
(default 08:00-18:00 on the school's working days, school time); a message that arrives
outside them is held in the outbox until the next window opens."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, clock
from services.errors import BadPreference
from services.models import OfficeHours, School
from services.working_days import WorkingDays, working_days

DEFAULT_HOURS = (dt.time(8, 0), dt.time(18, 0))
# The choices a teacher has, as "HH-HH" (school time).
PRESETS: dict[str, tuple[dt.time, dt.time]] = {
    "08-18": DEFAULT_HOURS,
    "08-16": (dt.time(8, 0), dt.time(16, 0)),
    "09-17": (dt.time(9, 0), dt.time(17, 0)),
    "10-19": (dt.time(10, 0), dt.time(19, 0)),
}


def next_open(now: dt.datetime, timezone: str, days: WorkingDays,
              hours: tuple[dt.time, dt.time]) -> dt.datetime | None:
    """None while the office hours are open at `now`; else when they open next (UTC)."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    start, end = hours
    today = local.date()
    if days.is_working_day(today):
        if start <= local.time().replace(tzinfo=None) < end:
            return None
        if local.time().replace(tzinfo=None) < start:
            return dt.datetime.combine(today, start, tzinfo=tz).astimezone(dt.UTC)
    day = days.next_after(today)
    if day is None:  # no working day within two months: do not hold the message at all
        return None
    return dt.datetime.combine(day, start, tzinfo=tz).astimezone(dt.UTC)


async def hours_of(session: AsyncSession, staff_id: int) -> tuple[dt.time, dt.time]:
    row = (await session.execute(select(OfficeHours.starts, OfficeHours.ends)
                                 .where(OfficeHours.staff_id == staff_id))).one_or_none()
    return (row.starts, row.ends) if row is not None else DEFAULT_HOURS


async def held_until(session: AsyncSession, staff_id: int,
                     school_id: int) -> tuple[dt.datetime | None, str]:
    """When a message to the teacher written now goes out (None: now), and the school's
    timezone to tell the sender in."""
    timezone = await session.scalar(select(School.timezone).where(School.id == school_id))
    timezone = timezone or "Europe/Moscow"
    days = await working_days(session, school_id)
    return next_open(clock.now(), timezone, days, await hours_of(session, staff_id)), timezone


async def set_hours(session: AsyncSession, account_id: int,
                    preset: str) -> tuple[dt.time, dt.time]:
    """The account's own office hours, one of `PRESETS`."""
    staff = await access.require_staff(session, account_id)
    if preset not in PRESETS:
        raise BadPreference(preset)
    starts, ends = PRESETS[preset]
    await session.execute(
        insert(OfficeHours).values(staff_id=staff.staff_id, starts=starts, ends=ends)
        .on_conflict_do_update(index_elements=[OfficeHours.staff_id],
                               set_={"starts": starts, "ends": ends}))
    return starts, ends
