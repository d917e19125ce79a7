"""Consents for staff: the per-class picture (linked, consented, refused and so on paper,
waiting) and recording a signed paper form (who, the date, the form's number)."""

from __future__ import annotations

import datetime as dt
import enum
from html import escape

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import grid, paginate, refuse, show
from handlers.replies import On
from screens.i18n import Translator
from screens.nav import MenuCb
from services import consent, consent_report, rosters
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.consent_report import ClassConsent, Person, Status
from services.errors import BadConsentForm

router = Router(name="consents")


class Step(enum.StrEnum):
    REPORT = "r"  # the class picture
    STUDENTS = "l"  # pick a student to record a form for
    GUARDIANS = "s"  # pick the guardian who signed
    DECISION = "g"  # consent or refusal
    FORM = "d"  # then type the form's number and date


class FormCb(CallbackData, prefix="cf"):
    v: Step
    c: int = 0  # class id
    s: int = 0  # student id
    g: int = 0  # guardian id
    given: bool = False


class PaperForm(StatesGroup):
    awaiting_details = State()


@router.callback_query(On(MenuCb, area="consents"))
async def on_consents(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> None:
    classes = await consent_report.consent_classes(session, account.id)
    if not classes:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for class_id, name in classes:
        kb.button(text=name, callback_data=FormCb(v=Step.REPORT, c=class_id))
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())
    kb.adjust(*grid(len(classes), 4), 1)
    await show(query, t("consents-choose-class"), kb.as_markup())


def _person_line(t: Translator, person: Person) -> str:
    who = escape(person.name) if person.name else t("consents-unnamed-chat")
    details = ""
    if person.source == "paper" and person.form_number:
        details = t("consents-form", number=escape(person.form_number),
                    date=person.decided_on.strftime("%d.%m.%Y") if person.decided_on else "")
    linked = t("consents-linked") if person.linked else ""
    return t(f"consents-status-{person.status.value}", who=who, linked=linked,
             details=details)


def report_lines(t: Translator, report: ClassConsent) -> list[str]:
    lines = []
    for student in report.students:
        own = t(f"consents-own-{student.own_link.value}")
        lines.append(f"<b>{escape(student.name)}</b>{own}")
        lines += [f"  {_person_line(t, p)}" for p in student.people]
    return lines


