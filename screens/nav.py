"""Navigation pieces every area shares: the menu payload and button, paging, and dates
packed into payloads."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self

from screens.base import TEXT_LIMIT, Button
from screens.html_text import shorten
from screens.i18n import Translator
from screens.payloads import Payload


class MenuArea(enum.StrEnum):
    MENU = "menu"
    MARKS = "marks"
    TIMETABLE = "timetable"
    HOMEWORK = "homework"
    ATTENDANCE = "attendance"
    FORECAST = "forecast"
    TESTS = "tests"
    FINAL = "final"
    TEACHERS = "teachers"
    CALENDAR = "calendar"
    CHILDREN = "children"
    SUMMARY = "summary"  # one summary of several children
    TODAY = "today"
    CLASSES = "classes"
    CODES = "codes"
    REPORTS = "reports"
    SETTINGS = "settings"
    NOTIFICATIONS = "notifications"
    CONSENTS = "consents"
    MESSAGES = "messages"  # a family writes to the child's teachers
    INBOX = "inbox"  # a teacher's threads
    WALL = "wall"
    NOTICES = "notices"
    COMPLAINTS = "complaints"
    COMPLAINTS_ADMIN = "complaints-admin"
    POLLS = "polls"
    QUICK = "quick"  # quick entry of today's lessons, where the school allows it


@dataclass(frozen=True)
class MenuCb(Payload, prefix="m"):
    """Opens an area of the bot; views of each area add their own payloads."""

    area: MenuArea


def menu_button(t: Translator) -> Button:
    return Button(t("btn-menu"), MenuCb(MenuArea.MENU).pack())


def menu_rows(t: Translator) -> tuple[tuple[Button, ...], ...]:
    return ((menu_button(t),),)


def pager(prev: Payload | None, next_: Payload | None, prev_text: str,
          next_text: str) -> tuple[Button, ...]:
    """◀️ ▶️ for whichever neighbours exist (possibly none)."""
    row = []
    if prev is not None:
        row.append(Button(prev_text, prev.pack()))
    if next_ is not None:
        row.append(Button(next_text, next_.pack()))
    return tuple(row)


def paginate(lines: list[str], header: str = "", limit: int = TEXT_LIMIT - 200) -> list[str]:
    """Group lines into pages below the limit (room left for a page footer); a line is
    never split, an overlong one is cut."""
    pages: list[str] = []
    current = header
    for line in lines:
        line = shorten(line, limit // 2)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current != header:
            pages.append(current)
            candidate = f"{header}\n{line}" if header else line
        current = candidate
    pages.append(current)
    return pages


# --- dates in payloads, and pages of a long view ------------------------------------------

def pack_day(day: dt.date) -> int:
    """A date for a payload field, as YYYYMMDD."""
    return day.year * 10000 + day.month * 100 + day.day


def unpack_day(value: int) -> dt.date | None:
    """A date from a payload field; None when forged or out of any sensible range."""
    try:
        day = dt.date(value // 10000, value // 100 % 100, value % 100)
    except (ValueError, OverflowError):
        return None
    return day if 2000 <= day.year <= 2100 else None


class DayPayload(Payload, prefix="day"):
    """Base of a payload with a date field `d` (YYYYMMDD; 0 for the view's default day).
    An impossible date fails unpacking, as any other forged value does."""

    d: int

    @classmethod
    def unpack(cls, raw: str) -> Self:
        value = super().unpack(raw)
        if value.d and unpack_day(value.d) is None:
            raise ValueError("not a date")
        return value

    @property
    def day(self) -> dt.date | None:
        return unpack_day(self.d) if self.d else None


def paged(t: Translator, texts: str, pages: list[str], page: int,
          make: Callable[[int], Payload]) -> tuple[str, tuple[Button, ...]]:
    """Page `page` of a view (clamped into range), with "page n of m" under it when there
    are several, and the ◀️ ▶️ buttons to its neighbours (`make` builds a page's payload).
    `texts` is the area's prefix of the Fluent ids `-page`, `-btn-prev-page` and
    `-btn-next-page`."""
    page = max(0, min(page, len(pages) - 1))
    text = pages[page]
    if len(pages) > 1:
        text = f"{text}\n\n{t(f'{texts}-page', page=page + 1, pages=len(pages))}"
    row = pager(make(page - 1) if page > 0 else None,
                make(page + 1) if page + 1 < len(pages) else None,
                t(f"{texts}-btn-prev-page", page=page), t(f"{texts}-btn-next-page", page=page + 2))
    return text, row
