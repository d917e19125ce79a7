"""Settings → calendar subscription: a secret ICS address per child, issued, re-issued or
revoked here (services.calendar_feed). The address is shown once, when issued: only a hash
of its secret is kept."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, layout
from screens.i18n import Translator
from screens.menu import child_label
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from services.access import ChildRef


class FeedAction(enum.StrEnum):
    SHOW = "v"
    ISSUE = "i"
    REVOKE = "r"


@dataclass(frozen=True)
class FeedCb(Payload, prefix="ic"):
    a: FeedAction
    s: int = 0  # student id (issue, revoke)


def _do(text: str, action: FeedAction, s: int = 0) -> Button:
    return Button(text, FeedCb(action, s).pack())


def feeds(t: Translator, children: tuple[ChildRef, ...], issued: set[int],
          note: str = "") -> Screen:
    lines = [t("feed-title"), "", t("feed-explain")]
    buttons: list[Button] = []
    for child in children:
        # Button texts are plain text: names go there unescaped.
        name = child.first_name
        has = child.student_id in issued
        lines.append(t("feed-state-on" if has else "feed-state-off",
                       name=escape(child_label(t, child))))
        if has:
            buttons += [_do(t("feed-reissue", name=name), FeedAction.ISSUE, child.student_id),
                        _do(t("feed-revoke", name=name), FeedAction.REVOKE, child.student_id)]
        else:
            buttons.append(_do(t("feed-issue", name=name), FeedAction.ISSUE, child.student_id))
    if not children:
        lines.append(t("feed-nobody"))
    if note:
        lines += ["", note]
    buttons += [Button(t("btn-back"), MenuCb(MenuArea.SETTINGS).pack()), menu_button(t)]
    return Screen("\n".join(lines), layout(buttons, 1))


def issued(t: Translator, child: ChildRef, url: str) -> Screen:
    return Screen(t("feed-issued", name=escape(child_label(t, child)), url=escape(url)),
                  layout([_do(t("btn-back"), FeedAction.SHOW), menu_button(t)], 1))
