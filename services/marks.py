"""A student's marks as families read them: the recent marks, one subject's marks in a
period with its weighted average, the period overview, and period/year/final marks (the
school calendar of the student's grade is in services.school_calendar).

Every function takes a granted `StudentAccess` (services.access decides it) and shows only
the subjects it allows. Deleted marks (deleted_at set) never show. A first-grader gets no
marks at all: the views return nothing for them. Each view runs a fixed number of
statements, however many marks there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from services.access import StudentAccess
from services.calendar import (
    PeriodInfo,
    current_period,
    periods_for_grade,
    reporting_periods,
)
from services.errors import AccessDenied, NoPeriod
from services.mark_context import EarlierValue, class_average, earlier_values
from services.models import (
    CurriculumItem,
    FinalMark,
    FinalMarkKind,
    Mark,
    Period,
    Subject,
    WorkType,
)
from services.timetable import child_today

RECENT_PAGE_SIZE = 15
CENT = Decimal("0.01")


# --- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkValue:
    """One current mark: a value 1-5, or pass/fail (value None, passed set)."""

    date: dt.date
    value: int | None
    passed: bool | None
    weight: int


@dataclass(frozen=True)
class MarkItem:
    mark_id: int
    date: dt.date
    subject_id: int
    subject: str
    value: int | None
    passed: bool | None
    weight: int
    work_type: str
    comment: str | None = None  # the teacher's recommendation (001 §2)
    earlier: tuple[EarlierValue, ...] = ()  # values before corrections, oldest first


@dataclass(frozen=True)
class RecentMarks:
    student_id: int
    marks: tuple[MarkItem, ...]  # newest first
    page: int  # 0-based, clamped to the last page
    pages: int
    total: int


@dataclass(frozen=True)
class SubjectRef:
    id: int
    name: str
    pass_fail: bool = False


@dataclass(frozen=True)
class SubjectChoice:
    subject: SubjectRef
    marks: int  # how many marks in the period


@dataclass(frozen=True)
class SubjectPicker:
    student_id: int
    period: PeriodInfo | None
    subjects: tuple[SubjectChoice, ...]  # by name


@dataclass(frozen=True)
class SubjectMarks:
    student_id: int
    subject: SubjectRef
    period: PeriodInfo
    marks: tuple[MarkItem, ...]  # in date order
    average: Decimal | None  # weighted, 2 decimals; pass/fail marks left out
    class_average: Decimal | None = None  # only with enough classmates (mark_context)

    @property
    def graded(self) -> tuple[MarkItem, ...]:
        """The marks with a value (what the chart draws)."""
        return tuple(m for m in self.marks if m.value is not None)


@dataclass(frozen=True)
class PeriodMark:
    value: int | None
    passed: bool | None
    postponed: bool


@dataclass(frozen=True)
class SubjectSummary:
    subject: SubjectRef
    marks: tuple[MarkValue, ...]  # in date order
    average: Decimal | None
    period_mark: PeriodMark | None


@dataclass(frozen=True)
class PeriodOverview:
    student_id: int
    period: PeriodInfo
    previous: PeriodInfo | None
    next: PeriodInfo | None
    subjects: tuple[SubjectSummary, ...]  # by name
    started: bool = True  # False for a period still to come: nothing to show in it yet


@dataclass(frozen=True)
class FinalItem:
    subject: str
    value: int | None
    passed: bool | None
    postponed: bool


@dataclass(frozen=True)
class FinalGroup:
    period: PeriodInfo
    kind: FinalMarkKind
    items: tuple[FinalItem, ...]  # by subject name


@dataclass(frozen=True)
class FinalMarks:
    student_id: int
    groups: tuple[FinalGroup, ...]  # in period order: quarters, then year, exam, final


# --- helpers ------------------------------------------------------------------------------


def weighted_average(marks: Iterable[MarkValue | MarkItem]) -> Decimal | None:
    """sum(value × weight) / sum(weight) over marks with a value, rounded half up to 2
    decimals; None without any."""
    total = weights = 0
    for mark in marks:
        if mark.value is not None and mark.weight > 0:
            total += mark.value * mark.weight
            weights += mark.weight
    if not weights:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(CENT, rounding=ROUND_HALF_UP)


def visible_subjects(access: StudentAccess,
                     column: InstrumentedAttribute[int]) -> list[ColumnElement[bool]]:
    """The subject filter of a subject teacher's access (nothing for everyone else)."""
    if access.subject_ids is None:
        return []
    return [column.in_(access.subject_ids)]


