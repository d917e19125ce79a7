"""The per-class consent picture for the class teacher and the deputy (003 §2.8, §3.6):
for every student, each guardian of the roster (and each chat linked by a code that names
nobody) — linked or not, consented, refused (and so gets paper extracts) or still waiting
— and whether the student's own chat is open or waiting."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import audit, deny, load_roles
from services.consent import CONSENT_KEEPERS
from services.models import (
    AccountLink,
    ClassGroup,
    Consent,
    ConsentDecision,
    Guardian,
    GuardianStudent,
    LinkKind,
    School,
    Student,
    StudentStatus,
)
from services.names import full_name


class Status(enum.StrEnum):
    CONSENTED = "consented"
    REFUSED = "refused"  # gets paper extracts
    WAITING = "waiting"


class OwnLink(enum.StrEnum):
    OPEN = "open"
    WAITING = "waiting"  # linked, but nothing shown until a guardian consents
    NONE = "none"


@dataclass(frozen=True)
class Person:
    name: str  # the roster name; empty for a chat whose code named nobody
    guardian_id: int | None
    account_id: int | None  # the chat, for a code that named nobody
    linked: bool
    status: Status
    decided_on: dt.date | None = None
    source: str | None = None  # "bot" or "paper"
    form_number: str | None = None


@dataclass(frozen=True)
class StudentConsent:
    student_id: int
    name: str
    own_link: OwnLink
    people: tuple[Person, ...]

    @property
    def status(self) -> Status:
        statuses = {p.status for p in self.people}
        if Status.CONSENTED in statuses:
            return Status.CONSENTED
        return Status.REFUSED if Status.REFUSED in statuses else Status.WAITING


@dataclass(frozen=True)
class ClassConsent:
    class_id: int
    class_name: str
    version: int
    students: tuple[StudentConsent, ...]

    def count(self, status: Status) -> int:
        return sum(p.status == status for s in self.students for p in s.people)

    @property
    def linked(self) -> int:
        return sum(p.linked for s in self.students for p in s.people)

    @property
    def people(self) -> int:
        return sum(len(s.people) for s in self.students)


def _status(decision: Consent | None, version: int) -> Status:
    if decision is None:
        return Status.WAITING
    if decision.decision == ConsentDecision.GIVEN:
        return Status.CONSENTED if decision.text_version == version else Status.WAITING
    return Status.REFUSED


def _person(name: str, guardian_id: int | None, account_id: int | None, linked: bool,
            decision: Consent | None, version: int, timezone: str) -> Person:
    if decision is None:
        return Person(name, guardian_id, account_id, linked, Status.WAITING)
    on = decision.signed_on or clock.local_date(decision.decided_at, timezone)
    return Person(name, guardian_id, account_id, linked, _status(decision, version), on,
                  decision.source, decision.form_number)


async def class_consent(session: AsyncSession, class_id: int) -> ClassConsent:
    """The picture of one class (five queries, whatever its size)."""
    klass = (await session.execute(
        select(ClassGroup.name, School.consent_version, School.timezone)
        .join(School, School.id == ClassGroup.school_id).where(ClassGroup.id == class_id)
    )).one()
    version = klass.consent_version or 1
    students = (await session.execute(
        select(Student.id, Student.last_name, Student.first_name)
        .where(Student.class_id == class_id, Student.status == StudentStatus.ACTIVE)
        .order_by(Student.last_name, Student.first_name, Student.id))).all()
    ids = [s.id for s in students]
    roster = defaultdict(list)
    for r in (await session.execute(
            select(GuardianStudent.student_id, Guardian.id, Guardian.last_name,
                   Guardian.first_name, Guardian.middle_name)
            .join(Guardian, Guardian.id == GuardianStudent.guardian_id)
            .where(GuardianStudent.student_id.in_(ids))
            .order_by(Guardian.last_name, Guardian.first_name, Guardian.id))).all():
        name = full_name(r.last_name, r.first_name, r.middle_name)
        roster[r.student_id].append((r.id, name))
    # Each decider's latest decision: the named guardian, else the chat.
    latest: dict[tuple[int, int | None, int | None], Consent] = {}
    for c in (await session.scalars(select(Consent).where(Consent.student_id.in_(ids))
                                    .order_by(Consent.id))).all():
        chat = None if c.guardian_id is not None else c.account_id
        latest[(c.student_id, c.guardian_id, chat)] = c
    links = (await session.execute(
        select(AccountLink.student_id, AccountLink.kind, AccountLink.guardian_id,
               AccountLink.account_id)
        .where(AccountLink.student_id.in_(ids), AccountLink.revoked_at.is_(None)))).all()
    named_links = {(lk.student_id, lk.guardian_id) for lk in links
                   if lk.kind == LinkKind.GUARDIAN and lk.guardian_id is not None}
    unnamed_links = {(lk.student_id, lk.account_id) for lk in links
                     if lk.kind == LinkKind.GUARDIAN and lk.guardian_id is None}
    own = {lk.student_id for lk in links if lk.kind == LinkKind.STUDENT}
    result = []
    for s in students:
        people = [_person(name, gid, None, (s.id, gid) in named_links,
                          latest.get((s.id, gid, None)), version, klass.timezone)
                  for gid, name in roster[s.id]]
        chats = {a for sid, a in unnamed_links if sid == s.id} | {
            a for sid, gid, a in latest if sid == s.id and gid is None and a is not None}
        people += [_person("", None, a, (s.id, a) in unnamed_links,
                           latest.get((s.id, None, a)), version, klass.timezone)
                   for a in sorted(chats)]
        student = StudentConsent(s.id, f"{s.last_name} {s.first_name}", OwnLink.NONE,
                                 tuple(people))
        if s.id in own:
            open_ = student.status == Status.CONSENTED
            student = StudentConsent(s.id, student.name,
                                     OwnLink.OPEN if open_ else OwnLink.WAITING, student.people)
        result.append(student)
    return ClassConsent(class_id, klass.name, version, tuple(result))


async def consent_classes(session: AsyncSession, account_id: int) -> list[tuple[int, str]]:
    """Classes whose consents this account keeps: (id, name). Deputies and clerks: the
    school; a class teacher: their own classes."""
    staff = (await load_roles(session, account_id)).staff
    if staff is None:
        return []
    stmt = select(ClassGroup.id, ClassGroup.name).where(ClassGroup.school_id == staff.school_id)
    if not staff.roles & CONSENT_KEEPERS:
        stmt = stmt.where(ClassGroup.class_teacher_id == staff.staff_id)
    rows = await session.execute(stmt.order_by(ClassGroup.grade, ClassGroup.name))
    return [(r.id, r.name) for r in rows]


async def consent_classes_as(session: AsyncSession,
                             account_id: int) -> list[tuple[int, str]]:
    """`consent_classes`, refused when the account keeps no class's consents."""
    classes = await consent_classes(session, account_id)
    if not classes:
        raise deny(account_id, "consents")
    return classes


async def class_consent_as(session: AsyncSession, account_id: int,
                           class_id: int) -> ClassConsent:
    """The picture for a class teacher of that class, or a deputy or clerk of the school.
    The read is audited like any staff read of a class."""
    staff = (await load_roles(session, account_id)).staff
    row = (await session.execute(select(ClassGroup.school_id, ClassGroup.class_teacher_id)
                                 .where(ClassGroup.id == class_id))).one_or_none()
    if (staff is None or row is None or row.school_id != staff.school_id
            or not (staff.roles & CONSENT_KEEPERS or row.class_teacher_id == staff.staff_id)):
        raise deny(account_id, "consent_report", class_id=class_id)
    await audit(session, "staff_read_class", account_id=account_id, staff_id=staff.staff_id,
                school_id=staff.school_id, class_id=class_id, purpose="consent")
    return await class_consent(session, class_id)
