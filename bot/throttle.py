"""A per-chat flood throttle, the outer middleware right after `PrivateChatsOnly`.

Each chat has a token bucket: `burst` updates at once, then `per_second` more a second.
An update over the limit is dropped here, before the chat's lane and before any database
work, so a flooding chat costs a dictionary look-up (or one Redis round trip) per update
and other chats do not notice it. The chat hears about it at most once per
`notice_seconds`: a short message, or for a button press a toast (which also stops that
button's spinner); the other dropped updates get no answer, so a flood is not amplified
into as many requests to Telegram.

Buckets live in memory (a chat whose bucket is full again is forgotten, so idle chats cost
nothing), or with `REDIS_URL` in Redis, where every process of the deployment shares them
(one Lua script per update; the keys expire on their own). Redis being unreachable lets
updates through: the throttle is a guard against abuse, not a reason to stop answering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import BaseMiddleware, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.settings import Settings
from handlers import replies
from screens.base import Alert
from screens.i18n import translator

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    notify: bool = False  # dropped, and the chat has not been told in this window yet


class Buckets(Protocol):
    async def take(self, chat_id: int) -> Verdict: ...

    async def close(self) -> None: ...


@dataclass
class _Bucket:
    tokens: float
    at: float  # when `tokens` was counted
    noticed: float | None = None  # when the chat was last told it is throttled


class MemoryBuckets:
    """One process's buckets. `clock` is monotonic seconds (injectable for tests)."""

    def __init__(self, burst: int, per_second: float, notice_seconds: float,
                 clock: Clock = time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self.notice_seconds = notice_seconds
        self.clock = clock
        self._chats: dict[int, _Bucket] = {}
        # Forgetting idle chats costs a pass over all buckets: done at most this often.
        self._sweep_every = max(notice_seconds, burst / per_second)
        self._swept = clock()

    def __len__(self) -> int:
        """Chats remembered now (for the memory the throttle holds)."""
        return len(self._chats)

    async def take(self, chat_id: int) -> Verdict:
        now = self.clock()
        if now - self._swept >= self._sweep_every:
            self._sweep(now)
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst),
                                bucket.tokens + max(0.0, now - bucket.at) * self.per_second)
            bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict(allowed=True)
        if bucket.noticed is None or now - bucket.noticed >= self.notice_seconds:
            bucket.noticed = now
            return Verdict(allowed=False, notify=True)
        return Verdict(allowed=False)

    def _sweep(self, now: float) -> None:
        """Forget every chat whose bucket is full again and whose notice window is over:
        it would be created anew exactly as it is."""
        self._swept = now
        idle = [chat for chat, b in self._chats.items()
                if b.tokens + (now - b.at) * self.per_second >= self.burst
                and (b.noticed is None or now - b.noticed >= self.notice_seconds)]
        for chat in idle:
            del self._chats[chat]

    async def close(self) -> None:
        self._chats.clear()


# The same bucket, atomically in Redis. Time is the Redis server's (one clock for every
# process) unless the caller passes one. The key expires once the bucket is full again and
# the notice window has passed.
_TAKE = """
local burst, rate, every = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local b = redis.call('HMGET', KEYS[1], 't', 'at', 'n')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
local noticed = tonumber(b[3])
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed, notify = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif noticed == nil or now - noticed >= every then
  noticed = now
  notify = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(now))
local ttl = (burst - tokens) / rate
if noticed ~= nil then
  redis.call('HSET', KEYS[1], 'n', tostring(noticed))
  ttl = math.max(ttl, noticed + every - now)
end
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(ttl * 1000)))
return {allowed, notify}
"""


class RedisBuckets:
    """Buckets shared by every process that uses the same Redis and `prefix`."""

    def __init__(self, redis: Redis, burst: int, per_second: float, notice_seconds: float,
                 *, prefix: str = "diary:throttle:", clock: Clock | None = None) -> None:
        self.redis = redis
        self.args = (burst, per_second, notice_seconds)
        self.prefix = prefix
        self.clock = clock
        self._script = redis.register_script(_TAKE)
        self._failing = False

    async def take(self, chat_id: int) -> Verdict:
        now = "" if self.clock is None else repr(self.clock())
        try:
            allowed, notify = await self._script(keys=[f"{self.prefix}{chat_id}"],
                                                 args=[*self.args, now])
        except (RedisError, OSError) as error:
            return self._let_through(error)
        if self._failing:
            self._failing = False
            log.warning("throttle: Redis answers again")
        return Verdict(allowed=bool(allowed), notify=bool(notify))

    def _let_through(self, error: Exception) -> Verdict:
        if not self._failing:
            self._failing = True  # one line per outage, not one per update
            log.warning("throttle: Redis unreachable (%s), updates are not throttled",
                        type(error).__name__)
        return Verdict(allowed=True)

    async def close(self) -> None:
        await self.redis.aclose()


class ChatThrottle(BaseMiddleware):
    """`buckets` None: the throttle is off (THROTTLE_BURST=0)."""

    def __init__(self, buckets: Buckets | None) -> None:
        self.buckets = buckets

    @classmethod
    def register(cls, dp: Dispatcher, settings: Settings) -> ChatThrottle:
        """Add the throttle as the dispatcher's next outer middleware, with its buckets
        closed on the dispatcher's shutdown."""
        throttle = cls(make_buckets(settings))
        dp.update.outer_middleware(throttle)

        async def close() -> None:
            if throttle.buckets is not None:
                await throttle.buckets.close()

        dp.shutdown.register(close)
        return throttle

    async def __call__(self, handler: Handler, event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if self.buckets is None or chat is None or not isinstance(event, Update):
            return await handler(event, data)
        verdict = await self.buckets.take(chat.id)
        if verdict.allowed:
            return await handler(event, data)
        if verdict.notify:
            log.info("chat %s throttled: its updates are dropped for a while", chat.id)
            await _notice(event, data)
        return None


async def _notice(update: Update, data: dict[str, Any]) -> None:
    """The one "wait a moment" of a window, in the sender's Telegram language (the
    account's own is in the database, and a dropped update reads nothing)."""
    user: User | None = data.get("event_from_user")
    t = translator(user.language_code if user and user.language_code
                   else data.get("default_locale", "ru"))
    try:
        await replies.send(update.event, Alert(t("throttled"), popup=False))
    except TelegramAPIError as error:
        log.info("throttle notice not sent: %s", type(error).__name__)


def make_buckets(settings: Settings) -> Buckets | None:
    if settings.throttle_burst <= 0:
        return None
    limits = (settings.throttle_burst, settings.throttle_per_second,
              settings.throttle_notice_seconds)
    if settings.redis_url:
        return RedisBuckets(Redis.from_url(settings.redis_url), *limits)
    return MemoryBuckets(*limits)
