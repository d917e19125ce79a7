"""Telegram's limits for the delivery worker, behind one small interface (`Limiter`), in
two forms:

- `LocalLimiter`: this process's `Pacer` and `ChatClock` (bot.pacing). Right for ONE bot
  process; with several, each would send its own 30 a second.
- `RedisLimiter`: one budget for the whole deployment, kept in Redis (`REDIS_URL`). Every
  process's worker asks the same keys, so 30 a second overall, 1 a second into a chat,
  20 a minute into a group and a 429's pause hold across all of them.

The Redis form reserves slots (GCRA on Redis's own clock, `TIME`, so the processes'
clocks never matter): one Lua script, run atomically, takes the next free slot of the
overall budget, checks the chat's own clock and the pause, and answers in one round trip
how long to wait for the slot. A slot is taken only when the chat is ready by then, so a
chat that must wait never pushes everyone else back. Paid broadcast (`allow_paid_broadcast`)
has a budget of its own (up to 1,000 a second); the chat limits and the pause apply to it
too.

As the in-process pacer does, a 31st message never goes out within a second of when the
30th-previous one was answered (requests held up on their way arrive bunched): the script
keeps the budget's last 30 slots, each replaced by its answer time in `done`.

A worker that wakes up late for its slot does not send in it (a late message lands in the
next slots' second and could make it 31): it takes a new one; a wasted slot only costs
throughput.

The per-chat clock counts from when Telegram answered (`done`), which is later than when
it counted the message, so the spacing only errs long — as `ChatClock` does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

from bot.pacing import ChatClock, Pacer, Send


@dataclass
class Turn:
    """One message's place in the limits: hand it back to `done` when the request ends."""

    chat_id: int
    paid: bool = False
    send: Send | None = None  # LocalLimiter's pacer entry
    slot: int = 0  # RedisLimiter: the reserved slot, microseconds on Redis's clock


class Limiter(Protocol):
    async def chat_wait(self, chat_id: int) -> float:
        """Seconds until the chat may get its next message (0: now)."""

    async def acquire(self, chat_id: int, *, paid: bool = False) -> Turn:
        """Wait for a slot for one message into the chat; the caller ends it with `done`."""

    async def done(self, turn: Turn, *, sent: bool = True) -> None:
        """The request is over (answered or failed); `sent=False`: it never went out."""

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out anywhere for `seconds`."""


class LocalLimiter:
    """The in-process limits: one process only."""

    def __init__(self, rate: float, *, global_limit: int = 30, per_chat_interval: float = 1.0,
                 group_per_minute: int = 20, paid_rate: float = 1000.0) -> None:
        self._pacer = Pacer(rate, limit=global_limit)
        self._paid = Pacer(paid_rate, limit=int(paid_rate))
        self._chats = ChatClock(per_chat_interval, group_per_minute)

    async def chat_wait(self, chat_id: int) -> float:
        return max(0.0, self._chats.ready_at(chat_id) - asyncio.get_running_loop().time())

    async def acquire(self, chat_id: int, *, paid: bool = False) -> Turn:
        pacer = self._paid if paid else self._pacer
        if paid:
            # The 429 pause is the free pacer's; a paid message waits it out too.
            await self._wait_pause()
        return Turn(chat_id, paid, send=await pacer.acquire())

    async def _wait_pause(self) -> None:
        left = self._pacer.paused_until - asyncio.get_running_loop().time()
        if left > 0:
            await asyncio.sleep(left)

    async def done(self, turn: Turn, *, sent: bool = True) -> None:
        assert turn.send is not None
        (self._paid if turn.paid else self._pacer).done(turn.send, sent=sent)
        if sent:
            self._chats.note(turn.chat_id, asyncio.get_running_loop().time())

    async def pause(self, seconds: float) -> None:
        self._pacer.pause(seconds)


# KEYS: budget's next free slot, pause-until, the chat's clock, the budget's last messages.
# ARGV: budget interval µs, chat interval µs, group per minute (0: a private chat), key TTL ms,
# messages a window (0: no window), hang µs.
# Returns {1, wait µs, slot} with the slot taken, or {0, wait µs} until the chat is ready.
# Times are integers of µs, written with %.0f: Lua's tostring would round them.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'),
                    tonumber(redis.call('GET', KEYS[2]) or '0'))
local limit = tonumber(ARGV[5])
if limit > 0 then
  local oldest = redis.call('LINDEX', KEYS[4], limit - 1)
  if oldest then
    local counted = tonumber(oldest)
    if string.sub(oldest, 1, 1) == 'u' then
      counted = tonumber(string.sub(oldest, 2)) + tonumber(ARGV[6])
    end
    at = math.max(at, counted + 1000000)
  end
end
local per_minute = tonumber(ARGV[3])
local chat_at = tonumber(redis.call('LINDEX', KEYS[3], 0) or '-1e18') + tonumber(ARGV[2])
if per_minute > 0 then
  local nth = redis.call('LINDEX', KEYS[3], per_minute - 1)
  if nth then chat_at = math.max(chat_at, tonumber(nth) + 60000000) end
end
if chat_at > at then
  return {0, chat_at - now}
end
local slot = string.format('%.0f', at)
redis.call('SET', KEYS[1], string.format('%.0f', at + tonumber(ARGV[1])), 'PX', ARGV[4])
redis.call('LPUSH', KEYS[3], slot)
redis.call('LTRIM', KEYS[3], 0, math.max(per_minute, 1) - 1)
redis.call('PEXPIRE', KEYS[3], ARGV[4])
if limit > 0 then
  redis.call('LPUSH', KEYS[4], 'u' .. slot)
  redis.call('LTRIM', KEYS[4], 0, limit - 1)
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
end
return {1, at - now, slot}
"""

