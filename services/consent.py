"""Consent to personal-data processing (152-FZ; 001 §1, 003 §2.8, §3.6): decisions in the
bot and from signed paper forms, text versions, and the per-class picture.

The rule (checked in `services.access.consent_on_record`): a child's diary is shown
electronically only while some legal representative's latest decision about that child
is consent to the school's current text version. A guardian link also needs that
guardian's own answer; the student's own link waits for any guardian's consent. A refusal
concerns the guardian who refused (or, for a code that names nobody, that chat), gives the
code back so the same slip links again while valid, and switches them to paper extracts.
Publishing a new version asks everyone again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, codes, offboarding
from services.access import (
    ChildRef,
    StaffRef,
    audit,
    child_ref,
    deny,
    has_consent,
    load_roles,
)
from services.accounts import set_active_student
from services.errors import BadConsentForm, NotFound
from services.models import (
    AccountLink,
    ClassGroup,
    Consent,
    ConsentDecision,
    Guardian,
    GuardianStudent,
    LinkKind,
    School,
    StaffRoleKind,
    Student,
    StudentStatus,
)
from services.names import full_name

# Who records paper forms and reads the class picture: the class teacher collects the
# forms (003 §3.6), the deputy controls them (§2.8), the clerk keeps the rosters (§5).
CONSENT_KEEPERS = frozenset({StaffRoleKind.DEPUTY, StaffRoleKind.CLERK})
FORM_NUMBER_MAX = 40


@dataclass(frozen=True)
class ConsentTerms:
    """What the consent text needs from the database: the operator and the version."""

    school_name: str
    version: int


async def consent_version(session: AsyncSession, student_id: int) -> int:
    return (await consent_terms(session, student_id)).version


async def consent_terms(session: AsyncSession, student_id: int) -> ConsentTerms:
    row = (await session.execute(
        select(School.name, School.consent_version).join(Student, Student.school_id == School.id)
        .where(Student.id == student_id)
    )).one()
    return ConsentTerms(row.name, row.consent_version or 1)


async def _guardian_link(session: AsyncSession, account_id: int,
                         student_id: int) -> AccountLink | None:
    return await session.scalar(
        select(AccountLink).where(
            AccountLink.account_id == account_id, AccountLink.student_id == student_id,
            AccountLink.kind == LinkKind.GUARDIAN, AccountLink.revoked_at.is_(None),
        )
    )


async def _set_paper(session: AsyncSession, student_id: int, guardian_id: int | None,
                     paper: bool) -> None:
    """Paper extracts (000 §4.5) for the guardian who refused; a code that names nobody
    cannot tell which parent it was, so then every guardian of the child is flagged."""
    if guardian_id is not None:
        ids = [guardian_id]
    elif paper:
        ids = list(await session.scalars(
            select(GuardianStudent.guardian_id).where(GuardianStudent.student_id == student_id)))
    else:
        return
    if ids:
        await session.execute(update(Guardian).where(Guardian.id.in_(ids))
                              .values(prefers_paper=paper))


async def _after_change(session: AsyncSession, student_id: int) -> None:
    """Without consent on record, the student's own chat gets nothing held for it either."""
    if await has_consent(session, student_id):
        return
    own = await session.scalars(select(AccountLink.account_id).where(
        AccountLink.student_id == student_id, AccountLink.kind == LinkKind.STUDENT,
        AccountLink.revoked_at.is_(None)))
    for account_id in own.all():
        await offboarding.drop_held(session, account_id, student_id, "no_consent")


async def pending_child(session: AsyncSession, account_id: int, student_id: int) -> ChildRef:
    """The child whose consent this chat is asked for; refused for anyone else."""
    roles = await load_roles(session, account_id)
    for child in roles.pending_consent:
        if child.student_id == student_id:
            return child
    raise deny(account_id, "consent", student_id=student_id)


