"""Attendance: the current reporting period (◀️ ▶️ to other periods) and a week (◀️ ▶️),
with counts by reason and the missed lessons."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import paginate, refuse, show, student_for_view
from handlers.replies import On
from handlers.timetable import day_arg, header, menu_button, pack_day, page_buttons, page_of
from screens.format import period_label
from screens.i18n import Translator
from screens.nav import MenuCb
from services import attendance
from services.access import StudentAccess
from services.accounts import AccountInfo
from services.attendance import KINDS, AttendanceReport, MissedLesson
from services.models import AttendanceKind

router = Router(name="attendance")


class AtCb(CallbackData, prefix="at"):
    v: str  # "p" reporting period holding the day, "w" week holding the day
    s: int  # student id
    d: int = 0  # a date as YYYYMMDD; 0: today
    p: int = 0  # page


def reason(t: Translator, item: MissedLesson) -> str:
    if item.kind == AttendanceKind.LATE and item.minutes_late:
        return t("attendance-reason-late-minutes", minutes=item.minutes_late)
    return t(f"attendance-reason-{item.kind.value}")


def report_lines(t: Translator, report: AttendanceReport) -> list[str]:
    lines = [t("attendance-range", start=t.date(report.start), end=t.date(report.end)), ""]
    lines.extend(t(f"attendance-count-{kind.value}", count=report.count(kind))
                 for kind in KINDS)
    lines.append("")
    if not report.items:
        lines.append(t("attendance-none"))
        return lines
    lines.append(t("attendance-list-title"))
    lines.extend(t("attendance-line", date=t.date(i.date, weekday=True), slot=i.slot,
                   subject=escape(i.subject), reason=reason(t, i)) for i in report.items)
    return lines


def report_view(t: Translator, granted: StudentAccess, view: str, report: AttendanceReport,
                page: int) -> tuple[str, InlineKeyboardMarkup]:
    if view == "w":
        title = t("attendance-week-title")
    elif report.period is not None:
        title = t("attendance-period-title", period=period_label(t, report.period))
    else:
        title = t("attendance-range-title")
    pages = paginate(report_lines(t, report), f"{title}\n{header(t, granted)}")
    text, page = page_of(pages, page,
                         lambda n, total: t("attendance-page", page=n, pages=total))
    s = report.student_id
    kb = InlineKeyboardBuilder()
    paging = page_buttons(page, len(pages), lambda n: t("attendance-btn-prev-page", page=n),
                          lambda n: t("attendance-btn-next-page", page=n),
                          lambda p: AtCb(v=view, s=s, d=pack_day(report.start), p=p))
    if paging:
        kb.row(*paging)
    unit = "week" if view == "w" else "period"
    nav = []
    if report.previous_start is not None:
        nav.append(InlineKeyboardButton(
            text=t(f"attendance-btn-prev-{unit}"),
            callback_data=AtCb(v=view, s=s, d=pack_day(report.previous_start)).pack()))
    if report.next_start is not None:
        nav.append(InlineKeyboardButton(
            text=t(f"attendance-btn-next-{unit}"),
            callback_data=AtCb(v=view, s=s, d=pack_day(report.next_start)).pack()))
    if nav:
        kb.row(*nav)
    other = "p" if view == "w" else "w"
    kb.row(InlineKeyboardButton(text=t("attendance-btn-period" if other == "p"
                                       else "attendance-btn-week"),
                                callback_data=AtCb(v=other, s=s).pack()),
           menu_button(t))
    return text, kb.as_markup()


async def show_report(target: Message | CallbackQuery, session: AsyncSession,
                      granted: StudentAccess, t: Translator, view: str = "p",
                      day_value: int = 0, page: int = 0) -> None:
    _, day = day_arg(day_value)
    if view == "w":
        report = await attendance.week_attendance(session, granted, day)
    else:
        report = await attendance.period_attendance(session, granted, day)
    await show(target, *report_view(t, granted, view, report, page))


@router.message(Command("attendance"))
@router.callback_query(On(MenuCb, area="attendance"))
async def on_attendance_entry(target: Message | CallbackQuery, session: AsyncSession,
                              account: AccountInfo, t: Translator) -> None:
    granted = await student_for_view(target, session, account, t)
    if granted is not None:
        await show_report(target, session, granted, t)


@router.callback_query(AtCb.filter())
async def on_attendance(query: CallbackQuery, callback_data: AtCb, session: AsyncSession,
                        account: AccountInfo, t: Translator) -> None:
    valid, _ = day_arg(callback_data.d)
    if not valid or callback_data.v not in ("p", "w"):
        await refuse(query, t)
        return
    granted = await student_for_view(query, session, account, t, callback_data.s)
    if granted is not None:
        await show_report(query, session, granted, t, callback_data.v, callback_data.d,
                          callback_data.p)
