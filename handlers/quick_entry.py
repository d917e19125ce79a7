"""Quick entry (menu area "quick"), where the school allows it: today's lessons, a lesson's
register with a toggle per student and one save, and its topic and homework typed.

The toggles live in the conversation's data until the save; every press is checked again
by services.quick_entry (the lesson is the teacher's, today's, the student is in it), so a
forged or stale button changes nothing and gets "not available" from the errors router.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import quick_entry as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from screens.quick_entry import QuickCb, QuickStep
from services import quick_entry
from services.accounts import AccountInfo
from services.quick_entry import QuickLesson

router = Router(name="quick_entry")
__all__ = ["QuickCb", "QuickEntry", "QuickStep", "router"]
LIMITS = {"topic": quick_entry.TOPIC_LIMIT, "homework": quick_entry.HOMEWORK_LIMIT}


class QuickEntry(StatesGroup):
    awaiting_topic = State()
    awaiting_homework = State()


async def _away(state: FSMContext, found: QuickLesson) -> set[int]:
    """The toggles of this lesson: kept while it is open, else the register as it stands."""
    data = await state.get_data()
    if data.get("quick_lesson") == found.lesson.id:
        return {int(s) for s in data.get("quick_away", [])}
    return {s.id for s in found.students if s.away is not None}


async def _keep(state: FSMContext, lesson_id: int, away: set[int]) -> None:
    await state.update_data(quick_lesson=lesson_id, quick_away=sorted(away))


@router.callback_query(On(MenuCb, area=MenuArea.QUICK))
async def on_lessons(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                     t: Translator) -> Screen:
    return screens.lessons(t, await quick_entry.todays_lessons(session, account.id))


@router.callback_query(On(QuickCb, v=QuickStep.OPEN))
async def on_open(_: CallbackQuery, callback_data: QuickCb, session: AsyncSession,
                  account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    found = await quick_entry.lesson_for_entry(session, account.id, callback_data.l)
    await state.set_state(None)
    away = await _away(state, found)
    await _keep(state, found.lesson.id, away)
    return screens.register(t, found, away)


@router.callback_query(On(QuickCb, v=QuickStep.TOGGLE))
async def on_toggle(_: CallbackQuery, callback_data: QuickCb, session: AsyncSession,
                    account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    found = await quick_entry.check_student(session, account.id, callback_data.l,
                                            callback_data.s)
    away = await _away(state, found) ^ {callback_data.s}
    await _keep(state, found.lesson.id, away)
    return screens.register(t, found, away)


@router.callback_query(On(QuickCb, v=QuickStep.SAVE))
async def on_save(_: CallbackQuery, callback_data: QuickCb, session: AsyncSession,
                  account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    found = await quick_entry.lesson_for_entry(session, account.id, callback_data.l)
    away = await _away(state, found)
    result = await quick_entry.save_register(session, account.id, found.lesson.id, away)
    await _keep(state, found.lesson.id, away)
    after = await quick_entry.lesson_for_entry(session, account.id, found.lesson.id)
    return screens.register(t, after, away, screens.saved_notice(t, result, len(away)))


async def _ask(session: AsyncSession, account: AccountInfo, t: Translator,
               state: FSMContext, lesson_id: int, what: str, step: State) -> Screen:
    found = await quick_entry.lesson_for_entry(session, account.id, lesson_id)
    await state.set_state(step)
    await state.update_data(quick_text_lesson=found.lesson.id)
    return screens.ask(t, what, found.lesson, LIMITS[what])


@router.callback_query(On(QuickCb, v=QuickStep.TOPIC))
async def on_topic(_: CallbackQuery, callback_data: QuickCb, session: AsyncSession,
                   account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    return await _ask(session, account, t, state, callback_data.l, "topic",
                      QuickEntry.awaiting_topic)


@router.callback_query(On(QuickCb, v=QuickStep.HOMEWORK))
async def on_homework(_: CallbackQuery, callback_data: QuickCb, session: AsyncSession,
                      account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    return await _ask(session, account, t, state, callback_data.l, "homework",
                      QuickEntry.awaiting_homework)


@router.message(StateFilter(QuickEntry.awaiting_topic), F.text, ~F.text.startswith("/"))
async def on_topic_text(message: Message, session: AsyncSession, account: AccountInfo,
                        t: Translator, state: FSMContext) -> Screen:
    text = (message.text or "").strip()
    if len(text) > quick_entry.TOPIC_LIMIT:
        return screens.too_long(t, quick_entry.TOPIC_LIMIT)  # asked again, the state kept
    lesson_id = int((await state.get_data()).get("quick_text_lesson", 0))
    await state.set_state(None)
    await quick_entry.save_topic(session, account.id, lesson_id, text)
    found = await quick_entry.lesson_for_entry(session, account.id, lesson_id)
    return screens.topic_saved(t, found.lesson, found.topic or "")


@router.message(StateFilter(QuickEntry.awaiting_homework), F.text, ~F.text.startswith("/"))
async def on_homework_text(message: Message, session: AsyncSession, account: AccountInfo,
                           t: Translator, state: FSMContext) -> Screen:
    text = (message.text or "").strip()
    if len(text) > quick_entry.HOMEWORK_LIMIT:
        return screens.too_long(t, quick_entry.HOMEWORK_LIMIT)
    lesson_id = int((await state.get_data()).get("quick_text_lesson", 0))
    await state.set_state(None)
    result, due = await quick_entry.save_homework(session, account.id, lesson_id, text)
    found = await quick_entry.lesson_for_entry(session, account.id, lesson_id)
    return screens.homework_saved(t, found.lesson, due, result.queued)
