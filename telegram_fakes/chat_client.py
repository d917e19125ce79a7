"""Talk to a Dispatcher like a Telegram user: real `Update` objects go through
`dp.feed_update`, and the bot's answers come back as `Record`s from the LocalSession.

Several clients (different user ids, or one user in several chats) may share one bot and
session. A client acts in a private chat by default, or from a group when given its chat id
and type; there it can also add the bot to the chat or remove it (my_chat_member).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Literal

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    Sticker,
    Update,
    User,
    Voice,
)

from telegram_fakes import rules
from telegram_fakes.local_session import LocalSession, Record, inline_buttons

ChatType = Literal["private", "group", "supergroup"]
BotStatus = Literal["member", "administrator", "left", "kicked"]

_query_ids = itertools.count(1)
_file_ids = itertools.count(1)


class ChatClient:
    """One user talking to the bot: in a private chat (chat id == user id, the default) or
    from a group, e.g. `ChatClient(dp, bot, 101, chat_id=-100123, chat_type="supergroup")`.

    What the client sees (`last_message`, `buttons()`…) is that chat's; replies are the
    bot's requests into that chat, plus the answer to the client's own button press.
    """

    def __init__(self, dp: Dispatcher, bot: Bot, user_id: int, *, first_name: str = "Тест",
                 language_code: str = "ru", chat_id: int | None = None,
                 chat_type: ChatType = "private", chat_title: str | None = None,
                 bot_status: BotStatus = "member") -> None:
        if not isinstance(bot.session, LocalSession):
            raise TypeError("ChatClient needs a Bot built with session=LocalSession()")
        chat_id = user_id if chat_id is None else chat_id
        if (chat_type == "private") != (chat_id == user_id):
            raise ValueError("a private chat's id is its user's id; a group's is another")
        self.dp = dp
        self.bot = bot
        self.session: LocalSession = bot.session
        self.user_id = user_id
        self.chat_id = chat_id
        self.user = User(id=user_id, is_bot=False, first_name=first_name,
                         language_code=language_code)
        if chat_type == "private":
            self.chat = Chat(id=chat_id, type=chat_type, first_name=first_name)
        else:
            self.chat = Chat(id=chat_id, type=chat_type, title=chat_title or f"Chat {chat_id}")
        # The bot's status in the chat before the first my_chat_member update: by default
        # it is there already (the user has started it; the group has it as a member).
        self.bot_status: BotStatus = bot_status

    # --- the user acts ----------------------------------------------------------------------

    async def send(self, text: str) -> list[Record]:
        """Send a text message; a leading /command is marked as Telegram marks it."""
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [MessageEntity(type="bot_command", offset=0,
                                      length=rules.utf16_len(command))]
        return await self._send_message(text=text, entities=entities)

    async def send_sticker(self, emoji: str = "🙂") -> list[Record]:
        file_id, unique_id = _file_ids_for("sticker")
        return await self._send_message(sticker=Sticker(
            file_id=file_id, file_unique_id=unique_id, type="regular", width=512, height=512,
            is_animated=False, is_video=False, emoji=emoji))

    async def send_photo(self, caption: str | None = None) -> list[Record]:
        file_id, unique_id = _file_ids_for("photo")
        photo = PhotoSize(file_id=file_id, file_unique_id=unique_id, width=320, height=240)
        return await self._send_message(photo=[photo], caption=caption)

    async def send_voice(self, duration: int = 3) -> list[Record]:
        file_id, unique_id = _file_ids_for("voice")
        return await self._send_message(voice=Voice(
            file_id=file_id, file_unique_id=unique_id, duration=duration, mime_type="audio/ogg"))

    async def click(self, callback_data: str, message: Message | None = None) -> list[Record]:
        """Press a button with this callback_data on `message` (by default the latest bot
        message with a keyboard, else the latest bot message, else an old one: see
        `_earlier_message`)."""
        target = (message or self.keyboard_message or self.last_message
                  or self._earlier_message(callback_data))
        query_id = f"q{next(_query_ids)}"
        query = CallbackQuery(id=query_id, from_user=self.user,
                              chat_instance=f"ci{self.chat_id}", message=target,
                              data=callback_data)
        return await self._feed(Update(update_id=self.session.next_update_id(),
                                       callback_query=query), query_id)

    async def press(self, button: str | int) -> list[Record]:
        """Press a button of the latest keyboard by its text (exact, else a unique substring)
        or by its 1-based number in reading order."""
        message = self.keyboard_message
        if message is None:
            raise AssertionError(f"chat {self.chat_id}: no message with a keyboard")
        found = _find_button(_buttons_of(message), button)
        if found.callback_data is None:
            raise AssertionError(f"button {found.text!r} has no callback_data "
                                 f"(url={found.url!r})")
        return await self.click(found.callback_data, message)

    async def add_bot(self, *, admin: bool = False) -> list[Record]:
        """This user adds the bot to the chat (in a private chat: unblocks it)."""
        if self.chat.type == "private":
            return await self.set_bot_status("member")
        return await self.set_bot_status("administrator" if admin else "member")

    async def remove_bot(self, *, ban: bool = False) -> list[Record]:
        """This user removes the bot from the chat (in a private chat: blocks it)."""
        banned = ban or self.chat.type == "private"
        return await self.set_bot_status("kicked" if banned else "left")

    async def set_bot_status(self, status: BotStatus) -> list[Record]:
        """Feed the my_chat_member update Telegram sends when the bot's status in this chat
        changes, with this user as the one who changed it."""
        bot_user = self.session.bot_user(self.bot)
        change = ChatMemberUpdated(chat=self.chat, from_user=self.user,
                                   date=dt.datetime.now(dt.UTC),
                                   old_chat_member=_member(self.bot_status, bot_user),
                                   new_chat_member=_member(status, bot_user))
        self.bot_status = status
        return await self._feed(Update(update_id=self.session.next_update_id(),
                                       my_chat_member=change))

    # --- what the user sees -----------------------------------------------------------------

    @property
    def last_message(self) -> Message | None:
        """The latest message the bot sent or edited in this chat, as it stands now."""
        history = self.session.sent_to(self.chat_id)
        if history:
            last = history[-1]
            return self.session.messages.get((self.chat_id, last.message_id), last)
        mine = [m for (chat, _), m in self.session.messages.items() if chat == self.chat_id]
        return max(mine, key=lambda m: m.message_id, default=None)

    @property
    def last_text(self) -> str | None:
        message = self.last_message
        if message is None:
            return None
        return message.text if message.text is not None else message.caption

    @property
    def keyboard_message(self) -> Message | None:
        """The newest bot message in this chat that currently has inline buttons."""
        with_keyboard = [m for (chat, _), m in self.session.messages.items()
                         if chat == self.chat_id and _buttons_of(m)]
        return max(with_keyboard, key=lambda m: m.message_id, default=None)

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data or url) of the latest keyboard."""
        return inline_buttons(self.keyboard_message)

    # --- plumbing ---------------------------------------------------------------------------

    def _earlier_message(self, callback_data: str) -> Message:
        """A bot message from before this session (say, before a restart) carrying the
        button: how a stale or forged callback reaches a fresh chat. It is registered with
        the session, as Telegram still has it, so the bot may edit it."""
        button = InlineKeyboardButton(text="…", callback_data=callback_data)
        message = Message(message_id=self.session.next_message_id(self.chat_id),
                          date=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                          chat=self.chat, from_user=self.session.bot_user(self.bot),
                          text="…", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
        self.session.messages[(self.chat_id, message.message_id)] = message
        return message

    async def _send_message(self, **content: Any) -> list[Record]:
        message = Message(message_id=self.session.next_message_id(self.chat_id),
                          date=dt.datetime.now(dt.UTC), chat=self.chat, from_user=self.user,
                          **content)
        return await self._feed(Update(update_id=self.session.next_update_id(),
                                       message=message))

    async def _feed(self, update: Update, query_id: str | None = None) -> list[Record]:
        """Feed one update; return what the bot did in this chat (and to this query)."""
        start = self.session.requests[-1].seq if self.session.requests else 0
        await self.dp.feed_update(self.bot, update)
        return [r for r in self.session.requests
                if r.seq > start and r.ok
                and (r.chat_id == self.chat_id
                     or (query_id is not None and r.callback_query_id == query_id))]


def _member(status: BotStatus, user: User) -> Any:
    """The bot as a chat member with this status."""
    if status == "administrator":
        return ChatMemberAdministrator(
            user=user, can_be_edited=False, is_anonymous=False, can_manage_chat=True,
            can_delete_messages=False, can_manage_video_chats=False,
            can_restrict_members=False, can_promote_members=False, can_change_info=False,
            can_invite_users=False, can_post_stories=False, can_edit_stories=False,
            can_delete_stories=False, can_send_welcome_messages=False)
    if status == "kicked":
        forever = dt.datetime.fromtimestamp(0, dt.UTC)  # Telegram's until_date=0
        return ChatMemberBanned(user=user, until_date=forever)
    if status == "left":
        return ChatMemberLeft(user=user)
    return ChatMemberMember(user=user)


def _file_ids_for(kind: str) -> tuple[str, str]:
    """A plausible (file_id, file_unique_id) pair for something the user uploads."""
    n = next(_file_ids)
    return f"user-{kind}-{n}", f"user-{kind}-u{n}"


def _buttons_of(message: Message) -> list[InlineKeyboardButton]:
    markup = message.reply_markup
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [button for row in markup.inline_keyboard for button in row]


def _find_button(buttons: list[InlineKeyboardButton],
                 wanted: str | int) -> InlineKeyboardButton:
    listing = ", ".join(f"[{i}] {b.text!r}" for i, b in enumerate(buttons, 1))
    if isinstance(wanted, int):
        if 1 <= wanted <= len(buttons):
            return buttons[wanted - 1]
        raise AssertionError(f"no button number {wanted}; buttons: {listing}")
    exact = [b for b in buttons if b.text == wanted]
    partial = [b for b in buttons if wanted in b.text]
    matches = exact or partial
    if len(matches) == 1:
        return matches[0]
    problem = "ambiguous" if matches else "no"
    raise AssertionError(f"{problem} button {wanted!r}; buttons: {listing}")
