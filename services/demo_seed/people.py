"""Classes and the people in them: classes with their curriculum, subgroups and teaching
assignments; students, their class history and subgroup halves; guardians and their
families."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.demo_seed import data
from services.demo_seed.school import DAY, WEEKS_PER_YEAR, _School
from services.demo_seed.writer import _Writer
from services.models import (
    ClassGroup,
    CurriculumItem,
    Guardian,
    GuardianRelation,
    GuardianStudent,
    Student,
    StudentClassHistory,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
)

# Families the demo accounts point at; the labels of DEMO_ACCOUNTS name them.
_DEMO_FAMILY = ("Петров", "Дмитрий", "Александрович", "Анна", "Сергеевна",
                (("5А", True, "Михаил"), ("1А", False, "Ольга")))
_DEMO_STUDENT = ("Ковалёв", "Игорь", "5А", "Артём")


# --- classes ----------------------------------------------------------------------------


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
