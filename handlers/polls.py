"""School polls: the composer (class → audience → question → options → preview → send),
voting with the buttons of the push, live results and the chart. The draft lives in the
FSM storage; any command ends it. Access is checked again on every press."""

from __future__ import annotations

import functools
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import polls as screens
from screens.base import Alert, Photo, Reply, Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from screens.poll_cb import PollAction, PollCb
from services import notices, polls
from services.accounts import AccountInfo
from services.charts import render_poll_chart

router = Router(name="polls")
__all__ = ["PollCb", "router"]
A = PollAction


class PollDraft(StatesGroup):
    question = State()
    options = State()
    preview = State()


@router.callback_query(On(MenuCb, area=MenuArea.POLLS))
@router.callback_query(On(PollCb, a=A.MINE))
async def on_mine(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> Screen:
    await notices.notice_scope(session, account.id)
    return screens.author_home(t, await polls.mine(session, account.id))


@router.callback_query(On(PollCb, a=A.NEW))
async def on_new(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                 t: Translator, state: FSMContext) -> Screen:
    await state.clear()
    return screens.pick_class(t, await notices.notice_scope(session, account.id))


@router.callback_query(On(PollCb, a=A.CLASS))
async def on_class(_: CallbackQuery, callback_data: PollCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    name = (await notices.check_target(session, account.id, callback_data.n or None))[1]
    return screens.pick_audience(t, callback_data.n, name)


@router.callback_query(On(PollCb, a=A.AUDIENCE))
async def on_audience(_: CallbackQuery, callback_data: PollCb, session: AsyncSession,
                      account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    index = callback_data.p
    audience = notices.AUDIENCES[index] if 0 <= index < len(notices.AUDIENCES) else "?"
    name = (await notices.check_target(session, account.id, callback_data.n or None,
                                       audience))[1]
    await state.set_state(PollDraft.question)
    await state.set_data({"class_id": callback_data.n, "class_name": name,
                          "audience": audience, "multiple": False, "anonymous": False,
                          "hours": polls.DURATIONS_H[0]})
    return screens.ask(t, "poll-ask-question")


@router.message(StateFilter(PollDraft.question), F.text, ~F.text.startswith("/"))
async def on_question(message: Message, t: Translator, state: FSMContext) -> Screen:
    await state.update_data(question=polls.checked_question(message.text or ""))
    await state.set_state(PollDraft.options)
    return screens.ask(t, "poll-ask-options")


@router.message(StateFilter(PollDraft.options), F.text, ~F.text.startswith("/"))
async def on_options(message: Message, t: Translator, state: FSMContext) -> Screen:
    draft = await state.update_data(options=polls.checked_options(message.text or ""))
    await state.set_state(PollDraft.preview)
    return screens.preview(t, draft)


async def _draft(state: FSMContext) -> dict[str, Any] | None:
    if await state.get_state() != PollDraft.preview.state:
        return None
    return await state.get_data()


@router.callback_query(On(PollCb, a=A.MULTIPLE))
@router.callback_query(On(PollCb, a=A.ANONYMOUS))
@router.callback_query(On(PollCb, a=A.DURATION))
async def on_toggle(_: CallbackQuery, callback_data: PollCb, t: Translator,
                    state: FSMContext) -> Reply:
    draft = await _draft(state)
    if draft is None:
        return Alert(t("notice-draft-gone"))
    if callback_data.a == A.MULTIPLE:
        draft = await state.update_data(multiple=not draft["multiple"])
    elif callback_data.a == A.ANONYMOUS:
        draft = await state.update_data(anonymous=not draft["anonymous"])
    else:
        hours = polls.DURATIONS_H
        now = hours.index(draft["hours"]) if draft["hours"] in hours else 0
        draft = await state.update_data(hours=hours[(now + 1) % len(hours)])
    shown = screens.preview(t, draft)
    return Screen(shown.text, shown.rows)  # in place


@router.callback_query(On(PollCb, a=A.SEND))
async def on_send(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator, state: FSMContext) -> Reply:
    draft = await _draft(state)
    if draft is None:
        return Alert(t("notice-draft-gone"))
    await state.clear()
    result = await polls.create(
        session, account.id, class_id=draft["class_id"] or None, audience=draft["audience"],
        question=draft["question"], options=list(draft["options"]),
        multiple=draft["multiple"], anonymous=draft["anonymous"], hours=draft["hours"])
    return screens.created(t, result)


@router.callback_query(On(PollCb, a=A.CANCEL))
async def on_cancel(_: CallbackQuery, t: Translator, state: FSMContext) -> Screen:
    await state.clear()
    return screens.cancelled(t)


@router.callback_query(On(PollCb, a=A.VOTE))
async def on_vote(_: CallbackQuery, callback_data: PollCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> list[Reply]:
    ballot = await polls.vote(session, account.id, callback_data.n, callback_data.p)
    return [Alert(t("poll-voted"), popup=False), screens.ballot(t, ballot)]


@router.callback_query(On(PollCb, a=A.RESULTS))
async def on_results(_: CallbackQuery, callback_data: PollCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen:
    return screens.results(t, await polls.results(session, account.id, callback_data.n))


@router.callback_query(On(PollCb, a=A.CHART))
async def on_chart(_: CallbackQuery, callback_data: PollCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Photo:
    found = await polls.results(session, account.id, callback_data.n)
    # Drawn by the edge after the commit, in a worker thread.
    draw = functools.partial(render_poll_chart, list(found.options), list(found.counts),
                             title=found.question)
    return Photo(draw, "poll.png", t("poll-chart-caption", voters=found.voters,
                                     recipients=found.recipients))
