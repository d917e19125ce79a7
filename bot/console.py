"""`diary demo`'s terminal chat: a person talks to the real bot through a LocalSession.

The bot's messages are printed as the session records them (so notifications to other
people show up too); typed lines become messages, numbers press buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from telegram_fakes.chat_client import ChatClient
from telegram_fakes.local_session import LocalSession, Record

log = logging.getLogger(__name__)

Output = Callable[[str], object]
InputFunc = Callable[[str], str]

INTRO = ("Демо-чат с ботом дневника (Telegram не нужен) / Diary bot demo chat, no Telegram.\n"
         "Пишите сообщения, цифра нажимает кнопку, :help — подсказка / "
         "type messages, a number presses a button, :help for help.")
HELP = ("  текст / text  — сообщение боту / a message to the bot\n"
        "  N             — нажать кнопку N последней клавиатуры / press button N\n"
        "  :who          — сменить пользователя / switch identity\n"
        "  :help         — эта подсказка / this help\n"
        "  :quit, Ctrl-D — выход / exit")
CHOOSE = "Кто вы? / Who are you?"
BYE = "До свидания! / Bye!"


@dataclass(frozen=True)
class Identity:
    label: str
    user_id: int
    language_code: str = "ru"


async def run_console(dp: Dispatcher, bot: Bot, session: LocalSession,
                      identities: Sequence[Identity], *, input_func: InputFunc = input,
                      output: Output = print,
                      files_dir: str | Path = "var/demo-out/") -> None:
    """Chat in the terminal until :quit or end of input."""
    if not identities:
        raise ValueError("run_console needs at least one identity")
    console = _Console(dp, bot, session, list(identities), input_func, output, Path(files_dir))
    previous, session.on_event = session.on_event, console.show
    try:
        with _quiet("aiogram.event"):
            output(INTRO)
            await console.run()
    finally:
        session.on_event = previous
        output(BYE)


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """aiogram logs every handled update at INFO: noise between the lines of a chat."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def _read(input_func: InputFunc, prompt: str) -> str | None:
    """Runs in a worker thread; the end of input (or of a test's script) is None."""
    try:
        return input_func(prompt)
    except (EOFError, StopIteration):
        return None


