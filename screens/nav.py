"""Navigation pieces every area shares: the menu payload and button, and paging."""

from __future__ import annotations

import enum
from dataclasses import dataclass

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
    TODAY = "today"
    CLASSES = "classes"
    CODES = "codes"
    REPORTS = "reports"
    SETTINGS = "settings"
    NOTIFICATIONS = "notifications"
    CONSENTS = "consents"


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
