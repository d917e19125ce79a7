"""Timetable: a day (today by default), the next and previous days, the week; and the
schedule of tests (menu area "tests"). Every button carries the student id; access is
checked again on each press."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import paginate, refuse, show, student_for_view
from handlers.replies import On
from screens.format import period_label
from screens.i18n import Translator
from screens.menu import child_label
from screens.nav import MenuCb
from services import timetable
from services.access import StudentAccess
from services.accounts import AccountInfo
from services.timetable import DayTimetable, LessonView, TestView, WeekTimetable

router = Router(name="timetable")


class TtCb(CallbackData, prefix="tt"):
    v: str  # "d" one day, "w" the week holding the day
    s: int  # student id
    d: int = 0  # date as YYYYMMDD; 0: the school's today
    p: int = 0  # page of a long view


class ScheduledTestsCb(CallbackData, prefix="ts"):
    s: int
    p: int = 0


# --- shared by the family views ---------------------------------------------------------

def pack_day(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def unpack_day(value: int) -> dt.date | None:
    """A date from callback data; None when forged or out of any sensible range."""
    try:
        day = dt.date(value // 10000, value // 100 % 100, value % 100)
    except (ValueError, OverflowError):
        return None
    return day if 2000 <= day.year <= 2100 else None


def day_arg(value: int) -> tuple[bool, dt.date | None]:
    """(valid, day) for a callback's date field: 0 means "default"."""
    if value == 0:
        return True, None
    day = unpack_day(value)
    return day is not None, day


def header(t: Translator, granted: StudentAccess) -> str:
    return escape(child_label(t, granted.child))


def page_of(pages: list[str], page: int, footer: Callable[[int, int], str]) -> tuple[str, int]:
    """The page to show (clamped) with a footer when there are several."""
    page = max(0, min(page, len(pages) - 1))
    text = pages[page]
    if len(pages) > 1:
        text = f"{text}\n\n{footer(page + 1, len(pages))}"
    return text, page


def page_buttons(page: int, count: int, prev_text: Callable[[int], str],
                 next_text: Callable[[int], str],
                 make: Callable[[int], CallbackData]) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text=prev_text(page),
                                        callback_data=make(page - 1).pack()))
    if page + 1 < count:
        row.append(InlineKeyboardButton(text=next_text(page + 2),
                                        callback_data=make(page + 1).pack()))
    return row


def menu_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())


def bell_time(lesson: LessonView) -> str:
    if lesson.starts_at is None or lesson.ends_at is None:
        return ""
    return f"{lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}"


# --- rendering --------------------------------------------------------------------------

def _notes(t: Translator, lesson: LessonView) -> list[str]:
    notes = []
    if lesson.replaced and lesson.substitute:
        notes.append(t("timetable-replaced", teacher=escape(lesson.substitute)))
    if lesson.moved_away and lesson.moved_to_date is not None:
        notes.append(t("timetable-moved-away", date=t.date(lesson.moved_to_date, weekday=True),
                       slot=lesson.moved_to_slot or lesson.slot))
    if lesson.moved_here and lesson.moved_from_date is not None:
        notes.append(t("timetable-moved-here",
                       date=t.date(lesson.moved_from_date, weekday=True),
                       slot=lesson.moved_from_slot or lesson.slot))
    if lesson.is_test and lesson.work_type and not lesson.cancelled:
        notes.append(t("timetable-test", work=escape(lesson.work_type)))
    return notes


def lesson_lines(t: Translator, lesson: LessonView) -> list[str]:
    """A lesson in the day view: number, bell time, subject; room and teacher; notes."""
    subject = escape(lesson.subject)
    key = "timetable-lesson-cancelled" if lesson.cancelled else "timetable-lesson"
    lines = [t(key, slot=lesson.slot, time=bell_time(lesson), subject=subject)]
    details = [t("timetable-room", room=escape(lesson.room))] if lesson.room else []
    details.append(escape(lesson.teacher))
    lines.append("    " + " · ".join(details))
    lines.extend("    " + note for note in _notes(t, lesson))
    return lines


