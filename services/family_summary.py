"""One summary for a guardian of several children, on demand: for each child the marks
entered since yesterday, today's absences, the changes to the next school day's timetable
and the homework due that day.

Each child is read through the same access rule as their own views (services.access), so a
child whose consent is withdrawn is simply not in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import access, clock
from services.access import ChildRef, StudentAccess
from services.attendance import MissedLesson, missed_lessons
from services.homework import HomeworkItem, homework_for_day
from services.marks import MarkItem
from services.models import Mark, School, Subject, WorkType
from services.timetable import LessonView, lessons_between, next_school_day


@dataclass(frozen=True)
class ChildSummary:
    child: ChildRef
    marks: tuple[MarkItem, ...]  # entered since yesterday began, newest first
    absences: tuple[MissedLesson, ...]  # today's
    next_day: dt.date  # the child's next school day
    changes: tuple[LessonView, ...]  # replaced, moved or cancelled lessons that day
    homework: tuple[HomeworkItem, ...]  # due that day, in lesson order


@dataclass(frozen=True)
class FamilySummary:
    today: dt.date
    children: tuple[ChildSummary, ...]  # in the order the menu lists them


async def _since(session: AsyncSession, school_id: int) -> tuple[dt.date, dt.datetime]:
    """The school's today and the moment its yesterday began."""
    tz = ZoneInfo(await session.scalar(select(School.timezone)
                                       .where(School.id == school_id)) or "Europe/Moscow")
    today = clock.now().astimezone(tz).date()
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(), tz)
    return today, start


async def _new_marks(session: AsyncSession, granted: StudentAccess,
                     since: dt.datetime) -> tuple[MarkItem, ...]:
    if not granted.child.gets_marks:
        return ()
    rows = (await session.execute(
        select(Mark.id, Mark.date, Mark.subject_id, Subject.name.label("subject"),
               Mark.value, Mark.passed, Mark.weight, WorkType.name.label("work_type"),
               Mark.comment)
        .join(Subject, Subject.id == Mark.subject_id)
        .join(WorkType, WorkType.id == Mark.work_type_id)
        .where(Mark.student_id == granted.child.student_id, Mark.deleted_at.is_(None),
               Mark.entered_at >= since)
        .order_by(Mark.entered_at.desc(), Mark.id.desc()))).all()
    return tuple(MarkItem(r.id, r.date, r.subject_id, r.subject, r.value, r.passed, r.weight,
                          r.work_type, r.comment or None) for r in rows)


async def _child(session: AsyncSession, granted: StudentAccess) -> ChildSummary:
    today, since = await _since(session, granted.child.school_id)
    following = await next_school_day(session, granted, today)
    lessons = await lessons_between(session, granted, following, following)
    changes = tuple(x for x in lessons
                    if x.cancelled or x.replaced or x.moved_away or x.moved_here)
    homework = await homework_for_day(session, granted, following)
    return ChildSummary(granted.child, await _new_marks(session, granted, since),
                        tuple(await missed_lessons(session, granted, today, today)),
                        following, changes, homework.items)


async def family_summary(session: AsyncSession, account_id: int) -> FamilySummary:
    """Every consenting child of the guardian; refused for an account with fewer than two
    (the view is for families, one child's own views already say it all)."""
    roles = await access.load_roles(session, account_id)
    if len(roles.children) < 2:
        raise access.deny(account_id, "family_summary")
    children = []
    for child in roles.children:
        granted = await access.student_access(session, account_id, child.student_id,
                                              purpose="family_summary")
        children.append(await _child(session, granted))
    today = await _since(session, roles.children[0].school_id)
    return FamilySummary(today[0], tuple(children))
