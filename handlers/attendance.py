"""Attendance: the current reporting period (◀️ ▶️ to other periods) and a week (◀️ ▶️),
with counts by reason and the missed lessons. Every button carries the student id; access
is checked again on each press."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import attendance as screens
from screens.attendance import AtCb, AtView
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import attendance
from services.accounts import AccountInfo

router = Router(name="attendance")
__all__ = ["AtCb", "router"]
_REPORTS = {AtView.PERIOD: attendance.period_attendance, AtView.WEEK: attendance.week_attendance}


@router.message(Command("attendance"))
@router.callback_query(On(MenuCb, area=MenuArea.ATTENDANCE))
async def on_attendance_entry(_: Message | CallbackQuery, session: AsyncSession,
                              account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account)
    found = await attendance.period_attendance(session, granted)
    return screens.report(t, granted, AtView.PERIOD, found)


@router.callback_query(On(AtCb))
async def on_attendance(_: CallbackQuery, callback_data: AtCb, session: AsyncSession,
                        account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    found = await _REPORTS[callback_data.v](session, granted, callback_data.day)
    return screens.report(t, granted, callback_data.v, found, callback_data.p)
