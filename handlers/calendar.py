"""The school calendar of the student's grade: terms with dates, holidays, the current term
and the days left in it. `period_label` names a period in the reader's language."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import show, student_for_view
from handlers.replies import On
from screens.i18n import Translator
from screens.nav import MenuCb
from services import marks
from services.accounts import AccountInfo
from services.calendar import PeriodInfo

router = Router(name="calendar")


def period_label(t: Translator, period: PeriodInfo) -> str:
    """"2 четверть" / "Quarter 2"; holidays keep the school's own name in Russian."""
    return t(f"calendar-period-{period.kind.value}", number=period.number,
             name=escape(period.name))


def _span(t: Translator, period: PeriodInfo) -> dict[str, str]:
    return {"name": period_label(t, period), "start": t.date(period.starts_on),
            "end": t.date(period.ends_on)}


def menu_only(t: Translator) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())
    return kb.as_markup()


def render_calendar(t: Translator, cal: marks.SchoolCalendar, class_name: str | None) -> str:
    lines = [t("calendar-title", klass=escape(class_name or "—"))]
    if not cal.terms:
        return "\n".join([*lines, t("calendar-empty")])
    lines += ["", t("calendar-terms-title")]
    for term in cal.terms:
        current = cal.current is not None and term.id == cal.current.id and cal.in_term
        lines.append(t("calendar-term-line-current" if current else "calendar-term-line",
                       **_span(t, term)))
    if cal.year is not None:
        lines.append(t("calendar-year-line", **_span(t, cal.year)))
    if cal.holidays:
        lines += ["", t("calendar-holidays-title")]
        for rest in cal.holidays:
            now = cal.holiday_now is not None and rest.id == cal.holiday_now.id
            lines.append(t("calendar-holiday-line-current" if now else "calendar-holiday-line",
                           **_span(t, rest)))
    lines.append("")
    if cal.current is not None and cal.in_term:
        days = cal.days_left or 0
        name = period_label(t, cal.current)
        lines.append(t("calendar-days-left", name=name, days=days) if days
                     else t("calendar-last-day", name=name))
    elif cal.holiday_now is not None:
        lines.append(t("calendar-holidays-now", end=t.date(cal.holiday_now.ends_on)))
    elif cal.current is not None and cal.current.ends_on < cal.today:
        lines.append(t("calendar-after-term", name=period_label(t, cal.current),
                       end=t.date(cal.current.ends_on)))
    return "\n".join(lines)


@router.callback_query(On(MenuCb, area="calendar"))
async def on_calendar(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> None:
    granted = await student_for_view(query, session, account, t)
    if granted is None:
        return
    cal = await marks.school_calendar(session, granted)
    await show(query, render_calendar(t, cal, granted.child.class_name), menu_only(t))