async def decide_consent(session: AsyncSession, account_id: int, student_id: int,
                         accept: bool) -> ChildRef:
    """A guardian's answer in the bot. A refusal unlinks, keeps the code usable and
    switches that guardian to paper extracts (the bot asked "are you sure?" first)."""
    await pending_child(session, account_id, student_id)
    link = await _guardian_link(session, account_id, student_id)
    if link is None:
        raise deny(account_id, "consent", student_id=student_id)
    version = await consent_version(session, student_id)
    decision = ConsentDecision.GIVEN if accept else ConsentDecision.REFUSED
    session.add(Consent(account_id=account_id, student_id=student_id,
                        guardian_id=link.guardian_id, decision=decision,
                        text_version=version, decided_at=clock.now(), source="bot"))
    if accept:
        link.consent_pending = False
        await set_active_student(session, account_id, student_id)
        await _set_paper(session, student_id, link.guardian_id, False)
    else:
        await offboarding.revoke_link(session, link, "consent_refused")
        await codes.release_code(session, link.link_code_id)
        await _set_paper(session, student_id, link.guardian_id, True)
    await session.flush()
    await _after_change(session, student_id)
    await audit(session, f"consent_{decision.value}", account_id=account_id,
                student_id=student_id, guardian_id=link.guardian_id, version=version)
    return await child_ref(session, student_id)


async def withdraw_consent(session: AsyncSession, account_id: int, student_id: int) -> None:
    """Withdrawal unlinks the child, stops every push about them and switches to paper."""
    link = await _guardian_link(session, account_id, student_id)
    if link is None or link.consent_pending:
        raise deny(account_id, "withdraw_consent", student_id=student_id)
    session.add(Consent(account_id=account_id, student_id=student_id,
                        guardian_id=link.guardian_id, decision=ConsentDecision.WITHDRAWN,
                        text_version=await consent_version(session, student_id),
                        decided_at=clock.now(), source="bot"))
    await offboarding.revoke_link(session, link, "consent_withdrawn")
    await _set_paper(session, student_id, link.guardian_id, True)
    await session.flush()
    await _after_change(session, student_id)
    await audit(session, "consent_withdrawn", account_id=account_id, student_id=student_id,
                guardian_id=link.guardian_id)


async def publish_consent_version(session: AsyncSession, school_id: int, *,
                                  by_staff_id: int | None = None,
                                  by: str | None = None) -> int:
    """A new consent text: every guardian of the school is asked again before seeing data,
    and students' own chats wait until one of their guardians has answered."""
    version = await session.scalar(
        update(School).where(School.id == school_id)
        .values(consent_version=School.consent_version + 1).returning(School.consent_version)
    )
    await session.execute(
        update(AccountLink)
        .where(AccountLink.school_id == school_id, AccountLink.kind == LinkKind.GUARDIAN,
               AccountLink.revoked_at.is_(None))
        .values(consent_pending=True)
    )
    students = await session.scalars(select(AccountLink.student_id).where(
        AccountLink.school_id == school_id, AccountLink.kind == LinkKind.STUDENT,
        AccountLink.revoked_at.is_(None)))
    for student_id in set(students.all()):
        if student_id is not None:
            await _after_change(session, student_id)
    await audit(session, "consent_version_published", staff_id=by_staff_id,
                school_id=school_id, version=int(version or 1), by=by)
    return int(version or 1)


# --- paper forms -------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperDecision:
    student: ChildRef
    guardian_name: str
    decision: ConsentDecision
    signed_on: dt.date
    form_number: str
    version: int
    chats_ended: int  # the guardian's chats a refusal unlinked


async def keeper_for_student(session: AsyncSession, account_id: int,
                             student_id: int) -> StaffRef:
    """The staff member when they may record forms for this student: the class teacher,
    or a deputy or clerk of the school."""
    staff = (await load_roles(session, account_id)).staff
    row = (await session.execute(
        select(Student.school_id, ClassGroup.class_teacher_id)
        .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
        .where(Student.id == student_id, Student.status == StudentStatus.ACTIVE)
    )).one_or_none()
    if (staff is None or row is None or row.school_id != staff.school_id
            or not (staff.roles & CONSENT_KEEPERS or row.class_teacher_id == staff.staff_id)):
        raise deny(account_id, "consent_form", student_id=student_id)
    return staff


