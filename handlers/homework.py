"""Homework: by due date (the next school day by default, ◀️ ▶️ to the nearest due dates),
by subject (a picker, then upcoming and recent homework), and a subject's lesson topics."""

from __future__ import annotations

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
from handlers.timetable import day_arg, header, menu_button, pack_day, page_buttons, page_of
from screens.i18n import Translator
from screens.nav import MenuCb
from services import homework
from services.access import AccessDenied, StudentAccess
from services.accounts import AccountInfo
from services.homework import HomeworkDay, HomeworkItem

router = Router(name="homework")

VIEWS = ("d", "l", "j", "t")


class HwCb(CallbackData, prefix="hw"):
    v: str  # "d" by due date, "l" subject list, "j" one subject, "t" its lesson topics
    s: int  # student id
    d: int = 0  # due date as YYYYMMDD; 0: the next school day
    j: int = 0  # subject id
    p: int = 0  # page


def item_lines(t: Translator, item: HomeworkItem, *, with_subject: bool) -> list[str]:
    text = escape(item.text)
    if with_subject:
        first = t("homework-item", subject=escape(item.subject), text=text)
    else:
        first = t("homework-subject-line", date=t.date(item.due_on, weekday=True), text=text)
    notes = [t("homework-assigned", date=t.date(item.assigned_on))]
    if item.individual:
        notes.append(t("homework-individual"))
    elif item.subgroup:
        notes.append(t("homework-subgroup", group=escape(item.subgroup)))
    return [first, "    " + " · ".join(notes)]


def _footer(t: Translator) -> Callable[[int, int], str]:
    return lambda n, total: t("homework-page", page=n, pages=total)


def _paging(t: Translator, page: int, count: int,
            make: Callable[[int], CallbackData]) -> list[InlineKeyboardButton]:
    return page_buttons(page, count, lambda n: t("homework-btn-prev-page", page=n),
                        lambda n: t("homework-btn-next-page", page=n), make)


def day_view(t: Translator, granted: StudentAccess, view: HomeworkDay,
             page: int) -> tuple[str, InlineKeyboardMarkup]:
    lines: list[str] = []
    for item in view.items:
        lines.append("")
        lines.extend(item_lines(t, item, with_subject=True))
    if not view.items:
        lines.extend(["", t("homework-day-none")])
    title = t("homework-day-title", date=t.date(view.day, weekday=True))
    pages = paginate(lines, f"{title}\n{header(t, granted)}")
    text, page = page_of(pages, page, _footer(t))
    s = view.student_id
    kb = InlineKeyboardBuilder()
    paging = _paging(t, page, len(pages), lambda p: HwCb(v="d", s=s, d=pack_day(view.day), p=p))
    if paging:
        kb.row(*paging)
    nav = []
    if view.previous_due is not None:
        nav.append(InlineKeyboardButton(
            text=t("homework-btn-prev", date=t.date(view.previous_due, weekday=True)),
            callback_data=HwCb(v="d", s=s, d=pack_day(view.previous_due)).pack()))
    if view.next_due is not None:
        nav.append(InlineKeyboardButton(
            text=t("homework-btn-next", date=t.date(view.next_due, weekday=True)),
            callback_data=HwCb(v="d", s=s, d=pack_day(view.next_due)).pack()))
    if nav:
        kb.row(*nav)
    kb.row(InlineKeyboardButton(text=t("homework-btn-subjects"),
                                callback_data=HwCb(v="l", s=s).pack()))
    kb.row(menu_button(t))
    return text, kb.as_markup()


async def show_day(target: Message | CallbackQuery, session: AsyncSession,
                   granted: StudentAccess, t: Translator, callback_data: HwCb | None) -> None:
    if callback_data is None:
        view = await homework.homework_for_day(session, granted)
        page = 0
    else:
        _, day = day_arg(callback_data.d)
        view = await homework.homework_for_day(session, granted, day)
        page = callback_data.p
    await show(target, *day_view(t, granted, view, page))


