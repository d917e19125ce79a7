"""Settings: language, unlinking a child, withdrawing consent; pushes have their own screen."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import refuse
from handlers.menu import MenuCb, child_label
from handlers.replies import show
from handlers.start import Linking
from screens.i18n import LOCALES, Translator, translator
from services import access, accounts, consent, offboarding
from services.access import AccessDenied, Roles
from services.accounts import AccountInfo

router = Router(name="settings")


class SetCb(CallbackData, prefix="st"):
    action: str  # lang, add, unlink-ask, unlink, withdraw-ask, withdraw
    value: str = ""
    s: int = 0  # student id for unlink / withdraw


def settings_keyboard(t: Translator, roles: Roles) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for locale in LOCALES:
        kb.button(text=t(f"settings-lang-{locale}"), callback_data=SetCb(action="lang",
                                                                         value=locale))
    kb.button(text=t("settings-notifications"), callback_data=MenuCb(area="notifications"))
    kb.button(text=t("settings-add-child"), callback_data=SetCb(action="add"))
    for child in roles.children:
        kb.button(text=t("settings-unlink", name=child_label(t, child)),
                  callback_data=SetCb(action="unlink-ask", s=child.student_id))
        kb.button(text=t("settings-withdraw", name=child.first_name),
                  callback_data=SetCb(action="withdraw-ask", s=child.student_id))
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu"))
    kb.adjust(2, 1)
    return kb.as_markup()


async def show_settings(target: Message | CallbackQuery, session: AsyncSession,
                        account: AccountInfo, t: Translator) -> None:
    roles = await access.load_roles(session, account.id)
    await show(target, t("settings-title", lang=t(f"settings-lang-{t.locale}")),
               settings_keyboard(t, roles))


@router.message(Command("settings"))
@router.callback_query(MenuCb.filter(F.area == "settings"))
async def on_settings(target: Message | CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> None:
    await show_settings(target, session, account, t)


@router.callback_query(SetCb.filter(F.action == "lang"))
async def on_language(query: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                      account: AccountInfo) -> None:
    if callback_data.value not in LOCALES:
        await refuse(query, translator(account.locale))
        return
    await accounts.set_locale(session, account.id, callback_data.value)
    await show_settings(query, session, account, translator(callback_data.value))


@router.callback_query(SetCb.filter(F.action == "add"))
async def on_add_child(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    await state.set_state(Linking.awaiting_code)
    kb = InlineKeyboardBuilder()
    kb.button(text=t("btn-back"), callback_data=MenuCb(area="settings"))
    await show(query, t("settings-add-child-text"), kb.as_markup())


def _confirm(t: Translator, action: str, student_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("settings-confirm"), callback_data=SetCb(action=action, s=student_id))
    kb.button(text=t("btn-back"), callback_data=MenuCb(area="settings"))
    kb.adjust(1)
    return kb.as_markup()


@router.callback_query(SetCb.filter(F.action.in_({"unlink-ask", "withdraw-ask"})))
async def on_ask(query: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                 account: AccountInfo, t: Translator) -> None:
    roles = await access.load_roles(session, account.id)
    child = next((c for c in roles.children if c.student_id == callback_data.s), None)
    if child is None:
        await access.deny(session, account.id, callback_data.action, student_id=callback_data.s)
        await refuse(query, t)
        return
    action = callback_data.action.removesuffix("-ask")
    await show(query, t(f"settings-{action}-confirm", name=escape(child.short_name)),
               _confirm(t, action, child.student_id))


@router.callback_query(SetCb.filter(F.action.in_({"unlink", "withdraw"})))
async def on_confirmed(query: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                       account: AccountInfo, t: Translator) -> None:
    try:
        if callback_data.action == "unlink":
            await offboarding.unlink(session, account.id, callback_data.s)
        else:
            await consent.withdraw_consent(session, account.id, callback_data.s)
    except AccessDenied:
        await refuse(query, t)
        return
    await show(query, t(f"settings-{callback_data.action}-done"))
