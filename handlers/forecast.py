"""The term forecast (menu area "forecast", /forecast): per subject the average, the period
mark it rounds to, and what it takes to go up or what would pull it down.

The button carries the student id; access is checked again on each press. A first-grader
gets one line (002 §5.5).
"""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import paginate, show, student_for_view
from handlers.replies import On
from screens.format import period_label
from screens.i18n import Translator
from screens.nav import MenuCb
from services import forecast
from services.access import StudentAccess
from services.accounts import AccountInfo

router = Router(name="forecast")


class ForecastCb(CallbackData, prefix="fc"):
    s: int  # student id


def _keyboard(t: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())
    return kb.as_markup()


def subject_lines(t: Translator, f: forecast.SubjectForecast) -> list[str]:
    subject = escape(f.subject)
    if f.average is None or f.forecast is None:
        return [t("forecast-line-empty", subject=subject)]
    lines = [t("forecast-line", subject=subject, average=f.average, forecast=f.forecast,
               count=f.marks)]
    if f.target is not None:
        if f.need is not None:
            lines.append(t("forecast-need", n=f.need, target=f.target, weight=f.weight))
        else:
            lines.append(t("forecast-out-of-reach", target=f.target))
    if f.risk is not None and f.risk_target is not None:
        lines.append(t("forecast-risk", n=f.risk, target=f.risk_target))
    return lines


def forecast_text(t: Translator, granted: StudentAccess,
                  view: forecast.StudentForecast) -> str:
    child = granted.child
    header = t("forecast-title", name=escape(child.short_name),
               klass=escape(child.class_name or "—"))
    if view.period is None:
        return f"{header}\n{t('forecast-no-period')}"
    header += "\n" + t("forecast-period", period=period_label(t, view.period),
                       end=t.date(view.period.ends_on))
    lines = [line for f in view.subjects for line in subject_lines(t, f)]
    if not view.subjects:
        lines = [t("forecast-empty")]
    lines.append(t("forecast-footnote"))
    return paginate(lines, header)[0]


async def show_forecast(target: Message | CallbackQuery, session: AsyncSession,
                        account: AccountInfo, t: Translator,
                        student_id: int | None = None) -> None:
    granted = await student_for_view(target, session, account, t, student_id,
                                     purpose="forecast")
    if granted is None:
        return
    if not granted.child.gets_marks:
        await show(target, t("forecast-first-grade", name=escape(granted.child.first_name)),
                   _keyboard(t))
        return
    view = await forecast.student_forecast(session, granted)
    await show(target, forecast_text(t, granted, view), _keyboard(t))


@router.message(Command("forecast"))
@router.callback_query(On(MenuCb, area="forecast"))
async def on_forecast_entry(target: Message | CallbackQuery, session: AsyncSession,
                            account: AccountInfo, t: Translator) -> None:
    await show_forecast(target, session, account, t)


@router.callback_query(ForecastCb.filter())
async def on_forecast_student(query: CallbackQuery, callback_data: ForecastCb,
                              session: AsyncSession, account: AccountInfo,
                              t: Translator) -> None:
    await show_forecast(query, session, account, t, callback_data.s)
