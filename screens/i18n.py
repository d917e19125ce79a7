"""Fluent localisation: one FluentLocalization per locale, built once.

Kept free of aiogram so jobs and the CLI (code slips, reports) render the same texts.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader

from services.accounts import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LOCALE = "ru"


class Translator:
    """`t("codes-issued", klass="5А", count=3)` → text in one locale; falls back to Russian."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self._l10n = _localization(self.locale)

    def __call__(self, msg_id: str, **args: Any) -> str:
        return self._l10n.format_value(msg_id, args or None)

    def date(self, day: dt.date, *, weekday: bool = False) -> str:
        """A date as people write it: "23 ноября" / "23 November", optionally with weekday."""
        text = self(f"month-{day.month}", day=day.day)
        if weekday:
            text = f"{self(f'weekday-{day.isoweekday()}')}, {text}"
        return text

    def short_date(self, day: dt.date) -> str:
        return day.strftime("%d.%m")


@cache
def _localization(locale: str) -> FluentLocalization:
    files = sorted(p.name for p in (LOCALES_DIR / locale).glob("*.ftl"))
    loader = FluentResourceLoader(str(LOCALES_DIR / "{locale}"))
    chain = [locale] if locale == DEFAULT_LOCALE else [locale, DEFAULT_LOCALE]
    # Isolating marks (U+2068/U+2069) around placeables would travel along with any code
    # or name a user copies, so they stay off.
    return FluentLocalization(chain, files, loader, use_isolating=False)


@cache
def translator(locale: str) -> Translator:
    return Translator(locale)


def message_ids(locale: str) -> set[str]:
    from fluent.syntax import FluentParser, ast

    ids: set[str] = set()
    for path in (LOCALES_DIR / locale).glob("*.ftl"):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        ids |= {e.id.name for e in resource.body if isinstance(e, ast.Message | ast.Term)}
    return ids
