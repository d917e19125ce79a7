"""ChatClient from a group chat, and the bot added to or removed from a chat: a throwaway
bot on a LocalSession, no database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import JOIN_TRANSITION, LEAVE_TRANSITION, ChatMemberUpdatedFilter, Command
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from telegram_fakes.chat_client import ChatClient
from telegram_fakes.local_session import LocalSession

USER, GROUP = 101, -100123


@dataclass
class Seen:
    """What the bot saw besides messages: (chat id, old status, new status, by whom)."""

    changes: list[tuple[int, str, str, int]] = field(default_factory=list)


def _router(seen: Seen) -> Router:
    router = Router()

    @router.message(Command("where"))
    async def where(message: Message) -> None:
        kb = InlineKeyboardBuilder()
        kb.button(text="Ещё", callback_data="again")
        assert message.from_user is not None
        await message.answer(f"{message.chat.type} {message.chat.id} от {message.from_user.id}",
                             reply_markup=kb.as_markup())

    @router.callback_query(F.data == "again")
    async def again(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.answer("ок")
        await query.message.edit_text(f"снова из {query.message.chat.id}")

    @router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=JOIN_TRANSITION))
    async def joined(event: ChatMemberUpdated, bot: Bot) -> None:
        seen.changes.append((event.chat.id, event.old_chat_member.status,
                             event.new_chat_member.status, event.from_user.id))
        await bot.send_message(event.chat.id, f"Привет, {event.chat.title}")

    @router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=LEAVE_TRANSITION))
    async def left(event: ChatMemberUpdated) -> None:
        seen.changes.append((event.chat.id, event.old_chat_member.status,
                             event.new_chat_member.status, event.from_user.id))

    return router


@dataclass
class Env:
    dp: Dispatcher
    bot: Bot
    session: LocalSession
    seen: Seen


@pytest.fixture
def env() -> Iterator[Env]:
    seen = Seen()
    dp = Dispatcher()
    dp.include_router(_router(seen))
    session = LocalSession()
    yield Env(dp, Bot("42:TEST", session=session), session, seen)


async def test_messages_and_presses_come_from_the_group(env: Env) -> None:
    group = ChatClient(env.dp, env.bot, USER, chat_id=GROUP, chat_type="supergroup")
    private = ChatClient(env.dp, env.bot, USER)

    replies = await group.send("/where")

    assert [(r.chat_id, r.text) for r in replies] == [(GROUP, f"supergroup {GROUP} от {USER}")]
    pressed = await group.press("Ещё")
    assert [r.method for r in pressed] == ["answerCallbackQuery", "editMessageText"]
    assert group.last_text == f"снова из {GROUP}"
    assert private.last_message is None  # the user's private chat saw none of it
    assert [r.text for r in await private.send("/where")] == [f"private {USER} от {USER}"]
    assert group.last_text == f"снова из {GROUP}"


async def test_bot_added_to_and_removed_from_a_group(env: Env) -> None:
    group = ChatClient(env.dp, env.bot, USER, chat_id=GROUP, chat_type="supergroup",
                       chat_title="5А родители", bot_status="left")

    greeting = await group.add_bot(admin=True)
    removed = await group.remove_bot()

    assert [(r.chat_id, r.text) for r in greeting] == [(GROUP, "Привет, 5А родители")]
    assert removed == []
    assert env.seen.changes == [(GROUP, "left", "administrator", USER),
                                (GROUP, "administrator", "left", USER)]


async def test_private_chat_block_and_unblock(env: Env) -> None:
    private = ChatClient(env.dp, env.bot, USER)

    await private.remove_bot()
    await private.add_bot()

    assert env.seen.changes == [(USER, "member", "kicked", USER), (USER, "kicked", "member", USER)]


def test_chat_id_must_fit_the_chat_type(env: Env) -> None:
    with pytest.raises(ValueError, match="private"):
        ChatClient(env.dp, env.bot, USER, chat_id=GROUP)
    with pytest.raises(ValueError, match="private"):
        ChatClient(env.dp, env.bot, USER, chat_id=USER, chat_type="group")
