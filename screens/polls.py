"""School polls as screens: the author's list, the composer's steps, the ballot with the
voter's choice marked, live results (names only for a named poll)."""

from __future__ import annotations

from html import escape
from typing import Any

from screens.base import Button, Screen, layout
from screens.base import grid as grid_sizes
from screens.html_text import shorten
from screens.i18n import Translator
from screens.nav import menu_button
from screens.notices import where
from screens.poll_cb import PollAction, PollCb
from screens.push_own import poll_text, vote_buttons
from services import polls
from services.notices import AUDIENCES, NoticeScope
from services.push_events import PollEvent

__all__ = ["PollAction", "PollCb"]
A = PollAction


def _go(text: str, action: PollAction, n: int = 0, p: int = 0) -> Button:
    return Button(text, PollCb(action, n, p).pack())


def _cancel(t: Translator) -> Button:
    return _go(t("poll-btn-cancel"), A.CANCEL)


def author_home(t: Translator, items: list[tuple[int, str, bool]]) -> Screen:
    lines = [t("poll-mine-title")]
    lines += [t("poll-mine-line", state=t("poll-open" if is_open else "poll-closed-mark"),
                question=escape(shorten(q, 80))) for _, q, is_open in items]
    if not items:
        lines.append(t("poll-mine-empty"))
    buttons = [_go(t("poll-btn-results", n=n + 1), A.RESULTS, pid)
               for n, (pid, _, _) in enumerate(items)]
    buttons += [_go(t("poll-btn-new"), A.NEW), menu_button(t)]
    return Screen("\n".join(lines), layout(buttons, *grid_sizes(len(items), 5), 1))


def pick_class(t: Translator, scope: NoticeScope) -> Screen:
    buttons = [_go(name, A.CLASS, class_id) for class_id, name in scope.classes]
    count = len(buttons)
    if scope.school_wide:
        buttons.append(_go(t("notice-whole-school"), A.CLASS, 0))
    return Screen(t("poll-pick-class"), layout([*buttons, _cancel(t)], *grid_sizes(count, 4), 1))


def pick_audience(t: Translator, class_id: int, class_name: str) -> Screen:
    buttons = [_go(t(f"notice-audience-{a}"), A.AUDIENCE, class_id, n)
               for n, a in enumerate(AUDIENCES)]
    return Screen(t("poll-pick-audience", klass=where(t, class_name)),
                  layout([*buttons, _cancel(t)], 1))


def ask(t: Translator, text_id: str) -> Screen:
    return Screen(t(text_id, limit=polls.QUESTION_MAX, low=polls.MIN_OPTIONS,
                    high=polls.MAX_OPTIONS, option=polls.OPTION_MAX), ((_cancel(t),),))


def preview(t: Translator, draft: dict[str, Any]) -> Screen:
    event = PollEvent("poll_new", 0, draft["question"], tuple(draft["options"]),
                      draft["multiple"], draft["anonymous"])
    head = t("poll-preview", klass=where(t, draft["class_name"]),
             audience=t(f"notice-audience-{draft['audience']}"),
             days=draft["hours"] // 24)
    buttons = [
        _go(t("poll-btn-send"), A.SEND),
        _go(t("poll-btn-multiple-on" if not draft["multiple"] else "poll-btn-multiple-off"),
            A.MULTIPLE),
        _go(t("poll-btn-anonymous-on" if not draft["anonymous"] else "poll-btn-anonymous-off"),
            A.ANONYMOUS),
        _go(t("poll-btn-duration", days=draft["hours"] // 24), A.DURATION),
        _cancel(t),
    ]
    return Screen(f"{head}\n\n{poll_text(t, event)}", layout(buttons, 1, 2, 1, 1), new=True)


def created(t: Translator, result: polls.Created) -> Screen:
    return Screen(t("poll-created", recipients=result.recipients),
                  ((_go(t("poll-btn-live"), A.RESULTS, result.poll_id),), (menu_button(t),)))


def cancelled(t: Translator) -> Screen:
    return Screen(t("poll-cancelled"), ((_go(t("poll-btn-mine"), A.MINE), menu_button(t)),))


def ballot(t: Translator, b: polls.Ballot) -> Screen:
    event = PollEvent("poll_new", b.poll_id, b.question, b.options, b.multiple, b.anonymous)
    return Screen(poll_text(t, event, b.chosen), vote_buttons(t, event, b.chosen))


def results(t: Translator, r: polls.Results) -> Screen:
    lines = [t("poll-results-title", question=escape(r.question),
               state=t("poll-open" if r.open else "poll-closed-mark"))]
    for n, option in enumerate(r.options):
        lines.append(t("poll-option-count", n=n + 1, option=escape(option), count=r.counts[n]))
        if r.names and r.names[n]:
            lines.append("   " + escape(", ".join(r.names[n])))
    lines.append(t("poll-turnout", voters=r.voters, recipients=r.recipients))
    if r.anonymous:
        lines.append(t("poll-anonymous-note"))
    buttons = [_go(t("poll-btn-chart"), A.CHART, r.poll_id),
               _go(t("poll-btn-refresh"), A.RESULTS, r.poll_id),
               _go(t("poll-btn-mine"), A.MINE), menu_button(t)]
    return Screen("\n".join(lines), layout(buttons, 2))
