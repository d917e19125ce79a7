"""A local fake of the Telegram Bot API for tests and benchmarks.

Telegram is unreachable from CI, and mocking aiogram's session would skip the HTTP layer where
real failures happen (form encoding, JSON in fields, 429/403/5xx handling). This server speaks
the wire protocol aiogram uses (``POST {base}/bot{token}/{method}`` with urlencoded or multipart
form data, nested objects JSON-encoded), answers with realistic ``{"ok": ..., "result": ...}``
bodies, records every request and enforces Telegram's flood limits, so the bot's own rate
limiting and retry logic can be verified end to end.

Point aiogram at it with ``AiohttpSession(api=TelegramAPIServer.from_base(tg.url))``.

Deliberately imports only aiohttp and the standard library: importing aiogram costs seconds,
and benchmark harnesses start this server in processes that never need aiogram.

Standalone: ``python -m bot.fake_telegram --port 8081``. Besides the Bot API it then exposes
``POST /_fake/updates`` (push an update, JSON body), ``GET /_fake/requests`` (the request log)
and ``POST /_fake/reset`` so another process can drive and inspect it.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import html.parser
import json
import math
import mimetypes
import random
import re
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = ["SENDING_METHODS", "FakeTelegram", "Recorded", "UploadedFile", "main"]

# Methods that deliver or change visible content: the ones Telegram's flood control and our
# fault injection (random/next failures) apply to. Lower-case: method names are case-insensitive.
SENDING_METHODS = frozenset(
    {"sendmessage", "sendphoto", "senddocument"}
    | {"editmessagetext", "editmessagereplymarkup", "editmessagecaption", "editmessagemedia"}
)

# Form fields whose values are plain strings. Every other field is JSON-decoded (aiogram dumps
# ints, bools and nested objects as JSON), but a text like "123" must stay a string.
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "action",
        "url", "secret_token", "language_code", "business_connection_id", "message_effect_id",
        "title", "description", "short_description", "name", "emoji", "question", "query",
        "photo", "document", "audio", "video", "animation", "sticker", "voice", "video_note",
        "thumbnail", "file_id", "ip_address",
    }
)  # fmt: skip

_MAX_TEXT = 4096  # UTF-16 code units, as Telegram counts them
_MAX_CAPTION = 1024
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?:test/)?(?P<method>[A-Za-z]+)/?$")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Recorded:
    """One request as the server saw it.

    ``params`` holds decoded values: ints, dicts (e.g. ``reply_markup``), and ``UploadedFile``
    where the request referenced an upload (``attach://...``). ``status`` is the HTTP status
    answered; for refused requests ``reason`` says why (``rate_limit:global``, ``blocked``...).
    """

    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when the request was handled (after injected latency)
    chat_id: int | None
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 200
    reason: str | None = None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


class _ApiError(Exception):
    def __init__(self, status: int, description: str, reason: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.reason = reason
        self.retry_after = retry_after


def _bad_request(what: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {what}", "bad_request")


class _TextExtractor(html.parser.HTMLParser):
    """Plain text of an HTML-formatted message, as Telegram stores it (tags become entities)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _visible_text(text: str, parse_mode: Any) -> str:
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        extractor = _TextExtractor()
        extractor.feed(text)
        extractor.close()
        return "".join(extractor.parts)
    return text  # Markdown is left as is: an approximation good enough for tests


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode(key: str, value: str) -> Any:
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    # Only inline keyboards are part of a Message; reply keyboards are not echoed back
    # (aiogram would fail to parse them as InlineKeyboardMarkup).
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


class FakeTelegram:
    """State and aiohttp application of the fake Bot API.

    Configuration attributes (``enforce_limits``, ``global_per_second``, ``per_chat_interval``,
    ``group_per_minute``, ``tolerance``, ``latency``, ``strict_edits``) may be changed at any
    time, also while serving.
    """

    def __init__(
        self,
        *,
        bot_username: str = "diary_demo_bot",
        bot_first_name: str = "Diary Demo",
        enforce_limits: bool = True,
        global_per_second: int = 30,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        tolerance: float = 0.02,
        latency: float = 0.0,
        strict_edits: bool = False,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.enforce_limits = enforce_limits
        self.global_per_second = global_per_second
        self.per_chat_interval = per_chat_interval
        self.group_per_minute = group_per_minute
        self.tolerance = tolerance
        self.latency = latency
        # Lenient by default: tests often edit messages from hand-made callback updates that
        # this server never sent; with strict_edits those get "message to edit not found".
        self.strict_edits = strict_edits

        self.requests: list[Recorded] = []
        self.rejected: list[Recorded] = []
        self.count_429 = 0
        self.url = ""

        self._handlers: dict[str, Callable[[Recorded, int], Any]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_text,
                "editMessageReplyMarkup": self._edit_reply_markup,
                "editMessageCaption": self._edit_caption,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._true,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }
        self._reset_state()

        self.app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload cap
        self.app.router.add_post("/_fake/updates", self._control_push)
        self.app.router.add_get("/_fake/requests", self._control_requests)
        self.app.router.add_post("/_fake/reset", self._control_reset)
        self.app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._runner: web.AppRunner | None = None

    def _reset_state(self) -> None:
        self._blocked: set[int] = set()
        self._deactivated: set[int] = set()
        self._missing: set[int] = set()
        self._fail_rate = 0.0
        self._rng = random.Random(0)
        self._fail_next = 0
        self._fail_next_status = 502
        self._stall_after: int | None = None
        self._stall_seen = 0
        self._stall_deliver = False
        self._stall_release = asyncio.Event()
        self._global_hits: collections.deque[float] = collections.deque()
        self._chat_last: dict[int, float] = {}
        self._group_hits: dict[int, collections.deque[float]] = {}
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._updates_event = asyncio.Event()
        self._closing = False
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._webhook_url = ""
        self._serial = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); returns the base URL."""
        self._closing = False
        # Short shutdown timeout: a long-polling getUpdates must not hold stop() for a minute.
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self.url = f"http://{host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- inspection ---------------------------------------------------------------------------

    def sent(
        self,
        method: str | None = "sendMessage",
        chat_id: int | None = None,
        *,
        include_rejected: bool = False,
    ) -> list[Recorded]:
        """Accepted requests of ``method`` (None: any), optionally into one chat."""
        wanted = method.lower() if method else None
        return [
            r
            for r in self.requests
            if (wanted is None or r.method.lower() == wanted)
            and (chat_id is None or r.chat_id == chat_id)
            and (include_rejected or r.ok)
        ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state of a message (after edits), None if unknown or deleted."""
        return self._messages.get((chat_id, message_id))

    def clear(self) -> None:
        """Forget recorded requests and the 429 counter; rate windows and faults stay."""
        self.requests.clear()
        self.rejected.clear()
        self.count_429 = 0

    def reset(self) -> None:
        """Back to a fresh server: records, rate windows, faults, messages, queued updates."""
        self.clear()
        self._wake_pollers()
        self._reset_state()

    # --- fault injection -----------------------------------------------------------------------

    def block_chat(self, chat_id: int) -> None:
        self._blocked.add(chat_id)

    def deactivate_chat(self, chat_id: int) -> None:
        self._deactivated.add(chat_id)

    def missing_chat(self, chat_id: int) -> None:
        self._missing.add(chat_id)

    def restore_chat(self, chat_id: int) -> None:
        """Undo block_chat / deactivate_chat / missing_chat."""
        for faults in (self._blocked, self._deactivated, self._missing):
            faults.discard(chat_id)

    def fail_randomly(self, rate: float, seed: int = 0) -> None:
        """Answer this share of sending requests with HTTP 500; seeded, so runs repeat."""
        self._fail_rate = rate
        self._rng = random.Random(seed)

    def fail_next(self, n: int, status: int = 502) -> None:
        """Answer the next ``n`` sending requests with ``status``."""
        self._fail_next = n
        self._fail_next_status = status

    def stall_after(self, k: int | None, *, deliver: bool = False) -> None:
        """Let the next ``k`` sending requests through, then withhold the answer to every
        later one (recorded with reason "stalled", never delivered). ``deliver``: carry the
        later ones out (delivered, status 200, reason "withheld") and withhold only the
        answer, as when a connection drops after Telegram accepted a message. None: stop
        stalling and answer the withheld requests with 504."""
        if k is None:
            self._stall_release.set()
            self._stall_release = asyncio.Event()
        self._stall_after, self._stall_seen = k, 0
        self._stall_deliver = deliver

    # --- updates -----------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; assigns ``update_id`` if missing, returns it."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._remember_incoming(update)
        self._updates.append(update)
        self._wake_pollers()
        return int(update["update_id"])

    def push_message(self, chat_id: int, text: str, user_id: int | None = None) -> int:
        """Queue a text message from a user (the chat's owner in private chats)."""
        sender = user_id if user_id is not None else chat_id
        message = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": sender, "is_bot": False, "first_name": f"User {sender}"},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return self.push_update({"message": message})

    def push_callback(
        self, chat_id: int, data: str, message_id: int, user_id: int | None = None
    ) -> int:
        """Queue a button press on a message of this bot (known or not)."""
        sender = user_id if user_id is not None else chat_id
        message = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
        }
        self._serial += 1
        query = {
            "id": f"{sender}{self._serial:08d}",
            "from": {"id": sender, "is_bot": False, "first_name": f"User {sender}"},
            "chat_instance": str(chat_id),
            "message": message,
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def _wake_pollers(self) -> None:
        # Each waiter holds the event current when it started waiting; replacing it after
        # set() means a later waiter never sees a stale "set" state.
        self._updates_event.set()
        self._updates_event = asyncio.Event()

    def _remember_incoming(self, update: dict[str, Any]) -> None:
        """Store messages carried by an update so edits/deletes of them work, and keep message
        ids shared between user and bot as in a real private chat."""
        candidates = [update.get(k) for k in ("message", "edited_message", "channel_post")]
        query = update.get("callback_query")
        if isinstance(query, dict):
            candidates.append(query.get("message"))
        for msg in candidates:
            if not isinstance(msg, dict):
                continue
            chat_id = _as_int((msg.get("chat") or {}).get("id"))
            message_id = _as_int(msg.get("message_id"))
            if chat_id is None or message_id is None:
                continue
            self._messages.setdefault((chat_id, message_id), msg)
            last = self._next_message_id.get(chat_id, 0)
            self._next_message_id[chat_id] = max(last, message_id)

    # --- HTTP layer --------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        match = _PATH_RE.match(request.path)
        if match is None:
            return _error(404, "Not Found")
        params, files = await self._read_params(request)
        token, method = match["token"], match["method"]
        rec = Recorded(
            method=method,
            params=params,
            at=time.monotonic(),
            chat_id=_as_int(params.get("chat_id")),
            files=files,
        )
        if self._stall_after is not None and method.lower() in SENDING_METHODS:
            self._stall_seen += 1
            if self._stall_seen > self._stall_after and self._stall_deliver:
                await self._deliver_withheld(rec, token, method)
                return _error(504, "Gateway Timeout")
            if self._stall_seen > self._stall_after:
                rec.status, rec.reason = 504, "stalled"
                self.requests.append(rec)
                self.rejected.append(rec)
                await self._stall_release.wait()
                return _error(504, "Gateway Timeout")
        self.requests.append(rec)
        try:
            if not _TOKEN_RE.match(token):
                raise _ApiError(401, "Unauthorized", "unauthorized")
            bot_id = int(token.split(":", 1)[0])
            name = method.lower()
            if name == "getupdates":
                result: Any = await self._get_updates(rec)
            else:
                handler = self._handlers.get(name)
                if handler is None:
                    raise _ApiError(404, "Not Found: method not found", "unknown_method")
                result = self._guarded_call(name, handler, rec, bot_id)
        except _ApiError as exc:
            rec.status, rec.reason, rec.retry_after = exc.status, exc.reason, exc.retry_after
            self.rejected.append(rec)
            if exc.status == HTTPStatus.TOO_MANY_REQUESTS:
                self.count_429 += 1
            return _error(exc.status, exc.description, exc.retry_after)
        return _ok(result)

    async def _deliver_withheld(self, rec: Recorded, token: str, method: str) -> None:
        """Carry out a sending request, then hold its answer until released."""
        self.requests.append(rec)
        name = method.lower()
        try:
            if name not in self._handlers or not _TOKEN_RE.match(token):
                raise _ApiError(404, "Not Found", "unknown_method")
            self._guarded_call(name, self._handlers[name], rec, int(token.split(":", 1)[0]))
            rec.reason = "withheld"
        except _ApiError as exc:
            rec.status, rec.reason = exc.status, exc.reason
            self.rejected.append(rec)
        await self._stall_release.wait()

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        for key, value in request.query.items():
            params[key] = _decode(key, value)
        if request.content_type == "application/json":
            body = await request.read()
            if body:
                payload = json.loads(body)
                if isinstance(payload, dict):
                    params.update(payload)
        elif request.can_read_body:
            form = await request.post()
            for key, item in form.items():
                if isinstance(item, web.FileField):
                    files[key] = UploadedFile(
                        field=key,
                        filename=item.filename,
                        data=item.file.read(),
                        content_type=item.content_type,
                    )
                else:
                    text = item.decode() if isinstance(item, bytes) else str(item)
                    params[key] = _decode(key, text)
        # aiogram sends uploads as `document=attach://<part>`; other clients name the part
        # after the field itself. Either way the param becomes the UploadedFile.
        attached: set[str] = set()
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                part = value.removeprefix("attach://")
                if part in files:
                    params[key] = files[part]
                    attached.add(part)
        for key, upload in files.items():
            if key not in attached:
                params.setdefault(key, upload)
        return params, files

    def _guarded_call(
        self, name: str, handler: Callable[[Recorded, int], Any], rec: Recorded, bot_id: int
    ) -> Any:
        """Fault injection, chat faults and flood control around a handler.

        Everything here is synchronous: no other request can interleave between the limit
        check and committing the hit, so concurrent senders cannot overshoot a window.
        """
        sending = name in SENDING_METHODS
        if sending and self._fail_next > 0:
            self._fail_next -= 1
            status = self._fail_next_status
            raise _ApiError(status, HTTPStatus(status).phrase, "injected_failure")
        if sending and self._fail_rate > 0 and self._rng.random() < self._fail_rate:
            raise _ApiError(500, "Internal Server Error", "random_failure")
        chat_id = rec.chat_id
        if chat_id is not None:
            if chat_id in self._missing:
                raise _ApiError(400, "Bad Request: chat not found", "chat_not_found")
            if chat_id in self._deactivated:
                raise _ApiError(403, "Forbidden: user is deactivated", "deactivated")
            if chat_id in self._blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user", "blocked")
        if not (sending and self.enforce_limits):
            return handler(rec, bot_id)
        self._check_limits(chat_id, rec.at)
        result = handler(rec, bot_id)  # may raise 400: then the hit is not counted
        self._commit_hit(chat_id, rec.at)
        return result

    # --- flood control -------------------------------------------------------------------------

    def _check_limits(self, chat_id: int | None, now: float) -> None:
        # Windows are shortened by `tolerance`: a client pacing exactly at the limit sees its
        # requests arrive with network jitter and must not be punished for it.
        tol = self.tolerance
        waits: list[tuple[float, str]] = []
        wait = self._window_wait(self._global_hits, self.global_per_second, 1.0 - tol, now)
        if wait is not None:
            waits.append((wait, "rate_limit:global"))
        if chat_id is not None and chat_id > 0:
            last = self._chat_last.get(chat_id)
            interval = self.per_chat_interval - tol
            if last is not None and now - last < interval:
                waits.append((last + interval - now, "rate_limit:chat"))
        elif chat_id is not None:
            hits = self._group_hits.get(chat_id)
            if hits is not None:
                wait = self._window_wait(hits, self.group_per_minute, 60.0 - tol, now)
                if wait is not None:
                    waits.append((wait, "rate_limit:group"))
        if waits:
            wait, reason = max(waits)
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", reason, retry_after
            )

    @staticmethod
    def _window_wait(
        hits: collections.deque[float], limit: int, span: float, now: float
    ) -> float | None:
        """Seconds until one more hit fits into the sliding window, None if it fits now."""
        while hits and hits[0] <= now - span:
            hits.popleft()
        if len(hits) < limit:
            return None
        # The oldest hit that must leave so that len(hits) drops below the limit.
        return hits[len(hits) - limit] + span - now

    def _commit_hit(self, chat_id: int | None, now: float) -> None:
        self._global_hits.append(now)
        if chat_id is None:
            return
        if chat_id > 0:
            self._chat_last[chat_id] = now
        else:
            self._group_hits.setdefault(chat_id, collections.deque()).append(now)

    # --- objects -----------------------------------------------------------------------------

    def _bot_user(self, bot_id: int) -> dict[str, Any]:
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        # -100… ids are supergroups (and channels); shorter negative ids are basic groups.
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        return message_id

    def _new_message(self, rec: Recorded, bot_id: int, content: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(rec)
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(bot_id),
            **content,
        }
        markup = _inline_markup(rec.params)
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return dict(message)

    @staticmethod
    def _require_chat(rec: Recorded) -> int:
        if "chat_id" not in rec.params:
            raise _bad_request("chat_id is empty")
        if rec.chat_id is None:
            raise _ApiError(400, "Bad Request: chat not found", "chat_not_found")
        return rec.chat_id

    def _file_ids(self) -> tuple[str, str]:
        self._serial += 1
        n = self._serial
        return f"BQACAgIAAxkBAAI{n:010d}", f"AgAD{n:08d}"

    def _caption(self, rec: Recorded) -> dict[str, Any]:
        caption = rec.params.get("caption")
        if not isinstance(caption, str) or not caption:
            return {}
        caption = _visible_text(caption, rec.params.get("parse_mode"))
        if _utf16_len(caption) > _MAX_CAPTION:
            raise _bad_request("message caption is too long")
        content: dict[str, Any] = {"caption": caption}
        if isinstance(rec.params.get("caption_entities"), list):
            content["caption_entities"] = rec.params["caption_entities"]
        return content

    def _text(self, rec: Recorded) -> dict[str, Any]:
        raw = rec.params.get("text")
        text = _visible_text(raw, rec.params.get("parse_mode")) if isinstance(raw, str) else ""
        if not text.strip():
            raise _bad_request("message text is empty")
        if _utf16_len(text) > _MAX_TEXT:
            raise _bad_request("message is too long")
        content: dict[str, Any] = {"text": text}
        if isinstance(rec.params.get("entities"), list):
            content["entities"] = rec.params["entities"]
        return content

    # --- method handlers -----------------------------------------------------------------------

    def _true(self, rec: Recorded, bot_id: int) -> bool:
        return True

    def _get_me(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        return {
            **self._bot_user(bot_id),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        self._require_chat(rec)
        return self._new_message(rec, bot_id, self._text(rec))

    def _send_photo(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        self._require_chat(rec)
        photo = rec.params.get("photo")
        if photo is None or photo == "":
            raise _bad_request("there is no photo in the request")
        size = len(photo.data) if isinstance(photo, UploadedFile) else 50_000
        sizes = []
        for width, height, share in ((90, 67, 0.02), (320, 240, 0.15), (1280, 960, 1.0)):
            file_id, unique_id = self._file_ids()
            if isinstance(photo, str) and not photo.startswith(("http://", "https://")):
                file_id = photo  # resent by file_id: Telegram answers with the same id
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": max(1, int(size * share)),
                }
            )
        return self._new_message(rec, bot_id, {"photo": sizes, **self._caption(rec)})

    def _send_document(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        self._require_chat(rec)
        document = rec.params.get("document")
        if document is None or document == "":
            raise _bad_request("there is no document in the request")
        file_id, unique_id = self._file_ids()
        info: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id}
        if isinstance(document, UploadedFile):
            mime = mimetypes.guess_type(document.filename)[0] or document.content_type
            info.update(file_name=document.filename, mime_type=mime, file_size=len(document.data))
        elif not document.startswith(("http://", "https://")):
            info["file_id"] = document
        return self._new_message(rec, bot_id, {"document": info, **self._caption(rec)})

    def _target(self, rec: Recorded) -> dict[str, Any] | None:
        """The message an edit addresses; None for inline messages (Telegram answers True)."""
        if "inline_message_id" in rec.params:
            return None
        chat_id = self._require_chat(rec)
        message_id = _as_int(rec.params.get("message_id"))
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None:
            if self.strict_edits or key in self._deleted:
                raise _bad_request("message to edit not found")
            message = {"message_id": message_id, "date": int(time.time()),
                       "chat": self._chat(chat_id)}  # fmt: skip
            self._messages[key] = message
        return message

    @staticmethod
    def _apply_edit(
        message: dict[str, Any], changes: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        fresh = "edit_date" not in message and "from" not in message  # synthesized placeholder
        same = all(message.get(k) == v for k, v in changes.items())
        if not fresh and same and message.get("reply_markup") == markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.update(changes)
        if markup is None:
            message.pop("reply_markup", None)  # an edit without markup removes the keyboard
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return dict(message)

    def _edit_text(self, rec: Recorded, bot_id: int) -> dict[str, Any] | bool:
        content = self._text(rec)
        message = self._target(rec)
        if message is None:
            return True
        if "entities" not in content:
            message.pop("entities", None)
        return self._apply_edit(message, content, _inline_markup(rec.params))

    def _edit_reply_markup(self, rec: Recorded, bot_id: int) -> dict[str, Any] | bool:
        message = self._target(rec)
        if message is None:
            return True
        return self._apply_edit(message, {}, _inline_markup(rec.params))

    def _edit_caption(self, rec: Recorded, bot_id: int) -> dict[str, Any] | bool:
        content = self._caption(rec)
        message = self._target(rec)
        if message is None:
            return True
        if "text" in message:
            raise _bad_request("there is no caption in the message to edit")
        if "caption" not in content:
            message.pop("caption", None)
        return self._apply_edit(message, content, _inline_markup(rec.params))

    def _delete_message(self, rec: Recorded, bot_id: int) -> bool:
        chat_id = self._require_chat(rec)
        message_id = _as_int(rec.params.get("message_id"))
        key = (chat_id, message_id if message_id is not None else -1)
        if self._messages.pop(key, None) is None and (self.strict_edits or key in self._deleted):
            raise _bad_request("message to delete not found")
        self._deleted.add(key)
        return True

    def _send_chat_action(self, rec: Recorded, bot_id: int) -> bool:
        self._require_chat(rec)
        return True

    @staticmethod
    def _commands_key(rec: Recorded) -> tuple[str, str]:
        scope = rec.params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(rec.params.get("language_code") or "")

    def _set_my_commands(self, rec: Recorded, bot_id: int) -> bool:
        commands = rec.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        self._commands[self._commands_key(rec)] = commands
        return True

    def _delete_my_commands(self, rec: Recorded, bot_id: int) -> bool:
        self._commands.pop(self._commands_key(rec), None)
        return True

    def _get_my_commands(self, rec: Recorded, bot_id: int) -> list[Any]:
        return self._commands.get(self._commands_key(rec), [])

    def _set_webhook(self, rec: Recorded, bot_id: int) -> bool:
        self._webhook_url = str(rec.params.get("url") or "")
        if rec.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _delete_webhook(self, rec: Recorded, bot_id: int) -> bool:
        self._webhook_url = ""
        if rec.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, rec: Recorded) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                "conflict",
            )
        params = rec.params
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        allowed_set = set(allowed) if isinstance(allowed, list) and allowed else None
        # Like Telegram, an offset confirms (drops) every update before it; a negative offset
        # keeps only the last -offset updates.
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        deadline = time.monotonic() + timeout
        while True:
            ready = [
                u
                for u in self._updates
                if u["update_id"] >= offset
                and (allowed_set is None or allowed_set & (u.keys() - {"update_id"}))
            ][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready
            event = self._updates_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []

    # --- control endpoints (for driving a standalone server from another process) ---------------

    async def _control_push(self, request: web.Request) -> web.Response:
        update = await request.json()
        return _ok({"update_id": self.push_update(update)})

    async def _control_requests(self, request: web.Request) -> web.Response:
        def plain(value: Any) -> Any:
            if isinstance(value, UploadedFile):
                return {"filename": value.filename, "size": len(value.data)}
            return value

        return _ok(
            [
                {
                    "method": r.method,
                    "params": {k: plain(v) for k, v in r.params.items()},
                    "at": r.at,
                    "chat_id": r.chat_id,
                    "status": r.status,
                    "reason": r.reason,
                }
                for r in self.requests
            ]
        )

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return _ok(True)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--username", default="diary_demo_bot", help="bot username for getMe")
    parser.add_argument("--no-limits", action="store_true", help="disable flood control")
    parser.add_argument("--global-per-second", type=int, default=30)
    parser.add_argument("--per-chat-interval", type=float, default=1.0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    args = parser.parse_args(None if argv is None else list(argv))

    async def serve() -> None:
        tg = FakeTelegram(
            bot_username=args.username,
            enforce_limits=not args.no_limits,
            global_per_second=args.global_per_second,
            per_chat_interval=args.per_chat_interval,
            latency=args.latency,
        )
        url = await tg.start(args.host, args.port)
        print(f"Fake Telegram Bot API at {url} (Ctrl-C to stop)", flush=True)
        stopped = asyncio.Event()
        # Harnesses stop background servers with SIGTERM; shut down as cleanly as on Ctrl-C.
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
        try:
            await stopped.wait()
        finally:
            await tg.stop()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop
        asyncio.run(serve())


if __name__ == "__main__":
    main()
