"""Linking a chat to a child or a staff member: /start with a code, typed codes, consent."""

from __future__ import annotations

import math
from html import escape

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import show_menu
from screens.i18n import Translator
from services import access, clock, codes, consent
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.errors import TooManyAttempts
from services.models import LinkKind

router = Router(name="start")
MAX_CODE_TEXT = 64


class Linking(StatesGroup):
    awaiting_code = State()


class ConsentCb(CallbackData, prefix="cs"):
    student_id: int
    accept: bool
    sure: bool = False  # a refusal is asked about once more before it counts


def consent_keyboard(t: Translator, student_id: int, *,
                     confirming: bool = False) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("consent-accept"), callback_data=ConsentCb(student_id=student_id,
                                                                accept=True))
    kb.button(text=t("consent-refuse-sure" if confirming else "consent-refuse"),
              callback_data=ConsentCb(student_id=student_id, accept=False, sure=confirming))
    kb.adjust(1)
    return kb.as_markup()


async def ask_consent(message: Message, session: AsyncSession, t: Translator,
                      child: access.ChildRef) -> None:
    terms = await consent.consent_terms(session, child.student_id)
    await message.answer(
        t("consent-request", name=escape(child.short_name), klass=child.class_name or "—",
          school=escape(terms.school_name), version=terms.version),
        reply_markup=consent_keyboard(t, child.student_id),
    )


async def try_code(message: Message, session: AsyncSession, account: AccountInfo,
                   t: Translator, state: FSMContext, raw: str, secret: bytes) -> None:
    try:
        result = await codes.redeem(session, account_id=account.id,
                                    telegram_id=account.telegram_id,
                                    raw_code=raw[:MAX_CODE_TEXT], secret=secret)
    except TooManyAttempts as exc:
        wait = max(1, math.ceil((exc.retry_at - clock.now()).total_seconds() / 60))
        await message.answer(t("link-too-many", minutes=wait))
        return
    except codes.InvalidCode:
        await message.answer(t("link-code-invalid"))
        return
    await state.clear()
    if result.kind == LinkKind.STAFF:
        await message.answer(t("link-staff-ok", name=escape(result.staff_name or "")))
        await show_menu(message, session, account, t)
    elif result.needs_consent and result.child is not None:
        await ask_consent(message, session, t, result.child)
    elif result.waiting and result.child is not None:
        await message.answer(t("consent-waiting-student", name=escape(result.child.short_name)))
    elif result.child is not None:
        await message.answer(t("link-ok", name=escape(result.child.short_name),
                               klass=result.child.class_name or "—"))
        await show_menu(message, session, account, t)


@router.message(CommandStart(deep_link=True))
async def on_start_with_code(message: Message, command: CommandObject, session: AsyncSession,
                             account: AccountInfo, t: Translator, state: FSMContext,
                             code_secret: bytes) -> None:
    await try_code(message, session, account, t, state, command.args or "", code_secret)


@router.message(CommandStart())
async def on_start(message: Message, session: AsyncSession, account: AccountInfo,
                   t: Translator, state: FSMContext) -> None:
    roles = await access.load_roles(session, account.id)
    if roles.pending_consent:
        await ask_consent(message, session, t, roles.pending_consent[0])
        return
    if roles.waiting_student and not (roles.children or roles.staff):
        await message.answer(t("consent-waiting-student",
                               name=escape(roles.waiting_student.short_name)))
        return
    if roles.is_empty:
        await state.set_state(Linking.awaiting_code)
        await message.answer(t("start-welcome"))
        return
    await show_menu(message, session, account, t)


@router.message(StateFilter(Linking.awaiting_code), F.text, ~F.text.startswith("/"))
async def on_code_awaited(message: Message, session: AsyncSession, account: AccountInfo,
                          t: Translator, state: FSMContext, code_secret: bytes) -> None:
    if not codes.looks_like_code(message.text):
        # Not even the shape of a code: explain instead of spending one of five attempts.
        await message.answer(t("link-code-format"))
        return
    await try_code(message, session, account, t, state, message.text or "", code_secret)


@router.message(F.text.func(codes.looks_like_code))
async def on_code_typed(message: Message, session: AsyncSession, account: AccountInfo,
                        t: Translator, state: FSMContext, code_secret: bytes) -> None:
    await try_code(message, session, account, t, state, message.text or "", code_secret)


@router.callback_query(ConsentCb.filter(~F.accept & ~F.sure))
async def on_refuse_asked(query: CallbackQuery, callback_data: ConsentCb,
                          session: AsyncSession, account: AccountInfo, t: Translator) -> None:
    """A refusal is asked about first: a mis-tap must not cost a trip to school."""
    try:
        child = await consent.pending_child(session, account.id, callback_data.student_id)
    except AccessDenied:
        await query.answer(t("not-available"), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(
            t("consent-refuse-confirm", name=escape(child.short_name)),
            reply_markup=consent_keyboard(t, child.student_id, confirming=True))


@router.callback_query(ConsentCb.filter())
async def on_consent(query: CallbackQuery, callback_data: ConsentCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> None:
    try:
        child = await consent.decide_consent(session, account.id, callback_data.student_id,
                                             callback_data.accept)
    except AccessDenied:
        await query.answer(t("not-available"), show_alert=True)
        return
    await query.answer()
    text = (t("consent-given", name=escape(child.short_name)) if callback_data.accept
            else t("consent-refused"))
    if isinstance(query.message, Message):
        await query.message.edit_text(text)
        if callback_data.accept:
            account = AccountInfo(account.id, account.telegram_id, account.chat_id,
                                  account.locale, child.student_id)
            await show_menu(query.message, session, account, t)
