"""A deterministic demo school for the console demo, manual checks and tests.

`seed_demo` adds "Школа № 17": calendar, staff, four classes with students and guardians,
a timetable from 1 September to the end of the current quarter, homework, marks,
attendance, quarter marks and ready-made Telegram accounts (`DEMO_ACCOUNTS`); and a tiny
second school, "Лицей № 5", so tests can prove one school never sees another's data.

Every choice comes from `random.Random` seeded with a fixed string per area (so changing
one area does not reshuffle the others), and every timestamp is derived from `today`:
the same `today` always gives the same rows. Rows go in by bulk INSERT, in one pass per
table, through the caller's session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import demo_data as data
from services.models import (
    AcademicYear,
    Account,
    AccountLink,
    Attendance,
    AttendanceKind,
    Base,
    BellSlot,
    ClassGroup,
    Consent,
    ConsentDecision,
    CurriculumItem,
    FinalMark,
    FinalMarkKind,
    Guardian,
    GuardianRelation,
    GuardianStudent,
    Homework,
    Lesson,
    LessonStatus,
    LinkKind,
    Mark,
    MarkChange,
    Period,
    PeriodKind,
    School,
    Staff,
    StaffRole,
    StaffRoleKind,
    Student,
    StudentClassHistory,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    WorkType,
)

DEMO_SCHOOL_EXTERNAL_ID = "demo-school"
DEMO_LYCEUM_EXTERNAL_ID = "demo-lyceum"
WEEKS_PER_YEAR = 34  # hours_per_year = hours_per_week * 34
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DemoAccount:
    label: str
    telegram_id: int
    kind: str  # LinkKind value of the account's links: guardian, student or staff


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("Родитель (Петрова Анна: Миша 5А, Оля 1А)", 1001, "guardian"),
    DemoAccount("Ученик 5А (Ковалёв Артём)", 1002, "student"),
    DemoAccount("Классный руководитель 5А (Орлова Марина Геннадьевна)", 2001, "staff"),
    DemoAccount("Учитель математики 5А, 7Б (Григорьев Павел Сергеевич)", 2002, "staff"),
    DemoAccount("Администратор и завуч (Кузнецов Андрей Петрович)", 2003, "staff"),
    DemoAccount("Проверяющий (Фёдоров Сергей Михайлович)", 2004, "staff"),
]
_STAFF_ACCOUNTS = {2001: "rus", 2002: "math", 2003: "admin", 2004: "inspector"}

# Families the demo accounts point at; the labels above name them.
_DEMO_FAMILY = ("Петров", "Дмитрий", "Александрович", "Анна", "Сергеевна",
                (("5А", True, "Михаил"), ("1А", False, "Ольга")))
_DEMO_STUDENT = ("Ковалёв", "Игорь", "5А", "Артём")


@dataclass
class SeedResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)  # rows added per table


async def seed_demo(session: AsyncSession, *, today: dt.date) -> SeedResult:
    """Add the demo schools unless "demo-school" already exists (then add nothing)."""
    existing = await session.scalar(
        select(School.id).where(School.external_id == DEMO_SCHOOL_EXTERNAL_ID)
    )
    if existing is not None:
        return SeedResult(created=False)
    writer = _Writer(session)
    await _seed_school17(writer, today)
    await _seed_lyceum(writer, today)
    return SeedResult(created=True, counts=dict(writer.counts))


async def demo_counts(session: AsyncSession) -> dict[str, int]:
    """Row counts of every table of the data model, in one round trip."""
    tables = Base.metadata.sorted_tables
    stmt = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name)
                    for t in tables))
    row = (await session.execute(stmt)).one()
    return {t.name: int(n) for t, n in zip(tables, row, strict=True)}


def _rng(area: str) -> random.Random:
    return random.Random(f"demo-seed/{area}")


class _Writer:
    """Bulk inserts through the caller's session, counting rows per table. `render_nulls`
    sends None as NULL: without it the ORM splits the rows into one batch per pattern of
    None values, which made the seed several times slower."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.counts: dict[str, int] = defaultdict(int)

    async def rows(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(model).execution_options(render_nulls=True),
                                       list(rows))
            self.counts[model.__tablename__] += len(rows)

    async def ids(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert and return the new ids in the order of `rows`."""
        if not rows:
            return []
        stmt = (insert(model).execution_options(render_nulls=True)
                .returning(model.__table__.c.id, sort_by_parameter_order=True))
        result = await self.session.execute(stmt, list(rows))
        self.counts[model.__tablename__] += len(rows)
        return list(result.scalars())


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


# --- school frame: calendar, bells, work types, staff, subjects, classes -----------------


@dataclass
class _Student:
    id: int
    last_name: str
    first_name: str
    ability: int  # 0 strong .. 3 weak


@dataclass
class _Class:
    spec: data.ClassSpec
    id: int
    students: list[_Student] = field(default_factory=list)
    # subject -> [(teacher id, subgroup id)], one pair per subgroup or (teacher, None)
    groups: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict)
    members: dict[int, list[_Student]] = field(default_factory=dict)  # subgroup id -> list

    @property
    def grade(self) -> int:
        return self.spec.grade

    def hours(self, subject: str) -> float:
        return next(h for s, h, _ in self.spec.curriculum if s == subject)

    def scope(self, subgroup_id: int | None) -> list[_Student]:
        return self.students if subgroup_id is None else self.members[subgroup_id]

    def teacher_of(self, subject: str, student_id: int) -> int:
        for teacher, subgroup in self.groups[subject]:
            if subgroup is None or any(s.id == student_id for s in self.members[subgroup]):
                return teacher
        raise LookupError(subject)


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
                      today: dt.date) -> _School:
    [school_id] = await w.ids(School, [{"name": name, "timezone": timezone,
                                        "external_id": external_id}])
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


async def _add_classes(w: _Writer, school: _School,
                       specs: Sequence[data.ClassSpec]) -> list[_Class]:
    """Classes with their curriculum, subgroups and teaching assignments."""
    ids = await w.ids(ClassGroup, [{
        "school_id": school.id, "academic_year_id": school.year_id, "grade": c.grade,
        "letter": c.letter, "name": c.name, "class_teacher_id": school.staff[c.class_teacher],
        "external_id": f"C-{c.name}-{school.cal.start_year}"} for c in specs])
    classes = [_Class(spec, class_id) for spec, class_id in zip(specs, ids, strict=True)]
    await w.rows(CurriculumItem, [{
        "class_id": c.id, "subject_id": school.subjects[subject],
        "hours_per_week": Decimal(str(hours)), "hours_per_year": int(hours * WEEKS_PER_YEAR)}
        for c in classes for subject, hours, _ in c.spec.curriculum])
    split = [(c, subject, teachers) for c in classes
             for subject, _, teachers in c.spec.curriculum if len(teachers) > 1]
    subgroup_ids = iter(await w.ids(Subgroup, [{
        "class_id": c.id, "subject_id": school.subjects[subject],
        "name": data.SUBGROUP_NAMES[n], "teacher_id": school.staff[teacher]}
        for c, subject, teachers in split for n, teacher in enumerate(teachers)]))
    for c in classes:
        for subject, _, teachers in c.spec.curriculum:
            c.groups[subject] = [
                (school.staff[t], next(subgroup_ids) if len(teachers) > 1 else None)
                for t in teachers]
    await w.rows(TeachingAssignment, [{
        "staff_id": teacher, "class_id": c.id, "subject_id": school.subjects[subject],
        "subgroup_id": subgroup} for c in classes
        for subject, pairs in c.groups.items() for teacher, subgroup in pairs])
    return classes


# --- students and guardians -------------------------------------------------------------


@dataclass
class _Kid:
    class_name: str
    last_name: str
    first_name: str
    middle_name: str
    male: bool
    birth_date: dt.date
    ability: int
    id: int = 0


@dataclass
class _Parent:
    last_name: str
    first_name: str
    middle_name: str
    relation: GuardianRelation
    phone: str
    id: int = 0


@dataclass
class _Family:
    parents: list[_Parent]
    kids: list[_Kid]


# (class name, male or None for random, first name or None for random)
_KidSpec = tuple[str, bool | None, str | None]


def _feminine(surname: str) -> str:
    return surname[:-2] + "ая" if surname.endswith("ий") else surname + "а"


class _FamilyMaker:
    """Russian families: the children's patronymic comes from the father's name and girls
    carry the feminine form of the surname."""

    def __init__(self, rng: random.Random, classes: Sequence[data.ClassSpec],
                 start_year: int) -> None:
        self.rng = rng
        self.grades = {c.name: c.grade for c in classes}
        self.start_year = start_year
        self.phones: set[str] = set()
        self.names: set[tuple[str, str]] = set()

    def _phone(self) -> str:
        while True:
            r = self.rng
            phone = (f"+7 9{r.randint(0, 99):02d} {r.randint(0, 999):03d}-"
                     f"{r.randint(0, 99):02d}-{r.randint(0, 99):02d}")
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _birth_date(self, grade: int) -> dt.date:
        # 6.5-7.5 years old on 1 September of the first grade.
        born_from = dt.date(self.start_year - grade - 6, 3, 1)
        return born_from + DAY * self.rng.randint(0, 364)

    def family(self, surname: str, father: str, kids: Iterable[_KidSpec], *,
               father_middle: str | None = None, mother: tuple[str, str] | None = None,
               guardians: str | None = None) -> _Family:
        """`kids`: (class, male or None for random, first name or None for random);
        `guardians`: "both", "mother" or "father" (random when None)."""
        rng = self.rng
        _, son_patronymic, daughter_patronymic = next(
            f for f in data.FATHER_NAMES if f[0] == father)
        made = []
        for class_name, male, first in kids:
            male = rng.random() < 0.5 if male is None else male
            last = surname if male else _feminine(surname)
            while first is None or (last, first) in self.names:
                first = rng.choice(data.BOY_NAMES if male else data.GIRL_NAMES)
            self.names.add((last, first))
            made.append(_Kid(class_name, last, first,
                             son_patronymic if male else daughter_patronymic, male,
                             self._birth_date(self.grades[class_name]),
                             rng.choices(range(4), weights=data.ABILITY_WEIGHTS)[0]))
        if guardians is None:
            roll = rng.random()
            guardians = "both" if roll < 0.62 else "mother" if roll < 0.93 else "father"
        mother_name, mother_middle = mother or (rng.choice(data.MOTHER_NAMES),
                                                rng.choice(data.FATHER_NAMES)[2])
        father_middle = father_middle or rng.choice(data.FATHER_NAMES)[1]
        parents = []
        if guardians in ("both", "mother"):
            parents.append(_Parent(_feminine(surname), mother_name, mother_middle,
                                   GuardianRelation.MOTHER, self._phone()))
        if guardians in ("both", "father"):
            parents.append(_Parent(surname, father, father_middle, GuardianRelation.FATHER,
                                   self._phone()))
        return _Family(parents, made)

    def random_family(self, surname: str, kids: Iterable[_KidSpec],
                      guardians: str | None = None) -> _Family:
        return self.family(surname, self.rng.choice(data.FATHER_NAMES)[0], kids,
                           guardians=guardians)


def _plan_families(maker: _FamilyMaker, classes: Sequence[data.ClassSpec]) -> list[_Family]:
    """The demo family and student first, then sibling families, then one-child families
    until every class is full."""
    surnames = iter(maker.rng.sample(data.SURNAMES, len(data.SURNAMES)))
    surname, father, father_middle, mother, mother_middle, kids = _DEMO_FAMILY
    families = [maker.family(surname, father, kids, father_middle=father_middle,
                             mother=(mother, mother_middle), guardians="both")]
    surname, father, class_name, first = _DEMO_STUDENT
    families.append(maker.family(surname, father, [(class_name, True, first)]))
    families += [maker.random_family(next(surnames), [(a, None, None), (b, None, None)],
                                     guardians="both") for a, b in data.SIBLING_CLASSES]
    taken: dict[str, int] = defaultdict(int)
    for family in families:
        for kid in family.kids:
            taken[kid.class_name] += 1
    for spec in classes:
        families += [maker.random_family(next(surnames), [(spec.name, None, None)])
                     for _ in range(spec.size - taken[spec.name])]
    return families


async def _add_people(w: _Writer, school: _School, classes: Sequence[_Class],
                      families: Sequence[_Family]) -> None:
    """Students (alphabetical within each class, as in a class register), their class
    history, subgroup halves, guardians and guardian links."""
    by_class: dict[str, list[_Kid]] = defaultdict(list)
    for family in families:
        for kid in family.kids:
            by_class[kid.class_name].append(kid)
    ordered = [(c, kid) for c in classes
               for kid in sorted(by_class[c.spec.name], key=lambda k: (k.last_name, k.first_name))]
    ids = await w.ids(Student, [{
        "school_id": school.id, "class_id": c.id, "last_name": kid.last_name,
        "first_name": kid.first_name, "middle_name": kid.middle_name,
        "birth_date": kid.birth_date, "external_id": f"ST-{n:04d}"}
        for n, (c, kid) in enumerate(ordered, start=1)])
    for (c, kid), student_id in zip(ordered, ids, strict=True):
        kid.id = student_id
        c.students.append(_Student(student_id, kid.last_name, kid.first_name, kid.ability))
    first_day = dt.date(school.cal.start_year, 9, 1)
    await w.rows(StudentClassHistory, [{
        "student_id": kid.id, "class_id": c.id, "from_date": first_day, "to_date": None,
        "reason": _enrolment_reason(kid.male, c.grade)} for c, kid in ordered])
    members = []
    for c in classes:
        half = (len(c.students) + 1) // 2
        for pairs in c.groups.values():
            for n, (_, subgroup) in enumerate(pairs):
                if subgroup is not None:
                    c.members[subgroup] = c.students[:half] if n == 0 else c.students[half:]
                    members += [{"subgroup_id": subgroup, "student_id": s.id}
                                for s in c.members[subgroup]]
    await w.rows(SubgroupMember, members)
    parents = [p for f in families for p in f.parents]
    guardian_ids = await w.ids(Guardian, [{
        "school_id": school.id, "last_name": p.last_name, "first_name": p.first_name,
        "middle_name": p.middle_name, "phone": p.phone, "external_id": f"G-{n:04d}"}
        for n, p in enumerate(parents, start=1)])
    for parent, guardian_id in zip(parents, guardian_ids, strict=True):
        parent.id = guardian_id
    await w.rows(GuardianStudent, [{"guardian_id": p.id, "student_id": kid.id,
                                    "relation": p.relation}
                                   for f in families for p in f.parents for kid in f.kids])


def _enrolment_reason(male: bool, grade: int) -> str:
    verb = ("Зачислен" if male else "Зачислена") if grade == 1 else (
        "Переведён" if male else "Переведена")
    return f"{verb} в {grade} класс"


# --- timetable and lessons --------------------------------------------------------------


@dataclass
class _Lesson:
    cls: _Class
    subject: str
    subgroup_id: int | None
    teacher_id: int
    date: dt.date
    slot: int
    room: str | None
    seq: int  # number of this lesson of the subject in the class's year, from 0
    external_id: str
    status: LessonStatus
    topic: str = ""
    topic_no: int = 0
    material: str | None = None
    test: bool = False
    substitute_id: int | None = None
    moved_to: tuple[dt.date, int] | None = None
    id: int = 0

    @property
    def held(self) -> bool:
        return self.status in (LessonStatus.HELD, LessonStatus.REPLACED)

    @property
    def taught_by(self) -> int:
        return self.substitute_id or self.teacher_id


def _numbers(seq: int, topic_no: int) -> dict[str, int]:
    """Textbook numbers that grow through the year, for homework and material texts."""
    ex, page, k = 30 + 3 * seq, 8 + 2 * seq, 1 + seq % 9
    return {"ex": ex, "ex1": ex + 1, "ex2": ex + 2, "par": topic_no + 1, "page": page,
            "page2": page + 3, "k": k, "k1": k + 1}


def _plan_lessons(school: _School, classes: Sequence[_Class],
                  timetable: dict[str, tuple[tuple[str, ...], ...]], emit_from: dt.date,
                  last: dt.date, today: dt.date, rng: random.Random) -> list[_Lesson]:
    """Every lesson of the weekly templates on school days up to `last`. Counting starts
    on 1 September so topics follow the year even when only a later range is emitted."""
    lessons = []
    seq: dict[tuple[int, str], int] = defaultdict(int)
    day = min(q.starts_on for q in school.cal.quarters)
    while day <= last:
        for c in classes:
            if not school.cal.is_school_day(day, c.grade):
                continue
            for slot, subject in enumerate(timetable[c.spec.name][day.weekday()], start=1):
                n = seq[c.id, subject]
                seq[c.id, subject] += 1
                if day < emit_from:
                    continue
                topics = data.TOPICS.get((subject, c.grade)) or data.COMMON_TOPICS[subject]
                topic_no = min(len(topics) - 1, int(
                    n * len(topics) // (c.hours(subject) * WEEKS_PER_YEAR)))
                material = None
                if subject in data.MAIN_SUBJECTS and rng.random() < 0.35:
                    material = rng.choice(data.MATERIALS).format(
                        topic=topics[topic_no], **_numbers(n, topic_no))
                status = LessonStatus.HELD if day < today else LessonStatus.SCHEDULED
                for g, (teacher, subgroup) in enumerate(c.groups[subject], start=1):
                    suffix = f"-g{g}" if subgroup is not None else ""
                    room = data.SUBJECT_ROOMS.get(subject) or school.rooms[teacher]
                    lessons.append(_Lesson(
                        c, subject, subgroup, teacher, day, slot, room, n,
                        f"L-{c.spec.name}-{day.isoformat()}-{slot}{suffix}", status,
                        topics[topic_no], topic_no, material))
        day += DAY
    return lessons


def _plan_tests(lessons: Sequence[_Lesson], today: dt.date, rng: random.Random) -> None:
    """About one test (контрольная) a month per main subject of 2+ hours a week, not two
    on one day in a class; in the current fortnight most subjects have one coming."""
    units: dict[tuple[int, str, int, int], dict[tuple[dt.date, int], list[_Lesson]]] = (
        defaultdict(lambda: defaultdict(list)))
    for lesson in lessons:
        c = lesson.cls
        if c.grade >= 2 and lesson.subject in data.MAIN_SUBJECTS and c.hours(lesson.subject) >= 2:
            key = (c.id, lesson.subject, lesson.date.year, lesson.date.month)
            units[key][lesson.date, lesson.slot].append(lesson)
    taken: set[tuple[int, dt.date]] = set()
    soon = today + 14 * DAY
    for (class_id, *_), month in units.items():
        slots = list(month)
        upcoming = [s for s in slots if today < s[0] <= soon]
        pool = (upcoming if upcoming and rng.random() < 0.6
                else [s for s in slots if s[0].day >= 10] or slots)
        pool = [s for s in pool if (class_id, s[0]) not in taken] or pool
        chosen = rng.choice(pool)
        taken.add((class_id, chosen[0]))
        for lesson in month[chosen]:
            lesson.test = True
            lesson.topic = data.TEST_TOPIC.format(topic=lesson.topic)


def _plan_week_changes(lessons: Sequence[_Lesson], c: _Class, today: dt.date,
                       rng: random.Random) -> None:
    """In the week of `today`, one lesson of class `c` replaced, one cancelled, one moved
    to a free slot later in the week (upcoming days first)."""
    busy = {(lesson.teacher_id, lesson.date, lesson.slot) for lesson in lessons}
    last_slot: dict[dt.date, int] = defaultdict(int)
    teaches: dict[str, set[int]] = defaultdict(set)
    for lesson in lessons:
        teaches[lesson.subject].add(lesson.teacher_id)
        if lesson.cls is c:
            last_slot[lesson.date] = max(last_slot[lesson.date], lesson.slot)
    own = [lesson for lesson in lessons
           if lesson.cls is c and lesson.subgroup_id is None and not lesson.test]
    dates = sorted({lesson.date for lesson in own})
    if not dates:
        return
    monday = today - today.weekday() * DAY
    if not any(monday <= d < monday + 7 * DAY for d in dates):
        anchor = next((d for d in dates if d >= today), dates[-1])
        monday = anchor - anchor.weekday() * DAY
    week = [d for d in dates if monday <= d < monday + 7 * DAY]
    upcoming = [d for d in week if d >= today] or week
    everyone = sorted({t for ts in teaches.values() for t in ts})

    def on(day: dt.date) -> list[_Lesson]:
        return [x for x in own if x.date == day and x.status in (
            LessonStatus.HELD, LessonStatus.SCHEDULED)]

    def free(teacher: int, day: dt.date, slot: int) -> bool:
        return (teacher, day, slot) not in busy

    for lesson in rng.sample(on(upcoming[0]), len(on(upcoming[0]))):
        subs = [t for t in sorted(teaches[lesson.subject]) if t != lesson.teacher_id
                and free(t, lesson.date, lesson.slot)]
        subs = subs or [t for t in everyone if t != lesson.teacher_id
                        and free(t, lesson.date, lesson.slot)]
        if subs:
            lesson.status, lesson.substitute_id = LessonStatus.REPLACED, rng.choice(subs)
            busy.add((lesson.substitute_id, lesson.date, lesson.slot))
            break
    cancel_day = upcoming[1] if len(upcoming) > 1 else upcoming[0]
    if on(cancel_day):
        rng.choice(on(cancel_day)).status = LessonStatus.CANCELLED
    for day in upcoming[2:] + upcoming[:2] + [d for d in week if d not in upcoming]:
        for lesson in on(day):
            target = next(((d, last_slot[d] + 1) for d in week if d > day
                           and last_slot[d] < len(data.BELLS)
                           and free(lesson.teacher_id, d, last_slot[d] + 1)), None)
            if target:
                lesson.status, lesson.moved_to = LessonStatus.MOVED, target
                return


async def _add_lessons(w: _Writer, school: _School, lessons: Sequence[_Lesson],
                       today: dt.date) -> None:
    # The timetable was loaded before the year; this week's changes the Friday before.
    loaded = school.at(min(q.starts_on for q in school.cal.quarters) - 7 * DAY,
                       dt.time(10, 0))
    changed = school.at(today - (today.weekday() + 3) * DAY, dt.time(17, 0))
    test_type = school.work_types["test"][0]
    ids = await w.ids(Lesson, [{
        "school_id": school.id, "class_id": x.cls.id, "subgroup_id": x.subgroup_id,
        "subject_id": school.subjects[x.subject], "teacher_id": x.teacher_id,
        "substitute_id": x.substitute_id, "date": x.date, "slot": x.slot, "room": x.room,
        "topic": x.topic, "material": x.material,
        "planned_work_type_id": test_type if x.test else None, "status": x.status,
        "moved_to_date": x.moved_to[0] if x.moved_to else None,
        "moved_to_slot": x.moved_to[1] if x.moved_to else None,
        "external_id": x.external_id,
        # The register is taken in every lesson held so far, everyone present or not.
        "attendance_taken_at": (school.at(x.date, data.BELLS[x.slot - 1][1])
                                if x.held and x.date < today else None),
        "updated_at": changed if x.status in (LessonStatus.REPLACED, LessonStatus.CANCELLED,
                                              LessonStatus.MOVED) else loaded,
    } for x in lessons])
    for lesson, lesson_id in zip(lessons, ids, strict=True):
        lesson.id = lesson_id


# --- homework ---------------------------------------------------------------------------


def _plan_homework(school: _School, lessons: Sequence[_Lesson], today: dt.date,
                   individual: tuple[_Class, int], rng: random.Random) -> list[dict[str, Any]]:
    """Homework from most lessons of the main subjects (first-graders get none), due at
    the next lesson of the same subject and group; plus two individual tasks."""
    chains: dict[tuple[int, str, int | None], list[_Lesson]] = defaultdict(list)
    for x in lessons:
        if (x.cls.grade >= 2 and x.subject in data.HOMEWORK
                and x.status not in (LessonStatus.CANCELLED, LessonStatus.MOVED)):
            chains[x.cls.id, x.subject, x.subgroup_id].append(x)
    planned: list[tuple[_Lesson, _Lesson, int | None, str]] = []
    for chain in chains.values():
        for lesson, after in itertools.pairwise(chain):
            if after.test:
                text = f"Подготовиться к контрольной работе: повторить §{lesson.topic_no + 1}"
            elif rng.random() < 0.85:
                text = rng.choice(data.HOMEWORK[lesson.subject]).format(
                    **_numbers(lesson.seq, lesson.topic_no))
            else:
                continue
            planned.append((lesson, after, None, text))
    c, student_id = individual
    for subject, template in data.INDIVIDUAL_HOMEWORK.items():
        chain = chains[c.id, subject, None]
        pair = next(((a, b) for a, b in itertools.pairwise(chain) if a.date >= today), None)
        if pair:
            planned.append((*pair, student_id, template.format(**_numbers(pair[0].seq, 0))))
    planned.sort(key=lambda p: (p[0].date, p[0].slot, p[0].cls.id, p[2] or 0))
    return [{
        "school_id": school.id, "class_id": lesson.cls.id, "subgroup_id": lesson.subgroup_id,
        "student_id": student_id, "subject_id": school.subjects[lesson.subject],
        "lesson_id": lesson.id, "teacher_id": lesson.taught_by, "assigned_on": lesson.date,
        "due_on": after.date, "text": text, "external_id": f"H-{n:05d}",
        "created_at": school.at(lesson.date, dt.time(15, 30)),
        "updated_at": school.at(lesson.date, dt.time(15, 30)),
    } for n, (lesson, after, student_id, text) in enumerate(planned, start=1)]


# --- attendance -------------------------------------------------------------------------

_AWAY = (AttendanceKind.ABSENT, AttendanceKind.ILL, AttendanceKind.EXCUSED)


def _plan_attendance(school: _School, lessons: Sequence[_Lesson], today: dt.date,
                     long_illness: tuple[int, Sequence[dt.date]], rng: random.Random,
                     ) -> tuple[dict[int, dict[int, AttendanceKind]], list[dict[str, Any]]]:
    """About 3% of student-lessons: illnesses of 1-4 whole school days, plus single
    absences, excused absences and lateness. Returns {lesson id: {student id: kind}}."""
    held = [x for x in lessons if x.held and x.date < today]
    ill: set[tuple[int, dt.date]] = {(long_illness[0], d) for d in long_illness[1]}
    days_by_class: dict[int, list[dt.date]] = defaultdict(list)
    classes = {}
    for x in held:
        classes[x.cls.id] = x.cls
        if not days_by_class[x.cls.id] or days_by_class[x.cls.id][-1] != x.date:
            days_by_class[x.cls.id].append(x.date)
    for class_id, days in days_by_class.items():
        for i in range(len(days)):
            if rng.random() < 0.13:
                student = rng.choice(classes[class_id].students)
                ill |= {(student.id, d) for d in days[i:i + rng.randint(1, 4)]}
    kinds: dict[int, dict[int, AttendanceKind]] = defaultdict(dict)
    rows: list[dict[str, Any]] = []
    for x in held:
        entered = school.at(x.date, data.BELLS[x.slot - 1][1]) + dt.timedelta(minutes=10)
        for s in x.cls.scope(x.subgroup_id):
            roll, late = rng.random(), None
            if (s.id, x.date) in ill:
                kind = AttendanceKind.ILL
            elif roll < 0.004:
                kind = AttendanceKind.ABSENT
            elif roll < 0.008:
                kind = AttendanceKind.EXCUSED
            elif roll < 0.016:
                kind, late = AttendanceKind.LATE, rng.choice((3, 5, 5, 7, 10, 15))
            else:
                continue
            kinds[x.id][s.id] = kind
            rows.append({
                "school_id": school.id, "student_id": s.id, "lesson_id": x.id,
                "date": x.date, "kind": kind, "minutes_late": late,
                "entered_by_id": x.taught_by, "entered_at": entered,
                "external_id": f"A-{len(rows) + 1:05d}"})
    return kinds, rows


# --- marks ------------------------------------------------------------------------------


def _plan_marks(school: _School, lessons: Sequence[_Lesson], today: dt.date,
                away: dict[int, dict[int, AttendanceKind]], rng: random.Random,
                per_lesson: tuple[int, int] = (3, 6)) -> list[dict[str, Any]]:
    """Marks for held lessons (none for first-graders): everyone present writes a planned
    test; otherwise a few students, the least-marked first so marks accumulate evenly.
    Values follow each student's ability, nudged per subject."""
    counts: dict[tuple[int, str, int], int] = defaultdict(int)  # per student, subject, quarter
    shift: dict[tuple[int, str], int] = {}
    rows: list[dict[str, Any]] = []
    for x in lessons:
        if not x.held or x.date >= today or x.cls.grade == 1:
            continue
        quarter = next(n for n, q in enumerate(school.cal.quarters) if q.contains(x.date))
        absent = away.get(x.id, {})
        present = [s for s in x.cls.scope(x.subgroup_id) if absent.get(s.id) not in _AWAY]
        pass_fail = x.subject in data.PASS_FAIL_SUBJECTS
        if pass_fail and x.seq % 4 != 3:  # project work is assessed now and then
            continue
        if x.test:
            chosen = present
        else:
            ranked = sorted(present, key=lambda s: (counts[s.id, x.subject, quarter],
                                                    rng.random()))
            chosen = ranked[:rng.randint(*per_lesson)]
        special = data.SUBJECT_WORK.get(x.subject)
        for s in chosen:
            counts[s.id, x.subject, quarter] += 1
            if x.test:
                work = "test"
            else:
                work = rng.choices(("answer", "homework", "quiz", special or "quiz"),
                                   weights=(50, 30, 12, 8))[0]
            level = s.ability + shift.setdefault(
                (s.id, x.subject), rng.choice((-1, 0, 0, 0, 1)))
            level += 1 if work == "test" and rng.random() < 0.3 else 0
            level = min(3, max(0, level))
            value = rng.choices((5, 4, 3, 2), weights=data.MARK_ODDS[level])[0]
            work_type_id, weight = school.work_types[work]
            rows.append({
                "school_id": school.id, "student_id": s.id,
                "subject_id": school.subjects[x.subject], "lesson_id": x.id,
                "work_type_id": work_type_id, "date": x.date,
                "value": None if pass_fail else value,
                "passed": rng.random() < data.PASS_ODDS[level] if pass_fail else None,
                "weight": weight,
                "comment": "Задание не выполнено" if work == "homework" and value == 2 else None,
                "entered_by_id": x.taught_by, "entered_at": school.at(x.date, dt.time(15, 0)),
                "updated_at": None, "external_id": f"M-{len(rows) + 1:06d}"})
    return rows


def _plan_mark_changes(marks: list[dict[str, Any]], today: dt.date,
                       rng: random.Random) -> list[tuple[int, dict[str, Any]]]:
    """About ten marks corrected a few days after they were given: the mark keeps the new
    value, the change row keeps the old one. Returns (mark index, change row)."""
    old_enough = [i for i, m in enumerate(marks)
                  if m["value"] is not None and m["date"] <= today - 5 * DAY]
    changes = []
    for i in sorted(rng.sample(old_enough, min(10, len(old_enough)))):
        mark = marks[i]
        new = mark["value"]
        old = rng.choice([v for v in (2, 3, 4, 5) if abs(v - new) == 1])
        changed_at = mark["entered_at"] + dt.timedelta(days=rng.randint(1, 3), hours=2)
        mark["updated_at"] = changed_at
        changes.append((i, {"action": "updated", "old_value": old, "new_value": new,
                            "changed_by_id": mark["entered_by_id"], "changed_at": changed_at}))
    return changes


def _plan_final_marks(school: _School, classes: Sequence[_Class],
                      marks: Sequence[dict[str, Any]], today: dt.date,
                      postponed_student: int) -> list[dict[str, Any]]:
    """Period marks for every quarter or half-year that has ended: the weighted average
    rounded half up (the school default); one sick student's mark is postponed."""
    terms = [t for t in school.cal.terms if t.kind in (PeriodKind.QUARTER,
                                                       PeriodKind.HALF_YEAR)
             and t.ends_on < today]
    grade_of = {s.id: c.grade for c in classes for s in c.students}
    # (student, subject id, period id) -> [sum of value*weight, sum of weights, passes, count]
    sums: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for m in marks:
        for t in terms:
            if t.applies(grade_of[m["student_id"]]) and t.contains(m["date"]):
                acc = sums[m["student_id"], m["subject_id"], t.id]
                if m["value"] is not None:
                    acc[0] += m["value"] * m["weight"]
                    acc[1] += m["weight"]
                acc[2] += bool(m["passed"])
                acc[3] += 1
    rows: list[dict[str, Any]] = []
    postponed_done = False
    for t in terms:
        for c in classes:
            if c.grade == 1 or not t.applies(c.grade):
                continue
            subjects = [(name, school.subjects[name]) for name, _, _ in c.spec.curriculum]
            postponed_subject = None
            if not postponed_done and any(s.id == postponed_student for s in c.students):
                # The subject in which the sick student has the fewest marks.
                postponed_subject = min(subjects, key=lambda ns: sums.get(
                    (postponed_student, ns[1], t.id), [0, 0, 0, 0])[3])[1]
                postponed_done = True
            for s in c.students:
                for name, subject_id in subjects:
                    agg = sums.get((s.id, subject_id, t.id))
                    postponed = (s.id, subject_id) == (postponed_student, postponed_subject)
                    value: int | None = None
                    passed: bool | None = None
                    if postponed:
                        pass
                    elif agg is None:
                        continue  # no marks at all: the journal shows "н/а", not a mark
                    elif name in data.PASS_FAIL_SUBJECTS:
                        passed = agg[2] * 2 >= agg[3]
                    else:
                        value = int(Fraction(agg[0], agg[1]) + Fraction(1, 2))
                    rows.append({
                        "school_id": school.id, "student_id": s.id, "subject_id": subject_id,
                        "period_id": t.id, "kind": FinalMarkKind.PERIOD, "value": value,
                        "passed": passed, "postponed": postponed,
                        "entered_by_id": c.teacher_of(name, s.id),
                        "entered_at": school.at(t.ends_on - DAY, dt.time(16, 0)),
                        "external_id": f"F-{len(rows) + 1:05d}"})
    return rows


async def _add_marks(w: _Writer, school: _School, classes: Sequence[_Class],
                     lessons: Sequence[_Lesson], today: dt.date,
                     away: dict[int, dict[int, AttendanceKind]], postponed_student: int) -> None:
    marks = _plan_marks(school, lessons, today, away, _rng("marks"))
    changes = _plan_mark_changes(marks, today, _rng("mark-changes"))
    mark_ids = await w.ids(Mark, marks)
    await w.rows(MarkChange, [{"mark_id": mark_ids[i], **change} for i, change in changes])
    await w.rows(FinalMark, _plan_final_marks(school, classes, marks, today,
                                              postponed_student))


# --- Telegram accounts ------------------------------------------------------------------


async def _add_accounts(w: _Writer, school: _School, families: Sequence[_Family],
                        today: dt.date) -> None:
    """The demo identities: a guardian of two children, a student and four staff."""
    since = school.at(today - 30 * DAY, dt.time(12, 0))
    mother = families[0].parents[0]
    children = families[0].kids
    student = families[1].kids[0]
    account_ids = dict(zip([a.telegram_id for a in DEMO_ACCOUNTS], await w.ids(Account, [{
        "telegram_id": a.telegram_id, "chat_id": a.telegram_id, "locale": "ru",
        "active_student_id": {1001: children[0].id, 1002: student.id}.get(a.telegram_id),
        "created_at": since, "last_seen_at": since} for a in DEMO_ACCOUNTS]), strict=True))

    def link(telegram_id: int, kind: LinkKind, student_id: int | None = None,
             guardian_id: int | None = None, staff_id: int | None = None) -> dict[str, Any]:
        return {"account_id": account_ids[telegram_id], "kind": kind, "school_id": school.id,
                "student_id": student_id, "guardian_id": guardian_id, "staff_id": staff_id,
                "consent_pending": False, "linked_at": since}

    await w.rows(AccountLink, [
        *(link(1001, LinkKind.GUARDIAN, kid.id, mother.id) for kid in children),
        link(1002, LinkKind.STUDENT, student.id),
        *(link(tg, LinkKind.STAFF, staff_id=school.staff[key])
          for tg, key in _STAFF_ACCOUNTS.items()),
    ])
    await w.rows(Consent, [{
        "account_id": account_ids[1001], "student_id": kid.id, "guardian_id": mother.id,
        "decision": ConsentDecision.GIVEN, "text_version": 1, "decided_at": since}
        for kid in children])


# --- the two schools --------------------------------------------------------------------


async def _seed_school17(w: _Writer, today: dt.date) -> None:
    school = await _add_school(w, "Школа № 17", DEMO_SCHOOL_EXTERNAL_ID, "Europe/Moscow",
                               today)
    await _add_staff(w, school, data.STAFF)
    await _add_subjects(w, school, data.CLASSES)
    classes = await _add_classes(w, school, data.CLASSES)
    by_name = {c.spec.name: c for c in classes}
    maker = _FamilyMaker(_rng("people"), data.CLASSES, school.cal.start_year)
    families = _plan_families(maker, data.CLASSES)
    await _add_people(w, school, classes, families)

    first_day = min(q.starts_on for q in school.cal.quarters)
    lessons = _plan_lessons(school, classes, data.TIMETABLE, first_day,
                            school.cal.lessons_end(today), today, _rng("lessons"))
    _plan_tests(lessons, today, _rng("tests"))
    _plan_week_changes(lessons, by_name["5А"], today, _rng("week"))
    await _add_lessons(w, school, lessons, today)

    misha = families[0].kids[0]
    await w.rows(Homework, _plan_homework(school, lessons, today, (by_name["5А"], misha.id),
                                          _rng("homework")))
    # A 7Б student ill for the last seven school days of the first quarter: their quarter
    # mark in one subject is postponed (001 §5).
    rng = _rng("attendance")
    sick = rng.choice(by_name["7Б"].students).id
    q1 = school.cal.quarters[0]
    q1_days = sorted({x.date for x in lessons if x.cls is by_name["7Б"] and q1.contains(x.date)})
    away, attendance = _plan_attendance(school, lessons, today, (sick, q1_days[-7:]), rng)
    await w.rows(Attendance, attendance)
    await _add_marks(w, school, classes, lessons, today, away, sick)
    await _add_accounts(w, school, families, today)


async def _seed_lyceum(w: _Writer, today: dt.date) -> None:
    """One class, one teacher, five students: last week's and this week's lessons."""
    rng = _rng("lyceum")
    school = await _add_school(w, "Лицей № 5", DEMO_LYCEUM_EXTERNAL_ID, "Asia/Yekaterinburg",
                               today)
    await _add_staff(w, school, (data.LYCEUM_STAFF,))
    await _add_subjects(w, school, (data.LYCEUM_CLASS,))
    classes = await _add_classes(w, school, (data.LYCEUM_CLASS,))
    maker = _FamilyMaker(rng, (data.LYCEUM_CLASS,), school.cal.start_year)
    surnames = rng.sample(data.SURNAMES, data.LYCEUM_CLASS.size)
    families = [maker.random_family(surname, [(data.LYCEUM_CLASS.name, None, None)],
                                    guardians="mother") for surname in surnames]
    await _add_people(w, school, classes, families)
    monday = today - today.weekday() * DAY
    lessons = _plan_lessons(school, classes, {data.LYCEUM_CLASS.name: (data.LYCEUM_DAY,) * 5},
                            monday - 7 * DAY, monday + 4 * DAY, today, rng)
    await _add_lessons(w, school, lessons, today)
    await w.rows(Mark, _plan_marks(school, lessons, today, {}, rng, per_lesson=(1, 2)))
