"""Who may see what. Decided here, from the database, on every call.

Consent gates every way in (152-FZ; 001 §1): a child's diary is shown electronically, to a
guardian or to the student, only while some legal representative's consent to the school's
current text version is on record for that child (`consent_on_record`). A guardian link also
waits for that guardian's own answer; a student link waits for any guardian's consent.

A guardian sees only linked children (after consent), a student only themself, a subject
teacher only the classes and subgroups they teach (and only those subjects), a class
teacher their class, admins, deputies, directors, clerks and inspectors their school
(inspectors read-only). A clerk keeps rosters, codes and leavers but reads no marks or
attendance (003 §5), so a clerk is not school-wide for reading. Every staff read of a
child's data and every refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.errors import AccessDenied, ConsentRequired, NotLinked
from services.models import (
    AccountLink,
    AuditLog,
    ClassGroup,
    Consent,
    ConsentDecision,
    LinkKind,
    School,
    Staff,
    StaffRole,
    StaffRoleKind,
    Student,
    StudentStatus,
    SubgroupMember,
    TeachingAssignment,
)
from services.names import full_name

# Staff who read every child's diary in their school (the clerk is not one: 003 §5).
SCHOOL_WIDE = frozenset({StaffRoleKind.ADMIN, StaffRoleKind.DEPUTY, StaffRoleKind.DIRECTOR,
                         StaffRoleKind.INSPECTOR})
# Roles that may change things (issue codes, post notices); inspectors only read.
SCHOOL_MANAGERS = frozenset({StaffRoleKind.ADMIN, StaffRoleKind.DEPUTY, StaffRoleKind.DIRECTOR,
                             StaffRoleKind.CLERK})


@dataclass(frozen=True)
class ChildRef:
    student_id: int
    school_id: int
    first_name: str
    last_name: str
    class_id: int | None
    class_name: str | None
    grade: int | None
    # The school's timezone, read with the child so a view's "today" costs no statement;
    # None where it was not read (services.timetable.child_today then reads it).
    timezone: str | None = field(default=None, compare=False)

    @property
    def short_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def gets_marks(self) -> bool:
        return self.grade is not None and self.grade > 1  # 002 §5.5


@dataclass(frozen=True)
class StaffRef:
    staff_id: int
    school_id: int
    name: str
    roles: frozenset[StaffRoleKind]
    quick_entry: bool = False  # the school lets teachers enter lessons from the bot

    @property
    def school_wide(self) -> bool:
        return bool(self.roles & SCHOOL_WIDE)

    @property
    def read_only(self) -> bool:
        return self.roles <= {StaffRoleKind.INSPECTOR}


@dataclass(frozen=True)
class Roles:
    """Everything an account is, read fresh for one update."""

    account_id: int
    children: tuple[ChildRef, ...] = ()  # as a guardian, consent given
    pending_consent: tuple[ChildRef, ...] = ()  # guardian links awaiting the answer
    self_student: ChildRef | None = None
    staff: StaffRef | None = None
    # The student's own link while no guardian's consent is on record: shows nothing.
    waiting_student: ChildRef | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.children or self.pending_consent or self.self_student or self.staff
                    or self.waiting_student)

    @property
    def family_students(self) -> tuple[ChildRef, ...]:
        """Children and self, the students whose diary this chat reads as family."""
        own = (self.self_student,) if self.self_student else ()
        return self.children + own


@dataclass(frozen=True)
class StudentAccess:
    """Granted access to one student. `subject_ids` None means every subject."""

    child: ChildRef
    as_staff: bool
    subject_ids: frozenset[int] | None = None
    staff_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _child(row: Any) -> ChildRef:
    return ChildRef(row.id, row.school_id, row.first_name, row.last_name, row.class_id,
                    row.class_name, row.grade, row.timezone)


_CHILD_COLUMNS = (Student.id, Student.school_id, Student.first_name, Student.last_name,
                  Student.class_id, ClassGroup.name.label("class_name"), ClassGroup.grade,
                  # A primary-key look-up per child row: the timezone without a join.
                  select(School.timezone).where(School.id == Student.school_id)
                  .scalar_subquery().label("timezone"))


# --- consent on record -------------------------------------------------------------------


def _same_decider(a: Any, b: Any) -> ColumnElement[bool]:
    """Two decisions by the same person: the named guardian, else the same chat."""
    return or_(and_(a.guardian_id.is_not(None), b.guardian_id == a.guardian_id),
               and_(a.guardian_id.is_(None), b.guardian_id.is_(None),
                    b.account_id == a.account_id))


def latest_decisions(student_id: Any) -> tuple[Any, ColumnElement[bool]]:
    """(alias, condition): each decider's latest decision about the student."""
    c, later = aliased(Consent), aliased(Consent)
    newer = (select(later.id)
             .where(later.student_id == c.student_id, later.id > c.id, _same_decider(c, later))
             .exists())
    return c, and_(c.student_id == student_id, ~newer)


