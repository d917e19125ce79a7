"""Marks for families (menu areas "marks" and "final"). Every button carries the student
id; access is checked again on each press. A first-grader gets one line and nothing else
(002 §5.5)."""

from __future__ import annotations

import functools

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import marks as screens
from screens.base import Alert, Photo, Screen
from screens.i18n import Translator
from screens.marks import MarksCb, MarksView
from screens.nav import MenuArea, MenuCb
from services import marks
from services.access import StudentAccess
from services.accounts import AccountInfo
from services.charts import ChartPoint, render_marks_chart
from services.errors import NoPeriod

router = Router(name="marks")
__all__ = ["MarksCb", "router"]


async def _granted(session: AsyncSession, account: AccountInfo,
                   student_id: int | None) -> StudentAccess | None:
    """Access to the student; None for a first-grader, who gets no marks at all."""
    granted = await student_for_view(session, account, student_id)
    return granted if granted.child.gets_marks else None


async def recent(session: AsyncSession, account: AccountInfo, t: Translator,
                 student_id: int | None = None, page: int = 0) -> Screen:
    granted = await _granted(session, account, student_id)
    if granted is None:
        return screens.first_grade(t)
    return screens.recent(t, granted, await marks.recent_marks(session, granted, page))


@router.message(Command("marks"))
@router.callback_query(On(MenuCb, area=MenuArea.MARKS))
async def on_marks_entry(_: Message | CallbackQuery, session: AsyncSession,
                         account: AccountInfo, t: Translator) -> Screen:
    return await recent(session, account, t)


@router.callback_query(On(MarksCb, v=MarksView.RECENT))
async def on_recent(_: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    return await recent(session, account, t, callback_data.s, callback_data.p)


@router.callback_query(On(MarksCb, v=MarksView.SUBJECTS))
async def on_subjects(_: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    granted = await _granted(session, account, callback_data.s)
    if granted is None:
        return screens.first_grade(t)
    return screens.picker(t, granted, await marks.subject_picker(session, granted))


async def _subject(session: AsyncSession, account: AccountInfo, t: Translator,
                   data: MarksCb) -> tuple[StudentAccess, marks.SubjectMarks] | Screen | Alert:
    """The subject view's data for its text and its chart, or the screen that says why not."""
    granted = await _granted(session, account, data.s)
    if granted is None:
        return screens.first_grade(t)
    try:
        return granted, await marks.subject_marks(session, granted, data.j, data.p or None)
    except NoPeriod:
        return Alert(t("marks-no-period"))


@router.callback_query(On(MarksCb, v=MarksView.SUBJECT))
async def on_subject(_: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen | Alert:
    found = await _subject(session, account, t, callback_data)
    return found if isinstance(found, Screen | Alert) else screens.subject(t, *found)


@router.callback_query(On(MarksCb, v=MarksView.CHART))
async def on_chart(_: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen | Alert | Photo:
    found = await _subject(session, account, t, callback_data)
    if isinstance(found, Screen | Alert):
        return found
    view = found[1]
    if not view.graded:
        return Alert(t("marks-chart-empty"))
    points = [ChartPoint(m.date, m.value, m.weight) for m in view.graded if m.value is not None]
    # Drawn by the edge after the commit, in a worker thread (see handlers/replies.py).
    draw = functools.partial(
        render_marks_chart, points, title=screens.chart_title(t, view),
        average_label=t("marks-chart-average"), marks_label=t("marks-chart-marks"),
        weight_label=t("marks-chart-weight"))
    return Photo(draw, "marks.png", screens.chart_caption(t, view))


@router.callback_query(On(MarksCb, v=MarksView.OVERVIEW))
async def on_overview(_: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    granted = await _granted(session, account, callback_data.s)
    if granted is None:
        return screens.first_grade(t)
    try:
        view = await marks.period_overview(session, granted, callback_data.p or None)
    except NoPeriod:
        return screens.no_period(t)
    return screens.overview(t, granted, view)


async def final(session: AsyncSession, account: AccountInfo, t: Translator,
                student_id: int | None = None) -> Screen:
    granted = await _granted(session, account, student_id)
    if granted is None:
        return screens.first_grade(t)
    return screens.final(t, granted, await marks.final_marks(session, granted))


@router.callback_query(On(MenuCb, area=MenuArea.FINAL))
async def on_final_menu(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator) -> Screen:
    return await final(session, account, t)


@router.callback_query(On(MarksCb, v=MarksView.FINAL))
async def on_final(_: CallbackQuery, callback_data: MarksCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    return await final(session, account, t, callback_data.s)

