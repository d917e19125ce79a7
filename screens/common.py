"""Screens that belong to no area."""

from __future__ import annotations

from screens.base import Alert, Button, Screen
from screens.i18n import Translator


def private_only_notice(t: Translator, bot_username: str, *, as_alert: bool) -> Screen | Alert:
    """What a group hears: the bot works in a private chat (with a button that opens one)."""
    if as_alert:
        return Alert(t("private-only"))
    rows = ((Button(t("private-only-open"), url=f"https://t.me/{bot_username}"),),) \
        if bot_username else ()
    return Screen(t("private-only"), rows, new=True)