def week_line(t: Translator, lesson: LessonView) -> str:
    """A lesson in the week view: one line."""
    subject = escape(lesson.subject)
    if lesson.cancelled:
        text = t("timetable-week-lesson-cancelled", slot=lesson.slot, subject=subject)
        return f"{text} {t('timetable-cancelled')}"
    parts = [t("timetable-week-lesson", slot=lesson.slot, subject=subject)]
    if lesson.room:
        parts.append(t("timetable-room", room=escape(lesson.room)))
    return " · ".join(parts + _notes(t, lesson))


def day_text(t: Translator, granted: StudentAccess, view: DayTimetable) -> str:
    date = t.date(view.day, weekday=True)
    title = ("timetable-day-title-today" if view.day == view.today else "timetable-day-title")
    lines = [t(title, date=date), header(t, granted), ""]
    for lesson in view.lessons:
        lines.extend(lesson_lines(t, lesson))
    if not view.lessons:
        lines.append(t("timetable-weekend" if view.is_weekend else "timetable-no-lessons"))
        if view.next_school_day is not None and view.next_school_day > view.day:
            lines.append(t("timetable-next-school-day",
                           date=t.date(view.next_school_day, weekday=True)))
    return "\n".join(lines)


def day_keyboard(t: Translator, view: DayTimetable) -> InlineKeyboardMarkup:
    s = view.student_id
    previous = view.previous_school_day or view.day - dt.timedelta(days=1)
    following = view.next_school_day or view.day + dt.timedelta(days=1)
    tomorrow = view.today + dt.timedelta(days=1)
    kb = InlineKeyboardBuilder()
    kb.row(
        InlineKeyboardButton(text=t("timetable-btn-prev-day", date=t.date(previous,
                                                                          weekday=True)),
                             callback_data=TtCb(v="d", s=s, d=pack_day(previous)).pack()),
        InlineKeyboardButton(text=t("timetable-btn-next-day", date=t.date(following,
                                                                          weekday=True)),
                             callback_data=TtCb(v="d", s=s, d=pack_day(following)).pack()),
    )
    row = []
    if view.day != view.today:
        row.append(InlineKeyboardButton(text=t("timetable-btn-today"),
                                        callback_data=TtCb(v="d", s=s).pack()))
    if view.day != tomorrow:
        row.append(InlineKeyboardButton(text=t("timetable-btn-tomorrow"),
                                        callback_data=TtCb(v="d", s=s,
                                                           d=pack_day(tomorrow)).pack()))
    row.append(InlineKeyboardButton(text=t("timetable-btn-week"),
                                    callback_data=TtCb(v="w", s=s,
                                                       d=pack_day(view.day)).pack()))
    kb.row(*row)
    kb.row(menu_button(t))
    return kb.as_markup()


def week_pages(t: Translator, granted: StudentAccess, view: WeekTimetable) -> list[str]:
    title = t("timetable-week-title", start=t.date(view.monday),
              end=t.date(view.monday + dt.timedelta(days=5)))
    lines: list[str] = []
    for day in view.days:
        if day.day.isoweekday() == 6 and not day.lessons:
            continue  # a five-day week: no empty Saturday
        lines.append("")
        mark = " 👈" if day.day == view.today else ""
        lines.append(t("timetable-week-day", date=t.date(day.day, weekday=True)) + mark)
        lines.extend(week_line(t, lesson) for lesson in day.lessons)
        if not day.lessons:
            lines.append(t("timetable-week-no-lessons"))
    return paginate(lines, f"{title}\n{header(t, granted)}")


def week_keyboard(t: Translator, view: WeekTimetable, page: int,
                  pages: int) -> InlineKeyboardMarkup:
    s = view.student_id
    kb = InlineKeyboardBuilder()
    paging = page_buttons(
        page, pages, lambda n: t("timetable-btn-prev-page", page=n),
        lambda n: t("timetable-btn-next-page", page=n),
        lambda p: TtCb(v="w", s=s, d=pack_day(view.monday), p=p))
    if paging:
        kb.row(*paging)
    kb.row(
        InlineKeyboardButton(text=t("timetable-btn-prev-week"), callback_data=TtCb(
            v="w", s=s, d=pack_day(view.monday - dt.timedelta(days=7))).pack()),
        InlineKeyboardButton(text=t("timetable-btn-next-week"), callback_data=TtCb(
            v="w", s=s, d=pack_day(view.monday + dt.timedelta(days=7))).pack()),
    )
    kb.row(InlineKeyboardButton(text=t("timetable-btn-today"),
                                callback_data=TtCb(v="d", s=s).pack()),
           menu_button(t))
    return kb.as_markup()


