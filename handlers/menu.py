"""The main menu per role, the active-child switch, /menu and /help."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import menu as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.menu import ChildCb
from screens.nav import MenuArea, MenuCb
from services import access, accounts
from services.accounts import AccountInfo

router = Router(name="menu")
__all__ = ["ChildCb", "MenuCb", "main_menu", "router"]


async def main_menu(session: AsyncSession, account: AccountInfo, t: Translator,
                    active_student_id: int | None = None) -> Screen:
    roles = await access.load_roles(session, account.id)
    active = active_student_id or account.active_student_id
    return screens.main_menu(t, roles, access.active_child(roles, active))


@router.message(Command("menu"))
@router.callback_query(On(MenuCb, area=MenuArea.MENU))
async def on_menu(_: Message | CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> Screen:
    return await main_menu(session, account, t)


@router.message(Command("help"))
async def on_help(_: Message, t: Translator) -> Screen:
    return screens.help_screen(t)


@router.callback_query(On(MenuCb, area=MenuArea.CHILDREN))
async def on_children(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> Screen:
    roles = await access.load_roles(session, account.id)
    return screens.children(t, roles, account.active_student_id)


@router.callback_query(On(ChildCb))
async def on_child_chosen(_: CallbackQuery, callback_data: ChildCb, session: AsyncSession,
                          account: AccountInfo, t: Translator) -> Screen:
    await accounts.choose_active_student(session, account.id, callback_data.student_id)
    return await main_menu(session, account, t, callback_data.student_id)
