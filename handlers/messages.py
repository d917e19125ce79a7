"""Messages between families and teachers: the menus, a short composing conversation (one
message: text, a photo or a document; any command cancels it), and replies to relayed
messages and to absence pushes. Access is decided by services.messages on every step."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import messages as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.messages import HoursCb, HoursChoice, MsgAction, MsgCb
from screens.nav import MenuArea, MenuCb
from services import access, message_teachers, messages, office_hours
from services.accounts import AccountInfo
from services.errors import NotLinked
from services.messages import Attachment

router = Router(name="messages")
__all__ = ["HoursCb", "MsgCb", "router"]


class Compose(StatesGroup):
    writing = State()  # data: the thread id


def _is_command(message: Message) -> bool:
    return (message.text or "").startswith("/")


def _content(message: Message) -> tuple[str, Attachment | None] | None:
    """What a message relays: its text or caption, and a photo or document by file_id;
    None for anything else (a sticker, a voice note)."""
    if message.photo:
        return message.caption or "", Attachment("photo", message.photo[-1].file_id)
    if message.document:
        return message.caption or "", Attachment("document", message.document.file_id)
    if message.text is not None:
        return message.text, None
    return None


@router.message(StateFilter(Compose.writing))
async def on_written(message: Message, session: AsyncSession, account: AccountInfo,
                     t: Translator, state: FSMContext) -> Screen:
    content = _content(message)
    if content is None:
        return Screen(t("msg-unsupported"))
    thread_id = int((await state.get_data()).get("thread", 0))
    result = await messages.send(session, account.id, thread_id, *content)
    await state.clear()
    return screens.sent(t, result)


@router.callback_query(StateFilter(Compose.writing),
                       ~F.data.startswith(MsgCb.prefix + ":"))
async def on_button_while_writing(_: CallbackQuery, state: FSMContext) -> None:
    # Leaving for another screen stops composing: a later text is not sent by surprise.
    await state.clear()
    raise SkipHandler()


async def _is_reply(message: Message) -> bool:
    # A coroutine: aiogram would run a magic filter in a thread for every message.
    return message.reply_to_message is not None


@router.message(_is_reply)
async def on_reply(message: Message, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> Screen:
    """A reply to a relayed message continues its thread; a reply to an absence push
    reaches the class teacher. Replies to anything else go on to other handlers."""
    replied = message.reply_to_message
    content = _content(message)
    if _is_command(message) or replied is None or content is None:
        raise SkipHandler()
    thread_id = await messages.thread_for_reply(session, account.id, message.chat.id,
                                                replied.message_id)
    if thread_id is None:
        raise SkipHandler()
    return screens.sent(t, await messages.send(session, account.id, thread_id, *content))


@router.message(Command("messages"))
@router.callback_query(On(MenuCb, area=MenuArea.MESSAGES))
async def on_family_home(_: Message | CallbackQuery, session: AsyncSession,
                         account: AccountInfo, t: Translator) -> Screen:
    roles = await access.load_roles(session, account.id)
    child = access.active_child(roles, account.active_student_id)
    if child is None:
        if roles.staff is not None:
            return await _staff_home(session, account, t)
        raise NotLinked()
    return screens.family_home(t, child, await message_teachers.teachers_for(
        session, account.id, child.student_id), await messages.family_threads(session,
                                                                           account.id))


@router.callback_query(On(MenuCb, area=MenuArea.INBOX))
async def on_inbox(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> Screen:
    return await _staff_home(session, account, t)


async def _staff_home(session: AsyncSession, account: AccountInfo, t: Translator) -> Screen:
    return screens.staff_home(t, await messages.staff_threads(session, account.id),
                              await messages.blocked_threads(session, account.id))


@router.callback_query(On(MsgCb, action=MsgAction.WRITE))
async def on_write(_: CallbackQuery, callback_data: MsgCb, session: AsyncSession,
                   account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    info = await messages.open_thread(session, account.id, callback_data.s,
                                      callback_data.staff)
    await state.set_state(Compose.writing)
    await state.set_data({"thread": info.id})
    return screens.compose(t, info, "family")


@router.callback_query(On(MsgCb, action=MsgAction.REPLY))
async def on_reply_button(_: CallbackQuery, callback_data: MsgCb, session: AsyncSession,
                          account: AccountInfo, t: Translator, state: FSMContext) -> Screen:
    view = await messages.read_thread(session, account.id, callback_data.th)
    if view.side == "reader" or (view.side == "family" and view.thread.blocked):
        return screens.thread(t, view)
    await state.set_state(Compose.writing)
    await state.set_data({"thread": view.thread.id})
    return screens.compose(t, view.thread, view.side)


@router.callback_query(On(MsgCb, action=MsgAction.CANCEL))
async def on_cancel(_: CallbackQuery, t: Translator, state: FSMContext) -> Screen:
    await state.clear()
    return screens.cancelled(t)


@router.callback_query(On(MsgCb, action=MsgAction.OPEN))
async def on_open(_: CallbackQuery, callback_data: MsgCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Screen:
    return screens.thread(t, await messages.read_thread(session, account.id,
                                                        callback_data.th))


@router.callback_query(On(MsgCb, action=MsgAction.MUTE))
@router.callback_query(On(MsgCb, action=MsgAction.BLOCK))
async def on_flag(_: CallbackQuery, callback_data: MsgCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Screen:
    flag = {"mute" if callback_data.action == MsgAction.MUTE else "block": callback_data.on}
    await messages.set_flag(session, account.id, callback_data.th, **flag)
    return screens.thread(t, await messages.read_thread(session, account.id,
                                                        callback_data.th))


@router.callback_query(On(HoursCb))
async def on_hours(_: CallbackQuery, callback_data: HoursCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    if callback_data.preset != HoursChoice.SHOW:
        current = await office_hours.set_hours(session, account.id, callback_data.preset.value)
    else:
        staff = await access.require_staff(session, account.id)
        current = await office_hours.hours_of(session, staff.staff_id)
    return screens.hours(t, current)
