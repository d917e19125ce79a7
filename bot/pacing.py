"""Telegram's sending limits on our side: the overall pacer and each chat's clock.

Used by the delivery worker (bot.delivery) through bot.shared_limit.LocalLimiter: right for
one process (several share their limits through Redis, bot.shared_limit.RedisLimiter).

The pacer is our own, not `aiolimiter` (which only the exchange API's rate uses): a leaky
bucket of capacity n lets n messages out at once and then n a second, so a sliding second
can see almost 2n, which Telegram answers with 429; with capacity 1 it is only the even
spacing. It also cannot hold everyone for a 429's `retry_after`, nor start a window from
when Telegram answered; and the per-chat clock must say *when* a chat may send next (to
wait or to hand the rows back to the queue), which a limiter's "now or not" does not.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Send:
    """One message through the pacer: when it was let out and when Telegram answered."""

    __slots__ = ("answered", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.answered: float | None = None


class Pacer:
    """At most `rate` messages a second, evenly spaced: one every 1/rate seconds, first come
    first served. A small oversleep of the event loop is made up on the next message
    (`slack`), never more.

    Telegram counts a message when it arrives, and arrivals bunch up when one request is
    delayed on its way (a cold connection, a busy event loop, the network). So a window of
    `limit` messages is also measured from when the `limit`-th previous message was
    answered, less the quickest round trip seen lately (the part of any answer's delay that
    is not a hold-up): a steady latency costs nothing, a delayed request makes the next
    window start that much later. A request still unanswered after `hang` seconds is taken
    to have arrived by then, so one hung request cannot stop all sending."""

    def __init__(self, rate: float, *, limit: int = 30, window: float = 1.0,
                 hang: float = 0.5, slack: float = 0.005) -> None:
        self.interval = 1.0 / rate
        self.slack = slack
        self.window = window
        self.hang = hang
        self._next = 0.0
        self._paused_until = 0.0
        self._recent: deque[Send] = deque(maxlen=limit)
        self._round_trips: deque[float] = deque(maxlen=200)
        self._lock = asyncio.Lock()

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds` from now."""
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    def done(self, send: Send, *, sent: bool = True) -> None:
        """The request is over (answered or failed); `sent=False`: it never went out."""
        send.answered = asyncio.get_running_loop().time()
        if sent:
            self._round_trips.append(send.answered - send.started)
        elif send in self._recent:
            self._recent.remove(send)  # it never went out: Telegram counts nothing

    def _window_opens(self) -> tuple[float, bool]:
        """When the window allows one more message, and whether that may still move
        earlier (the oldest message of the window has not been answered yet)."""
        if len(self._recent) < (self._recent.maxlen or 0):
            return 0.0, False
        oldest = self._recent[0]
        if oldest.answered is None:
            return oldest.started + self.hang + self.window, True
        quickest = min(self._round_trips, default=0.0)
        return max(oldest.started, oldest.answered - quickest) + self.window, False

    async def acquire(self) -> Send:
        """Wait for our turn; the caller reports the end of the request with `done`."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                opens, may_move = self._window_opens()
                at = max(self._next, self._paused_until, opens)
                if at <= now:
                    break
                await asyncio.sleep(min(at - now, 0.005) if may_move else at - now)
            self._next = max(now - self.slack, self._next) + self.interval
            send = Send(now)
            self._recent.append(send)
            return send


class ChatClock:
    """When each chat may get its next message: `interval` after the last one, and for
    groups no more than `per_minute` in any minute. Times are taken when Telegram answered,
    which is later than when it counted the message, so the spacing only errs long."""

    def __init__(self, interval: float, group_per_minute: int) -> None:
        self.interval = interval
        self.group_per_minute = group_per_minute
        self._last: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}

    def ready_at(self, chat_id: int) -> float:
        at = self._last.get(chat_id, 0.0) + self.interval
        hits = self._groups.get(chat_id)
        if chat_id < 0 and hits is not None and len(hits) >= self.group_per_minute:
            at = max(at, hits[-self.group_per_minute] + 60.0)
        return at

    def note(self, chat_id: int, at: float) -> None:
        self._last[chat_id] = at
        if chat_id < 0:
            hits = self._groups.setdefault(chat_id, deque(maxlen=self.group_per_minute))
            hits.append(at)
        if len(self._last) > 10_000:
            self._forget_before(at - 60.0)

    def _forget_before(self, when: float) -> None:
        for chat_id in [c for c, t in self._last.items() if t < when]:
            del self._last[chat_id]
            self._groups.pop(chat_id, None)