# --- handlers ---------------------------------------------------------------------------

async def show_day(target: Message | CallbackQuery, session: AsyncSession,
                   granted: StudentAccess, t: Translator, day: dt.date | None) -> None:
    view = await timetable.day_timetable(session, granted, day)
    await show(target, day_text(t, granted, view), day_keyboard(t, view))


@router.message(Command("timetable"))
@router.callback_query(On(MenuCb, area="timetable"))
async def on_timetable_entry(target: Message | CallbackQuery, session: AsyncSession,
                             account: AccountInfo, t: Translator) -> None:
    granted = await student_for_view(target, session, account, t)
    if granted is not None:
        await show_day(target, session, granted, t, None)


@router.callback_query(TtCb.filter())
async def on_timetable(query: CallbackQuery, callback_data: TtCb, session: AsyncSession,
                       account: AccountInfo, t: Translator) -> None:
    valid, day = day_arg(callback_data.d)
    if not valid or callback_data.v not in ("d", "w"):
        await refuse(query, t)
        return
    granted = await student_for_view(query, session, account, t, callback_data.s)
    if granted is None:
        return
    if callback_data.v == "d":
        await show_day(query, session, granted, t, day)
        return
    view = await timetable.week_timetable(session, granted, day)
    pages = week_pages(t, granted, view)
    text, page = page_of(pages, callback_data.p,
                         lambda n, total: t("timetable-page", page=n, pages=total))
    await show(query, text, week_keyboard(t, view, page, len(pages)))


# --- tests (контрольные) ----------------------------------------------------------------

def test_line(t: Translator, test: TestView) -> str:
    key = "tests-line-cancelled" if test.cancelled else "tests-line"
    return t(key, date=t.date(test.date, weekday=True), slot=test.slot,
             subject=escape(test.subject), work=escape(test.work_type))


async def show_tests(target: Message | CallbackQuery, session: AsyncSession,
                     granted: StudentAccess, t: Translator, page: int = 0) -> None:
    view = await timetable.test_schedule(session, granted)
    lines = ["", t("tests-upcoming")]
    lines.extend(test_line(t, v) for v in view.upcoming)
    if not view.upcoming:
        lines.append(t("tests-none-upcoming"))
    if view.past:
        lines.append("")
        lines.append(t("tests-past", period=period_label(t, view.period)) if view.period
                     else t("tests-past-no-period"))
        lines.extend(test_line(t, v) for v in view.past)
    pages = paginate(lines, f"{t('tests-title')}\n{header(t, granted)}")
    text, page = page_of(pages, page,
                         lambda n, total: t("timetable-page", page=n, pages=total))
    kb = InlineKeyboardBuilder()
    paging = page_buttons(page, len(pages), lambda n: t("timetable-btn-prev-page", page=n),
                          lambda n: t("timetable-btn-next-page", page=n),
                          lambda p: ScheduledTestsCb(s=granted.child.student_id, p=p))
    if paging:
        kb.row(*paging)
    kb.row(menu_button(t))
    await show(target, text, kb.as_markup())


@router.callback_query(On(MenuCb, area="tests"))
async def on_tests_menu(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator) -> None:
    granted = await student_for_view(query, session, account, t)
    if granted is not None:
        await show_tests(query, session, granted, t)


@router.callback_query(ScheduledTestsCb.filter())
async def on_tests(query: CallbackQuery, callback_data: ScheduledTestsCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> None:
    granted = await student_for_view(query, session, account, t, callback_data.s)
    if granted is not None:
        await show_tests(query, session, granted, t, callback_data.p)
