"""Class notices: the composer (class → audience → text → preview → send), the author's
counts, non-readers and reminder, the acknowledgement button of a push, and the wall.

The draft lives in the FSM storage (so it survives a restart with Redis); any command
ends it. Every step checks access again in services.notices: a button names a class or a
notice, and buttons can be forged.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import notices as screens
from screens.base import Alert, Reply, Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from screens.notices import NoticeAction, NoticeCb
from services import notices
from services.accounts import AccountInfo

router = Router(name="notices")
__all__ = ["NoticeCb", "router"]
A = NoticeAction


class NoticeDraft(StatesGroup):
    text = State()  # waiting for the notice's text
    preview = State()  # shown; waiting for send, urgency or cancel


@router.callback_query(On(MenuCb, area=MenuArea.NOTICES))
@router.callback_query(On(NoticeCb, a=A.MINE))
async def on_mine(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> Screen:
    await notices.notice_scope(session, account.id)
    return screens.author_home(t, await notices.mine(session, account.id))


@router.callback_query(On(NoticeCb, a=A.NEW))
async def on_new(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                 t: Translator, state: FSMContext) -> Screen:
    await state.clear()
    return screens.pick_class(t, await notices.notice_scope(session, account.id))


@router.callback_query(On(NoticeCb, a=A.CLASS))
async def on_class(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    class_id = callback_data.n or None
    name = (await notices.check_target(session, account.id, class_id))[1]
    return screens.pick_audience(t, callback_data.n, name,
                                 await notices.subgroups(session, class_id))


@router.callback_query(On(NoticeCb, a=A.SUBGROUP))
async def on_subgroup(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    name = (await notices.check_target(session, account.id, callback_data.n or None,
                                       subgroup_id=callback_data.g or None))[1]
    return screens.pick_audience(t, callback_data.n, name, subgroup_id=callback_data.g)


@router.callback_query(On(NoticeCb, a=A.AUDIENCE))
async def on_audience(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                      account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    index = callback_data.p
    audience = notices.AUDIENCES[index] if 0 <= index < len(notices.AUDIENCES) else "?"
    scope, name = await notices.check_target(session, account.id, callback_data.n or None,
                                             audience, callback_data.g or None)
    await state.set_state(NoticeDraft.text)
    await state.set_data({"class_id": callback_data.n, "subgroup_id": callback_data.g,
                          "class_name": name,
                          "audience": audience, "urgent": False,
                          "may_urgent": scope.school_wide})
    return screens.ask_text(t)


def _stored(draft: dict[str, Any]) -> tuple[str, str] | None:
    found = draft.get("attachment")
    return (str(found[0]), str(found[1])) if found else None


def _preview(t: Translator, draft: dict[str, Any]) -> Screen:
    found = _stored(draft)
    return screens.preview(t, class_name=draft["class_name"], audience=draft["audience"],
                           text=draft["text"], urgent=draft["urgent"],
                           may_urgent=draft["may_urgent"],
                           attachment=found[0] if found else None)


@router.message(StateFilter(NoticeDraft.text), F.text, ~F.text.startswith("/"))
@router.message(StateFilter(NoticeDraft.text), F.photo | F.document)
async def on_text(message: Message, t: Translator, state: FSMContext) -> Screen:
    attachment = _attachment(message)
    text = notices.checked_text(message.text or message.caption or "",
                                attached=attachment is not None)
    await state.update_data(text=text, attachment=attachment)
    await state.set_state(NoticeDraft.preview)
    return _preview(t, await state.get_data())


def _attachment(message: Message) -> list[str] | None:
    """A photo (its largest size) or a document sent with the notice, by file_id."""
    if message.photo:
        return ["photo", message.photo[-1].file_id]
    if message.document:
        return ["document", message.document.file_id]
    return None


async def _draft(state: FSMContext) -> dict[str, Any] | None:
    if await state.get_state() != NoticeDraft.preview.state:
        return None
    return await state.get_data()


@router.callback_query(On(NoticeCb, a=A.URGENT))
async def on_urgent(_: CallbackQuery, t: Translator, state: FSMContext) -> Reply:
    draft = await _draft(state)
    if draft is None:
        return Alert(t("notice-draft-gone"))
    if draft["may_urgent"]:
        draft = await state.update_data(urgent=not draft["urgent"])
    preview = _preview(t, draft)
    return Screen(preview.text, preview.rows)  # in place


@router.callback_query(On(NoticeCb, a=A.SEND))
async def on_send(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator, state: FSMContext) -> Reply:
    draft = await _draft(state)
    if draft is None:
        return Alert(t("notice-draft-gone"))
    await state.clear()
    result = await notices.post(session, account.id, class_id=draft["class_id"] or None,
                                audience=draft["audience"], text=draft["text"],
                                urgent=draft["urgent"], attachment=_stored(draft),
                                subgroup_id=draft.get("subgroup_id") or None)
    return screens.posted(t, result)


@router.callback_query(On(NoticeCb, a=A.CANCEL))
async def on_cancel(_: CallbackQuery, t: Translator, state: FSMContext) -> Screen:
    await state.clear()
    return screens.cancelled(t)


@router.callback_query(On(NoticeCb, a=A.STATUS))
async def on_status(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    return screens.status(t, await notices.status(session, account.id, callback_data.n))


@router.callback_query(On(NoticeCb, a=A.PENDING))
async def on_pending(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen:
    people = await notices.not_acknowledged(session, account.id, callback_data.n)
    return screens.pending(t, await notices.status(session, account.id, callback_data.n),
                           people)


@router.callback_query(On(NoticeCb, a=A.REMIND))
async def on_remind(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> list[Reply]:
    queued = await notices.remind(session, account.id, callback_data.n)
    return [Alert(t("notice-reminded", count=queued)),
            screens.status(t, await notices.status(session, account.id, callback_data.n))]


@router.callback_query(On(NoticeCb, a=A.ACK))
async def on_ack(_: CallbackQuery, callback_data: NoticeCb, session: AsyncSession,
                 account: AccountInfo, t: Translator) -> list[Reply]:
    first = await notices.acknowledge(session, account.id, callback_data.n)
    alert = Alert(t("notice-acked" if first else "notice-acked-before"), popup=False)
    if callback_data.p:
        # Pressed on the wall (p: its page + 1): the wall is shown again with the mark.
        return [alert, screens.wall(t, await notices.wall(session, account.id,
                                                          callback_data.p - 1))]
    return [alert]


@router.callback_query(On(MenuCb, area=MenuArea.WALL))
@router.callback_query(On(NoticeCb, a=A.WALL))
async def on_wall(_: CallbackQuery, session: AsyncSession,
                  account: AccountInfo, t: Translator,
                  callback_data: NoticeCb | MenuCb | None = None) -> Screen:
    page = callback_data.p if isinstance(callback_data, NoticeCb) else 0
    return screens.wall(t, await notices.wall(session, account.id, page))
