"""The one source of "now". Tests and the demo freeze it so dates in views are predictable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def local_now(timezone: str) -> dt.datetime:
    return now().astimezone(ZoneInfo(timezone))


def today(timezone: str) -> dt.date:
    """Today's date in a school's own timezone (schools span UTC+2 to UTC+12)."""
    return local_now(timezone).date()


def local_date(at: dt.datetime, timezone: str) -> dt.date:
    """The school-local calendar date of a stored (UTC) moment."""
    return at.astimezone(ZoneInfo(timezone)).date()


def freeze(at: dt.datetime | None) -> None:
    global _frozen
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = at.astimezone(dt.UTC) if at else None


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    previous = _frozen
    freeze(at)
    try:
        yield
    finally:
        freeze(previous)
