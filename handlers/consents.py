"""Consents for staff: the per-class picture (linked, consented, refused and so on paper,
waiting) and recording a signed paper form (who, the date, the form's number) in a short
conversation: three presses, then the form's details typed.

Who may see or record what is decided by services.consent_report, services.rosters and
services.consent; a refusal is answered by the errors router.
"""

from __future__ import annotations

import datetime as dt

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import consents as screens
from screens.base import Screen
from screens.consents import FormCb, Step
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import consent, consent_report, rosters
from services.accounts import AccountInfo

router = Router(name="consents")
__all__ = ["FormCb", "PaperForm", "Step", "parse_form", "router"]


class PaperForm(StatesGroup):
    awaiting_details = State()


@router.callback_query(On(MenuCb, area=MenuArea.CONSENTS))
async def on_consents(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> Screen:
    return screens.classes(t, await consent_report.consent_classes_as(session, account.id))


@router.callback_query(On(FormCb, v=Step.REPORT))
async def on_report(_: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> list[Screen]:
    return screens.report(t, await consent_report.class_consent_as(session, account.id,
                                                                    callback_data.c))


@router.callback_query(On(FormCb, v=Step.STUDENTS))
async def on_students(_: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    return screens.students(t, await consent_report.class_consent_as(session, account.id,
                                                                      callback_data.c))


@router.callback_query(On(FormCb, v=Step.GUARDIANS))
async def on_guardians(_: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                       account: AccountInfo, t: Translator) -> Screen:
    return screens.guardians(t, await rosters.student_for_forms(session, account.id,
                                                                callback_data.s))


@router.callback_query(On(FormCb, v=Step.DECISION))
async def on_decision(_: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    student, name = await rosters.guardian_for_forms(session, account.id, callback_data.s,
                                                     callback_data.g)
    return screens.decision(t, student, callback_data.g, name)


@router.callback_query(On(FormCb, v=Step.FORM))
async def on_form(_: CallbackQuery, callback_data: FormCb, session: AsyncSession,
                  account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    await rosters.guardian_for_forms(session, account.id, callback_data.s, callback_data.g)
    await state.set_state(PaperForm.awaiting_details)
    await state.update_data(form_student=callback_data.s, form_guardian=callback_data.g,
                            form_given=callback_data.given, form_class=callback_data.c)
    return screens.ask_form(t)


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
                          t: Translator, state: FSMContext) -> Screen:
    parsed = parse_form(message.text or "")
    if parsed is None:
        return screens.form_bad(t)
    number, signed_on = parsed
    data = await state.get_data()
    student_id = int(data["form_student"])
    # Details that cannot be right are asked for again (BadConsentForm, the state kept);
    # past that the conversation is over, whether the form is recorded or refused.
    await consent.check_paper_form(session, student_id, number, signed_on)
    await state.clear()
    result = await consent.record_paper_as(
        session, account.id, student_id=student_id, guardian_id=int(data["form_guardian"]),
        given=bool(data["form_given"]), signed_on=signed_on, form_number=number)
    return screens.recorded(t, result, int(data.get("form_class", 0)))
