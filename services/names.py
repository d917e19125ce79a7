"""How a person's name is written, in one place: Фамилия Имя Отчество, as schools write
names, or with initials ("Смирнова О. П.") where space is short. Plain text: screens
escape it (screens/format.py)."""

from __future__ import annotations


def full_name(last: str | None, first: str | None, middle: str | None = None) -> str:
    return " ".join(p for p in (last, first, middle) if p)


def initials(last: str | None, first: str | None, middle: str | None = None) -> str:
    return " ".join([*([last] if last else []), *(f"{p[0]}." for p in (first, middle) if p)])
