"""What the bot says, as plain data: a screen is text plus rows of buttons whose payloads
are packed callback data. Built from service results and Fluent; no messenger types, so a
second front end could render the same values.

A handler returns one of these (or a sequence of them); the edge commits the update's
transaction and only then sends them (handlers/replies.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Telegram's limits, part of the spec (the fakes enforce the same numbers).
TEXT_LIMIT = 4096  # characters of a message, after entity parsing
CAPTION_LIMIT = 1024  # characters of a photo or document caption
ALERT_LIMIT = 200  # characters of an answer to a button press
CALLBACK_DATA_LIMIT = 64  # bytes of a button's payload


@dataclass(frozen=True)
class Button:
    """A button: a payload for the bot (`payload`) or a link to open (`url`)."""

    text: str
    payload: str | None = None
    url: str | None = None


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Screen:
    """A view. Pressing a button of a screen replaces it in place, unless `new` asks for a
    message of its own (a reply to a command is always new)."""

    text: str
    rows: Rows = ()
    new: bool = False


@dataclass(frozen=True)
class Alert:
    """A short answer to a button press (a pop-up when `popup`); to a message, a message."""

    text: str
    popup: bool = True


# Heavy output (a chart, a PDF) may come as a function that makes it: the edge calls it
# after the commit, in a worker thread, so drawing never holds a transaction open nor
# blocks the event loop.
Bytes = bytes | Callable[[], bytes]


@dataclass(frozen=True)
class Photo:
    png: Bytes
    filename: str
    caption: str = ""
    rows: Rows = ()


@dataclass(frozen=True)
class Document:
    data: Bytes
    filename: str
    caption: str = ""


@dataclass(frozen=True)
class Media:
    """A file Telegram already has (a relayed photo or document), sent again by file_id."""

    kind: str  # "photo" or "document"
    file_id: str
    caption: str = ""


Reply = Screen | Alert | Photo | Document | Media
Replies = Reply | Sequence[Reply] | None


def layout(buttons: Sequence[Button], *sizes: int) -> Rows:
    """Rows of `sizes[0]`, `sizes[1]`… buttons; the last size repeats for the rest."""
    sizes = sizes or (8,)  # as many as Telegram shows in a row
    rows: list[tuple[Button, ...]] = []
    start, index = 0, 0
    while start < len(buttons):
        size = max(1, sizes[min(index, len(sizes) - 1)])
        rows.append(tuple(buttons[start:start + size]))
        start += size
        index += 1
    return tuple(rows)


def rows(*given: Sequence[Button]) -> Rows:
    """The rows given, in order, with the empty ones left out (a pager with no
    neighbours, say)."""
    return tuple(tuple(row) for row in given if row)


def grid(count: int, width: int) -> list[int]:
    """Row sizes for `count` buttons laid out `width` to a row, for `layout(..., *grid(...),
    *then)`: the rows of what follows the grid come after it."""
    full, rest = divmod(count, width)
    return [width] * full + ([rest] if rest else [])
