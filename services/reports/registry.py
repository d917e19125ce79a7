"""Which reports exist, who may have them, and making one for a scope.

Access (decided here, on every request): the director, admins, deputies and inspectors get
any report for the school or one class; a class teacher gets the reports of their own class
that are about it; a clerk reads no marks or attendance, so gets only the consents report.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import StaffRef, audit, deny, require_staff
from services.errors import NotFound
from services.models import StaffRoleKind
from services.reports import checks, completion, engagement, progress, term_sheets
from services.reports.base import (
    OVERSIGHT,
    NoSuchPeriod,
    Report,
    Scope,
    UnknownReport,
    rows,
)
from services.timetable import school_today

Builder = Callable[[AsyncSession, Scope], Awaitable[Report]]



class ReportName(enum.StrEnum):
    PROGRESS = "progress"
    COMPLETION = "completion"
    CURRICULUM = "curriculum"
    FINALS = "finals"
    ACTIVITY = "activity"
    CONSENTS = "consents"
    TERM_SHEET = "term-sheet"


@dataclass(frozen=True)
class ReportSpec:
    build: Builder
    reads_marks: bool = True  # marks, attendance or the journal: not for a clerk
    per_class: bool = True  # a class teacher may have it for their class
    needs_class: bool = False  # always about one class
    by_period: bool = False  # about one reporting period, which may be chosen


REPORTS: dict[ReportName, ReportSpec] = {
    ReportName.PROGRESS: ReportSpec(progress.progress_report, by_period=True),
    ReportName.COMPLETION: ReportSpec(completion.completion_report, by_period=True),
    ReportName.CURRICULUM: ReportSpec(checks.curriculum_report),
    ReportName.FINALS: ReportSpec(checks.finals_report, by_period=True),
    ReportName.ACTIVITY: ReportSpec(engagement.activity_report, reads_marks=False,
                                    per_class=False),
    ReportName.CONSENTS: ReportSpec(engagement.consents_report, reads_marks=False),
    ReportName.TERM_SHEET: ReportSpec(term_sheets.term_sheet_report, needs_class=True,
                                      by_period=True),
}


def spec_of(name: str) -> ReportSpec:
    try:
        return REPORTS[ReportName(name)]
    except ValueError:
        raise UnknownReport(name) from None


def may_have(staff: StaffRef, spec: ReportSpec, *, own_class: bool) -> bool:
    """Whether this staff member may have the report: school-wide (own_class False) or for
    a class they lead (own_class True)."""
    if staff.roles & OVERSIGHT:
        return True
    if not spec.reads_marks and StaffRoleKind.CLERK in staff.roles:
        return True
    return own_class and spec.per_class and StaffRoleKind.CLASS_TEACHER in staff.roles


def offered(staff: StaffRef, *, leads_class: bool) -> list[ReportName]:
    """The reports to offer in the bot's menu."""
    return [name for name, spec in REPORTS.items()
            if may_have(staff, spec, own_class=False)
            or (leads_class and may_have(staff, spec, own_class=True))]


async def make_scope(session: AsyncSession, school_id: int, *, class_id: int | None = None,
                     period_id: int | None = None, today: dt.date | None = None,
                     date_from: dt.date | None = None,
                     date_to: dt.date | None = None) -> Scope:
    found = await rows(session, """
        SELECT s.name, s.id,
               (SELECT c.name FROM classes c WHERE c.id = :class_id AND c.school_id = s.id),
               (SELECT p.name FROM periods p WHERE p.id = :period_id AND p.school_id = s.id)
        FROM schools s WHERE s.id = :school_id""",
                       school_id=school_id, class_id=class_id, period_id=period_id)
    if not found:
        raise NotFound("school")
    if class_id is not None and found[0][2] is None:
        raise NotFound("class")
    if period_id is not None and found[0][3] is None:
        raise NoSuchPeriod(str(period_id))
    day = today or await school_today(session, school_id)
    return Scope(school_id, found[0][0], day, class_id, found[0][2], period_id, found[0][3],
                 date_from, date_to)


async def build_report(session: AsyncSession, name: str, scope: Scope) -> Report:
    spec = spec_of(name)
    if spec.needs_class and scope.class_id is None:
        raise UnknownReport(f"{name} needs a class")
    report = await spec.build(session, scope)
    # A period asked for names the report even when no row shows it.
    return replace(report, period=scope.period_name) if scope.period_name else report


async def build_report_as(session: AsyncSession, account_id: int, name: str,
                          class_id: int | None = None,
                          period_id: int | None = None) -> Report:
    """A report requested in the bot, refused unless `may_have` allows it; audited."""
    staff = await require_staff(session, account_id)
    spec = spec_of(name)
    own_class = False
    if class_id is not None:
        teacher = await rows(session, "SELECT class_teacher_id FROM classes "
                                      "WHERE id = :c AND school_id = :s",
                             c=class_id, s=staff.school_id)
        if not teacher:
            raise deny(account_id, "report", report=name, class_id=class_id)
        own_class = teacher[0][0] == staff.staff_id
    if not may_have(staff, spec, own_class=own_class) or (spec.needs_class and class_id is None):
        raise deny(account_id, "report", report=name, class_id=class_id)
    try:
        scope = await make_scope(session, staff.school_id, class_id=class_id,
                                 period_id=period_id)
    except NoSuchPeriod:  # another school's period: forged
        raise deny(account_id, "report", report=name, period_id=period_id) from None
    await audit(session, "report_made", account_id=account_id, staff_id=staff.staff_id,
                school_id=staff.school_id, report=name, class_id=class_id,
                period_id=period_id)
    return await build_report(session, name, scope)


