"""The flood throttle with its production numbers on the shared test dispatcher, on a
clock the test moves by hand (no test waits for a bucket to refill).

The session's dispatcher is built with a throttle too generous to notice (tests press
faster than any person); `production_throttle` swaps in real buckets for one test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.settings import Settings
from bot.throttle import ChatThrottle, MemoryBuckets


class ManualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def throttle_of(dp: Any) -> ChatThrottle:
    [throttle] = [m for m in dp.update.outer_middleware if isinstance(m, ChatThrottle)]
    return throttle


@contextmanager
def production_throttle(dp: Any, clock: ManualClock) -> Iterator[MemoryBuckets]:
    """The dispatcher throttled with the default settings' numbers on `clock`."""
    defaults = Settings(_env_file=None)
    throttle = throttle_of(dp)
    saved = throttle.buckets
    buckets = MemoryBuckets(defaults.throttle_burst, defaults.throttle_per_second,
                            defaults.throttle_notice_seconds, clock=clock)
    throttle.buckets = buckets
    try:
        yield buckets
    finally:
        throttle.buckets = saved
