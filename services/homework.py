"""One student's homework (by due date and by subject) and a subject's lesson topics.

Visible homework: class-wide homework of the student's class, subgroup homework of the
subgroups the student is a member of, and individual homework set for this student only
(never a classmate's). Each view runs a bounded number of statements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, union, union_all
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services import access as access_rules
from services.access import StudentAccess
from services.models import (
    CurriculumItem,
    Homework,
    Lesson,
    LessonStatus,
    Subgroup,
    Subject,
    TeachingAssignment,
)
from services.timetable import child_today, member_subgroups, next_school_day, own_lessons

RECENT_HOMEWORK = 5
UPCOMING_HOMEWORK = 10
RECENT_TOPICS = 10


@dataclass(frozen=True)
class HomeworkItem:
    id: int
    subject_id: int
    subject: str
    text: str
    assigned_on: dt.date
    due_on: dt.date
    individual: bool  # set for this student alone
    subgroup: str | None  # the subgroup's name for subgroup homework
    planned: bool = False  # to be set after today: the journal has it ahead of the lesson


@dataclass(frozen=True)
class HomeworkDay:
    student_id: int
    day: dt.date  # the due date shown
    today: dt.date
    items: tuple[HomeworkItem, ...]
    previous_due: dt.date | None  # the nearest earlier / later due dates with homework
    next_due: dt.date | None


@dataclass(frozen=True)
class SubjectRef:
    id: int
    name: str


@dataclass(frozen=True)
class SubjectHomework:
    student_id: int
    subject: SubjectRef
    today: dt.date
    upcoming: tuple[HomeworkItem, ...]  # due today or later, soonest first
    recent: tuple[HomeworkItem, ...]  # already due, latest first


@dataclass(frozen=True)
class TopicItem:
    lesson_id: int
    date: dt.date
    slot: int
    topic: str
    material: str | None


@dataclass(frozen=True)
class LessonTopics:
    student_id: int
    subject: SubjectRef
    items: tuple[TopicItem, ...]  # latest first


def _branches(access: StudentAccess) -> list[list[ColumnElement[bool]]]:
    """The visible homework as disjoint parts, each with an index of its own: the class's
    (class-wide or a subgroup of the student's), then the student's individual homework.
    An `OR` of the two would read the whole class's homework at district scale."""
    child = access.child
    subjects = ([] if access.subject_ids is None
                else [Homework.subject_id.in_(access.subject_ids)])
    own = [Homework.student_id == child.student_id, *subjects]
    if child.class_id is None:
        return [own]
    return [[Homework.class_id == child.class_id, Homework.student_id.is_(None),
             or_(Homework.subgroup_id.is_(None),
                 Homework.subgroup_id.in_(member_subgroups(child.student_id))), *subjects],
            own]


_ITEM_COLUMNS = (Homework.id, Homework.subject_id, Subject.name.label("subject"),
                 Homework.text, Homework.assigned_on, Homework.due_on,
                 Homework.student_id, Subgroup.name.label("subgroup"))


def _homework_select(access: StudentAccess, *where: ColumnElement[bool],
                     order: tuple[Any, ...] = (), limit: int | None = None) -> Select[Any]:
    """The visible homework matching `where`. With a `limit` (the per-subject lists), the
    first rows of each part in `order`, glued with UNION ALL (the parts never overlap):
    an OR would read every match of both before limiting. Without one (a due date or a
    range: few rows), one OR of the parts."""
    branches = _branches(access)
    if limit is None:
        visible = or_(*(and_(*b) for b in branches)) if len(branches) > 1 else and_(
            *branches[0])
    else:
        parts = [select(Homework.id).where(*b, *where).order_by(*order).limit(limit)
                 for b in branches]
        visible = Homework.id.in_(parts[0] if len(parts) == 1 else union_all(*parts))
    return (select(*_ITEM_COLUMNS)
            .join(Subject, Subject.id == Homework.subject_id)
            .outerjoin(Subgroup, Subgroup.id == Homework.subgroup_id)
            .where(visible, *where))


def _item(row: Row[Any], today: dt.date) -> HomeworkItem:
    return HomeworkItem(row.id, row.subject_id, row.subject, row.text, row.assigned_on,
                        row.due_on, row.student_id is not None, row.subgroup,
                        row.assigned_on > today)


def _lesson_order(access: StudentAccess, day: dt.date) -> Any:
    """The slot of the homework's subject on its due date in the student's timetable: a
    day's homework reads in lesson order (homework with no lesson that day goes last)."""
    return (select(func.min(Lesson.slot))
            .where(*own_lessons(access), Lesson.date == day,
                   Lesson.subject_id == Homework.subject_id)
            .correlate(Homework).scalar_subquery())


async def homework_for_day(session: AsyncSession, access: StudentAccess,
                           day: dt.date | None = None) -> HomeworkDay:
    """Homework due on one date (default: the next school day after the school's today),
    with the nearest earlier and later due dates for ◀️ ▶️."""
    today = await child_today(session, access.child)
    if day is None:
        day = await next_school_day(session, access, today)
    rows = (await session.execute(
        _homework_select(access, Homework.due_on == day)
        .order_by(_lesson_order(access, day).nulls_last(), Subject.name, Homework.id))).all()
    branches = _branches(access)
    # Per part, so each reads one index entry; greatest/least skip a part's NULL.
    earlier = [select(func.max(Homework.due_on)).where(*b, Homework.due_on < day)
               .scalar_subquery() for b in branches]
    later = [select(func.min(Homework.due_on)).where(*b, Homework.due_on > day)
             .scalar_subquery() for b in branches]
    neighbours = (await session.execute(select(func.greatest(*earlier), func.least(*later))
                                        )).one()
    return HomeworkDay(access.child.student_id, day, today, tuple(_item(r, today) for r in rows),
                       neighbours[0], neighbours[1])


async def student_subjects(session: AsyncSession, access: StudentAccess) -> list[SubjectRef]:
    """The subjects of the student's class (curriculum and teaching assignments of the
    class or the student's subgroups) the viewer may see, by name."""
    child = access.child
    if child.class_id is None:
        return []
    ids = union(
        select(CurriculumItem.subject_id).where(CurriculumItem.class_id == child.class_id),
        select(TeachingAssignment.subject_id).where(
            TeachingAssignment.class_id == child.class_id,
            or_(TeachingAssignment.subgroup_id.is_(None),
                TeachingAssignment.subgroup_id.in_(member_subgroups(child.student_id)))),
    )
    query = select(Subject.id, Subject.name).where(Subject.id.in_(ids))
    if access.subject_ids is not None:
        query = query.where(Subject.id.in_(access.subject_ids))
    rows = await session.execute(query.order_by(Subject.name))
    return [SubjectRef(r.id, r.name) for r in rows]


async def _subject(session: AsyncSession, access: StudentAccess, account_id: int,
                   subject_id: int) -> SubjectRef:
    """A subject of the student's school the viewer may see; refused (and audited) else."""
    name = None
    if access.subject_ids is None or subject_id in access.subject_ids:
        name = await session.scalar(select(Subject.name).where(
            Subject.id == subject_id, Subject.school_id == access.child.school_id))
    if name is None:
        raise access_rules.deny(account_id, "subject",
                                      student_id=access.child.student_id,
                                      subject_id=subject_id)
    return SubjectRef(subject_id, name)


async def subject_homework(session: AsyncSession, access: StudentAccess, account_id: int,
                           subject_id: int) -> SubjectHomework:
    """Upcoming and recent homework in one subject."""
    subject = await _subject(session, access, account_id, subject_id)
    today = await child_today(session, access.child)
    soonest = (Homework.due_on, Homework.id)
    upcoming = (await session.execute(
        _homework_select(access, Homework.subject_id == subject_id, Homework.due_on >= today,
                         order=soonest, limit=UPCOMING_HOMEWORK)
        .order_by(*soonest).limit(UPCOMING_HOMEWORK))).all()
    latest = (Homework.due_on.desc(), Homework.id.desc())
    recent = (await session.execute(
        _homework_select(access, Homework.subject_id == subject_id, Homework.due_on < today,
                         order=latest, limit=RECENT_HOMEWORK)
        .order_by(*latest).limit(RECENT_HOMEWORK))).all()
    return SubjectHomework(access.child.student_id, subject, today,
                           tuple(_item(r, today) for r in upcoming),
                           tuple(_item(r, today) for r in recent))


async def lesson_topics(session: AsyncSession, access: StudentAccess, account_id: int,
                        subject_id: int) -> LessonTopics:
    """Topics and material of the student's recent lessons in one subject (up to today)."""
    subject = await _subject(session, access, account_id, subject_id)
    today = await child_today(session, access.child)
    items: tuple[TopicItem, ...] = ()
    if access.child.class_id is not None:
        moved = and_(Lesson.status == LessonStatus.MOVED, Lesson.moved_to_date.is_not(None))
        held_on = case((moved, Lesson.moved_to_date), else_=Lesson.date)
        held_slot = case((moved, func.coalesce(Lesson.moved_to_slot, Lesson.slot)),
                         else_=Lesson.slot)
        rows = (await session.execute(
            select(Lesson.id, held_on.label("day"), held_slot.label("slot"), Lesson.topic,
                   Lesson.material)
            .where(*own_lessons(access), Lesson.subject_id == subject_id,
                   held_on <= today, Lesson.topic.is_not(None),
                   Lesson.status != LessonStatus.CANCELLED)
            .order_by(held_on.desc(), held_slot.desc()).limit(RECENT_TOPICS))).all()
        items = tuple(TopicItem(r.id, r.day, r.slot, r.topic, r.material) for r in rows)
    return LessonTopics(access.child.student_id, subject, items)


async def homework_due_between(session: AsyncSession, access: StudentAccess, start: dt.date,
                               end: dt.date) -> list[HomeworkItem]:
    """Every homework visible to the student due between two dates (inclusive), by due date
    and subject (the calendar feed)."""
    today = await child_today(session, access.child)
    rows = (await session.execute(
        _homework_select(access, Homework.due_on.between(start, end))
        .order_by(Homework.due_on, Subject.name, Homework.id))).all()
    return [_item(r, today) for r in rows]
