"""Quick entry as screens: today's lessons of a teacher, one lesson's register with a
toggle per student (present by default) and one save, and the topic and homework asked for
and confirmed."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, layout
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from services.attendance_register import RegisterResult
from services.quick_entry import QuickLesson, QuickLessonRef


class QuickStep(enum.StrEnum):
    OPEN = "o"  # a lesson's register
    TOGGLE = "t"  # one student present ⇄ away
    SAVE = "s"  # take the register
    TOPIC = "p"  # ask for the topic
    HOMEWORK = "h"  # ask for the homework


@dataclass(frozen=True)
class QuickCb(Payload, prefix="qe"):
    v: QuickStep
    l: int = 0  # noqa: E741 — lesson id
    s: int = 0  # student id


def _go(text: str, step: QuickStep, lesson_id: int, student_id: int = 0) -> Button:
    return Button(text, QuickCb(step, lesson_id, student_id).pack())


def _title(t: Translator, lesson: QuickLessonRef) -> str:
    return t("quick-lesson", slot=lesson.slot, klass=escape(lesson.class_name),
             subject=escape(lesson.subject))


def lessons(t: Translator, found: list[QuickLessonRef]) -> Screen:
    # Button texts are plain text: names go there as they are.
    buttons = [_go(t("quick-lesson-button", slot=lesson.slot, klass=lesson.class_name,
                     subject=lesson.subject), QuickStep.OPEN, lesson.id) for lesson in found]
    text = t("quick-title") if found else t("quick-no-lessons")
    return Screen(text, layout([*buttons, menu_button(t)], 1))


def register(t: Translator, found: QuickLesson, away: Collection[int],
             notice: str = "") -> Screen:
    lesson = found.lesson
    lines = [notice, ""] if notice else []
    lines += [f"<b>{_title(t, lesson)}</b>", t.date(found.date, weekday=True)]
    lines.append(t("quick-topic", topic=escape(found.topic)) if found.topic
                 else t("quick-no-topic"))
    lines.append(t("quick-taken") if found.taken else t("quick-not-taken"))
    lines.append(t("quick-hint"))
    toggles = [_go(t("quick-away" if s.id in away else "quick-present",
                     name=f"{s.last_name} {s.first_name}"), QuickStep.TOGGLE, lesson.id, s.id)
               for s in found.students]
    rest = [_go(t("quick-save", count=len(away)), QuickStep.SAVE, lesson.id),
            _go(t("quick-btn-topic"), QuickStep.TOPIC, lesson.id),
            _go(t("quick-btn-homework"), QuickStep.HOMEWORK, lesson.id),
            Button(t("quick-btn-lessons"), MenuCb(MenuArea.QUICK).pack()), menu_button(t)]
    return Screen("\n".join(lines), layout([*toggles, *rest], *([2] * (len(toggles) // 2)),
                                           *([1] * (len(toggles) % 2)), 1, 2, 2))


def saved_notice(t: Translator, result: RegisterResult, away: int) -> str:
    return t("quick-saved", away=away, queued=result.queued)


def ask(t: Translator, what: str, lesson: QuickLessonRef, limit: int) -> Screen:
    return Screen(t(f"quick-ask-{what}", lesson=_title(t, lesson), limit=limit),
                  ((_go(t("quick-btn-back"), QuickStep.OPEN, lesson.id),),))


def too_long(t: Translator, limit: int) -> Screen:
    return Screen(t("quick-too-long", limit=limit))


def topic_saved(t: Translator, lesson: QuickLessonRef, topic: str) -> Screen:
    return Screen(t("quick-topic-saved", lesson=_title(t, lesson), topic=escape(topic)),
                  ((_go(t("quick-btn-back"), QuickStep.OPEN, lesson.id),),))


def homework_saved(t: Translator, lesson: QuickLessonRef, due: dt.date,
                   queued: int) -> Screen:
    return Screen(t("quick-homework-saved", lesson=_title(t, lesson),
                    date=t.short_date(due), queued=queued),
                  ((_go(t("quick-btn-back"), QuickStep.OPEN, lesson.id),),))