class _Console:
    def __init__(self, dp: Dispatcher, bot: Bot, session: LocalSession,
                 identities: list[Identity], input_func: InputFunc, output: Output,
                 files_dir: Path) -> None:
        self.dp, self.bot, self.session = dp, bot, session
        self.identities = identities
        self.input_func, self.output = input_func, output
        self.files_dir = files_dir
        self.labels = {i.user_id: i.label for i in identities}
        self.clients: dict[int, ChatClient] = {}
        self.current: Identity | None = None

    async def ask(self, prompt: str) -> str | None:
        # input() blocks: a thread keeps the event loop (and the bot's tasks) running.
        line = await asyncio.to_thread(_read, self.input_func, prompt)
        return None if line is None else line.strip()

    async def run(self) -> None:
        if not await self.choose():
            return
        while self.current is not None:
            line = await self.ask(f"{self.current.label}> ")
            if line is None or line == ":quit":
                return
            await self.handle(line)

    async def choose(self) -> bool:
        """Ask who the user is; the first visit of an identity starts with /start."""
        self.output(CHOOSE)
        for n, identity in enumerate(self.identities, 1):
            self.output(f"  [{n}] {identity.label}")
        while True:
            line = await self.ask("> ")
            if line is None or line == ":quit":
                return False
            if line.isdigit() and 1 <= int(line) <= len(self.identities):
                break
            self.output(f"Введите номер 1–{len(self.identities)} / enter a number")
        self.current = self.identities[int(line) - 1]
        if self.current.user_id in self.clients:
            self.reprint()
        else:
            await self.act(self.client.send("/start"))
        return True

    @property
    def client(self) -> ChatClient:
        assert self.current is not None
        who = self.current
        if who.user_id not in self.clients:
            self.clients[who.user_id] = ChatClient(
                self.dp, self.bot, who.user_id, first_name=who.label.split()[0][:64],
                language_code=who.language_code)
        return self.clients[who.user_id]

    async def handle(self, line: str) -> None:
        if not line:
            return
        if line == ":help":
            self.output(HELP)
        elif line == ":who":
            if not await self.choose():
                self.current = None
        elif line.isdigit() and 1 <= int(line) <= len(self.client.buttons()):
            await self.press(int(line))
        else:
            # Anything else, numbers beyond the keyboard included (link codes), is a message.
            await self.act(self.client.send(line))

    async def press(self, number: int) -> None:
        message = self.client.keyboard_message
        assert message is not None and isinstance(message.reply_markup, InlineKeyboardMarkup)
        button = [b for row in message.reply_markup.inline_keyboard for b in row][number - 1]
        if button.callback_data is None:
            # URL (and other non-callback) buttons open something outside the chat.
            self.output(f"🔗 {button.text}: {button.url or '(не поддерживается / unsupported)'}")
            return
        await self.act(self.client.press(number))

    async def act(self, action: Awaitable[object]) -> None:
        """Await a client action; a failing handler is reported, the chat goes on."""
        try:
            await action
        except Exception as error:
            log.exception("the bot failed on this update")
            self.output(f"⚠️ Ошибка бота / bot error: {error!r}")

    def reprint(self) -> None:
        message = self.client.last_message
        if message is not None:
            self.output(f"(последнее сообщение / last message)\n{self.client.last_text or ''}")
            self.print_keyboard(self.client.keyboard_message)

    # --- printing what the bot does (LocalSession.on_event) --------------------------------

    def show(self, record: Record) -> None:
        prefix = self.prefix(record)
        if record.error is not None:
            self.output(f"{prefix}✗ {record.method}: {record.error.message}")
        elif record.method == "answerCallbackQuery":
            if record.alert:
                self.output(f"{prefix}{'⚠️' if record.show_alert else '💬'} {record.alert}")
        elif record.method == "deleteMessage":
            self.output(f"{prefix}🗑 (сообщение удалено / message deleted)")
        elif record.message is not None:
            self.show_message(prefix, record)

    def prefix(self, record: Record) -> str:
        """Messages to somebody else's chat (notifications) say whose they are."""
        if record.chat_id is None or self.current is None:
            return ""
        if record.chat_id == self.current.user_id:
            return ""
        if not isinstance(record.chat_id, int):
            return f"→ {record.chat_id}: "
        return f"→ {self.labels.get(record.chat_id, record.chat_id)}: "

    def show_message(self, prefix: str, record: Record) -> None:
        mark = "✏️ (изменено / updated) " if record.is_edit else "🤖 "
        text = record.text or ""
        saved = self.save_file(record)
        if saved is not None:
            icon = "🖼" if record.photo_bytes is not None else "📄"
            text = f"{icon} {saved}" + (f"\n{text}" if text else "")
        self.output(f"{prefix}{mark}{text}")
        self.print_keyboard(record.message)

    def print_keyboard(self, message: Message | None) -> None:
        """One line per keyboard row, buttons numbered in reading order."""
        markup = message.reply_markup if message else None
        if not isinstance(markup, InlineKeyboardMarkup):
            return
        numbers = itertools.count(1)
        for row in markup.inline_keyboard:
            self.output("   " + "  ".join(_button_label(next(numbers), b) for b in row))

    def save_file(self, record: Record) -> Path | None:
        data = record.file_bytes
        if data is None or record.message is None:
            return None
        name = Path(record.filename or ("photo.png" if record.photo_bytes else "file.bin")).name
        path = self.files_dir / f"{record.chat_id}-{record.message.message_id}-{name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_new(path, data)


def _button_label(number: int, button: InlineKeyboardButton) -> str:
    if button.callback_data is None and button.url:
        return f"[{number}] {button.text} ({button.url})"
    return f"[{number}] {button.text}"


def _write_new(path: Path, data: bytes) -> Path:
    """Write to `path`, or to "name-2.ext", "name-3.ext"… when that file is there already
    (message ids start over with every run): a saved file is never overwritten."""
    for n in itertools.count(1):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            with candidate.open("xb") as out:  # "x": fails rather than overwrite
                out.write(data)
        except FileExistsError:
            continue
        return candidate
    raise AssertionError("unreachable")