def consent_on_record(student_id: Any,
                      guardian_id: Any | None = None) -> ColumnElement[bool]:
    """SQL: some decider's latest decision about the student is consent to the school's
    current text version (with `guardian_id`, that guardian's). Usable in any query."""
    c, latest = latest_decisions(student_id)
    st, sc = aliased(Student), aliased(School)
    version = (select(sc.consent_version).join(st, st.school_id == sc.id)
               .where(st.id == c.student_id).scalar_subquery())
    conditions = [latest, c.decision == ConsentDecision.GIVEN, c.text_version == version]
    if guardian_id is not None:
        conditions.append(c.guardian_id == guardian_id)
    return select(c.id).where(*conditions).exists()


# The statements of every update's access checks are built once, with bind parameters:
# building one (its aliases above all) costs far more than running it, and the same
# statement object finds its compiled form in SQLAlchemy's cache.
_HAS_CONSENT = select(consent_on_record(bindparam("student_id")))
_GUARDIAN_CONSENTED = select(consent_on_record(bindparam("student_id"),
                                               bindparam("guardian_id")))
_CHILD = (select(*_CHILD_COLUMNS).outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
          .where(Student.id == bindparam("student_id")))


async def has_consent(session: AsyncSession, student_id: int) -> bool:
    return bool(await session.scalar(_HAS_CONSENT, {"student_id": student_id}))


async def guardian_has_consented(session: AsyncSession, student_id: int,
                                 guardian_id: int) -> bool:
    return bool(await session.scalar(_GUARDIAN_CONSENTED,
                                     {"student_id": student_id, "guardian_id": guardian_id}))


async def child_ref(session: AsyncSession, student_id: int) -> ChildRef:
    return _child((await session.execute(_CHILD, {"student_id": student_id})).one())


# --- roles -------------------------------------------------------------------------------


_ROLES = (
    select(AccountLink.kind, AccountLink.consent_pending, AccountLink.staff_id,
           consent_on_record(Student.id).label("consented"), *_CHILD_COLUMNS)
    .select_from(AccountLink)
    .outerjoin(Student, and_(Student.id == AccountLink.student_id,
                             Student.status == StudentStatus.ACTIVE))
    .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
    .where(AccountLink.account_id == bindparam("account_id"), AccountLink.revoked_at.is_(None))
    .order_by(Student.last_name, Student.first_name)
)
_STAFF = (
    select(Staff.school_id, Staff.last_name, Staff.first_name, Staff.middle_name,
           StaffRole.role, School.quick_entry)
    .join(School, School.id == Staff.school_id)
    .outerjoin(StaffRole, StaffRole.staff_id == Staff.id)
    .where(Staff.id == bindparam("staff_id"), Staff.is_active)
)


async def load_roles(session: AsyncSession, account_id: int) -> Roles:
    """Live links of an account (two queries)."""
    rows = (await session.execute(_ROLES, {"account_id": account_id})).all()
    children: list[ChildRef] = []
    pending: list[ChildRef] = []
    self_student: ChildRef | None = None
    waiting: ChildRef | None = None
    staff_id: int | None = None
    for row in rows:
        if row.kind == LinkKind.STAFF:
            staff_id = row.staff_id
        elif row.id is None:
            continue  # the student has left: the link no longer grants anything
        elif row.kind == LinkKind.STUDENT:
            if row.consented:
                self_student = _child(row)
            else:
                waiting = _child(row)
        elif row.consent_pending or not row.consented:
            pending.append(_child(row))
        else:
            children.append(_child(row))
    staff = await _staff_ref(session, staff_id) if staff_id else None
    return Roles(account_id, tuple(children), tuple(pending), self_student, staff, waiting)


