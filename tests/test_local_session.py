"""LocalSession, ChatClient and the demo console, against a small throwaway bot: no database,
no Telegram."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.console import Identity, run_console
from telegram_fakes.chat_client import ChatClient
from telegram_fakes.local_session import LocalSession, Record
from telegram_fakes.rules import parse_html

PDF = b"%PDF-1.4\n% a tiny fake report\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80\x00\x00\x01\xe0" + b"\x00" * 16
PARENT, TEACHER = 101, 202


class MenuCb(CallbackData, prefix="m"):
    area: str


def _menu() -> InlineKeyboardBuilder:
    kb = InlineKeyboardBuilder()
    kb.button(text="Оценки", callback_data=MenuCb(area="marks"))
    kb.button(text="Отчёт PDF", callback_data=MenuCb(area="file"))
    kb.button(text="График", callback_data=MenuCb(area="chart"))
    kb.button(text="Сайт школы", url="https://school.example")
    kb.adjust(2, 1, 1)
    return kb


def _router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("<b>Меню</b> &amp; выбор", reply_markup=_menu().as_markup())

    @router.callback_query(MenuCb.filter(F.area == "marks"))
    async def marks(query: CallbackQuery) -> None:
        await query.answer()
        back = InlineKeyboardBuilder()
        back.button(text="« Меню", callback_data=MenuCb(area="menu"))
        assert isinstance(query.message, Message)
        await query.message.edit_text("Оценки: 5, 4", reply_markup=back.as_markup())

    @router.callback_query(MenuCb.filter(F.area == "menu"))
    async def menu(query: CallbackQuery) -> None:
        await query.answer("Меню")
        assert isinstance(query.message, Message)
        await query.message.edit_text("<b>Меню</b> &amp; выбор",
                                      reply_markup=_menu().as_markup())

    @router.callback_query(MenuCb.filter(F.area == "file"))
    async def report(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.answer_document(BufferedInputFile(PDF, filename="report.pdf"),
                                            caption="Отчёт за четверть")

    @router.callback_query(MenuCb.filter(F.area == "chart"))
    async def chart(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        await query.message.answer_photo(BufferedInputFile(PNG, filename="chart.png"))

    @router.message(F.text == "/notify")
    async def notify(message: Message, bot: Bot) -> None:
        await bot.send_message(PARENT, "Новая оценка: 5")
        await message.answer("Отправлено")

    @router.message(F.text == "/boom")
    async def boom(message: Message) -> None:
        raise RuntimeError("boom")

    @router.message(F.text)
    async def text(message: Message) -> None:
        await message.answer("Не понял текст")

    @router.message()
    async def anything(message: Message) -> None:
        await message.answer("Понимаю только текст")

    @router.callback_query()
    async def stale(query: CallbackQuery) -> None:
        await query.answer("Кнопка устарела", show_alert=True)

    return router


@dataclass
class Env:
    dp: Dispatcher
    bot: Bot
    session: LocalSession

    def client(self, user_id: int = PARENT) -> ChatClient:
        return ChatClient(self.dp, self.bot, user_id)


@pytest.fixture
def env() -> Iterator[Env]:
    dp = Dispatcher()
    dp.include_router(_router())  # a router attaches to one dispatcher: fresh per test
    session = LocalSession()
    bot = Bot("42:TEST", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield Env(dp, bot, session)


# --- LocalSession through ChatClient --------------------------------------------------------


async def test_start_replies_with_text_and_buttons(env: Env) -> None:
    replies = await env.client().send("/start")

    assert [r.method for r in replies] == ["sendMessage"]
    reply = replies[0]
    assert reply.text == "Меню & выбор"  # HTML rendered as the user sees it
    assert reply.message is not None and reply.message.entities is not None
    assert reply.message.entities[0].type == "bold"
    assert reply.buttons == [("Оценки", "m:marks"), ("Отчёт PDF", "m:file"),
                             ("График", "m:chart"), ("Сайт школы", "https://school.example")]
    assert reply.message.chat.type == "private" and reply.message.chat.id == PARENT
    assert reply.message.from_user is not None and reply.message.from_user.is_bot


async def test_press_edits_the_same_message(env: Env) -> None:
    client = env.client()
    sent = (await client.send("/start"))[0].message
    assert sent is not None

    replies = await client.press("Оценки")

    assert [r.method for r in replies] == ["answerCallbackQuery", "editMessageText"]
    edited = replies[1].message
    assert edited is not None and edited.message_id == sent.message_id
    assert edited.edit_date is not None
    state = env.session.messages[(PARENT, sent.message_id)]
    assert state.text == "Оценки: 5, 4" == client.last_text
    assert client.buttons() == [("« Меню", "m:menu")]
    assert [m.text for m in env.session.sent_to(PARENT)] == ["Меню & выбор", "Оценки: 5, 4"]

    back = await client.press(1)
    assert back[0].alert == "Меню" and not back[0].show_alert
    assert client.last_text == "Меню & выбор"


async def test_document_and_photo_bytes_arrive(env: Env) -> None:
    client = env.client()
    await client.send("/start")

    doc = next(r for r in await client.press("PDF") if r.method == "sendDocument")
    assert doc.document_bytes == PDF and doc.filename == "report.pdf"
    assert doc.text == "Отчёт за четверть" == client.last_text
    assert doc.message is not None and doc.message.document is not None
    assert doc.message.document.mime_type == "application/pdf"

    photo = next(r for r in await client.press("График") if r.method == "sendPhoto")
    assert photo.photo_bytes is not None and photo.photo_bytes.startswith(b"\x89PNG")
    assert photo.message is not None and photo.message.photo is not None
    assert (photo.message.photo[0].width, photo.message.photo[0].height) == (640, 480)


async def test_other_message_kinds_reach_the_catch_all(env: Env) -> None:
    client = env.client()
    for send in (client.send_sticker, client.send_photo, client.send_voice):
        replies = await send()
        assert [r.text for r in replies] == ["Понимаю только текст"]
    assert [r.text for r in await client.send("привет")] == ["Не понял текст"]


async def test_stale_button_gets_an_alert(env: Env) -> None:
    client = env.client()
    await client.send("/start")
    replies = await client.click("m:gone")
    assert [(r.method, r.alert, r.show_alert) for r in replies] == [
        ("answerCallbackQuery", "Кнопка устарела", True)]


async def test_click_in_a_fresh_chat_uses_an_earlier_message(env: Env) -> None:
    client = env.client()
    replies = await client.click(MenuCb(area="marks").pack())  # e.g. a button from last week
    assert [r.method for r in replies] == ["answerCallbackQuery", "editMessageText"]
    assert client.last_text == "Оценки: 5, 4"


async def test_press_unknown_button_lists_the_buttons(env: Env) -> None:
    client = env.client()
    await client.send("/start")
    with pytest.raises(AssertionError, match="Оценки"):
        await client.press("Расписание")
    with pytest.raises(AssertionError, match="callback_data"):
        await client.press("Сайт")


async def test_clients_share_a_session_and_see_their_own_chat(env: Env) -> None:
    parent, teacher = env.client(PARENT), env.client(TEACHER)
    await parent.send("/start")

    replies = await teacher.send("/notify")

    assert [r.text for r in replies] == ["Отправлено"]  # the teacher's chat only
    assert parent.last_text == "Новая оценка: 5"
    assert parent.buttons()[0] == ("Оценки", "m:marks")  # the older keyboard is still there
    # One message-id sequence per chat, shared by both sides as in Telegram.
    assert [m.message_id for m in env.session.sent_to(PARENT)] == [2, 3]


async def test_blocked_chat_raises_forbidden(env: Env) -> None:
    env.session.forbid_chat(PARENT)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await env.bot.send_message(PARENT, "hi")
    with pytest.raises(TelegramForbiddenError):
        await env.client(PARENT).send("/start")
    assert env.session.requests[-1].error is not None
    assert [r.text for r in await env.client(TEACHER).send("/start")] == ["Меню & выбор"]

    env.session.allow_chat(PARENT)
    assert (await env.bot.send_message(PARENT, "hi")).text == "hi"


async def test_telegram_refusals_are_emulated(env: Env) -> None:
    bot, session = env.bot, env.session
    with pytest.raises(TelegramBadRequest, match="getChat"):
        await bot.get_chat(PARENT)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(PARENT, "оценка <5> за урок")
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.send_message(PARENT, "x" * 4097)
    sent = await bot.send_message(PARENT, "a")
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text("a", chat_id=PARENT, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.edit_message_text("b", chat_id=PARENT, message_id=999)
    assert await bot.delete_message(PARENT, sent.message_id) is True
    assert (PARENT, sent.message_id) not in session.messages


async def test_acknowledging_methods_and_get_me(env: Env) -> None:
    me = await env.bot.get_me()
    assert (me.id, me.is_bot, me.username) == (42, True, "diary_demo_bot")
    assert await env.bot.set_my_commands([]) is True
    assert await env.bot.delete_webhook() is True
    assert await env.bot.send_chat_action(PARENT, "typing") is True
    assert [r.method for r in env.session.requests] == [
        "getMe", "setMyCommands", "deleteWebhook", "sendChatAction"]
    env.session.clear()
    assert env.session.requests == []


async def test_on_event_sees_every_record(env: Env) -> None:
    seen: list[Record] = []
    env.session.on_event = seen.append
    await env.client().send("/start")
    assert [r.method for r in seen] == ["sendMessage"]


async def test_latency_keeps_requests_in_flight() -> None:
    session = LocalSession(latency=0.05)
    bot = Bot("42:TEST", session=session)

    first = asyncio.create_task(bot.send_message(PARENT, "раз"))
    await asyncio.sleep(0)  # the request has been made and waits on "Telegram"
    assert session.in_flight == 1
    assert session.requests[-1].result is None and session.sent_to(PARENT) == []
    await asyncio.gather(first, *(bot.send_message(TEACHER + i, "x") for i in range(4)))

    assert (session.in_flight, session.max_in_flight) == (0, 5)
    assert [m.text for m in session.sent_to(PARENT)] == ["раз"]
    session.clear()
    assert session.max_in_flight == 0


async def test_without_latency_requests_do_not_overlap(env: Env) -> None:
    await asyncio.gather(*(env.bot.send_message(PARENT + i, "x") for i in range(5)))
    assert env.session.max_in_flight == 1


def test_parse_html_entities_and_offsets() -> None:
    text, entities = parse_html('😀 <b>x</b> <a href="https://e.org">y</a> &lt;3')
    assert text == "😀 x y <3"
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bold", 3, 1), ("text_link", 5, 1)]  # UTF-16 offsets: the emoji counts twice
    with pytest.raises(ValueError, match="end tag"):
        parse_html("<b>open")


# --- the console ----------------------------------------------------------------------------


def _script(*lines: str) -> Callable[[str], str]:
    it = iter(lines)

    def read(prompt: str) -> str:
        return next(it)  # StopIteration at the end counts as end of input

    return read


def _files(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.iterdir()}


IDENTITIES = [Identity("Родитель Анна", PARENT), Identity("Учитель", TEACHER)]


async def test_console_picks_identity_presses_and_quits(env: Env, tmp_path: Path) -> None:
    out: list[str] = []
    await run_console(env.dp, env.bot, env.session, IDENTITIES,
                      input_func=_script("1", "1", ":quit"),
                      output=out.append, files_dir=tmp_path)
    shown = "\n".join(out)

    assert "[1] Родитель Анна" in shown and "[2] Учитель" in shown
    assert "🤖 Меню & выбор" in shown
    assert "[1] Оценки  [2] Отчёт PDF" in shown
    assert "[4] Сайт школы (https://school.example)" in shown
    assert "✏️ (изменено / updated) Оценки: 5, 4" in shown
    assert out[-1].startswith("До свидания")
    assert env.session.on_event is None  # the console's printer is detached again


async def test_console_saves_files_switches_and_ends_on_eof(env: Env, tmp_path: Path) -> None:
    out: list[str] = []
    script = _script("1", ":help", "2", ":who", "2", "/notify", "/boom", "9", ":who", "1")
    await run_console(env.dp, env.bot, env.session, IDENTITIES,
                      input_func=script, output=out.append,
                      files_dir=tmp_path)
    shown = "\n".join(out)

    saved = _files(tmp_path)
    assert list(saved.values()) == [PDF]
    assert f"📄 {next(iter(saved))}\nОтчёт за четверть" in shown
    assert ":who" in shown  # the help
    assert "→ Родитель Анна: 🤖 Новая оценка: 5" in shown  # a notification to another chat
    assert "🤖 Отправлено" in shown
    assert "⚠️ Ошибка бота / bot error: RuntimeError('boom')" in shown  # and the chat goes on
    assert "🤖 Не понял текст" in shown  # "9" is beyond the keyboard: sent as text
    assert out[-5:] == [  # back to the parent: the latest message (the notification) and keyboard
        "(последнее сообщение / last message)\nНовая оценка: 5",
        "   [1] Оценки  [2] Отчёт PDF", "   [3] График",
        "   [4] Сайт школы (https://school.example)", "До свидания! / Bye!"]
