"""Fluent files: the same ids in both languages, every id the code asks for exists, and
Russian plural forms come out right."""

from __future__ import annotations

import re
from pathlib import Path

from screens.i18n import message_ids, translator

ROOT = Path(__file__).resolve().parent.parent
# t("id"...) and t(f"prefix-{x}") in the code; f-string ids are checked by their prefix.
CALL = re.compile(r"""\bt\(\s*(f?)["']([a-z][a-z0-9-]*)(\{?)""")


def _ids_used_in_code() -> tuple[set[str], set[str]]:
    exact, prefixes = set(), set()
    for folder in ("bot", "handlers", "screens", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            for is_f, msg_id, brace in CALL.findall(path.read_text(encoding="utf-8")):
                (prefixes if is_f and brace else exact).add(msg_id)
    return exact, prefixes


def test_both_languages_have_the_same_ids() -> None:
    ru, en = message_ids("ru"), message_ids("en")
    assert ru == en, {"only ru": sorted(ru - en), "only en": sorted(en - ru)}
    assert len(ru) > 100


def test_every_id_the_code_uses_exists() -> None:
    known = message_ids("ru")
    exact, prefixes = _ids_used_in_code()
    assert exact, "the scan found no t(...) calls"
    assert sorted(exact - known) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in known)) == []


def test_russian_plural_forms() -> None:
    t = translator("ru")
    assert [t("link-too-many", minutes=n).split("через ")[1] for n in (1, 3, 5, 21)] == [
        "1 минуту.", "3 минуты.", "5 минут.", "21 минуту."]
    en = translator("en")
    assert en("link-too-many", minutes=1).endswith("1 minute.")
    assert en("link-too-many", minutes=2).endswith("2 minutes.")


def test_no_invisible_isolation_marks() -> None:
    text = translator("ru")("link-ok", name="Миша Ким", klass="5А")
    assert "\u2068" not in text and "\u2069" not in text
    assert "Миша Ким, 5А" in text
