"""The teachers of the child's class by subject, and the class teacher."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import teachers as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import teachers
from services.accounts import AccountInfo

router = Router(name="teachers")


@router.message(Command("teachers"))
@router.callback_query(On(MenuCb, area=MenuArea.TEACHERS))
async def on_teachers(_: Message | CallbackQuery, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account)
    return screens.teachers(t, granted, await teachers.class_teachers(session, granted))
