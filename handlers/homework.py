"""Homework: by due date (the next school day by default, ◀️ ▶️ to the nearest due dates),
by subject (a picker, then upcoming and recent homework), and a subject's lesson topics.
Every button carries the student id; access is checked again on each press, and a subject
the viewer may not see is refused by the service."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import student_for_view
from handlers.replies import On
from screens import homework as screens
from screens.base import Screen
from screens.homework import HwCb, HwView
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import homework
from services.accounts import AccountInfo

router = Router(name="homework")
__all__ = ["HwCb", "router"]


@router.message(Command("homework"))
@router.callback_query(On(MenuCb, area=MenuArea.HOMEWORK))
async def on_homework_entry(_: Message | CallbackQuery, session: AsyncSession,
                            account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account)
    return screens.day(t, granted, await homework.homework_for_day(session, granted))


@router.callback_query(On(HwCb, v=HwView.DAY))
async def on_day(_: CallbackQuery, callback_data: HwCb, session: AsyncSession,
                 account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    view = await homework.homework_for_day(session, granted, callback_data.day)
    return screens.day(t, granted, view, callback_data.p)


@router.callback_query(On(HwCb, v=HwView.SUBJECTS))
async def on_subjects(_: CallbackQuery, callback_data: HwCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    return screens.subjects(t, granted, await homework.student_subjects(session, granted))


@router.callback_query(On(HwCb, v=HwView.SUBJECT))
async def on_subject(_: CallbackQuery, callback_data: HwCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    view = await homework.subject_homework(session, granted, account.id, callback_data.j)
    return screens.subject(t, granted, view, callback_data.p)


@router.callback_query(On(HwCb, v=HwView.TOPICS))
async def on_topics(_: CallbackQuery, callback_data: HwCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    granted = await student_for_view(session, account, callback_data.s)
    view = await homework.lesson_topics(session, granted, account.id, callback_data.j)
    return screens.topics(t, granted, view, callback_data.p)
