"""The school calendar of the student's grade (menu area "calendar")."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import calendar as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import school_calendar
from services.accounts import AccountInfo

router = Router(name="calendar")


@router.callback_query(On(MenuCb, area=MenuArea.CALENDAR))
async def on_calendar(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> Screen:
    granted = await student_for_view(session, account)
    return screens.calendar(t, granted, await school_calendar.school_calendar(session, granted))
