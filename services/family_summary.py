"""One summary for a guardian of several children, on demand and, for a chat that opted
in (services.notification_settings), as an evening push (`evening_summaries`, a scheduled
job at FAMILY_SUMMARY_AT school time): for each child the marks entered since yesterday,
today's absences, the changes to the next school day's timetable and the homework due that
day.

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
from services import push_events as ev
from services.access import ChildRef, StudentAccess
from services.attendance import MissedLesson, missed_lessons
from services.homework import HomeworkItem, homework_for_day
from services.marks import MarkItem
from services.models import (
    Account,
    LinkKind,
    Mark,
    NotificationPreference,
    School,
    Subject,
    WorkType,
)
from services.notifications import Push, Recipient, SchoolClock, deliver_to
from services.timetable import LessonView, lessons_between, next_school_day

FAMILY_SUMMARY_AT = dt.time(19, 0)  # the school's evening, with the homework reminder


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


# --- the evening push -------------------------------------------------------------------


def _change(x: LessonView) -> ev.LessonChangeEvent:
    if x.moved_here and x.moved_from_date is not None:
        return ev.LessonChangeEvent("lesson_moved", x.subject, x.moved_from_date,
                                    x.moved_from_slot or x.slot, new_date=x.date,
                                    new_slot=x.slot)
    if x.moved_away:
        return ev.LessonChangeEvent("lesson_moved", x.subject, x.date, x.slot,
                                    new_date=x.moved_to_date, new_slot=x.moved_to_slot)
    if x.cancelled:
        return ev.LessonChangeEvent("lesson_cancelled", x.subject, x.date, x.slot)
    return ev.LessonChangeEvent("lesson_replaced", x.subject, x.date, x.slot,
                                teacher=x.substitute)


def summary_event(view: FamilySummary) -> ev.FamilySummaryEvent:
    """The summary as a push event (rendered in the chat's language when it is sent)."""
    return ev.FamilySummaryEvent(today=view.today, children=tuple(
        ev.SummaryChild(
            student=c.child.first_name,
            label=f"{c.child.short_name}, {c.child.class_name or '—'}",
            gets_marks=c.child.gets_marks,
            marks=tuple(ev.SummaryMark(m.subject, m.work_type, m.weight, m.date, m.value,
                                       m.passed) for m in c.marks),
            absences=tuple(ev.SummaryAbsence(a.slot, a.subject, a.kind.value)
                           for a in c.absences),
            next_day=c.next_day, changes=tuple(_change(x) for x in c.changes),
            homework=tuple(ev.HomeworkItem(h.subject, h.text[:600]) for h in c.homework))
        for c in view.children))


async def evening_summaries(session: AsyncSession, school: SchoolClock,
                            today: dt.date) -> int:
    """To each chat that opted in and has two or more children with consent, the first of
    them at this school (so a family across two schools gets one): one summary. Returns
    rows queued."""
    rows = (await session.execute(
        select(Account.id, Account.chat_id, Account.locale)
        .join(NotificationPreference, NotificationPreference.account_id == Account.id)
        .where(NotificationPreference.student_id.is_(None),
               NotificationPreference.family_summary.is_(True), Account.is_active)
        .order_by(Account.id))).all()
    targets = []
    for r in rows:
        roles = await access.load_roles(session, r.id)
        if len(roles.children) < 2 or roles.children[0].school_id != school.school_id:
            continue
        event = summary_event(await family_summary(session, r.id))
        targets.append((Recipient(r.id, r.chat_id, r.locale, None, "", LinkKind.GUARDIAN),
                        Push(event, f"family-summary:{today.isoformat()}")))
    return await deliver_to(session, school, targets)
