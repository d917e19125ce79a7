"""Pushes that come as messages of their own, with buttons: a class notice (its
acknowledgement), a poll (a button per option) and a poll's summary (its chart)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from screens.base import Button, Rows
from screens.i18n import Translator
from screens.notice_cb import NoticeAction, NoticeCb
from screens.poll_cb import PollAction, PollCb
from services import push_events as ev

TEXT_CUT = 3500
CAPTION_CUT = 800  # the text of a push sent as a photo's or a document's caption
MEDIA = ("photo", "document")


@dataclass(frozen=True)
class Own:
    text: str
    rows: Rows
    media: tuple[str, str] | None = None  # (kind, file_id) to send the text as a caption


def _text(value: str, limit: int = TEXT_CUT) -> str:
    raw = value.strip()
    if len(raw) > limit:
        raw = raw[: limit - 1].rstrip() + "…"
    return escape(raw)


def class_notice(t: Translator, e: Any) -> Own:
    assert isinstance(e, ev.ClassNoticeEvent)
    header = t(f"push-{e.type}-title", klass=escape(e.klass) or t("notice-whole-school"))
    if e.author:
        header += t("push-from", name=escape(e.author))
    button = Button(t("notice-btn-ack"), NoticeCb(NoticeAction.ACK, e.notice_id).pack())
    media = (e.media, e.file_id) if e.media in MEDIA and e.file_id else None
    body = _text(e.text, CAPTION_CUT if media else TEXT_CUT)
    return Own(f"{header}\n{body}".rstrip("\n"), ((button,),), media)


def poll_text(t: Translator, e: ev.PollEvent, chosen: frozenset[int] = frozenset()) -> str:
    """A poll's question and numbered options (with counts in a summary)."""
    kind = t("poll-multiple" if e.multiple else "poll-single") + (
        t("poll-anonymous") if e.anonymous else t("poll-named"))
    lines = [t(f"push-{e.type}", question=escape(e.question)), kind]
    for n, option in enumerate(e.options):
        if e.type == "poll_closed":
            count = e.counts[n] if n < len(e.counts) else 0
            lines.append(t("poll-option-count", n=n + 1, option=escape(option), count=count))
        else:
            mark = "✅ " if n in chosen else ""
            lines.append(mark + t("poll-option", n=n + 1, option=escape(option)))
    if e.type == "poll_closed":
        lines.append(t("poll-voters", count=e.voters))
    return "\n".join(lines)


def vote_buttons(t: Translator, e: ev.PollEvent,
                 chosen: frozenset[int] = frozenset()) -> Rows:
    return tuple((Button(("✅ " if n in chosen else "") + t("poll-btn-option", n=n + 1,
                                                          option=o),
                         PollCb(PollAction.VOTE, e.poll_id, n).pack()),)
                 for n, o in enumerate(e.options))


def poll(t: Translator, e: Any) -> Own:
    assert isinstance(e, ev.PollEvent)
    if e.type == "poll_closed":
        return Own(poll_text(t, e), ((Button(t("poll-btn-chart"),
                                             PollCb(PollAction.CHART, e.poll_id).pack()),),))
    return Own(poll_text(t, e), vote_buttons(t, e))


OWN: dict[type[ev.PushEvent], Callable[[Translator, Any], Own]] = {
    ev.ClassNoticeEvent: class_notice,
    ev.PollEvent: poll,
}