# --- what the bot offers -------------------------------------------------------------------

REPORT_ROLES = OVERSIGHT | {StaffRoleKind.CLASS_TEACHER, StaffRoleKind.CLERK}
EXTRACTS = "extracts"  # the paper extracts, offered next to the reports


@dataclass(frozen=True)
class ReportOffer:
    reports: tuple[str, ...]  # ReportName values, then EXTRACTS when allowed


@dataclass(frozen=True)
class ClassChoice:
    name: str
    school_wide: bool  # the whole school may be asked for
    classes: tuple[tuple[int, str], ...]  # (id, name)


async def _led_classes(session: AsyncSession, staff: StaffRef) -> tuple[tuple[int, str], ...]:
    return tuple((r[0], r[1]) for r in await rows(session, """
        SELECT c.id, c.name FROM classes c
        WHERE c.school_id = :s AND (:all OR c.class_teacher_id = :t)
          AND c.academic_year_id = (SELECT y.id FROM academic_years y
              WHERE y.school_id = :s AND y.starts_on <= :today
              ORDER BY y.starts_on DESC LIMIT 1)
        ORDER BY c.grade, c.name""", s=staff.school_id, t=staff.staff_id,
        all=bool(staff.roles & (OVERSIGHT | {StaffRoleKind.CLERK})),
        today=await school_today(session, staff.school_id)))


def _may_have_extracts(staff: StaffRef, *, leads_class: bool) -> bool:
    return bool(staff.roles & OVERSIGHT) or (
        leads_class and StaffRoleKind.CLASS_TEACHER in staff.roles)


async def report_offer(session: AsyncSession, account_id: int) -> ReportOffer:
    staff = await require_staff(session, account_id)
    led = await rows(session, "SELECT 1 FROM classes WHERE class_teacher_id = :t LIMIT 1",
                     t=staff.staff_id)
    names = [n.value for n in offered(staff, leads_class=bool(led))]
    if _may_have_extracts(staff, leads_class=bool(led)):
        names.append(EXTRACTS)
    if not names:
        raise deny(account_id, "reports")
    return ReportOffer(tuple(names))


async def report_classes(session: AsyncSession, account_id: int, name: str) -> ClassChoice:
    """The classes (and whether the whole school) this account may ask the report for."""
    staff = await require_staff(session, account_id)
    every = await _led_classes(session, staff)
    if name == EXTRACTS:
        if staff.roles & OVERSIGHT:
            return ClassChoice(name, False, every)
        own = await _own(session, staff, every)
        if not own or StaffRoleKind.CLASS_TEACHER not in staff.roles:
            raise deny(account_id, "paper_extracts")
        return ClassChoice(name, False, own)
    spec = spec_of(name)
    school_wide = may_have(staff, spec, own_class=False) and not spec.needs_class
    if may_have(staff, spec, own_class=False):
        classes = every if spec.per_class else ()
    else:
        classes = await _own(session, staff, every) if spec.per_class else ()
        if not may_have(staff, spec, own_class=True):
            classes = ()
    if not school_wide and not classes:
        raise deny(account_id, "report", report=name)
    return ClassChoice(name, school_wide, classes)


async def _own(session: AsyncSession, staff: StaffRef,
               every: tuple[tuple[int, str], ...]) -> tuple[tuple[int, str], ...]:
    mine = {r[0] for r in await rows(session, "SELECT id FROM classes "
                                              "WHERE class_teacher_id = :t", t=staff.staff_id)}
    return tuple(c for c in every if c[0] in mine)


async def class_school(session: AsyncSession, class_id: int) -> int:
    found = await rows(session, "SELECT school_id FROM classes WHERE id = :c", c=class_id)
    if not found:
        raise NotFound("class")
    return int(found[0][0])


@dataclass(frozen=True)
class PeriodChoice:
    name: str
    class_id: int  # 0: the whole school
    periods: tuple[tuple[int, str], ...]  # (id, name) of the terms begun, in order


async def report_periods(session: AsyncSession, account_id: int, name: str,
                         class_id: int | None) -> PeriodChoice:
    """The terms (quarters or half-years, by the class's grade) begun so far, for a report
    the account may have for that class or the school."""
    choice = await report_classes(session, account_id, name)
    if (class_id is None and not choice.school_wide) or (
            class_id is not None and class_id not in {c for c, _ in choice.classes}):
        raise deny(account_id, "report", report=name, class_id=class_id)
    staff = await require_staff(session, account_id)
    found = await rows(session, """
        SELECT p.id, p.name FROM periods p
        WHERE p.school_id = :s AND p.kind IN ('quarter', 'half_year')
          AND p.starts_on <= :today
          AND (CAST(:c AS integer) IS NULL OR (SELECT grade FROM classes WHERE id = :c)
               BETWEEN p.grade_min AND p.grade_max)
        ORDER BY p.kind, p.starts_on""", s=staff.school_id, c=class_id,
                       today=await school_today(session, staff.school_id))
    return PeriodChoice(name, class_id or 0, tuple((r[0], r[1]) for r in found))