async def _staff_ref(session: AsyncSession, staff_id: int) -> StaffRef | None:
    rows = (await session.execute(_STAFF, {"staff_id": staff_id})).all()
    if not rows:
        return None
    first = rows[0]
    name = full_name(first.last_name, first.first_name, first.middle_name)
    return StaffRef(staff_id, first.school_id, name,
                    frozenset(r.role for r in rows if r.role is not None),
                    bool(first.quick_entry))


async def audit(session: AsyncSession, action: str, *, account_id: int | None = None,
                staff_id: int | None = None, student_id: int | None = None,
                school_id: int | None = None, telegram_id: int | None = None,
                by: str | None = None, **details: Any) -> None:
    """Append to the audit log; ids only, never names or mark values. `by`: who ran a
    command-line action (its `--by`, else the OS user)."""
    if by:
        details["by"] = by
    session.add(AuditLog(action=action, account_id=account_id, staff_id=staff_id,
                         student_id=student_id, school_id=school_id, telegram_id=telegram_id,
                         details=details))


def deny(account_id: int, what: str, **ids: Any) -> AccessDenied:
    """The error to raise for a refused request (often forged callback data). The edge
    audits it in a transaction of its own (`record_refusal`), so the row outlives the
    rollback of the refused update's work."""
    return AccessDenied(what, account_id=account_id, **ids)


async def record_refusal(session: AsyncSession, error: AccessDenied,
                         account_id: int | None = None) -> None:
    """The audit row of a refusal; `account_id` fills in when the service did not know it."""
    ids = dict(error.ids)
    # Forged callback data may name a row that does not exist: the audit row's foreign keys
    # cannot hold such an id (the refusal would go unrecorded), so it goes to the details.
    for column, model in (("student_id", Student), ("staff_id", Staff), ("school_id", School)):
        value = ids.get(column)
        if isinstance(value, int) and await session.get(model, value) is None:
            ids[f"missing_{column}"] = ids.pop(column)
    await audit(session, "access_denied", account_id=error.account_id or account_id,
                what=error.what, **ids)


async def student_access(session: AsyncSession, account_id: int, student_id: int,
                         *, purpose: str = "view") -> StudentAccess:
    """Grant or refuse reading one student's diary. Staff reads are audited."""
    roles = await load_roles(session, account_id)
    for child in roles.family_students:
        if child.student_id == student_id:
            return StudentAccess(child, as_staff=False)
    waiting = roles.waiting_student
    if waiting is not None and waiting.student_id == student_id:
        raise ConsentRequired(account_id=account_id, student_id=student_id)
    if roles.staff is not None:
        granted = await _staff_student_access(session, roles.staff, student_id)
        if granted is not None:
            await audit(session, "staff_read_student", account_id=account_id,
                        staff_id=roles.staff.staff_id, student_id=student_id,
                        school_id=roles.staff.school_id, purpose=purpose)
            return granted
    raise deny(account_id, "student", student_id=student_id, purpose=purpose)


_STAFF_STUDENT = (
    select(*_CHILD_COLUMNS, ClassGroup.class_teacher_id)
    .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
    .where(Student.id == bindparam("student_id"), Student.school_id == bindparam("school_id"),
           Student.status == StudentStatus.ACTIVE)
)


async def _staff_student_access(session: AsyncSession, staff: StaffRef,
                                student_id: int) -> StudentAccess | None:
    row = (await session.execute(_STAFF_STUDENT, {"student_id": student_id,
                                                  "school_id": staff.school_id})).one_or_none()
    if row is None:
        return None
    child = _child(row)
    if staff.school_wide or row.class_teacher_id == staff.staff_id:
        return StudentAccess(child, as_staff=True, staff_id=staff.staff_id)
    subjects = await taught_subjects(session, staff.staff_id, child.class_id, student_id)
    if subjects:
        return StudentAccess(child, as_staff=True, subject_ids=subjects,
                             staff_id=staff.staff_id)
    return None


