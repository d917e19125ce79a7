"""Homework screens: by due date (◀️ ▶️ to the nearest due dates), the subject picker, a
subject's upcoming and recent homework, and its lesson topics. Long views are paged."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, grid, layout, rows
from screens.family import child_line
from screens.i18n import Translator
from screens.nav import DayPayload, menu_button, pack_day, paged, paginate
from services.access import StudentAccess
from services.homework import HomeworkDay, HomeworkItem, LessonTopics, SubjectHomework, SubjectRef


class HwView(enum.StrEnum):
    DAY = "d"  # by due date
    SUBJECTS = "l"  # the subject picker
    SUBJECT = "j"  # one subject's homework
    TOPICS = "t"  # one subject's lesson topics


@dataclass(frozen=True)
class HwCb(DayPayload, prefix="hw"):
    v: HwView
    s: int  # student id
    d: int = 0  # due date as YYYYMMDD; 0: the next school day
    j: int = 0  # subject id
    p: int = 0  # page


def _go(text: str, view: HwView, s: int, j: int = 0) -> Button:
    return Button(text, HwCb(view, s, j=j).pack())


def item_lines(t: Translator, item: HomeworkItem, *, with_subject: bool) -> list[str]:
    text = escape(item.text)
    if with_subject:
        first = t("homework-item", subject=escape(item.subject), text=text)
    else:
        first = t("homework-subject-line", date=t.date(item.due_on, weekday=True), text=text)
    notes = [t("homework-planned" if item.planned else "homework-assigned",
               date=t.date(item.assigned_on))]
    if item.individual:
        notes.append(t("homework-individual"))
    elif item.subgroup:
        notes.append(t("homework-subgroup", group=escape(item.subgroup)))
    return [first, "    " + " · ".join(notes)]


def day(t: Translator, granted: StudentAccess, view: HomeworkDay, page: int = 0) -> Screen:
    lines: list[str] = []
    for item in view.items:
        lines.append("")
        lines.extend(item_lines(t, item, with_subject=True))
    if not view.items:
        lines.extend(["", t("homework-day-none")])
    title = t("homework-day-title", date=t.date(view.day, weekday=True))
    s, due = view.student_id, pack_day(view.day)
    text, paging = paged(t, "homework", paginate(lines, f"{title}\n{child_line(t, granted)}"),
                         page, lambda p: HwCb(HwView.DAY, s, due, p=p))
    steps = []
    if view.previous_due is not None:
        steps.append(Button(t("homework-btn-prev", date=t.date(view.previous_due, weekday=True)),
                            HwCb(HwView.DAY, s, pack_day(view.previous_due)).pack()))
    if view.next_due is not None:
        steps.append(Button(t("homework-btn-next", date=t.date(view.next_due, weekday=True)),
                            HwCb(HwView.DAY, s, pack_day(view.next_due)).pack()))
    return Screen(text, rows(paging, steps, [_go(t("homework-btn-subjects"), HwView.SUBJECTS, s)],
                             [menu_button(t)]))


def subjects(t: Translator, granted: StudentAccess, found: list[SubjectRef]) -> Screen:
    s = granted.child.student_id
    lines = [t("homework-subjects-title"), child_line(t, granted), "",
             t("homework-subjects-choose") if found else t("homework-subjects-none")]
    # Button texts are plain text, not HTML: the subject's name goes as it is.
    buttons = [_go(subject.name, HwView.SUBJECT, s, subject.id) for subject in found]
    buttons += [_go(t("homework-btn-by-day"), HwView.DAY, s), menu_button(t)]
    return Screen("\n".join(lines), layout(buttons, *grid(len(found), 2), 1))


def _subject_screen(t: Translator, granted: StudentAccess, view: SubjectHomework | LessonTopics,
                    title: str, lines: list[str], page: int, shown: HwView,
                    other: HwView) -> Screen:
    s, j = granted.child.student_id, view.subject.id
    text, paging = paged(t, "homework", paginate(lines, f"{title}\n{child_line(t, granted)}"),
                         page, lambda p: HwCb(shown, s, j=j, p=p))
    switch = "homework-btn-topics" if other == HwView.TOPICS else "homework-btn-subject-homework"
    return Screen(text, rows(paging, [_go(t(switch), other, s, j)],
                             [_go(t("homework-btn-back-subjects"), HwView.SUBJECTS, s),
                              menu_button(t)]))


def subject(t: Translator, granted: StudentAccess, view: SubjectHomework,
            page: int = 0) -> Screen:
    lines = ["", t("homework-subject-upcoming")]
    for item in view.upcoming:
        lines.extend(item_lines(t, item, with_subject=False))
    if not view.upcoming:
        lines.append(t("homework-subject-upcoming-none"))
    lines.extend(["", t("homework-subject-recent")])
    for item in view.recent:
        lines.extend(item_lines(t, item, with_subject=False))
    if not view.recent:
        lines.append(t("homework-subject-recent-none"))
    title = t("homework-subject-title", subject=escape(view.subject.name))
    return _subject_screen(t, granted, view, title, lines, page, HwView.SUBJECT, HwView.TOPICS)


def topics(t: Translator, granted: StudentAccess, view: LessonTopics, page: int = 0) -> Screen:
    lines: list[str] = []
    for item in view.items:
        lines.append("")
        lines.append(t("homework-topic-line", date=t.date(item.date, weekday=True),
                       slot=item.slot, topic=escape(item.topic)))
        if item.material:
            lines.append("    " + t("homework-topic-material", material=escape(item.material)))
    if not view.items:
        lines.extend(["", t("homework-topics-none")])
    title = t("homework-topics-title", subject=escape(view.subject.name))
    return _subject_screen(t, granted, view, title, lines, page, HwView.TOPICS, HwView.SUBJECT)
