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
from services import access, clock, linking
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.models import LinkKind

router = Router(name="start")
MAX_CODE_TEXT = 64


class Linking(StatesGroup):
    awaiting_code = State()


class ConsentCb(CallbackData, prefix="cs"):
    student_id: int
    accept: bool


def consent_keyboard(t: Translator, student_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("consent-accept"), callback_data=ConsentCb(student_id=student_id,
                                                                accept=True))
    kb.button(text=t("consent-refuse"), callback_data=ConsentCb(student_id=student_id,
                                                                accept=False))
    kb.adjust(1)
    return kb.as_markup()


async def ask_consent(message: Message, session: AsyncSession, t: Translator,
                      child: access.ChildRef) -> None:
    version = await linking.consent_version(session, child.student_id)
    await message.answer(
        t("consent-request", name=escape(child.short_name), klass=child.class_name or "—",
          version=version),
        reply_markup=consent_keyboard(t, child.student_id),
    )


async def try_code(message: Message, session: AsyncSession, account: AccountInfo,
                   t: Translator, state: FSMContext, raw: str) -> None:
    try:
        result = await linking.redeem(session, account_id=account.id,
                                      telegram_id=account.telegram_id, raw_code=raw[:MAX_CODE_TEXT])
    except linking.TooManyAttempts as exc:
        wait = max(1, math.ceil((exc.retry_at - clock.now()).total_seconds() / 60))
        await message.answer(t("link-too-many", minutes=wait))
        return
    except linking.InvalidCode:
        await message.answer(t("link-code-invalid"))
        return
    await state.clear()
    if result.kind == LinkKind.STAFF:
        await message.answer(t("link-staff-ok", name=escape(result.staff_name or "")))
        await show_menu(message, session, account, t)
    elif result.needs_consent and result.child is not None:
        await ask_consent(message, session, t, result.child)
    elif result.child is not None:
        await message.answer(t("link-ok", name=escape(result.child.short_name),
                               klass=result.child.class_name or "—"))
        await show_menu(message, session, account, t)


@router.message(CommandStart(deep_link=True))
async def on_start_with_code(message: Message, command: CommandObject, session: AsyncSession,
                             account: AccountInfo, t: Translator, state: FSMContext) -> None:
    await try_code(message, session, account, t, state, command.args or "")


@router.message(CommandStart())
async def on_start(message: Message, session: AsyncSession, account: AccountInfo,
                   t: Translator, state: FSMContext) -> None:
    roles = await access.load_roles(session, account.id)
    if roles.pending_consent:
        await ask_consent(message, session, t, roles.pending_consent[0])
        return
    if roles.is_empty:
        await state.set_state(Linking.awaiting_code)
        await message.answer(t("start-welcome"))
        return
    await show_menu(message, session, account, t)


@router.message(StateFilter(Linking.awaiting_code), F.text, ~F.text.startswith("/"))
async def on_code_awaited(message: Message, session: AsyncSession, account: AccountInfo,
                          t: Translator, state: FSMContext) -> None:
    if not linking.looks_like_code(message.text):
        # Not even the shape of a code: explain instead of spending one of five attempts.
        await message.answer(t("link-code-format"))
        return
    await try_code(message, session, account, t, state, message.text or "")


@router.message(F.text.func(linking.looks_like_code))
async def on_code_typed(message: Message, session: AsyncSession, account: AccountInfo,
                        t: Translator, state: FSMContext) -> None:
    await try_code(message, session, account, t, state, message.text or "")


@router.callback_query(ConsentCb.filter())
async def on_consent(query: CallbackQuery, callback_data: ConsentCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> None:
    try:
        child = await linking.decide_consent(session, account.id, callback_data.student_id,
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
