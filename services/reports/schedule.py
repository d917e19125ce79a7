"""When the school's papers reach staff on their own: the two-weekly paper extracts to
class teachers, and last month's journal completion report to the director on the first
working day of the month (002 §9, 003 §2.13). The files are made on demand in the bot;
these pushes say they are ready. Both runs are declared in services/scheduled_jobs.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import Staff, StaffRole, StaffRoleKind
from services.notifications import Push, SchoolClock, notify_staff
from services.push_events import MonthlyReportEvent
from services.reports import extracts
from services.reports.base import rows


async def extracts_run_key(session: AsyncSession, school_id: int, today: dt.date,
                           is_working_day: Callable[[dt.date], bool]) -> str | None:
    """The two-weekly run's key when today is the fortnight's first working day (cheap:
    the batches themselves are built only when the run happens)."""
    found = await rows(session, """
        SELECT starts_on FROM academic_years WHERE school_id = :s AND starts_on <= :today
        ORDER BY starts_on DESC LIMIT 1""", s=school_id, today=today)
    start = extracts.extract_due(today, found[0][0], is_working_day) if found else None
    return f"paper-extracts:{school_id}:{start.isoformat()}" if start else None


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


async def monthly_completion_to_director(session: AsyncSession, school: SchoolClock,
                                         today: dt.date) -> int:
    """Tell the school's directors that last month's completion report is ready."""
    directors = await session.scalars(
        select(Staff.id).join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(Staff.school_id == school.school_id, Staff.is_active,
               StaffRole.role == StaffRoleKind.DIRECTOR).distinct())
    month = last_month(today)
    return await notify_staff(session, school, [
        (staff_id, Push(MonthlyReportEvent(month=month),
                        f"monthly-completion:{staff_id}:{month:%Y-%m}"))
        for staff_id in directors])
