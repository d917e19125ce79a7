"""The notifications screen: instant or a daily digest and its time, quiet hours, kinds
on/off, privacy mode, and the per-subject mute for one child."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from html import escape
from typing import TypeVar

from screens.base import Button, Screen, grid, layout
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload, parse_field
from services.access import ChildRef
from services.errors import BadPreference
from services.family_summary import FAMILY_SUMMARY_AT
from services.notification_settings import (
    DIGEST_TIMES,
    KINDS,
    OFF,
    QUIET_PRESETS,
    NotifySettings,
    SubjectChoice,
)

QUIET_BUTTONS = ("off", "21-07", "22-08", "20-07")
V = TypeVar("V")


class NotifyAction(enum.StrEnum):
    MAIN = "main"
    MODE = "mode"  # v: a DigestMode
    TIME = "time"  # v: the digest hour, "19"
    QUIET = "quiet"  # v: a quiet-hours preset, "22-08"
    KIND = "kind"  # v: a kind of push, "marks"
    HIDE = "hide"  # v: 1 hide values, 0 show them
    FAMILY = "fam"  # v: 1 the evening summary of several children, 0 none
    SUBJECTS = "subj"  # the subject picker for child `s`
    MUTE_SUBJECT = "ms"  # v: the subject id to mute or unmute for child `s`


class DigestMode(enum.StrEnum):
    INSTANT = "i"
    DIGEST = "d"


@dataclass(frozen=True)
class NotifyCb(Payload, prefix="nt"):
    a: NotifyAction
    v: str = ""  # what was chosen; its type depends on `a` (read it with `value`)
    s: int = 0  # student id for the subject picker

    def value(self, kind: type[V]) -> V:
        """`v` read as `kind`, as strictly as a field of that type; a forged value is
        refused as a bad preference."""
        try:
            return parse_field(kind, self.v)
        except ValueError:
            raise BadPreference(f"{self.a}:{self.v}") from None

    def digest_time(self) -> dt.time:
        hour = self.value(int)
        if not 0 <= hour < 24:
            raise BadPreference(f"{self.a}:{self.v}")
        return dt.time(hour, 0)


def _hm(time: dt.time) -> str:
    return time.strftime("%H:%M")


def _check(selected: bool, text: str) -> str:
    return f"✅ {text}" if selected else text


def _choose(text: str, a: NotifyAction, v: str = "", s: int = 0) -> Button:
    return Button(text, NotifyCb(a, v, s).pack())


def settings_text(t: Translator, view: NotifySettings) -> str:
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
    if view.several_children:
        lines.append(t("notify-family-on", time=_hm(FAMILY_SUMMARY_AT)) if prefs.family_summary
                     else t("notify-family-off"))
    muted = [t(f"notify-kind-{k}") for k in KINDS if k in prefs.muted_kinds]
    if muted:
        lines.append(t("notify-muted", kinds=", ".join(muted)))
    if view.child is not None and view.muted_subjects:
        lines.append(t("notify-muted-subjects", name=escape(view.child.first_name),
                       subjects=escape(", ".join(view.muted_subjects))))
    lines.append(t("notify-hint"))
    return "\n".join(lines)


def settings(t: Translator, view: NotifySettings) -> Screen:
    prefs = view.prefs
    buttons = [_choose(_check(not prefs.digest, t("notify-btn-instant")), NotifyAction.MODE,
                       DigestMode.INSTANT),
               _choose(_check(prefs.digest, t("notify-btn-digest")), NotifyAction.MODE,
                       DigestMode.DIGEST)]
    widths = [2]
    if prefs.digest:
        buttons += [_choose(_check(prefs.digest_time == time, _hm(time)), NotifyAction.TIME,
                            time.strftime("%H")) for time in DIGEST_TIMES]
        widths.append(len(DIGEST_TIMES))
    window = prefs.quiet_window(*view.school_quiet)
    for key in QUIET_BUTTONS:
        preset = QUIET_PRESETS[key]
        label = t("notify-btn-quiet-off") if preset == (OFF, OFF) \
            else t("notify-btn-quiet", start=key[:2], end=key[3:])
        current = window is None if key == "off" else window == preset
        buttons.append(_choose(_check(current, label), NotifyAction.QUIET, key))
    widths.append(len(QUIET_BUTTONS))
    for kind in KINDS:
        msg = "notify-btn-kind-off" if kind in prefs.muted_kinds else "notify-btn-kind-on"
        buttons.append(_choose(t(msg, kind=t(f"notify-kind-{kind}")), NotifyAction.KIND, kind))
    widths += [3, 2]
    buttons.append(_choose(
        t("notify-btn-privacy-on" if prefs.hide_values else "notify-btn-privacy-off"),
        NotifyAction.HIDE, "0" if prefs.hide_values else "1"))
    widths.append(1)
    if view.several_children:
        buttons.append(_choose(
            t("notify-btn-family-on" if prefs.family_summary else "notify-btn-family-off"),
            NotifyAction.FAMILY, "0" if prefs.family_summary else "1"))
        widths.append(1)
    if view.child is not None:
        buttons.append(_choose(t("notify-btn-subjects", name=view.child.first_name),
                               NotifyAction.SUBJECTS, s=view.child.student_id))
        widths.append(1)
    buttons += [Button(t("notify-btn-settings"), MenuCb(MenuArea.SETTINGS).pack()),
                menu_button(t)]
    return Screen(settings_text(t, view), layout(buttons, *widths, 2))


def subjects(t: Translator, child: ChildRef,
             choices: list[SubjectChoice]) -> Screen:
    buttons = [_choose(t("notify-btn-subject-off" if c.muted else "notify-btn-subject-on",
                         subject=c.name), NotifyAction.MUTE_SUBJECT, str(c.subject_id),
                       child.student_id) for c in choices]
    buttons.append(_choose(t("btn-back"), NotifyAction.MAIN))
    text = t("notify-subjects-title", name=escape(child.first_name))
    if not choices:
        text += "\n" + t("notify-subjects-empty")
    return Screen(text, layout(buttons, *grid(len(choices), 2), 1))
