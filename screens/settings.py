"""The settings screen: language, notifications, linking another child, and unlinking a
child or withdrawing consent (each asked for once more before it is done)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, layout
from screens.feeds import FeedAction, FeedCb
from screens.i18n import LOCALES, Translator
from screens.menu import child_label
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from services.access import ChildRef, Roles
from services.errors import BadPreference


class SettingsAction(enum.StrEnum):
    LANGUAGE = "lang"  # value: the locale
    ADD_CHILD = "add"
    UNLINK_ASK = "unlink-ask"
    UNLINK = "unlink"
    WITHDRAW_ASK = "withdraw-ask"
    WITHDRAW = "withdraw"


# What each question leads to once confirmed.
CONFIRMS = {SettingsAction.UNLINK_ASK: SettingsAction.UNLINK,
            SettingsAction.WITHDRAW_ASK: SettingsAction.WITHDRAW}


@dataclass(frozen=True)
class SetCb(Payload, prefix="st"):
    action: SettingsAction
    value: str = ""
    s: int = 0  # student id for unlink / withdraw

    def locale(self) -> str:
        """The language chosen; a forged one is refused as a bad preference."""
        if self.value not in LOCALES:
            raise BadPreference(f"locale:{self.value}")
        return self.value


def is_guardian(roles: Roles) -> bool:
    return bool(roles.children or roles.pending_consent)


def _do(text: str, action: SettingsAction, value: str = "", s: int = 0) -> Button:
    return Button(text, SetCb(action, value, s).pack())


def _back(t: Translator) -> Button:
    return Button(t("btn-back"), MenuCb(MenuArea.SETTINGS).pack())


def settings(t: Translator, roles: Roles) -> Screen:
    # The active language is ticked, so the choice shows on the buttons themselves.
    buttons = [_do(("✅ " if locale == t.locale else "") + t(f"settings-lang-{locale}"),
                   SettingsAction.LANGUAGE, locale) for locale in LOCALES]
    buttons.append(Button(t("settings-notifications"), MenuCb(MenuArea.NOTIFICATIONS).pack()))
    if roles.family_students:
        buttons.append(Button(t("settings-calendar-feed"), FeedCb(FeedAction.SHOW).pack()))
    if is_guardian(roles):
        # Only a guardian links children; a student or staff member has no use for it.
        buttons.append(_do(t("settings-add-child"), SettingsAction.ADD_CHILD))
    for child in roles.children:
        # Button texts are plain text: names go there as they are, unescaped.
        buttons += [_do(t("settings-unlink", name=child_label(t, child)),
                        SettingsAction.UNLINK_ASK, s=child.student_id),
                    _do(t("settings-withdraw", name=child.first_name),
                        SettingsAction.WITHDRAW_ASK, s=child.student_id)]
    buttons.append(menu_button(t))
    return Screen(t("settings-title", lang=t(f"settings-lang-{t.locale}")),
                  layout(buttons, 2, 1))


def add_child(t: Translator) -> Screen:
    return Screen(t("settings-add-child-text"), ((_back(t),),))


def confirm(t: Translator, action: SettingsAction, child: ChildRef) -> Screen:
    """The question before `action` (UNLINK or WITHDRAW) is done for `child`."""
    return Screen(t(f"settings-{action.value}-confirm", name=escape(child.short_name)),
                  layout([_do(t("settings-confirm"), action, s=child.student_id), _back(t)],
                         1))


def done(t: Translator, action: SettingsAction) -> Screen:
    return Screen(t(f"settings-{action.value}-done"))