# KEYS: the chat's clock, the budget's last messages. ARGV: the slot taken, 1 when the
# message went out. A sent message's slot becomes the time it was answered (no earlier
# than Telegram counted it: windows start from there); an unsent one is given back.
_DONE = """
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
local marks = {ARGV[1], 'u' .. ARGV[1]}
for k = 1, 2 do
  local i = redis.call('LPOS', KEYS[k], marks[k])
  if i then
    if ARGV[2] == '1' then
      redis.call('LSET', KEYS[k], i, now)
    else
      redis.call('LREM', KEYS[k], 1, marks[k])
    end
  end
end
return 1
"""

# KEYS: pause-until. ARGV: seconds µs, TTL ms. Pauses only ever get longer.
_PAUSE = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.0f', until_), 'PX', ARGV[2])
end
return 1
"""

# KEYS: the chat's clock. ARGV: chat interval µs, group per minute.
_CHAT_WAIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local per_minute = tonumber(ARGV[2])
local chat_at = tonumber(redis.call('LINDEX', KEYS[1], 0) or '-1e18') + tonumber(ARGV[1])
if per_minute > 0 then
  local nth = redis.call('LINDEX', KEYS[1], per_minute - 1)
  if nth then chat_at = math.max(chat_at, tonumber(nth) + 60000000) end
end
return math.max(0, chat_at - now)
"""

_US = 1_000_000


class RedisLimiter:
    """The deployment-wide limits in Redis (`redis.asyncio`); see the module docstring.
    `prefix` namespaces the keys (one deployment, one prefix)."""

    def __init__(self, redis: Any, rate: float, *, per_chat_interval: float = 1.0,
                 group_per_minute: int = 20, paid_rate: float = 1000.0,
                 prefix: str = "diary:limit:", late: float = 0.015, limit: int = 30,
                 hang: float = 0.5) -> None:
        self.redis = redis
        self.interval_us = int(_US / rate)
        self.paid_interval_us = int(_US / paid_rate)
        self.chat_interval_us = int(_US * per_chat_interval)
        self.group_per_minute = group_per_minute
        self.prefix = prefix
        # A message more than `limit` in a second never goes out within a second of when
        # the `limit`-th previous one was answered (or, unanswered, `hang` after its slot):
        # requests held up on their way arrive bunched.
        self.limit = limit
        self.hang_us = int(_US * hang)
        # Waking up later than this for a slot gives the slot up (module docstring).
        self.late = late
        self._acquire = redis.register_script(_ACQUIRE)
        self._done = redis.register_script(_DONE)
        self._pause = redis.register_script(_PAUSE)
        self._chat_wait = redis.register_script(_CHAT_WAIT)

    @classmethod
    def from_url(cls, url: str, rate: float, **kwargs: Any) -> RedisLimiter:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url), rate, **kwargs)

    async def close(self) -> None:
        await self.redis.aclose()

    def _chat_key(self, chat_id: int) -> str:
        return f"{self.prefix}chat:{chat_id}"

    def _per_minute(self, chat_id: int) -> int:
        return self.group_per_minute if chat_id < 0 else 0  # a negative id is a group

    async def chat_wait(self, chat_id: int) -> float:
        wait = await self._chat_wait(keys=[self._chat_key(chat_id)],
                                     args=[self.chat_interval_us, self._per_minute(chat_id)])
        return int(wait) / _US

    async def acquire(self, chat_id: int, *, paid: bool = False) -> Turn:
        loop = asyncio.get_running_loop()
        budget = self._budget(paid)
        keys = [budget, f"{self.prefix}pause", self._chat_key(chat_id), f"{budget}:recent"]
        args = [self.paid_interval_us if paid else self.interval_us, self.chat_interval_us,
                self._per_minute(chat_id), 120_000, 0 if paid else self.limit, self.hang_us]
        while True:
            answer = await self._acquire(keys=keys, args=args)
            target = loop.time() + int(answer[1]) / _US
            if not int(answer[0]):
                await asyncio.sleep(target - loop.time())
                continue
            await asyncio.sleep(max(0.0, target - loop.time()))
            turn = Turn(chat_id, paid, slot=int(answer[2]))
            if loop.time() - target <= self.late:
                return turn
            # Too late for this slot: the chat gets it back (the budget does not) and we
            # take the next one.
            await self.done(turn, sent=False)

    def _budget(self, paid: bool) -> str:
        return f"{self.prefix}{'paid' if paid else 'free'}"

    async def done(self, turn: Turn, *, sent: bool = True) -> None:
        await self._done(keys=[self._chat_key(turn.chat_id), f"{self._budget(turn.paid)}:recent"],
                         args=[turn.slot, int(sent)])

    async def pause(self, seconds: float) -> None:
        ms = int(seconds * 1000) + 1000
        await self._pause(keys=[f"{self.prefix}pause"], args=[int(seconds * _US), ms])
