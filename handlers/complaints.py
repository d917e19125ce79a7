"""Complaints: a family files one (category, then text) and lists theirs; the school's
admins list them by status or age, take, answer or reject them. Texts are typed in short
FSM steps that any command ends; access is checked again on every press."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import complaints as screens
from screens.base import Alert, Media, Reply, Screen
from screens.complaints import ComplaintAction, ComplaintCb
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import access, complaints
from services.accounts import AccountInfo
from services.errors import NotFound

router = Router(name="complaints")
__all__ = ["ComplaintCb", "router"]
A = ComplaintAction


class Typing(StatesGroup):
    complaint = State()  # the author's text
    answer = State()  # an admin's answer or reason


@router.callback_query(On(MenuCb, area=MenuArea.COMPLAINTS))
@router.callback_query(On(ComplaintCb, a=A.MINE))
async def on_mine(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> Screen:
    return screens.mine(t, await complaints.mine(session, account.id))


@router.callback_query(On(ComplaintCb, a=A.NEW))
async def on_new(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                 t: Translator) -> Screen:
    await access.viewed_student(session, account.id, account.active_student_id,
                                purpose="complaint")
    return screens.categories(t)


@router.callback_query(On(ComplaintCb, a=A.CATEGORY))
async def on_category(_: CallbackQuery, callback_data: ComplaintCb, account: AccountInfo,
                      t: Translator, state: FSMContext) -> Screen:
    if not 0 <= callback_data.p < len(complaints.CATEGORIES):
        raise access.deny(account.id, "complaint_file")
    await state.set_state(Typing.complaint)
    await state.set_data({"category": complaints.CATEGORIES[callback_data.p]})
    return screens.ask_text(t, "complaint-ask-text")


@router.message(StateFilter(Typing.complaint), F.text, ~F.text.startswith("/"))
@router.message(StateFilter(Typing.complaint), F.photo | F.document)
async def on_complaint_text(message: Message, session: AsyncSession, account: AccountInfo,
                            t: Translator, state: FSMContext) -> Screen:
    category = (await state.get_data()).get("category", "other")
    attachment = (("photo", message.photo[-1].file_id) if message.photo else
                  ("document", message.document.file_id) if message.document else None)
    filed = await complaints.file(session, account.id, account.active_student_id,
                                  category=category,
                                  text=message.text or message.caption or "",
                                  attachment=attachment)
    await state.clear()
    return screens.registered(t, filed)


@router.callback_query(On(ComplaintCb, a=A.CANCEL))
async def on_cancel(_: CallbackQuery, t: Translator, state: FSMContext) -> Screen:
    await state.clear()
    return screens.cancelled(t)


@router.callback_query(On(MenuCb, area=MenuArea.COMPLAINTS_ADMIN))
@router.callback_query(On(ComplaintCb, a=A.LIST))
async def on_list(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator, callback_data: ComplaintCb | MenuCb) -> Screen:
    counts = await complaints.counts(session, account.id)
    if not isinstance(callback_data, ComplaintCb):
        return screens.admin_home(t, counts)
    index = callback_data.p
    which = complaints.FILTERS[index] if 0 <= index < len(complaints.FILTERS) else "?"
    return screens.admin_home(t, counts, which,
                              await complaints.listing(session, account.id, which))


@router.callback_query(On(ComplaintCb, a=A.OPEN))
async def on_open(_: CallbackQuery, callback_data: ComplaintCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Screen:
    return screens.one(t, await complaints.one(session, account.id, callback_data.n))


@router.callback_query(On(ComplaintCb, a=A.FILE))
async def on_file(_: CallbackQuery, callback_data: ComplaintCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Reply:
    view = await complaints.one(session, account.id, callback_data.n)
    if view.attachment is None:
        return Alert(t("not-available"))
    return Media(*view.attachment, caption=t("complaint-file-caption", number=view.id))


@router.callback_query(On(ComplaintCb, a=A.TAKE))
async def on_take(_: CallbackQuery, callback_data: ComplaintCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Screen:
    return screens.one(t, await complaints.take(session, account.id, callback_data.n))


@router.callback_query(On(ComplaintCb, a=A.ANSWER))
@router.callback_query(On(ComplaintCb, a=A.REJECT))
async def on_reply(_: CallbackQuery, callback_data: ComplaintCb, session: AsyncSession,
                   account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    view = await complaints.one(session, account.id, callback_data.n)  # access, now
    if view.status not in complaints.OPEN:
        raise NotFound("complaint closed")
    await state.set_state(Typing.answer)
    await state.set_data({"complaint": callback_data.n,
                          "reject": callback_data.a == A.REJECT})
    return screens.ask_text(t, "complaint-ask-reason" if callback_data.a == A.REJECT
                            else "complaint-ask-answer")


@router.message(StateFilter(Typing.answer), F.text, ~F.text.startswith("/"))
async def on_answer_text(message: Message, session: AsyncSession, account: AccountInfo,
                         t: Translator, state: FSMContext) -> list[Reply]:
    data = await state.get_data()
    done = await complaints.close(session, account.id, int(data["complaint"]),
                                  text=message.text or "", reject=bool(data["reject"]))
    await state.clear()
    return [Alert(t("complaint-closed-done")), screens.one(t, done)]
