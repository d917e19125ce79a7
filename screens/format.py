"""One formatter each for what views and pushes both show: a mark, an average, a person's
name and a period label. Values from the journal are escaped here, once."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from screens.i18n import Translator
from services.calendar import PeriodInfo
from services.names import full_name


def spoiler(text: str, hide: bool) -> str:
    """Privacy mode hides values behind a tap."""
    return f"<tg-spoiler>{text}</tg-spoiler>" if hide else text


def mark_text(t: Translator, value: Any, passed: Any, *, hide: bool = False) -> str:
    """"5", or pass/fail for a pass/fail subject; "—" when there is neither."""
    if value is not None:
        text = str(int(value))
    elif passed is not None:
        text = t("marks-pass") if passed else t("marks-fail")
    else:
        text = "—"
    return spoiler(text, hide)


def average_text(t: Translator, average: Decimal | float | None, *, hide: bool = False) -> str:
    if average is None:
        return t("marks-no-average")
    return spoiler(t("marks-average-value", value=average), hide)


def person_name(last: str | None, first: str | None, middle: str | None = None) -> str:
    """Фамилия Имя Отчество: the order schools write names in, escaped."""
    return escape(full_name(last, first, middle))


_SEASONS = {1: "winter", 2: "extra", 3: "spring", 4: "spring", 5: "summer", 6: "summer",
            7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn", 12: "winter"}


def period_label(t: Translator, period: PeriodInfo) -> str:
    """"2 четверть" / "Quarter 2"; holidays keep the school's own name in Russian, and in
    English are named by the season they start in ("Winter holidays")."""
    return t(f"calendar-period-{period.kind.value}", number=period.number,
             name=escape(period.name), season=_SEASONS[period.starts_on.month])
