"""Push settings (menu area "notifications", linked from the settings screen): instant or a
daily digest and its time, quiet hours, kinds on/off, per-subject mute for the active child,
privacy mode. Every change is saved by services.preferences and edits the same message."""

from __future__ import annotations

import datetime as dt
from html import escape

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import grid, refuse, show
from handlers.replies import On
from screens.i18n import Translator
from screens.nav import MenuCb
from services import preferences
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.preferences import DIGEST_TIMES, KINDS, QUIET_PRESETS, BadPreference, Preferences

router = Router(name="notify_settings")

QUIET_BUTTONS = ("off", "21-07", "22-08", "20-07")


class NotifyCb(CallbackData, prefix="nt"):
    """a: main, mode, time, quiet, kind, hide, subj (picker), ms (mute subject)."""

    a: str
    v: str = ""
    s: int = 0  # student id for the subject picker


def _hm(time: dt.time) -> str:
    return time.strftime("%H:%M")


def _check(selected: bool, text: str) -> str:
    return f"✅ {text}" if selected else text


def settings_text(t: Translator, view: preferences.NotifySettings) -> str:
    prefs = view.prefs
    lines = [t("notify-title")]
    lines.append(t("notify-mode-digest", time=_hm(prefs.digest_time)) if prefs.digest
                 else t("notify-mode-instant"))
    window = prefs.quiet_window(*view.school_quiet)
    if window is None:
        lines.append(t("notify-quiet-off"))
    else:
        lines.append(t("notify-quiet", start=_hm(window[0]), end=_hm(window[1])))
    lines.append(t("notify-privacy-on") if prefs.hide_values else t("notify-privacy-off"))
    muted = [t(f"notify-kind-{k}") for k in KINDS if k in prefs.muted_kinds]
    if muted:
        lines.append(t("notify-muted", kinds=", ".join(muted)))
    if view.child is not None and view.muted_subjects:
        lines.append(t("notify-muted-subjects", name=escape(view.child.first_name),
                       subjects=escape(", ".join(view.muted_subjects))))
    lines.append(t("notify-hint"))
    return "\n".join(lines)


def settings_keyboard(t: Translator, view: preferences.NotifySettings) -> InlineKeyboardMarkup:
    prefs = view.prefs
    kb = InlineKeyboardBuilder()
    widths = [2]
    kb.button(text=_check(not prefs.digest, t("notify-btn-instant")),
              callback_data=NotifyCb(a="mode", v="i"))
    kb.button(text=_check(prefs.digest, t("notify-btn-digest")),
              callback_data=NotifyCb(a="mode", v="d"))
    if prefs.digest:
        for time in DIGEST_TIMES:
            kb.button(text=_check(prefs.digest_time == time, _hm(time)),
                      callback_data=NotifyCb(a="time", v=time.strftime("%H")))
        widths.append(len(DIGEST_TIMES))
    window = prefs.quiet_window(*view.school_quiet)
    for key in QUIET_BUTTONS:
        preset = QUIET_PRESETS[key]
        label = t("notify-btn-quiet-off") if preset == (preferences.OFF, preferences.OFF) \
            else t("notify-btn-quiet", start=key[:2], end=key[3:])
        current = window is None if key == "off" else window == preset
        kb.button(text=_check(current, label), callback_data=NotifyCb(a="quiet", v=key))
    widths.append(len(QUIET_BUTTONS))
    for kind in KINDS:
        msg = "notify-btn-kind-off" if kind in prefs.muted_kinds else "notify-btn-kind-on"
        kb.button(text=t(msg, kind=t(f"notify-kind-{kind}")),
                  callback_data=NotifyCb(a="kind", v=kind))
    widths += [3, 2]
    kb.button(text=t("notify-btn-privacy-on" if prefs.hide_values else "notify-btn-privacy-off"),
              callback_data=NotifyCb(a="hide", v="0" if prefs.hide_values else "1"))
    widths.append(1)
    if view.child is not None:
        kb.button(text=t("notify-btn-subjects", name=view.child.first_name),
                  callback_data=NotifyCb(a="subj", s=view.child.student_id))
        widths.append(1)
    kb.button(text=t("notify-btn-settings"), callback_data=MenuCb(area="settings").pack())
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())
    widths.append(2)
    kb.adjust(*widths)
    return kb.as_markup()


async def show_settings(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator) -> None:
    view = await preferences.settings_overview(session, account.id, account.active_student_id)
    await show(query, settings_text(t, view), settings_keyboard(t, view))


@router.callback_query(On(MenuCb, area="notifications"))
async def on_notifications(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                           t: Translator) -> None:
    await show_settings(query, session, account, t)


@router.callback_query(NotifyCb.filter(F.a == "main"))
async def on_main(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> None:
    await show_settings(query, session, account, t)


async def _change(session: AsyncSession, account_id: int, data: NotifyCb) -> Preferences:
    if data.a == "mode" and data.v in ("i", "d"):
        return await preferences.set_digest(session, account_id, data.v == "d")
    if data.a == "time" and data.v.isdigit():
        return await preferences.set_digest(session, account_id, True,
                                            dt.time(int(data.v) % 24, 0))
    if data.a == "quiet":
        return await preferences.set_quiet_hours(session, account_id, data.v)
    if data.a == "kind":
        return await preferences.toggle_kind(session, account_id, data.v)
    if data.a == "hide" and data.v in ("0", "1"):
        return await preferences.set_hide_values(session, account_id, data.v == "1")
    raise BadPreference(data.a)


@router.callback_query(NotifyCb.filter(F.a.in_({"mode", "time", "quiet", "kind", "hide"})))
async def on_change(query: CallbackQuery, callback_data: NotifyCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> None:
    before = await preferences.get_preferences(session, account.id)
    try:
        after = await _change(session, account.id, callback_data)
    except BadPreference:
        await refuse(query, t)
        return
    if after == before:
        await query.answer()  # the option already chosen: nothing to redraw
        return
    await show_settings(query, session, account, t)


# --- per-subject mute -------------------------------------------------------------------


async def show_subjects(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator, student_id: int) -> None:
    try:
        child, choices = await preferences.subject_choices(session, account.id, student_id)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for choice in choices:
        msg = "notify-btn-subject-off" if choice.muted else "notify-btn-subject-on"
        kb.button(text=t(msg, subject=choice.name),
                  callback_data=NotifyCb(a="ms", v=str(choice.subject_id), s=student_id))
    kb.button(text=t("btn-back"), callback_data=NotifyCb(a="main"))
    kb.adjust(*grid(len(choices), 2), 1)
    text = t("notify-subjects-title", name=escape(child.first_name))
    if not choices:
        text += "\n" + t("notify-subjects-empty")
    await show(query, text, kb.as_markup())


@router.callback_query(NotifyCb.filter(F.a == "subj"))
async def on_subjects(query: CallbackQuery, callback_data: NotifyCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    await show_subjects(query, session, account, t, callback_data.s)


@router.callback_query(NotifyCb.filter(F.a == "ms"))
async def on_mute_subject(query: CallbackQuery, callback_data: NotifyCb,
                          session: AsyncSession, account: AccountInfo, t: Translator) -> None:
    if not callback_data.v.isdigit():
        await refuse(query, t)
        return
    try:
        await preferences.mute_subject(session, account.id, callback_data.s,
                                       int(callback_data.v))
    except AccessDenied:
        await refuse(query, t)
        return
    await show_subjects(query, session, account, t, callback_data.s)