async def check_paper_form(session: AsyncSession, student_id: int, form_number: str,
                           signed_on: dt.date | None) -> dt.date:
    """The date a form was signed (the school's today when none is given); BadConsentForm
    for details that cannot be right: no number, an overlong one, a date after today."""
    form_number = form_number.strip()
    if not form_number or len(form_number) > FORM_NUMBER_MAX:
        raise BadConsentForm("form number")
    timezone = await session.scalar(select(School.timezone)
                                    .join(Student, Student.school_id == School.id)
                                    .where(Student.id == student_id))
    today = clock.today(timezone or "Europe/Moscow")
    signed_on = signed_on or today
    if signed_on > today:
        raise BadConsentForm("signed in the future")
    return signed_on


async def record_paper(session: AsyncSession, *, student_id: int, guardian_id: int,
                       given: bool, signed_on: dt.date | None, form_number: str,
                       by_staff_id: int | None = None, by: str | None = None) -> PaperDecision:
    """A signed paper form, recorded by staff: who (a guardian of the roster), the date,
    the form's number (the date defaults to the school's today). Consent opens the diary;
    a refusal ends that guardian's chats and tells them."""
    form_number = form_number.strip()
    student = await session.get(Student, student_id)
    if student is None or student.status != StudentStatus.ACTIVE:
        raise NotFound(f"student {student_id}")
    row = (await session.execute(
        select(Guardian.last_name, Guardian.first_name, Guardian.middle_name)
        .join(GuardianStudent, GuardianStudent.guardian_id == Guardian.id)
        .where(GuardianStudent.student_id == student_id, Guardian.id == guardian_id)
    )).one_or_none()
    if row is None:
        raise NotFound(f"guardian {guardian_id} of student {student_id}")
    signed_on = await check_paper_form(session, student_id, form_number, signed_on)
    version = await consent_version(session, student_id)
    decision = ConsentDecision.GIVEN if given else ConsentDecision.REFUSED
    links = list((await session.scalars(select(AccountLink).where(
        AccountLink.student_id == student_id, AccountLink.guardian_id == guardian_id,
        AccountLink.kind == LinkKind.GUARDIAN, AccountLink.revoked_at.is_(None)))).all())
    session.add(Consent(account_id=None, student_id=student_id, guardian_id=guardian_id,
                        decision=decision, text_version=version, decided_at=clock.now(),
                        source="paper", signed_on=signed_on, form_number=form_number,
                        recorded_by_id=by_staff_id))
    ended = 0
    if given:
        for link in links:  # the guardian's own chat needs no second answer
            link.consent_pending = False
    else:
        ended = await offboarding.terminate(session, links, "consent_refused",
                                            student.first_name)
    await _set_paper(session, student_id, guardian_id, not given)
    await session.flush()
    await _after_change(session, student_id)
    await audit(session, "consent_recorded", staff_id=by_staff_id, student_id=student_id,
                school_id=student.school_id, guardian_id=guardian_id,
                decision=decision.value, version=version, form=form_number,
                signed_on=signed_on.isoformat(), by=by)
    name = full_name(row.last_name, row.first_name, row.middle_name)
    return PaperDecision(await child_ref(session, student_id), name, decision, signed_on,
                         form_number, version, ended)


async def record_paper_as(session: AsyncSession, account_id: int, *, student_id: int,
                          guardian_id: int, given: bool, signed_on: dt.date | None,
                          form_number: str) -> PaperDecision:
    """A paper form recorded in the bot by a class teacher, deputy or clerk."""
    staff = await keeper_for_student(session, account_id, student_id)
    try:
        return await record_paper(session, student_id=student_id, guardian_id=guardian_id,
                                  given=given, signed_on=signed_on, form_number=form_number,
                                  by_staff_id=staff.staff_id)
    except NotFound:
        raise deny(account_id, "consent_form", student_id=student_id,
                   guardian_id=guardian_id) from None
