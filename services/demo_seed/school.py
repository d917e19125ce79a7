"""The school frame of the demo: the school, its academic year and calendar (quarters,
half-years, holidays), bells, work types, staff and subjects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays

from services.demo_seed import data
from services.demo_seed.writer import _Writer
from services.models import (
    AcademicYear,
    BellSlot,
    Period,
    PeriodKind,
    School,
    Staff,
    StaffRole,
    StaffRoleKind,
    Subject,
    WorkType,
)

WEEKS_PER_YEAR = 34  # hours_per_year = hours_per_week * 34
DAY = dt.timedelta(days=1)


# --- calendar ---------------------------------------------------------------------------


@dataclass
class _Term:
    kind: PeriodKind
    number: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    grade_min: int = 1
    grade_max: int = 11
    id: int = 0

    def applies(self, grade: int) -> bool:
        return self.grade_min <= grade <= self.grade_max

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass
class _Calendar:
    start_year: int
    terms: list[_Term]
    public_holidays: set[dt.date]

    @property
    def quarters(self) -> list[_Term]:
        return [t for t in self.terms if t.kind is PeriodKind.QUARTER]

    def is_school_day(self, day: dt.date, grade: int) -> bool:
        if day.weekday() >= 5 or day in self.public_holidays:
            return False
        if not any(q.contains(day) for q in self.quarters):
            return False
        return not any(t.kind is PeriodKind.HOLIDAYS and t.applies(grade) and t.contains(day)
                       for t in self.terms)

    def lessons_end(self, today: dt.date) -> dt.date:
        """End of the quarter containing `today`; in holidays, of the next quarter."""
        return next((q.ends_on for q in self.quarters if today <= q.ends_on),
                    self.quarters[-1].ends_on)


def _academic_start_year(today: dt.date) -> int:
    return today.year if today.month >= 8 else today.year - 1


def _plan_terms(start_year: int) -> list[_Term]:
    def on(month_day: tuple[int, int]) -> dt.date:
        month, day = month_day
        return dt.date(start_year if month >= 8 else start_year + 1, month, day)

    quarters = []
    for n, (start, end) in enumerate(data.QUARTERS, start=1):
        first, last = on(start), on(end)
        first += DAY * max(0, 7 - first.weekday()) if first.weekday() >= 5 else dt.timedelta()
        last -= DAY * (last.weekday() - 4) if last.weekday() >= 5 else dt.timedelta()
        quarters.append(_Term(PeriodKind.QUARTER, n, f"{n} четверть", first, last, 1, 9))
    q1, q2, q3, q4 = quarters
    terms = [
        *quarters,
        _Term(PeriodKind.HALF_YEAR, 1, "1 полугодие", q1.starts_on, q2.ends_on, 10, 11),
        _Term(PeriodKind.HALF_YEAR, 2, "2 полугодие", q3.starts_on, q4.ends_on, 10, 11),
        _Term(PeriodKind.YEAR, 1, "Учебный год", q1.starts_on, q4.ends_on, 1, 11),
    ]
    # Holidays fill the gaps between quarters, the summer runs to 31 August.
    ends = [q.starts_on - DAY for q in quarters[1:]] + [dt.date(start_year + 1, 8, 31)]
    for n, (quarter, holidays_end) in enumerate(zip(quarters, ends, strict=True), start=1):
        terms.append(_Term(PeriodKind.HOLIDAYS, n, data.HOLIDAY_NAMES[n - 1],
                           quarter.ends_on + DAY, holidays_end))
    february = on(data.GRADE1_FEBRUARY_FROM)
    february += DAY * ((7 - february.weekday()) % 7)
    terms.append(_Term(PeriodKind.HOLIDAYS, 5, data.GRADE1_FEBRUARY_NAME, february,
                       february + 6 * DAY, 1, 1))
    return terms


# --- school frame: bells, work types, staff, subjects -----------------------------------


@dataclass
class _School:
    id: int
    tz: ZoneInfo
    cal: _Calendar
    year_id: int
    work_types: dict[str, tuple[int, int]]  # code -> (id, weight)
    staff: dict[str, int] = field(default_factory=dict)  # spec key -> id
    rooms: dict[int, str | None] = field(default_factory=dict)  # staff id -> own room
    subjects: dict[str, int] = field(default_factory=dict)

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A school-local wall-clock time as UTC (the database stores UTC)."""
        return dt.datetime.combine(day, time, tzinfo=self.tz).astimezone(dt.UTC)


async def _add_school(w: _Writer, name: str, external_id: str, timezone: str,
                      today: dt.date, *, quick_entry: bool = False) -> _School:
    [school_id] = await w.ids(School, [{"name": name, "timezone": timezone,
                                        "external_id": external_id,
                                        "quick_entry": quick_entry}])
    start_year = _academic_start_year(today)
    [year_id] = await w.ids(AcademicYear, [{
        "school_id": school_id, "name": f"{start_year}/{start_year + 1}",
        "starts_on": dt.date(start_year, 9, 1), "ends_on": dt.date(start_year + 1, 8, 31),
    }])
    terms = _plan_terms(start_year)
    period_ids = await w.ids(Period, [{
        "school_id": school_id, "academic_year_id": year_id, "kind": t.kind,
        "number": t.number, "name": t.name, "starts_on": t.starts_on, "ends_on": t.ends_on,
        "grade_min": t.grade_min, "grade_max": t.grade_max} for t in terms])
    for term, period_id in zip(terms, period_ids, strict=True):
        term.id = period_id
    await w.rows(BellSlot, [{"school_id": school_id, "slot": slot, "starts_at": start,
                             "ends_at": end} for slot, start, end in data.BELLS])
    work_type_ids = await w.ids(WorkType, [{
        "school_id": school_id, "code": code, "name": wt_name, "weight": weight,
        "is_test": is_test} for code, wt_name, weight, is_test in data.WORK_TYPES])
    work_types = {code: (wt_id, weight) for (code, _, weight, _), wt_id
                  in zip(data.WORK_TYPES, work_type_ids, strict=True)}
    public = set(holidays.country_holidays("RU", years=[start_year, start_year + 1]))
    return _School(school_id, ZoneInfo(timezone), _Calendar(start_year, terms, public), year_id,
                   work_types)


async def _add_staff(w: _Writer, school: _School, specs: Sequence[data.StaffSpec]) -> None:
    ids = await w.ids(Staff, [{
        "school_id": school.id, "last_name": s.last_name, "first_name": s.first_name,
        "middle_name": s.middle_name, "external_id": f"S-{n:03d}"}
        for n, s in enumerate(specs, start=1)])
    school.staff = {s.key: staff_id for s, staff_id in zip(specs, ids, strict=True)}
    school.rooms = {staff_id: s.room for s, staff_id in zip(specs, ids, strict=True)}
    await w.rows(StaffRole, [{"staff_id": school.staff[s.key], "school_id": school.id,
                              "role": StaffRoleKind(role)} for s in specs for role in s.roles])


async def _add_subjects(w: _Writer, school: _School, specs: Sequence[data.ClassSpec]) -> None:
    names = list(dict.fromkeys(subject for c in specs for subject, _, _ in c.curriculum))
    ids = await w.ids(Subject, [{
        "school_id": school.id, "name": name, "short_name": data.SUBJECTS[name],
        "pass_fail": name in data.PASS_FAIL_SUBJECTS, "external_id": f"SUBJ-{n:02d}"}
        for n, name in enumerate(names, start=1)])
    school.subjects = dict(zip(names, ids, strict=True))