def _own_marks(access: StudentAccess) -> list[ColumnElement[bool]]:
    return [Mark.student_id == access.child.student_id, Mark.deleted_at.is_(None),
            *visible_subjects(access, Mark.subject_id)]


_ITEM_COLUMNS = (Mark.id, Mark.date, Mark.subject_id, Subject.name.label("subject"),
                 Mark.value, Mark.passed, Mark.weight, WorkType.name.label("work_type"),
                 Mark.comment)


def _item(r: Row[Any], earlier: tuple[EarlierValue, ...] = ()) -> MarkItem:
    return MarkItem(r.id, r.date, r.subject_id, r.subject, r.value, r.passed, r.weight,
                    r.work_type, r.comment or None, earlier)


async def _terms(session: AsyncSession,
                 access: StudentAccess) -> tuple[list[PeriodInfo], dt.date]:
    """The student's reporting periods and the school's today (two statements)."""
    child = access.child
    today = await child_today(session, child)
    if child.grade is None:
        return [], today
    return reporting_periods(await periods_for_grade(session, child.school_id,
                                                     child.grade)), today


def _pick(terms: list[PeriodInfo], today: dt.date, period_id: int | None) -> PeriodInfo:
    """The requested term, or the current one; a period id not of this grade is refused."""
    if period_id:
        for term in terms:
            if term.id == period_id:
                return term
        raise AccessDenied("period")
    period = current_period(terms, today)
    if period is None:
        raise NoPeriod
    return period


def _class_subjects(access: StudentAccess,
                    period: PeriodInfo) -> ColumnElement[bool]:
    """Subjects of the class curriculum, and any subject the student has marks in during
    the period (a student who changed class keeps them)."""
    child = access.child
    in_period = exists().where(Mark.subject_id == Subject.id, *_own_marks(access),
                               Mark.date.between(period.starts_on, period.ends_on))
    if child.class_id is None:
        return in_period
    curriculum = exists().where(CurriculumItem.subject_id == Subject.id,
                                CurriculumItem.class_id == child.class_id)
    return or_(curriculum, in_period)


# --- views --------------------------------------------------------------------------------


def _build_recent_page(by_subject: bool) -> Select[Any]:
    """One page of recent marks: the page is picked from the covering index of live marks
    alone (no heap reads at 10 million marks), then only its rows get their names and
    comments. Built once (with and without a subject teacher's subject filter), so each
    call only binds values and hits the compiled cache."""
    order = (Mark.date.desc(), Mark.entered_at.desc(), Mark.id.desc())
    own = [Mark.student_id == bindparam("student_id"), Mark.deleted_at.is_(None)]
    if by_subject:
        own.append(Mark.subject_id.in_(bindparam("subject_ids", expanding=True)))
    picked = (select(Mark.id, Mark.date, Mark.entered_at, Mark.subject_id, Mark.work_type_id,
                     Mark.value, Mark.passed, Mark.weight, func.count().over().label("total"))
              .where(*own).order_by(*order)
              .offset(bindparam("offset")).limit(bindparam("limit")).subquery("page"))
    comment = select(Mark.comment).where(Mark.id == picked.c.id).scalar_subquery()
    return (select(picked.c.id, picked.c.date, picked.c.subject_id,
                   Subject.name.label("subject"), picked.c.value, picked.c.passed,
                   picked.c.weight, WorkType.name.label("work_type"),
                   comment.label("comment"), picked.c.total)
            .join(Subject, Subject.id == picked.c.subject_id)
            .join(WorkType, WorkType.id == picked.c.work_type_id)
            .order_by(picked.c.date.desc(), picked.c.entered_at.desc(), picked.c.id.desc()))


_RECENT_PAGE = _build_recent_page(by_subject=False)
_RECENT_PAGE_BY_SUBJECT = _build_recent_page(by_subject=True)


