"""Settings: language, unlinking a child, withdrawing consent; pushes have their own screen
(handlers/notification_settings.py). Who may unlink whom is decided by services.access and
services.offboarding and services.consent; a refusal is answered by the errors router."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from handlers.start import Linking
from screens import settings as screens
from screens.base import Alert, Screen
from screens.i18n import Translator, translator
from screens.nav import MenuArea, MenuCb
from screens.settings import CONFIRMS, SetCb, SettingsAction
from services import access, accounts, consent, offboarding
from services.accounts import AccountInfo

router = Router(name="settings")
__all__ = ["SetCb", "router"]


async def settings(session: AsyncSession, account: AccountInfo, t: Translator) -> Screen:
    return screens.settings(t, await access.load_roles(session, account.id))


@router.message(Command("settings"))
@router.callback_query(On(MenuCb, area=MenuArea.SETTINGS))
async def on_settings(_: Message | CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> Screen:
    return await settings(session, account, t)


@router.callback_query(On(SetCb, action=SettingsAction.LANGUAGE))
async def on_language(_: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                      account: AccountInfo) -> Screen:
    locale = callback_data.locale()
    await accounts.set_locale(session, account.id, locale)
    return await settings(session, account, translator(locale))


@router.callback_query(On(SetCb, action=SettingsAction.ADD_CHILD))
async def on_add_child(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                       t: Translator, state: FSMContext) -> Screen | Alert:
    if not screens.is_guardian(await access.load_roles(session, account.id)):
        return Alert(t("not-available"))
    # The next text message is read as a link code (handlers/start.py).
    await state.set_state(Linking.awaiting_code)
    return screens.add_child(t)


@router.callback_query(On(SetCb, action=SettingsAction.UNLINK_ASK))
@router.callback_query(On(SetCb, action=SettingsAction.WITHDRAW_ASK))
async def on_ask(_: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                 account: AccountInfo, t: Translator) -> Screen:
    child = await access.guardian_child(session, account.id, callback_data.s,
                                        purpose=callback_data.action)
    return screens.confirm(t, CONFIRMS[callback_data.action], child)


@router.callback_query(On(SetCb, action=SettingsAction.UNLINK))
async def on_unlink(_: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    await offboarding.unlink(session, account.id, callback_data.s)
    return screens.done(t, SettingsAction.UNLINK)


@router.callback_query(On(SetCb, action=SettingsAction.WITHDRAW))
async def on_withdraw(_: CallbackQuery, callback_data: SetCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    await consent.withdraw_consent(session, account.id, callback_data.s)
    return screens.done(t, SettingsAction.WITHDRAW)
