"""The calendar feed as ICS (RFC 5545, the `icalendar` package): lessons with their
changes (a replaced lesson names the substitute, a cancelled or moved-away one is
STATUS:CANCELLED, a lesson moved here says where from), tests, and homework as all-day
events on the day it is due. Texts from Fluent in the chat's language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from screens.i18n import Translator
from services.calendar_feed import FeedData
from services.homework import HomeworkItem
from services.models import LessonStatus
from services.timetable import LessonView

DOMAIN = "diary-bot"


def _summary(t: Translator, lesson: LessonView) -> str:
    subject = lesson.subject
    if lesson.status == LessonStatus.MOVED and lesson.moved_to_date is not None:
        return t("cal-feed-moved-away", subject=subject,
                 date=t.date(lesson.moved_to_date), slot=lesson.moved_to_slot or lesson.slot)
    if lesson.status == LessonStatus.CANCELLED:
        return t("cal-feed-cancelled", subject=subject)
    if lesson.status == LessonStatus.REPLACED:
        summary = t("cal-feed-replaced", subject=subject, teacher=lesson.substitute or "—")
    elif lesson.moved_from_date is not None:
        summary = t("cal-feed-moved-here", subject=subject, date=t.date(lesson.moved_from_date))
    else:
        summary = subject
    if lesson.is_test:
        summary = t("cal-feed-test", summary=summary, work=lesson.work_type or "")
    return summary


def _lesson(t: Translator, lesson: LessonView, tz: ZoneInfo) -> Event:
    event = Event()
    here = "here" if lesson.moved_from_date is not None else "at"
    event.add("uid", f"lesson-{lesson.lesson_id}-{here}-{lesson.date:%Y%m%d}@{DOMAIN}")
    event.add("summary", _summary(t, lesson))
    if lesson.starts_at is not None and lesson.ends_at is not None:
        event.add("dtstart", dt.datetime.combine(lesson.date, lesson.starts_at, tz))
        event.add("dtend", dt.datetime.combine(lesson.date, lesson.ends_at, tz))
    else:
        event.add("dtstart", lesson.date)
    teacher = lesson.substitute if lesson.status == LessonStatus.REPLACED else lesson.teacher
    event.add("description", t("cal-feed-lesson-description", slot=lesson.slot,
                               teacher=teacher or "—", room=lesson.room or "—"))
    if lesson.room:
        event.add("location", lesson.room)
    cancelled = lesson.status == LessonStatus.CANCELLED or (
        lesson.status == LessonStatus.MOVED and lesson.moved_to_date is not None)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("categories", ["test" if lesson.is_test else "lesson"])
    return event


def _homework(t: Translator, item: HomeworkItem) -> Event:
    event = Event()
    event.add("uid", f"homework-{item.id}@{DOMAIN}")
    event.add("summary", t("cal-feed-homework", subject=item.subject))
    event.add("dtstart", item.due_on)
    event.add("dtend", item.due_on + dt.timedelta(days=1))
    event.add("description", item.text)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["homework"])
    return event


def render(t: Translator, data: FeedData) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{DOMAIN}//calendar feed//{t.locale}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", t("cal-feed-name", name=data.access.child.first_name))
    cal.add("x-wr-timezone", data.timezone)
    tz = ZoneInfo(data.timezone)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for event in [*(_lesson(t, lesson, tz) for lesson in data.lessons),
                  *(_homework(t, item) for item in data.homework)]:
        event.add("dtstamp", stamp)
        cal.add_component(event)
    return cal.to_ical()
