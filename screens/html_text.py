"""Telegram HTML text that must fit a limit."""

from __future__ import annotations

import re

_TAG = re.compile(r"<[^>]+>")
_PARTIAL_ENTITY = re.compile(r"&[#a-zA-Z0-9]*$")


def shorten(line: str, limit: int) -> str:
    """An overlong line, cut without breaking its HTML: its tags are dropped (an unclosed
    <b> or <tg-spoiler> would make Telegram refuse the whole message) and no entity is cut
    in half."""
    if len(line) <= limit:
        return line
    plain = _TAG.sub("", line)
    if len(plain) <= limit:
        return plain
    return _PARTIAL_ENTITY.sub("", plain[: limit - 1]) + "…"
