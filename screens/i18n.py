"""Fluent localisation: one FluentLocalization per locale, built once.

Kept free of aiogram so jobs and the CLI (code slips, reports) render the same texts.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentLocalization, FluentResourceLoader

from services.accounts import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LOCALE = "ru"
# Argument types whose equal values always format alike (not Decimal: 4.0 and 4.00 differ).
_CACHEABLE = frozenset({str, int, dt.date})


class Translator:
    """`t("codes-issued", klass="5А", count=3)` → text in one locale; falls back to Russian."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in LOCALES else DEFAULT_LOCALE
        self._l10n = _localization(self.locale)
        # Formatting is pure, so texts are cached: every message without arguments, and
        # the recent ones whose arguments are plain values (a page number, a date, a name).
        self._plain: dict[str, str] = {}
        self._with_args = lru_cache(maxsize=4096)(self._format_items)

    def __call__(self, msg_id: str, **args: Any) -> str:
        if not args:
            text = self._plain.get(msg_id)
            if text is None:
                text = self._plain[msg_id] = self._l10n.format_value(msg_id, None)
            return text
        if all(type(v) in _CACHEABLE for v in args.values()):
            # The type is part of the key: 1, True and 1.0 are equal but print differently.
            return self._with_args(msg_id, tuple((k, type(v), v) for k, v in args.items()))
        return self._l10n.format_value(msg_id, args)

    def _format_items(self, msg_id: str, items: tuple[tuple[str, type, Any], ...]) -> str:
        return self._l10n.format_value(msg_id, {k: v for k, _, v in items})

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
