"""The term forecast (menu area "forecast", /forecast). The button carries the student id;
access is checked again on each press. A first-grader gets one line (002 §5.5)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import forecast as screens
from screens.base import Screen
from screens.forecast import ForecastCb, ForecastYearCb
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import forecast
from services.accounts import AccountInfo

router = Router(name="forecast")
__all__ = ["ForecastCb", "ForecastYearCb", "router"]


async def student_forecast(session: AsyncSession, account: AccountInfo, t: Translator,
                           student_id: int | None = None, *, year: bool = False) -> Screen:
    granted = await student_for_view(session, account, student_id, purpose="forecast")
    if not granted.child.gets_marks:
        return screens.first_grade(t, granted)
    view = await forecast.student_forecast(session, granted, year=year)
    return screens.student(t, granted, view, year=year)


@router.message(Command("forecast"))
@router.callback_query(On(MenuCb, area=MenuArea.FORECAST))
async def on_forecast_entry(_: Message | CallbackQuery, session: AsyncSession,
                            account: AccountInfo, t: Translator) -> Screen:
    return await student_forecast(session, account, t)


@router.callback_query(On(ForecastCb))
async def on_forecast_student(_: CallbackQuery, callback_data: ForecastCb,
                              session: AsyncSession, account: AccountInfo,
                              t: Translator) -> Screen:
    return await student_forecast(session, account, t, callback_data.s)


@router.callback_query(On(ForecastYearCb))
async def on_forecast_year(_: CallbackQuery, callback_data: ForecastYearCb,
                           session: AsyncSession, account: AccountInfo,
                           t: Translator) -> Screen:
    return await student_forecast(session, account, t, callback_data.s, year=True)
