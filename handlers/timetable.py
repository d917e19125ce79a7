"""Timetable: a day (today by default), the next and previous days, the week; and the
schedule of tests (menu area "tests"). Every button carries the student id; access is
checked again on each press."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import timetable as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, pack_day, unpack_day
from screens.timetable import ScheduledTestsCb, TtCb, TtView
from services import timetable
from services.accounts import AccountInfo

router = Router(name="timetable")
__all__ = ["ScheduledTestsCb", "TtCb", "pack_day", "router", "unpack_day"]


@router.message(Command("timetable"))
@router.callback_query(On(MenuCb, area=MenuArea.TIMETABLE))
async def on_timetable_entry(_: Message | CallbackQuery, session: AsyncSession,
                             account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account)
    return screens.day(t, granted, await timetable.day_timetable(session, granted))


@router.callback_query(On(TtCb, v=TtView.DAY))
async def on_day(_: CallbackQuery, callback_data: TtCb, session: AsyncSession,
                 account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    view = await timetable.day_timetable(session, granted, callback_data.day)
    return screens.day(t, granted, view)


@router.callback_query(On(TtCb, v=TtView.WEEK))
async def on_week(_: CallbackQuery, callback_data: TtCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    view = await timetable.week_timetable(session, granted, callback_data.day)
    return screens.week(t, granted, view, callback_data.p)


@router.callback_query(On(MenuCb, area=MenuArea.TESTS))
async def on_tests_menu(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator) -> Screen:
    granted = await student_for_view(session, account)
    view = await timetable.test_schedule(session, granted)
    return screens.scheduled_tests(t, granted, view)


@router.callback_query(On(ScheduledTestsCb))
async def on_tests(_: CallbackQuery, callback_data: ScheduledTestsCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    view = await timetable.test_schedule(session, granted)
    return screens.scheduled_tests(t, granted, view, callback_data.p)
