"""Complaints as screens: the author's list and filing steps, the admins' lists by status
or age, one complaint with its actions."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, layout
from screens.html_text import shorten
from screens.i18n import Translator
from screens.nav import menu_button
from screens.payloads import Payload
from services.complaints import CATEGORIES, FILTERS, OPEN, TEXT_MAX, ComplaintView


class ComplaintAction(enum.StrEnum):
    MINE = "m"  # the author's complaints
    NEW = "new"  # pick a category
    CATEGORY = "c"  # p: category; then type the text
    LIST = "l"  # p: filter (admins)
    OPEN = "o"  # n: complaint id (admins)
    TAKE = "t"  # n: complaint id
    ANSWER = "a"  # n: complaint id; then type the answer
    REJECT = "r"  # n: complaint id; then type the reason
    FILE = "f"  # n: complaint id; its photo or document
    CANCEL = "x"


@dataclass(frozen=True)
class ComplaintCb(Payload, prefix="cp"):
    a: ComplaintAction
    n: int = 0
    p: int = 0


A = ComplaintAction


def _full(day: dt.date | None) -> str:
    """A registration date or deadline in full, year included."""
    return day.strftime("%d.%m.%Y") if day else "—"


def _go(text: str, action: ComplaintAction, n: int = 0, p: int = 0) -> Button:
    return Button(text, ComplaintCb(action, n, p).pack())


def _line(t: Translator, c: ComplaintView) -> str:
    return t("complaint-line", number=c.id, date=t.short_date(c.registered_on),
             category=t(f"complaint-category-{c.category}"),
             status=t(f"complaint-status-{c.status.value}"),
             overdue=t("complaint-overdue-mark") if c.overdue else "",
             text=escape(shorten(" ".join(c.text.split()), 60)))


def mine(t: Translator, items: list[ComplaintView]) -> Screen:
    lines = [t("complaint-mine-title"), *(_line(t, c) for c in items)]
    if not items:
        lines.append(t("complaint-mine-empty"))
    return Screen("\n".join(lines), layout([_go(t("complaint-btn-new"), A.NEW),
                                            menu_button(t)], 1))


def categories(t: Translator) -> Screen:
    buttons = [_go(t(f"complaint-category-{c}"), A.CATEGORY, 0, n)
               for n, c in enumerate(CATEGORIES)]
    return Screen(t("complaint-pick-category"),
                  layout([*buttons, _go(t("complaint-btn-cancel"), A.CANCEL)], 2, 2, 1))


def ask_text(t: Translator, prompt: str) -> Screen:
    return Screen(t(prompt, limit=TEXT_MAX), ((_go(t("complaint-btn-cancel"), A.CANCEL),),))


def registered(t: Translator, c: ComplaintView) -> Screen:
    return Screen(t("complaint-registered", number=c.id, date=_full(c.registered_on),
                    due=_full(c.due_on)),
                  ((_go(t("complaint-btn-mine"), A.MINE), menu_button(t)),))


def cancelled(t: Translator) -> Screen:
    return Screen(t("complaint-cancelled"), ((menu_button(t),),))


def admin_home(t: Translator, counts: dict[str, int], which: str | None = None,
               items: list[ComplaintView] | None = None) -> Screen:
    lines = [t("complaint-admin-title", new=counts.get("new", 0),
               in_progress=counts.get("in_progress", 0))]
    if which is not None:
        lines.append(t(f"complaint-filter-{which}"))
        lines += [_line(t, c) for c in items or []] or [t("complaint-list-empty")]
    filters = [_go(t(f"complaint-filter-{f}"), A.LIST, 0, n) for n, f in enumerate(FILTERS)]
    opened = [_go(t("complaint-btn-open", number=c.id), A.OPEN, c.id) for c in items or []]
    return Screen("\n".join(lines), layout([*filters, *opened, menu_button(t)], 2, 2, 4))


def one(t: Translator, c: ComplaintView) -> Screen:
    text = t("complaint-card", number=c.id, date=_full(c.registered_on),
             category=t(f"complaint-category-{c.category}"),
             status=t(f"complaint-status-{c.status.value}"),
             due=_full(c.due_on),
             overdue=t("complaint-overdue-mark") if c.overdue else "",
             text=escape(c.text))
    if c.answer:
        text += "\n\n" + t("complaint-card-answer", answer=escape(c.answer))
    buttons = []
    if c.attachment is not None:
        buttons.append(_go(t(f"complaint-btn-{c.attachment[0]}"), A.FILE, c.id))
    if c.status.value == "new":
        buttons.append(_go(t("complaint-btn-take"), A.TAKE, c.id))
    if c.status in OPEN:
        buttons += [_go(t("complaint-btn-answer"), A.ANSWER, c.id),
                    _go(t("complaint-btn-reject"), A.REJECT, c.id)]
    buttons.append(_go(t("complaint-btn-list"), A.LIST, 0, 0))
    return Screen(text, layout([*buttons, menu_button(t)], 1))
