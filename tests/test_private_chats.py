"""Private chats only: an update from a group, supergroup or channel never changes an
account and never shows data. In a group the bot answers a command, a button press or
being added once, briefly, with a button that opens the private chat."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    MessageEntity,
    Update,
    User,
)

from handlers.marks import MarksCb
from screens.nav import MenuCb
from tests.conftest import BotEnv

GUARDIAN = 1001  # Петрова Анна: linked to Миша (5А) and Оля (1А)
GROUP = -1001234567890
PRIVATE_ONLY = "Я работаю только в личном чате"
_ids = itertools.count(1)


def _user(user_id: int) -> User:
    return User(id=user_id, is_bot=False, first_name="Анна", language_code="ru")


def _chat(kind: str) -> Chat:
    return Chat(id=GROUP, type=kind, title="Родители 5А")


def _message(kind: str, text: str, user_id: int = GUARDIAN) -> Message:
    entities = None
    if text.startswith("/"):
        command = text.split()[0]
        entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
    return Message(message_id=next(_ids), date=dt.datetime.now(dt.UTC), chat=_chat(kind),
                   from_user=_user(user_id), text=text, entities=entities)


def _member_update(kind: str, joined: bool, bot_id: int) -> ChatMemberUpdated:
    bot_user = User(id=bot_id, is_bot=True, first_name="Diary")
    old: Any = ChatMemberLeft(user=bot_user) if joined else ChatMemberMember(user=bot_user)
    new: Any = ChatMemberMember(user=bot_user) if joined else ChatMemberLeft(user=bot_user)
    return ChatMemberUpdated(chat=_chat(kind), from_user=_user(GUARDIAN),
                             date=dt.datetime.now(dt.UTC), old_chat_member=old,
                             new_chat_member=new)


async def _feed(env: BotEnv, **update: Any) -> list[Any]:
    start = env.session.requests[-1].seq if env.session.requests else 0
    await env.dp.feed_update(env.bot, Update(update_id=next(_ids), **update))
    return [r for r in env.session.requests if r.seq > start]


async def _accounts(env: BotEnv) -> list[Any]:
    from sqlalchemy import text

    async with env.db.sessionmaker() as s:
        return list((await s.execute(text(
            "SELECT telegram_id, chat_id, is_active, locale FROM accounts ORDER BY id"))).all())


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_group_updates_change_no_account_and_show_no_data(bot_env: BotEnv,
                                                                kind: str) -> None:
    # The guardian first uses the bot privately, as usual.
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    private_menu = client.last_text
    before = await _accounts(bot_env)
    student = int(await bot_env.scalar(
        "SELECT student_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.kind = 'guardian' ORDER BY student_id LIMIT 1",
        t=GUARDIAN))

    # A command in the group: one short notice with a button to the private chat.
    for command in ("/start", "/marks", "/menu"):
        sent = await _feed(bot_env, message=_message(kind, command))
        assert len(sent) == 1 and sent[0].chat_id == GROUP
        assert PRIVATE_ONLY in sent[0].text
        assert sent[0].buttons == [("Открыть личный чат", "https://t.me/diary_demo_bot")]

    # Plain chatter in the group, or a code pasted there: silence, and nothing linked.
    assert await _feed(bot_env, message=_message(kind, "Кто знает, что задали?")) == []
    assert await _feed(bot_env, message=_message(kind, "K7QM5-X3PD9", user_id=4242)) == []

    # A button pressed on a message in the group: an alert, never the child's marks.
    group_message = _message(kind, "…")
    for data in (MarksCb(v="r", s=student).pack(), MenuCb(area="menu").pack()):
        query = CallbackQuery(id=f"q{next(_ids)}", from_user=_user(GUARDIAN),
                              chat_instance="ci", message=group_message, data=data)
        sent = await _feed(bot_env, callback_query=query)
        assert [r.method for r in sent] == ["answerCallbackQuery"]
        assert PRIVATE_ONLY in (sent[0].alert or "")

    # The bot added to the group: one notice; removed from it: nothing at all.
    bot_id = bot_env.bot.id
    sent = await _feed(bot_env, my_chat_member=_member_update(kind, True, bot_id))
    assert len(sent) == 1 and PRIVATE_ONLY in sent[0].text
    assert await _feed(bot_env, my_chat_member=_member_update(kind, False, bot_id)) == []

    # No account moved to the group, none created for a stranger, none deactivated.
    assert await _accounts(bot_env) == before
    # Pushes and views still reach the private chat.
    await client.send("/menu")
    assert client.last_text == private_menu


async def test_a_group_that_removed_the_bot_deactivates_nobody(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    before = await _accounts(bot_env)
    bot_env.session.forbid_chat(GROUP)  # Telegram answers 403 for that chat now
    sent = await _feed(bot_env, message=_message("supergroup", "/marks"))
    assert [r.ok for r in sent] == [False]
    assert await _accounts(bot_env) == before
    assert all(row.is_active for row in before)


async def test_channel_posts_are_ignored(bot_env: BotEnv) -> None:
    before = await _accounts(bot_env)
    post = Message(message_id=next(_ids), date=dt.datetime.now(dt.UTC),
                   chat=Chat(id=GROUP, type="channel", title="Школа"), text="/marks")
    assert await _feed(bot_env, channel_post=post) == []
    assert await _accounts(bot_env) == before