async def taught_subjects(session: AsyncSession, staff_id: int, class_id: int | None,
                          student_id: int | None = None) -> frozenset[int]:
    """Subjects a teacher teaches to a class; with a student, only subgroups they are in."""
    if class_id is None:
        return frozenset()
    params = {"staff_id": staff_id, "class_id": class_id}
    if student_id is None:
        return frozenset(await session.scalars(_TAUGHT, params))
    return frozenset(await session.scalars(_TAUGHT_TO, params | {"student_id": student_id}))


_TAUGHT = select(TeachingAssignment.subject_id).where(
    TeachingAssignment.staff_id == bindparam("staff_id"),
    TeachingAssignment.class_id == bindparam("class_id"))
_TAUGHT_TO = _TAUGHT.where(or_(  # only the subgroups the student is in
    TeachingAssignment.subgroup_id.is_(None),
    exists().where(SubgroupMember.subgroup_id == TeachingAssignment.subgroup_id,
                   SubgroupMember.student_id == bindparam("student_id"))))


@dataclass(frozen=True)
class ClassAccess:
    class_id: int
    class_name: str
    school_id: int
    staff: StaffRef
    subject_ids: frozenset[int] | None  # None: every subject


_CLASS = (select(ClassGroup.name, ClassGroup.school_id, ClassGroup.class_teacher_id)
          .where(ClassGroup.id == bindparam("class_id")))


async def class_access(session: AsyncSession, account_id: int, class_id: int,
                       *, purpose: str = "view") -> ClassAccess:
    """Grant or refuse a staff member's reading of a whole class."""
    roles = await load_roles(session, account_id)
    staff = roles.staff
    if staff is not None:
        row = (await session.execute(_CLASS, {"class_id": class_id})).one_or_none()
        if row is not None and row.school_id == staff.school_id:
            subjects: frozenset[int] | None = None
            if not (staff.school_wide or row.class_teacher_id == staff.staff_id):
                subjects = await taught_subjects(session, staff.staff_id, class_id)
            if subjects is None or subjects:
                await audit(session, "staff_read_class", account_id=account_id,
                            staff_id=staff.staff_id, school_id=staff.school_id,
                            class_id=class_id, purpose=purpose)
                return ClassAccess(class_id, row.name, row.school_id, staff, subjects)
    raise deny(account_id, "class", class_id=class_id, purpose=purpose)


async def require_staff(session: AsyncSession, account_id: int,
                        roles_needed: frozenset[StaffRoleKind] | None = None) -> StaffRef:
    """The account's staff identity, optionally with one of the given roles."""
    roles = await load_roles(session, account_id)
    staff = roles.staff
    if staff is None or (roles_needed is not None and not staff.roles & roles_needed):
        raise deny(account_id, "staff_action")
    return staff


async def guardian_child(session: AsyncSession, account_id: int, student_id: int,
                         *, purpose: str) -> ChildRef:
    """One of the children this account is the consenting guardian of (what it may unlink
    or withdraw consent for); anything else is refused."""
    roles = await load_roles(session, account_id)
    for child in roles.children:
        if child.student_id == student_id:
            return child
    raise deny(account_id, purpose, student_id=student_id)


def active_child(roles: Roles, active_student_id: int | None) -> ChildRef | None:
    """The remembered child if still visible, else the first one."""
    students = roles.family_students
    for child in students:
        if child.student_id == active_student_id:
            return child
    return students[0] if students else None


async def viewed_student(session: AsyncSession, account_id: int, active_student_id: int | None,
                         student_id: int | None = None, *,
                         purpose: str = "view") -> StudentAccess:
    """Access to the student a button names, or to the active child for a command."""
    if student_id is None:
        roles = await load_roles(session, account_id)
        child = active_child(roles, active_student_id)
        if child is None and roles.waiting_student is not None:
            raise ConsentRequired(account_id=account_id,
                                  student_id=roles.waiting_student.student_id)
        if child is None:
            raise NotLinked()
        student_id = child.student_id
    return await student_access(session, account_id, student_id, purpose=purpose)
