"""A local fake of the Telegram Bot API for tests and benchmarks.

Telegram is unreachable from CI, and mocking aiogram's session would skip the HTTP layer where
real failures happen (form encoding, JSON in fields, 429/403/5xx handling). This server speaks
the wire protocol aiogram uses (``POST {base}/bot{token}/{method}`` with urlencoded or multipart
form data, nested objects JSON-encoded), answers with realistic ``{"ok": ..., "result": ...}``
bodies, records every request and enforces Telegram's flood limits, so the bot's own rate
limiting and retry logic can be verified end to end. What it accepts is decided by
`telegram_fakes.rules`, the rulebook LocalSession follows too.

Pieces: `wire` (decoding and answering), `bot_methods` (one handler per method over the
messages kept), `flood` (429s), `faults` (injected failures), `updates` (getUpdates).

Point aiogram at it with ``AiohttpSession(api=TelegramAPIServer.from_base(tg.url))``.

Deliberately imports only aiohttp and the standard library: importing aiogram costs seconds,
and benchmark harnesses start this server in processes that never need aiogram.

Standalone: ``python -m telegram_fakes.server --port 8081``. Besides the Bot API it then exposes
``POST /_fake/updates`` (push an update, JSON body), ``GET /_fake/requests`` (the request log)
and ``POST /_fake/reset`` so another process can drive and inspect it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from collections.abc import Iterable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from telegram_fakes import rules
from telegram_fakes.bot_methods import BotMethods, Handler
from telegram_fakes.faults import Faults
from telegram_fakes.flood import FloodControl, Limits
from telegram_fakes.updates import UpdateQueue
from telegram_fakes.wire import (
    PATH_RE,
    SENDING_METHODS,
    TOKEN_RE,
    ApiError,
    Recorded,
    UploadedFile,
    as_int,
    error,
    ok,
    read_params,
)

__all__ = ["SENDING_METHODS", "FakeTelegram", "Recorded", "UploadedFile", "main"]


class FakeTelegram(BotMethods):
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
        global_per_second: int = rules.GLOBAL_PER_SECOND,
        per_chat_interval: float = rules.CHAT_INTERVAL,
        group_per_minute: int = rules.GROUP_PER_MINUTE,
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

        self._handlers: dict[str, Handler] = self._method_handlers()
        self._updates = UpdateQueue()  # kept across resets: long polls in progress wait on it
        self._reset_state()

        self.app = web.Application(client_max_size=50 * 1024 * 1024)  # Telegram's upload cap
        self.app.router.add_post("/_fake/updates", self._control_push)
        self.app.router.add_get("/_fake/requests", self._control_requests)
        self.app.router.add_post("/_fake/reset", self._control_reset)
        self.app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._runner: web.AppRunner | None = None

    def _reset_state(self) -> None:
        self._faults = Faults()
        self._flood = FloodControl()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._webhook_url = ""
        self._serial = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 picks a free port); returns the base URL."""
        self._updates.closing = False
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
        self._updates.closing = True
        self._updates.wake()
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
        self._updates.reset()
        self._reset_state()

    # --- fault injection -----------------------------------------------------------------------

    def block_chat(self, chat_id: int) -> None:
        self._faults.blocked.add(chat_id)

    def deactivate_chat(self, chat_id: int) -> None:
        self._faults.deactivated.add(chat_id)

    def missing_chat(self, chat_id: int) -> None:
        self._faults.missing.add(chat_id)

    def restore_chat(self, chat_id: int) -> None:
        """Undo block_chat / deactivate_chat / missing_chat."""
        self._faults.restore_chat(chat_id)

    def fail_randomly(self, rate: float, seed: int = 0) -> None:
        """Answer this share of sending requests with HTTP 500; seeded, so runs repeat."""
        self._faults.fail_randomly(rate, seed)

    def fail_next(self, n: int, status: int = 502) -> None:
        """Answer the next ``n`` sending requests with ``status``."""
        self._faults.fail_next(n, status)

    def stall_after(self, k: int | None, *, deliver: bool = False) -> None:
        """Let the next ``k`` sending requests through, then withhold the answer to every
        later one (recorded with reason "stalled", never delivered). ``deliver``: carry the
        later ones out (delivered, status 200, reason "withheld") and withhold only the
        answer, as when a connection drops after Telegram accepted a message. None: stop
        stalling and answer the withheld requests with 504."""
        self._faults.stall_after(k, deliver=deliver)

    # --- updates -----------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; assigns ``update_id`` if missing, returns it."""
        self._remember_incoming(update)
        return self._updates.push(update)

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
                {"type": "bot_command", "offset": 0, "length": rules.utf16_len(command)}
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

    # --- HTTP layer --------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        match = PATH_RE.match(request.path)
        if match is None:
            return error(404, "Not Found")
        params, files = await read_params(request)
        token, method = match["token"], match["method"]
        rec = Recorded(
            method=method,
            params=params,
            at=time.monotonic(),
            chat_id=as_int(params.get("chat_id")),
            files=files,
        )
        if method.lower() in SENDING_METHODS and self._faults.stalls():
            if self._faults.stall_delivers:
                await self._deliver_withheld(rec, token, method.lower())
                return error(504, "Gateway Timeout")
            rec.status, rec.reason = 504, "stalled"
            self.requests.append(rec)
            self.rejected.append(rec)
            await self._faults.wait_for_release()
            return error(504, "Gateway Timeout")
        self.requests.append(rec)
        try:
            result = await self._call(token, method.lower(), rec)
        except ApiError as exc:
            rec.status, rec.reason, rec.retry_after = exc.status, exc.reason, exc.retry_after
            self.rejected.append(rec)
            if exc.status == HTTPStatus.TOO_MANY_REQUESTS:
                self.count_429 += 1
            return error(exc.status, exc.description, exc.retry_after)
        return ok(result)

    async def _deliver_withheld(self, rec: Recorded, token: str, name: str) -> None:
        """Carry out a sending request, then hold its answer until released."""
        self.requests.append(rec)
        try:
            await self._call(token, name, rec)
            rec.reason = "withheld"
        except ApiError as exc:
            rec.status, rec.reason = exc.status, exc.reason
            self.rejected.append(rec)
        await self._faults.wait_for_release()

    async def _call(self, token: str, name: str, rec: Recorded) -> Any:
        if not TOKEN_RE.match(token):
            raise ApiError(401, "Unauthorized", "unauthorized")
        bot_id = int(token.split(":", 1)[0])
        if name == "getupdates":
            return await self._get_updates(rec)
        handler = self._handlers.get(name)
        if handler is None:
            raise ApiError(404, "Not Found: method not found", "unknown_method")
        return self._guarded_call(name, handler, rec, bot_id)

    def _guarded_call(self, name: str, handler: Handler, rec: Recorded, bot_id: int) -> Any:
        """Fault injection, chat faults and flood control around a handler.

        Everything here is synchronous: no other request can interleave between the limit
        check and committing the hit, so concurrent senders cannot overshoot a window.
        """
        sending = name in SENDING_METHODS
        if sending:
            self._faults.check_send()
        self._faults.check_chat(rec.chat_id)
        if not (sending and self.enforce_limits):
            return _answer(handler, rec, bot_id)
        limits = Limits(self.global_per_second, self.per_chat_interval, self.group_per_minute,
                        self.tolerance)
        self._flood.check(limits, rec.chat_id, rec.at)
        result = _answer(handler, rec, bot_id)  # may raise 400: then the hit is not counted
        self._flood.commit(rec.chat_id, rec.at)
        return result

    # --- updates, long-polled -------------------------------------------------------------------

    async def _get_updates(self, rec: Recorded) -> list[dict[str, Any]]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                "conflict",
            )
        return await self._updates.get(rec.params)

    # --- control endpoints (for driving a standalone server from another process) ---------------

    async def _control_push(self, request: web.Request) -> web.Response:
        update = await request.json()
        return ok({"update_id": self.push_update(update)})

    async def _control_requests(self, request: web.Request) -> web.Response:
        def plain(value: Any) -> Any:
            if isinstance(value, UploadedFile):
                return {"filename": value.filename, "size": len(value.data)}
            return value

        return ok(
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
        return ok(True)



def _answer(handler: Handler, rec: Recorded, bot_id: int) -> Any:
    try:
        return handler(rec, bot_id)
    except rules.Refused as refusal:
        raise ApiError(400, refusal.description, "bad_request") from None

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