async def show_subjects(query: CallbackQuery, session: AsyncSession, granted: StudentAccess,
                        t: Translator) -> None:
    subjects = await homework.student_subjects(session, granted)
    s = granted.child.student_id
    kb = InlineKeyboardBuilder()
    for subject in subjects:
        kb.button(text=subject.name, callback_data=HwCb(v="j", s=s, j=subject.id))
    kb.adjust(2)
    kb.row(InlineKeyboardButton(text=t("homework-btn-by-day"),
                                callback_data=HwCb(v="d", s=s).pack()))
    kb.row(menu_button(t))
    lines = [t("homework-subjects-title"), header(t, granted), "",
             t("homework-subjects-choose") if subjects else t("homework-subjects-none")]
    await show(query, "\n".join(lines), kb.as_markup())


def _subject_keyboard(t: Translator, s: int, subject_id: int, other: str,
                      paging: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if paging:
        kb.row(*paging)
    text = "homework-btn-topics" if other == "t" else "homework-btn-subject-homework"
    kb.row(InlineKeyboardButton(text=t(text),
                                callback_data=HwCb(v=other, s=s, j=subject_id).pack()))
    kb.row(InlineKeyboardButton(text=t("homework-btn-back-subjects"),
                                callback_data=HwCb(v="l", s=s).pack()),
           menu_button(t))
    return kb.as_markup()


async def show_subject(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                       granted: StudentAccess, t: Translator, subject_id: int,
                       page: int) -> None:
    view = await homework.subject_homework(session, granted, account.id, subject_id)
    lines = ["", t("homework-subject-upcoming")]
    for item in view.upcoming:
        lines.extend(item_lines(t, item, with_subject=False))
    if not view.upcoming:
        lines.append(t("homework-subject-upcoming-none"))
    lines.extend(["", t("homework-subject-recent")])
    for item in view.recent:
        lines.extend(item_lines(t, item, with_subject=False))
    if not view.recent:
        lines.append(t("homework-subject-recent-none"))
    title = t("homework-subject-title", subject=escape(view.subject.name))
    pages = paginate(lines, f"{title}\n{header(t, granted)}")
    text, page = page_of(pages, page, _footer(t))
    s = granted.child.student_id
    paging = _paging(t, page, len(pages), lambda p: HwCb(v="j", s=s, j=subject_id, p=p))
    await show(query, text, _subject_keyboard(t, s, subject_id, "t", paging))


async def show_topics(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      granted: StudentAccess, t: Translator, subject_id: int,
                      page: int) -> None:
    view = await homework.lesson_topics(session, granted, account.id, subject_id)
    lines: list[str] = []
    for item in view.items:
        lines.append("")
        lines.append(t("homework-topic-line", date=t.date(item.date, weekday=True),
                       slot=item.slot, topic=escape(item.topic)))
        if item.material:
            lines.append("    " + t("homework-topic-material", material=escape(item.material)))
    if not view.items:
        lines.extend(["", t("homework-topics-none")])
    title = t("homework-topics-title", subject=escape(view.subject.name))
    pages = paginate(lines, f"{title}\n{header(t, granted)}")
    text, page = page_of(pages, page, _footer(t))
    s = granted.child.student_id
    paging = _paging(t, page, len(pages), lambda p: HwCb(v="t", s=s, j=subject_id, p=p))
    await show(query, text, _subject_keyboard(t, s, subject_id, "j", paging))


@router.message(Command("homework"))
@router.callback_query(On(MenuCb, area="homework"))
async def on_homework_entry(target: Message | CallbackQuery, session: AsyncSession,
                            account: AccountInfo, t: Translator) -> None:
    granted = await student_for_view(target, session, account, t)
    if granted is not None:
        await show_day(target, session, granted, t, None)


@router.callback_query(HwCb.filter())
async def on_homework(query: CallbackQuery, callback_data: HwCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    valid, _ = day_arg(callback_data.d)
    if not valid or callback_data.v not in VIEWS:
        await refuse(query, t)
        return
    granted = await student_for_view(query, session, account, t, callback_data.s)
    if granted is None:
        return
    try:
        if callback_data.v == "d":
            await show_day(query, session, granted, t, callback_data)
        elif callback_data.v == "l":
            await show_subjects(query, session, granted, t)
        elif callback_data.v == "j":
            await show_subject(query, session, account, granted, t, callback_data.j,
                               callback_data.p)
        else:
            await show_topics(query, session, account, granted, t, callback_data.j,
                              callback_data.p)
    except AccessDenied:
        await refuse(query, t)