def _recent_page(access: StudentAccess, page: int,
                 per_page: int) -> tuple[Select[Any], dict[str, Any]]:
    params: dict[str, Any] = {"student_id": access.child.student_id,
                              "offset": page * per_page, "limit": per_page}
    if access.subject_ids is None:
        return _RECENT_PAGE, params
    params["subject_ids"] = list(access.subject_ids)
    return _RECENT_PAGE_BY_SUBJECT, params


async def recent_marks(session: AsyncSession, access: StudentAccess, page: int = 0,
                       per_page: int = RECENT_PAGE_SIZE) -> RecentMarks:
    """The student's marks, newest first, one page at a time (one statement per page; a
    page past the end is read again as the last page)."""
    child = access.child
    if not child.gets_marks:
        return RecentMarks(child.student_id, (), 0, 0, 0)
    page = max(page, 0)
    for _attempt in range(2):
        statement, params = _recent_page(access, page, per_page)
        rows = (await session.execute(statement, params)).all()
        if rows or page == 0:
            break
        total = await session.scalar(select(func.count()).select_from(Mark)
                                     .where(*_own_marks(access)))
        page = max(0, (int(total or 0) - 1) // per_page)
    total = int(rows[0].total) if rows else 0
    pages = max(1, -(-total // per_page))
    return RecentMarks(child.student_id, tuple(_item(r) for r in rows), page, pages, total)


async def subject_picker(session: AsyncSession, access: StudentAccess) -> SubjectPicker:
    """The subjects to choose from in the current period, with how many marks each has."""
    child = access.child
    terms, today = await _terms(session, access)
    period = current_period(terms, today)
    if period is None or not child.gets_marks:
        return SubjectPicker(child.student_id, period, ())
    count = (select(func.count()).where(Mark.subject_id == Subject.id, *_own_marks(access),
                                        Mark.date.between(period.starts_on, period.ends_on))
             .correlate(Subject).scalar_subquery())
    rows = (await session.execute(
        select(Subject.id, Subject.name, Subject.pass_fail, count.label("marks"))
        .where(Subject.school_id == child.school_id, _class_subjects(access, period),
               *visible_subjects(access, Subject.id))
        .order_by(Subject.name)
    )).all()
    return SubjectPicker(child.student_id, period, tuple(
        SubjectChoice(SubjectRef(r.id, r.name, r.pass_fail), int(r.marks)) for r in rows))


async def subject_marks(session: AsyncSession, access: StudentAccess, subject_id: int,
                        period_id: int | None = None) -> SubjectMarks:
    """One subject's marks in a period (default: the current one) and their weighted
    average. A subject the viewer may not see, or of another school, is refused."""
    child = access.child
    if access.subject_ids is not None and subject_id not in access.subject_ids:
        raise AccessDenied("subject")
    subject = (await session.execute(
        select(Subject.id, Subject.name, Subject.pass_fail)
        .where(Subject.id == subject_id, Subject.school_id == child.school_id)
    )).one_or_none()
    if subject is None:
        raise AccessDenied("subject")
    terms, today = await _terms(session, access)
    period = _pick(terms, today, period_id)
    ref = SubjectRef(subject.id, subject.name, subject.pass_fail)
    if not child.gets_marks:
        return SubjectMarks(child.student_id, ref, period, (), None)
    rows = (await session.execute(
        select(*_ITEM_COLUMNS)
        .join(Subject, Subject.id == Mark.subject_id)
        .join(WorkType, WorkType.id == Mark.work_type_id)
        .where(*_own_marks(access), Mark.subject_id == subject_id,
               Mark.date.between(period.starts_on, period.ends_on))
        .order_by(Mark.date, Mark.entered_at, Mark.id)
    )).all()
    history = await earlier_values(session, (r.id for r in rows))
    marks = tuple(_item(r, history.get(r.id, ())) for r in rows)
    return SubjectMarks(child.student_id, ref, period, marks, weighted_average(marks),
                        await class_average(session, access, subject_id, period))


async def period_overview(session: AsyncSession, access: StudentAccess,
                          period_id: int | None = None) -> PeriodOverview:
    """Every subject of the class curriculum in a period: the marks in a row, the weighted
    average and the period mark (or its postponement). Five statements."""
    child = access.child
    terms, today = await _terms(session, access)
    period = _pick(terms, today, period_id)
    index = terms.index(period)
    previous = terms[index - 1] if index > 0 else None
    following = terms[index + 1] if index + 1 < len(terms) else None
    if not child.gets_marks:
        return PeriodOverview(child.student_id, period, previous, following, ())
    if period.starts_on > today:
        return PeriodOverview(child.student_id, period, previous, following, (), started=False)
    subjects = (await session.execute(
        select(Subject.id, Subject.name, Subject.pass_fail)
        .where(Subject.school_id == child.school_id, _class_subjects(access, period),
               *visible_subjects(access, Subject.id))
        .order_by(Subject.name)
    )).all()
    marks = (await session.execute(
        select(Mark.subject_id, Mark.date, Mark.value, Mark.passed, Mark.weight)
        .where(*_own_marks(access), Mark.date.between(period.starts_on, period.ends_on))
        .order_by(Mark.date, Mark.entered_at, Mark.id)
    )).all()
    finals = (await session.execute(
        select(FinalMark.subject_id, FinalMark.value, FinalMark.passed, FinalMark.postponed)
        .where(FinalMark.student_id == child.student_id, FinalMark.period_id == period.id,
               FinalMark.kind == FinalMarkKind.PERIOD,
               *visible_subjects(access, FinalMark.subject_id))
    )).all()
    by_subject: dict[int, list[MarkValue]] = defaultdict(list)
    for m in marks:
        by_subject[m.subject_id].append(MarkValue(m.date, m.value, m.passed, m.weight))
    period_marks = {f.subject_id: PeriodMark(f.value, f.passed, f.postponed) for f in finals}
    summaries = tuple(
        SubjectSummary(SubjectRef(s.id, s.name, s.pass_fail), tuple(by_subject[s.id]),
                       weighted_average(by_subject[s.id]), period_marks.get(s.id))
        for s in subjects)
    return PeriodOverview(child.student_id, period, previous, following, summaries)


_KIND_ORDER = {FinalMarkKind.PERIOD: 0, FinalMarkKind.YEAR: 1, FinalMarkKind.EXAM: 2,
               FinalMarkKind.FINAL: 3}


async def final_marks(session: AsyncSession, access: StudentAccess) -> FinalMarks:
    """Period, year, exam and final marks entered so far, grouped by period and kind
    (one statement)."""
    child = access.child
    if not child.gets_marks:
        return FinalMarks(child.student_id, ())
    rows = (await session.execute(
        select(FinalMark.kind, FinalMark.value, FinalMark.passed, FinalMark.postponed,
               Subject.name.label("subject"), Period.id.label("period_id"), Period.kind.label(
                   "period_kind"), Period.number, Period.name.label("period_name"),
               Period.starts_on, Period.ends_on)
        .join(Subject, Subject.id == FinalMark.subject_id)
        .join(Period, Period.id == FinalMark.period_id)
        .where(FinalMark.student_id == child.student_id,
               *visible_subjects(access, FinalMark.subject_id))
    )).all()
    groups: dict[tuple[int, FinalMarkKind], list[FinalItem]] = defaultdict(list)
    periods: dict[int, PeriodInfo] = {}
    for r in rows:
        periods[r.period_id] = PeriodInfo(r.period_id, r.period_kind, r.number, r.period_name,
                                          r.starts_on, r.ends_on)
        groups[(r.period_id, r.kind)].append(FinalItem(r.subject, r.value, r.passed,
                                                       r.postponed))

    def order(key: tuple[int, FinalMarkKind]) -> tuple[int, dt.date, dt.date]:
        p = periods[key[0]]
        return (_KIND_ORDER[key[1]], p.ends_on, p.starts_on)

    return FinalMarks(child.student_id, tuple(
        FinalGroup(periods[key[0]], key[1],
                   tuple(sorted(groups[key], key=lambda i: i.subject)))
        for key in sorted(groups, key=order)))
