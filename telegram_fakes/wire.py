"""The fake server's side of the Bot API wire protocol: decoding a request the way Telegram
does, recording it, and answering in Telegram's ``{"ok": ..., "result": ...}`` shape."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import web

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

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?:test/)?(?P<method>[A-Za-z]+)/?$")


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


class ApiError(Exception):
    """A refusal: the HTTP status, Telegram's description, and our reason for the record."""

    def __init__(self, status: int, description: str, reason: str, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.reason = reason
        self.retry_after = retry_after


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}", "bad_request")


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    # Only inline keyboards are part of a Message; reply keyboards are not echoed back
    # (aiogram would fail to parse them as InlineKeyboardMarkup).
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def _decode(key: str, value: str) -> Any:
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Query, JSON, urlencoded or multipart parameters, decoded as Telegram decodes them."""
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
