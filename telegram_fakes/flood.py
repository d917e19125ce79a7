"""Telegram's flood control as the fake server enforces it: sliding windows over accepted
sends, answered with 429 and a retry_after the way Telegram answers."""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass

from telegram_fakes import rules
from telegram_fakes.wire import ApiError


@dataclass
class Limits:
    """The limits in force; the server's attributes of the same names feed these."""

    global_per_second: int = rules.GLOBAL_PER_SECOND
    per_chat_interval: float = rules.CHAT_INTERVAL
    group_per_minute: int = rules.GROUP_PER_MINUTE
    # Windows are shortened by this: a client pacing exactly at the limit sees its requests
    # arrive with network jitter and must not be punished for it.
    tolerance: float = 0.02


class FloodControl:
    """Hits of accepted sends: overall, per private chat, per group.

    `check` and `commit` are synchronous, and the server calls them with no await between:
    no other request can interleave, so concurrent senders cannot overshoot a window.
    """

    def __init__(self) -> None:
        self._global_hits: collections.deque[float] = collections.deque()
        self._chat_last: dict[int, float] = {}
        self._group_hits: dict[int, collections.deque[float]] = {}

    def check(self, limits: Limits, chat_id: int | None, now: float) -> None:
        """ApiError 429 if one more send into chat_id at `now` would break a limit."""
        tol = limits.tolerance
        waits: list[tuple[float, str]] = []
        wait = _window_wait(self._global_hits, limits.global_per_second, 1.0 - tol, now)
        if wait is not None:
            waits.append((wait, "rate_limit:global"))
        if chat_id is not None and chat_id > 0:
            last = self._chat_last.get(chat_id)
            interval = limits.per_chat_interval - tol
            if last is not None and now - last < interval:
                waits.append((last + interval - now, "rate_limit:chat"))
        elif chat_id is not None:
            hits = self._group_hits.get(chat_id)
            if hits is not None:
                wait = _window_wait(hits, limits.group_per_minute, 60.0 - tol, now)
                if wait is not None:
                    waits.append((wait, "rate_limit:group"))
        if waits:
            wait, reason = max(waits)
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", reason,
                           retry_after)

    def commit(self, chat_id: int | None, now: float) -> None:
        """Count an accepted send (a refused one does not restart any window)."""
        self._global_hits.append(now)
        if chat_id is None:
            return
        if chat_id > 0:
            self._chat_last[chat_id] = now
        else:
            self._group_hits.setdefault(chat_id, collections.deque()).append(now)


def _window_wait(hits: collections.deque[float], limit: int, span: float,
                 now: float) -> float | None:
    """Seconds until one more hit fits into the sliding window, None if it fits now."""
    while hits and hits[0] <= now - span:
        hits.popleft()
    if len(hits) < limit:
        return None
    # The oldest hit that must leave so that len(hits) drops below the limit.
    return hits[len(hits) - limit] + span - now
