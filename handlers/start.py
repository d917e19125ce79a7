"""Linking a chat to a child or a staff member: /start with a code, typed codes, consent.

A code that does not fit, or too many of them, is answered by the errors router
(`CodeInvalid`, `TooManyAttempts`); a failed code's attempt is committed all the same.
"""

from __future__ import annotations

import dataclasses

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.menu import main_menu
from handlers.replies import On
from screens import start as screens
from screens.base import Replies, Screen
from screens.i18n import Translator
from screens.start import ConsentCb
from services import access, codes, consent
from services.accounts import AccountInfo
from services.models import LinkKind

router = Router(name="start")
__all__ = ["ConsentCb", "Linking", "router"]
MAX_CODE_TEXT = 64


class Linking(StatesGroup):
    awaiting_code = State()


async def consent_request(session: AsyncSession, t: Translator,
                          child: access.ChildRef) -> Screen:
    return screens.consent_request(t, child, await consent.consent_terms(session,
                                                                         child.student_id))


async def redeem(session: AsyncSession, account: AccountInfo, t: Translator,
                 state: FSMContext, raw: str, secret: bytes) -> Replies:
    result = await codes.redeem(session, account_id=account.id,
                                telegram_id=account.telegram_id,
                                raw_code=raw[:MAX_CODE_TEXT], secret=secret)
    await state.clear()
    child = result.child
    if result.kind == LinkKind.STAFF:
        return [screens.staff_linked(t, result.staff_name or ""),
                await main_menu(session, account, t)]
    if child is None:
        return None
    if result.needs_consent:
        return await consent_request(session, t, child)
    if result.waiting:
        return screens.waiting_student(t, child)
    return [screens.linked(t, child), await main_menu(session, account, t)]


@router.message(CommandStart(deep_link=True))
async def on_start_with_code(_: Message, command: CommandObject, session: AsyncSession,
                             account: AccountInfo, t: Translator, state: FSMContext,
                             code_secret: bytes) -> Replies:
    return await redeem(session, account, t, state, command.args or "", code_secret)


@router.message(CommandStart())
async def on_start(_: Message, session: AsyncSession, account: AccountInfo,
                   t: Translator, state: FSMContext) -> Screen:
    roles = await access.load_roles(session, account.id)
    if roles.pending_consent:
        return await consent_request(session, t, roles.pending_consent[0])
    if roles.waiting_student and not (roles.children or roles.staff):
        return screens.waiting_student(t, roles.waiting_student)
    if roles.is_empty:
        await state.set_state(Linking.awaiting_code)
        return screens.welcome(t)
    return await main_menu(session, account, t)


@router.message(StateFilter(Linking.awaiting_code), F.text, ~F.text.startswith("/"))
async def on_code_awaited(message: Message, session: AsyncSession, account: AccountInfo,
                          t: Translator, state: FSMContext, code_secret: bytes) -> Replies:
    if not codes.looks_like_code(message.text):
        # Not even the shape of a code: explain instead of spending one of five attempts.
        return screens.code_format(t)
    return await redeem(session, account, t, state, message.text or "", code_secret)


async def _code_shaped(message: Message) -> bool:
    # A coroutine: aiogram would run a magic filter in a thread for every text.
    return codes.looks_like_code(message.text)


@router.message(_code_shaped)
async def on_code_typed(message: Message, session: AsyncSession, account: AccountInfo,
                        t: Translator, state: FSMContext, code_secret: bytes) -> Replies:
    return await redeem(session, account, t, state, message.text or "", code_secret)


@router.callback_query(On(ConsentCb, accept=False, sure=False))
async def on_refuse_asked(_: CallbackQuery, callback_data: ConsentCb, session: AsyncSession,
                          account: AccountInfo, t: Translator) -> Screen:
    """A refusal is asked about first: a mis-tap must not cost a trip to school."""
    child = await consent.pending_child(session, account.id, callback_data.student_id)
    return screens.refuse_confirm(t, child)


@router.callback_query(On(ConsentCb))
async def on_consent(_: CallbackQuery, callback_data: ConsentCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Replies:
    child = await consent.decide_consent(session, account.id, callback_data.student_id,
                                         callback_data.accept)
    if not callback_data.accept:
        return screens.consent_refused(t)
    menu = await main_menu(session, account, t, child.student_id)
    # The answer replaces the request; the menu comes as a message of its own.
    return [screens.consent_given(t, child), dataclasses.replace(menu, new=True)]
