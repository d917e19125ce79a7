"""Telegram's rules, written once for both fakes: the limits, how a text's length is counted,
and the HTML parse mode.

LocalSession and the fake server apply these and nothing else, so a text one of them
accepts the other accepts too, and both refuse with Telegram's own wording. Production code
keeps its own copies of the limits it needs: it must not depend on a test tool.

Standard library only: the fake server starts in processes that never import aiogram.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any

# --- limits ---------------------------------------------------------------------------------

TEXT_LIMIT = 4096  # a message's text: UTF-16 code units after entity parsing
CAPTION_LIMIT = 1024  # a photo's or document's caption, counted the same way
ALERT_LIMIT = 200  # the toast or alert of answerCallbackQuery
CALLBACK_DATA_LIMIT = 64  # bytes (UTF-8) of one button's callback_data; at least 1

# Flood control, as Telegram's FAQ gives it: about 30 messages a second overall, one a second
# into one private chat, 20 a minute into one group.
GLOBAL_PER_SECOND = 30
CHAT_INTERVAL = 1.0  # seconds
GROUP_PER_MINUTE = 20

# Telegram's descriptions of the refusals, after "Bad Request: ".
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
ALERT_TOO_LONG = "MESSAGE_TOO_LONG"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
CANT_PARSE = "can't parse entities"


class Refused(Exception):
    """Telegram would answer this request with 400 Bad Request and `description`."""

    def __init__(self, what: str) -> None:
        self.description = f"Bad Request: {what}"
        super().__init__(self.description)


class HtmlError(ValueError):
    """Markup that Telegram's HTML parse mode does not accept."""


@dataclass(frozen=True)
class Entity:
    """A MessageEntity as the Bot API sends it; offsets and lengths in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Bot API JSON: the fields that are set."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Formatted:
    """A text as Telegram stores it: markup gone, entities decoded."""

    text: str
    entities: tuple[Entity, ...] = ()


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


# --- checks ---------------------------------------------------------------------------------


def formatted(source: str, parse_mode: str | None) -> Formatted:
    """`source` as stored under `parse_mode`; Refused where Telegram can't parse it.

    Only HTML is parsed (the bot uses nothing else); other modes keep the text as typed.
    A request that carries explicit entities ignores its parse_mode: pass None then.
    """
    if not (parse_mode and parse_mode.lower() == "html"):
        return Formatted(source)
    try:
        text, entities = parse_html(source)
    except HtmlError as error:
        raise Refused(f"{CANT_PARSE}: {error}") from None
    return Formatted(text, tuple(entities))


def message_text(source: str | None, parse_mode: str | None) -> Formatted:
    """The text of sendMessage or editMessageText, checked as Telegram checks it."""
    result = formatted(source or "", parse_mode)
    if not result.text.strip():
        raise Refused(TEXT_EMPTY)
    if utf16_len(result.text) > TEXT_LIMIT:
        raise Refused(TEXT_TOO_LONG)
    return result


def caption(source: str, parse_mode: str | None) -> Formatted:
    """A media caption, checked as Telegram checks it."""
    result = formatted(source, parse_mode)
    if utf16_len(result.text) > CAPTION_LIMIT:
        raise Refused(CAPTION_TOO_LONG)
    return result


def check_alert(text: str | None) -> None:
    """The text of answerCallbackQuery."""
    if text and utf16_len(text) > ALERT_LIMIT:
        raise Refused(ALERT_TOO_LONG)


def check_callback_data(data: Iterable[str | None]) -> None:
    """Every button's callback_data (None for url buttons and the like)."""
    for value in data:
        if value is not None and not 0 < len(value.encode()) <= CALLBACK_DATA_LIMIT:
            raise Refused(BUTTON_DATA_INVALID)


# --- the HTML parse mode --------------------------------------------------------------------

_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip

_NAMED = {"lt", "gt", "amp", "quot"}  # the only named entities Telegram decodes


@dataclass
class _Open:
    tag: str
    offset: int
    attrs: dict[str, str | None] = field(default_factory=dict)


class _TelegramHtml(HTMLParser):
    """Turns Telegram-flavoured HTML into plain text plus entities, refusing what Telegram
    refuses (unsupported or unbalanced tags, a bare "<")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.length = 0  # UTF-16 units so far ("offset" is HTMLParser's own attribute)
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in _ENTITY_TYPES or (tag == "span" and found.get("class") != "tg-spoiler"):
            raise HtmlError(f'Unsupported start tag "{tag}"')
        self.stack.append(_Open(tag, self.length, found))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise HtmlError(f'Unexpected end tag "{tag}"')
        opened = self.stack.pop()
        if opened.tag != tag:
            raise HtmlError(f'Unmatched end tag "</{tag}>", expected "</{opened.tag}>"')
        length = self.length - opened.offset
        if opened.tag == "code" and self.stack and self.stack[-1].tag == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            self.stack[-1].attrs.setdefault("class", opened.attrs.get("class"))
        elif length:  # Telegram drops empty entities
            self.entities.append(self._entity(opened, length))

    def _entity(self, opened: _Open, length: int) -> Entity:
        attrs = opened.attrs
        language = (attrs.get("class") or "").removeprefix("language-") or None
        if opened.tag == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        else:
            kind = _ENTITY_TYPES[opened.tag]
        return Entity(type=kind, offset=opened.offset, length=length,
                      url=attrs.get("href") if opened.tag == "a" else None,
                      language=language if opened.tag == "pre" else None,
                      custom_emoji_id=attrs.get("emoji-id"))

    def handle_data(self, data: str) -> None:
        # Telegram reads every raw "<" as a tag; HTMLParser passes "<5" or "a < b" as text.
        if "<" in data:
            tag = data.split("<", 1)[1].split(">", 1)[0].split(" ", 1)[0]
            raise HtmlError(f'Unsupported start tag "{tag}"')
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        # Any other named entity stays as typed.
        self._text(html.unescape(f"&{name};") if name in _NAMED else f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(html.unescape(f"&#{name};"))

    def _text(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16_len(text)

    def handle_comment(self, data: str) -> None:
        raise HtmlError("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise HtmlError("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise HtmlError("Unsupported processing instruction")


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Plain text and entities of a parse_mode=HTML text; HtmlError where Telegram fails."""
    parser = _TelegramHtml()
    parser.feed(source)
    parser.close()
    if parser.stack:
        raise HtmlError(
            f'Can\'t find end tag corresponding to start tag "{parser.stack[-1].tag}"')
    entities = sorted(parser.entities, key=lambda e: (e.offset, -e.length))
    return "".join(parser.parts), entities