@router.callback_query(FormCb.filter(F.v == Step.REPORT))
async def on_report(query: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> None:
    try:
        report = await consent_report.class_consent_as(session, account.id, callback_data.c)
    except AccessDenied:
        await refuse(query, t)
        return
    header = t("consents-title", klass=escape(report.class_name), version=report.version,
               linked=report.linked, people=report.people,
               consented=report.count(Status.CONSENTED), refused=report.count(Status.REFUSED),
               waiting=report.count(Status.WAITING))
    pages = paginate(report_lines(t, report), header=header)
    kb = InlineKeyboardBuilder()
    kb.button(text=t("consents-record"), callback_data=FormCb(v=Step.STUDENTS,
                                                              c=callback_data.c))
    kb.button(text=t("btn-back"), callback_data=MenuCb(area="consents").pack())
    kb.adjust(1)
    for page in pages[:-1]:
        if isinstance(query.message, Message):
            await query.message.answer(page)
    await show(query, pages[-1], kb.as_markup())


@router.callback_query(FormCb.filter(F.v == Step.STUDENTS))
async def on_students(query: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    try:
        report = await consent_report.class_consent_as(session, account.id, callback_data.c)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for student in report.students:
        kb.button(text=student.name, callback_data=FormCb(v=Step.GUARDIANS, c=callback_data.c,
                                                          s=student.student_id))
    kb.button(text=t("btn-back"), callback_data=FormCb(v=Step.REPORT, c=callback_data.c))
    kb.adjust(*grid(len(report.students), 2), 1)
    await show(query, t("consents-choose-student"), kb.as_markup())


@router.callback_query(FormCb.filter(F.v == Step.GUARDIANS))
async def on_guardians(query: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                       account: AccountInfo, t: Translator) -> None:
    try:
        student = await rosters.student_for_forms(session, account.id, callback_data.s)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for guardian_id, name in student.guardians:
        kb.button(text=name, callback_data=FormCb(v=Step.DECISION, c=student.class_id,
                                                  s=student.student_id, g=guardian_id))
    kb.button(text=t("btn-back"), callback_data=FormCb(v=Step.STUDENTS, c=student.class_id))
    kb.adjust(1)
    await show(query, t("consents-choose-guardian", name=escape(student.name)), kb.as_markup())


async def _guardian_name(session: AsyncSession, account: AccountInfo,
                         callback_data: FormCb) -> tuple[rosters.RosterStudent, str]:
    student = await rosters.student_for_forms(session, account.id, callback_data.s)
    name = dict(student.guardians).get(callback_data.g)
    if name is None:
        raise AccessDenied("consent_form", account_id=account.id, student_id=callback_data.s,
                           guardian_id=callback_data.g)
    return student, name


@router.callback_query(FormCb.filter(F.v == Step.DECISION))
async def on_decision(query: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    try:
        student, name = await _guardian_name(session, account, callback_data)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for given in (True, False):
        kb.button(text=t("consents-given" if given else "consents-refused"),
                  callback_data=FormCb(v=Step.FORM, c=student.class_id, s=student.student_id,
                                       g=callback_data.g, given=given))
    kb.button(text=t("btn-back"), callback_data=FormCb(v=Step.GUARDIANS, c=student.class_id,
                                                       s=student.student_id))
    kb.adjust(1)
    await show(query, t("consents-choose-decision", guardian=escape(name),
                        name=escape(student.name)), kb.as_markup())


@router.callback_query(FormCb.filter(F.v == Step.FORM))
async def on_form(query: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                  account: AccountInfo, t: Translator, state: FSMContext) -> None:
    try:
        await _guardian_name(session, account, callback_data)
    except AccessDenied:
        await refuse(query, t)
        return
    await state.set_state(PaperForm.awaiting_details)
    await state.update_data(form_student=callback_data.s, form_guardian=callback_data.g,
                            form_given=callback_data.given, form_class=callback_data.c)
    await show(query, t("consents-ask-form"), None)


def parse_form(text: str) -> tuple[str, dt.date | None] | None:
    """"12 20.11.2026" or "12": the form's number and the date it was signed (None: today)."""
    parts = text.split()
    if not parts or len(parts) > 2:
        return None
    signed_on = None
    if len(parts) == 2:
        try:
            signed_on = dt.datetime.strptime(parts[1], "%d.%m.%Y").date()
        except ValueError:
            return None
    return parts[0], signed_on


@router.message(StateFilter(PaperForm.awaiting_details), F.text, ~F.text.startswith("/"))
async def on_form_details(message: Message, session: AsyncSession, account: AccountInfo,
                          t: Translator, state: FSMContext) -> None:
    parsed = parse_form(message.text or "")
    if parsed is None:
        await message.answer(t("consent-form-bad"))
        return
    data = await state.get_data()
    try:
        result = await consent.record_paper_as(
            session, account.id, student_id=int(data["form_student"]),
            guardian_id=int(data["form_guardian"]), given=bool(data["form_given"]),
            signed_on=parsed[1], form_number=parsed[0])
    except BadConsentForm:
        await message.answer(t("consent-form-bad"))
        return
    except AccessDenied:
        await state.clear()
        await refuse(message, t)
        return
    await state.clear()
    kb = InlineKeyboardBuilder()
    kb.button(text=t("btn-back"), callback_data=FormCb(v=Step.REPORT,
                                                       c=int(data.get("form_class", 0))))
    await message.answer(
        t("consents-recorded", decision=result.decision.value,
          guardian=escape(result.guardian_name), name=escape(result.student.short_name),
          number=escape(result.form_number), date=result.signed_on.strftime("%d.%m.%Y"),
          version=result.version),
        reply_markup=kb.as_markup())
