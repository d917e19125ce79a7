"""Message screens: whom a family may write to, a teacher's threads with unread counts, one
thread, composing, and a teacher's office hours. User text is always escaped; button
texts are plain text, so names go there as they are."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from html import escape
from zoneinfo import ZoneInfo

from screens.base import TEXT_LIMIT, Button, Screen, layout
from screens.html_text import shorten
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from services.access import ChildRef
from services.message_teachers import Teacher
from services.messages import Sent, ThreadInfo, ThreadView
from services.office_hours import PRESETS


class MsgAction(enum.StrEnum):
    WRITE = "w"  # s, staff: open the thread with that teacher and write
    OPEN = "o"  # th: read a thread
    REPLY = "r"  # th: write into a thread
    MUTE = "m"  # th, on
    BLOCK = "b"  # th, on
    CANCEL = "c"  # stop composing


@dataclass(frozen=True)
class MsgCb(Payload, prefix="ms"):
    action: MsgAction
    s: int = 0  # student id
    staff: int = 0  # staff id
    th: int = 0  # thread id
    on: bool = False


class HoursChoice(enum.StrEnum):
    """The office hours a teacher may pick (services.office_hours.PRESETS), or SHOW."""

    SHOW = "now"
    H08_18 = "08-18"
    H08_16 = "08-16"
    H09_17 = "09-17"
    H10_19 = "10-19"


@dataclass(frozen=True)
class HoursCb(Payload, prefix="oh"):
    preset: HoursChoice = HoursChoice.SHOW


def _cb(action: MsgAction, **fields: int | bool) -> str:
    return MsgCb(action, **fields).pack()  # type: ignore[arg-type]


def _teacher_label(t: Translator, teacher: Teacher) -> str:
    if teacher.class_teacher:
        role = t("msg-role-class-teacher")
    elif teacher.substitute:
        role = t("msg-role-substitute", subjects=", ".join(teacher.subjects))
    else:
        role = ", ".join(teacher.subjects)
    return t("msg-teacher-button", name=teacher.name, role=role)


def _unread(t: Translator, n: int) -> str:
    return t("msg-unread", n=n) if n else ""


def family_home(t: Translator, child: ChildRef, teachers: tuple[Teacher, ...],
                threads: tuple[ThreadInfo, ...]) -> Screen:
    lines = [t("msg-family-title", name=escape(child.short_name),
               klass=escape(child.class_name or "—"))]
    lines.append(t("msg-family-pick") if teachers else t("msg-family-none"))
    buttons = [Button(_teacher_label(t, x), _cb(MsgAction.WRITE, s=child.student_id,
                                                staff=x.staff_id)) for x in teachers]
    mine = [th for th in threads if th.student_id == child.student_id]
    if mine:
        lines.append(t("msg-family-threads"))
    buttons += [Button(t("msg-thread-button", who=th.teacher, unread=_unread(t, th.unread)),
                       _cb(MsgAction.OPEN, th=th.id)) for th in mine]
    return Screen("\n\n".join(lines), layout([*buttons, menu_button(t)], 1))


def staff_home(t: Translator, threads: tuple[ThreadInfo, ...],
               blocked: tuple[ThreadInfo, ...] = ()) -> Screen:
    text = t("msg-staff-title") + "\n\n" + (t("msg-staff-pick") if threads
                                           else t("msg-staff-none"))
    buttons = [Button(t("msg-thread-button", who=f"{th.student}, {th.class_name}",
                        unread=_unread(t, th.unread)), _cb(MsgAction.OPEN, th=th.id))
               for th in threads]
    if blocked:
        text += "\n\n" + t("msg-staff-blocked")
    buttons += [Button(t("msg-blocked-button", who=f"{th.student}, {th.class_name}",
                         teacher=th.teacher), _cb(MsgAction.OPEN, th=th.id))
                for th in blocked]
    buttons += [Button(t("msg-hours-button"), HoursCb().pack()), menu_button(t)]
    return Screen(text, layout(buttons, 1))


def _when(at: dt.datetime, timezone: str = "Europe/Moscow") -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%d.%m %H:%M")


def thread(t: Translator, view: ThreadView) -> Screen:
    info = view.thread
    head = t("msg-thread-title", student=escape(info.student),
             klass=escape(info.class_name), teacher=escape(info.teacher))
    if info.blocked:
        head += "\n" + t("msg-thread-blocked")
    shown: list[str] = []
    room = TEXT_LIMIT - len(head) - 200  # the newest messages that fit, whole
    for line in reversed(view.lines):
        who = t("msg-from-teacher") if line.from_staff else t("msg-from-family")
        body = escape(line.text)
        if line.file_kind:
            body = (t(f"msg-file-{line.file_kind}") + " " + body).strip()
        text = shorten(t("msg-line", who=who, when=_when(line.sent_at), text=body), room)
        if shown and len(text) + 2 > room:
            break
        shown.insert(0, text)
        room -= len(text) + 2
    out = [head, *shown] if shown else [head, t("msg-thread-empty")]
    buttons: list[Button] = []
    if view.side == "staff" or (view.side == "family" and not info.blocked):
        buttons.append(Button(t("msg-btn-write"), _cb(MsgAction.REPLY, th=info.id)))
    if view.side == "staff":
        buttons.append(Button(t("msg-btn-unmute" if info.muted else "msg-btn-mute"),
                              _cb(MsgAction.MUTE, th=info.id, on=not info.muted)))
        buttons.append(Button(t("msg-btn-unblock" if info.blocked else "msg-btn-block"),
                              _cb(MsgAction.BLOCK, th=info.id, on=not info.blocked)))
    area = MenuArea.MESSAGES if view.side == "family" else MenuArea.INBOX
    buttons += [Button(t("btn-back"), MenuCb(area).pack()), menu_button(t)]
    return Screen("\n\n".join(out), layout(buttons, 1))


def compose(t: Translator, info: ThreadInfo, side: str) -> Screen:
    whom = escape(info.teacher) if side == "family" else escape(
        f"{info.student}, {info.class_name}")
    return Screen(t("msg-compose", whom=whom),
                  ((Button(t("msg-btn-cancel"), _cb(MsgAction.CANCEL)),),), new=True)


def cancelled(t: Translator) -> Screen:
    return Screen(t("msg-cancelled"), ((menu_button(t),),))


def sent(t: Translator, result: Sent) -> Screen:
    text = t("msg-sent")
    if result.held_until is not None:
        text += "\n" + t("msg-held", when=_when(result.held_until, result.timezone))
    return Screen(text, ((Button(t("msg-btn-open-thread"),
                                 _cb(MsgAction.OPEN, th=result.thread.id)),
                          menu_button(t)),))


def hours(t: Translator, current: tuple[dt.time, dt.time]) -> Screen:
    now = f"{current[0]:%H:%M}–{current[1]:%H:%M}"
    buttons = [Button(("✅ " if PRESETS[p] == current else "") + t(
        "msg-hours-preset", start=f"{PRESETS[p][0]:%H:%M}", end=f"{PRESETS[p][1]:%H:%M}"),
        HoursCb(HoursChoice(p)).pack()) for p in PRESETS]
    buttons += [Button(t("btn-back"), MenuCb(MenuArea.INBOX).pack()), menu_button(t)]
    return Screen(t("msg-hours-title", hours=now), layout(buttons, 2, 2, 1))
