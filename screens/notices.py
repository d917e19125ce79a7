"""Class notices as screens: the author's list, the composer's steps (class, audience,
text, preview), the counts and the non-readers, and the recipient's wall."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from screens.base import Button, Screen, layout
from screens.base import grid as grid_sizes
from screens.html_text import shorten
from screens.i18n import Translator
from screens.nav import menu_button, pager
from screens.notice_cb import NoticeAction, NoticeCb
from services import notices
from services.notices import AUDIENCES, NoticeItem, NoticePage, NoticeScope, NoticeStatus

__all__ = ["NoticeAction", "NoticeCb"]
A = NoticeAction
SNIPPET = 80


def _go(text: str, action: NoticeAction, n: int = 0, p: int = 0) -> Button:
    return Button(text, NoticeCb(action, n, p).pack())


def where(t: Translator, class_name: str) -> str:
    return escape(class_name) if class_name else t("notice-whole-school")


def _snippet(text: str) -> str:
    return escape(shorten(" ".join(text.split()), SNIPPET))


def author_home(t: Translator, items: tuple[NoticeItem, ...]) -> Screen:
    lines = [t("notice-mine-title")]
    lines += [t("notice-mine-line", date=t.short_date(i.created_at.date()),
                klass=where(t, i.class_name), text=_snippet(i.text)) for i in items]
    if not items:
        lines.append(t("notice-mine-empty"))
    buttons = [_go(t("notice-btn-status", date=t.short_date(i.created_at.date()),
                     klass=i.class_name or t("notice-whole-school")), A.STATUS, i.notice_id)
               for i in items]
    buttons += [_go(t("notice-btn-new"), A.NEW), menu_button(t)]
    return Screen("\n".join(lines), layout(buttons, *grid_sizes(len(items), 2), 1))


def pick_class(t: Translator, scope: NoticeScope) -> Screen:
    buttons = [_go(name, A.CLASS, class_id) for class_id, name in scope.classes]
    count = len(buttons)
    if scope.school_wide:
        buttons.append(_go(t("notice-whole-school"), A.CLASS, 0))
    buttons.append(_go(t("notice-btn-cancel"), A.CANCEL))
    return Screen(t("notice-pick-class"), layout(buttons, *grid_sizes(count, 4), 1))


def pick_audience(t: Translator, class_id: int, class_name: str,
                  groups: Sequence[tuple[int, str]] = (), subgroup_id: int = 0) -> Screen:
    """The audience; for a whole class, its subgroups too (a notice to one of them)."""
    buttons = [Button(t(f"notice-audience-{a}"),
                      NoticeCb(A.AUDIENCE, class_id, n, subgroup_id).pack())
               for n, a in enumerate(AUDIENCES)]
    buttons += [Button(t("notice-btn-subgroup", name=name),
                       NoticeCb(A.SUBGROUP, class_id, 0, gid).pack()) for gid, name in groups]
    buttons.append(_go(t("notice-btn-cancel"), A.CANCEL))
    return Screen(t("notice-pick-audience", klass=where(t, class_name)),
                  layout(buttons, 1, 1, 1, *grid_sizes(len(groups), 2), 1))


def ask_text(t: Translator) -> Screen:
    return Screen(t("notice-ask-text", limit=notices.TEXT_MAX),
                  ((_go(t("notice-btn-cancel"), A.CANCEL),),))


def preview(t: Translator, *, class_name: str, audience: str, text: str, urgent: bool,
            may_urgent: bool, attachment: str | None = None) -> Screen:
    head = t("notice-preview", klass=where(t, class_name),
             audience=t(f"notice-audience-{audience}"),
             urgent=t("notice-urgent-yes" if urgent else "notice-urgent-no"))
    if attachment:
        head += "\n" + t(f"notice-attached-{attachment}")
    buttons = [_go(t("notice-btn-send"), A.SEND)]
    if may_urgent:
        buttons.append(_go(t("notice-btn-urgent-off" if urgent else "notice-btn-urgent-on"),
                           A.URGENT))
    buttons.append(_go(t("notice-btn-cancel"), A.CANCEL))
    return Screen(f"{head}\n\n{escape(text)}", layout(buttons, 1), new=True)


def posted(t: Translator, result: notices.Posted) -> Screen:
    return Screen(t("notice-posted", recipients=result.recipients),
                  ((_go(t("notice-btn-counts"), A.STATUS, result.notice_id),),
                   (menu_button(t),)))


def cancelled(t: Translator) -> Screen:
    return Screen(t("notice-cancelled"), ((_go(t("notice-btn-mine"), A.MINE), menu_button(t)),))


def status(t: Translator, st: NoticeStatus) -> Screen:
    text = t("notice-status", date=t.short_date(st.created_at.date()),
             klass=where(t, st.class_name), text=_snippet(st.text), recipients=st.recipients,
             delivered=st.delivered, acknowledged=st.acknowledged, pending=st.pending,
             unreachable=st.unreachable)
    buttons = []
    if st.acknowledged < st.recipients:
        buttons += [_go(t("notice-btn-pending"), A.PENDING, st.notice_id),
                    _go(t("notice-btn-remind"), A.REMIND, st.notice_id)]
    buttons += [_go(t("notice-btn-mine"), A.MINE), menu_button(t)]
    return Screen(text, layout(buttons, 2))


def pending(t: Translator, st: NoticeStatus, people: list[notices.Unacknowledged]) -> Screen:
    lines = [t("notice-pending-title", count=len(people))]
    lines += [t("notice-pending-guardian" if p.guardian else "notice-pending-student",
                name=escape(p.student or "—")) for p in people]
    text = "\n".join(lines)
    if len(text) > 3500:
        text = text[:3500].rsplit("\n", 1)[0] + "\n…"
    buttons = [_go(t("notice-btn-remind"), A.REMIND, st.notice_id),
               _go(t("notice-btn-counts"), A.STATUS, st.notice_id)]
    return Screen(text, layout(buttons, 2))


def wall(t: Translator, page: NoticePage) -> Screen:
    parts = [t("notice-wall-title")]
    for i in page.items:
        mark = (t("notice-wall-attached") if i.attachment else "") + (
            t("notice-wall-acked") if i.acknowledged else "")
        parts.append(t("notice-wall-item", date=t.short_date(i.created_at.date()),
                       klass=where(t, i.class_name), author=escape(i.author), acked=mark)
                     + "\n" + escape(shorten(i.text, 600)))
    if not page.items:
        parts.append(t("notice-wall-empty"))
    if page.pages > 1:
        parts.append(t("notice-wall-page", page=page.page + 1, pages=page.pages))
    acks = [_go(t("notice-btn-ack-on", date=t.short_date(i.created_at.date())), A.ACK,
                i.notice_id, page.page + 1) for i in page.items if not i.acknowledged]
    nav = pager(NoticeCb(A.WALL, 0, page.page - 1) if page.page > 0 else None,
                NoticeCb(A.WALL, 0, page.page + 1) if page.page + 1 < page.pages else None,
                t("btn-prev"), t("btn-next"))
    rows = (*layout(acks, 1), *((nav,) if nav else ()), (menu_button(t),))
    return Screen("\n\n".join(parts), rows)
