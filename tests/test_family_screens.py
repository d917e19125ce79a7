"""The family screens render whatever the journal holds: a name, class name, subject,
room, topic or homework text with "<", ">" or "&" in it comes out as typed, and the text
stays HTML that Telegram accepts. Pure screens, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from screens import attendance, calendar, forecast, homework, teachers, timetable
from screens.base import Screen
from screens.i18n import translator
from services import forecast as forecast_service
from services import timetable as lessons
from services.access import ChildRef, StudentAccess
from services.attendance import AttendanceReport, MissedLesson
from services.calendar import PeriodInfo
from services.homework import (
    HomeworkDay,
    HomeworkItem,
    LessonTopics,
    SubjectHomework,
    SubjectRef,
    TopicItem,
)
from services.models import AttendanceKind, LessonStatus, PeriodKind
from services.school_calendar import SchoolCalendar
from services.teachers import ClassTeachers, SubjectTeacher
from services.timetable import DayTimetable, LessonView, WeekTimetable
from telegram_fakes.rules import parse_html

ru = translator("ru")
DAY = dt.date(2026, 11, 23)
HOSTILE = "<b>&amp;"  # as a journal could hold it: must show literally
CHILD = ChildRef(7, 1, f"Миша{HOSTILE}", "Петров", 3, f"5{HOSTILE}", 5)
GRANTED = StudentAccess(CHILD, as_staff=False)
TERM = PeriodInfo(1, PeriodKind.QUARTER, 2, f"2 четверть{HOSTILE}", DAY - dt.timedelta(days=20),
                  DAY + dt.timedelta(days=30))
REST = PeriodInfo(2, PeriodKind.HOLIDAYS, 1, f"Зимние{HOSTILE}", DAY + dt.timedelta(days=31),
                  DAY + dt.timedelta(days=40))
LESSON = LessonView(1, DAY, 1, None, None, 1, f"Алгебра{HOSTILE}", f"208{HOSTILE}",
                    f"Иванова{HOSTILE}", f"Захарова{HOSTILE}", LessonStatus.REPLACED,
                    is_test=True, work_type=f"Контрольная{HOSTILE}")
ITEM = HomeworkItem(1, 1, f"Алгебра{HOSTILE}", f"№ 5 {HOSTILE}", DAY, DAY, False,
                    f"Группа{HOSTILE}")
SUBJECT = SubjectRef(1, f"Алгебра{HOSTILE}")


def shown(screen: Screen) -> str:
    """The text as Telegram would show it (fails where Telegram would refuse it)."""
    plain, _ = parse_html(screen.text)
    return plain


def test_timetable_screens_escape_journal_text() -> None:
    day = DayTimetable(7, DAY, DAY, (LESSON,))
    text = shown(timetable.day(ru, GRANTED, day))
    for value in (CHILD.first_name, CHILD.class_name, LESSON.subject, LESSON.room,
                  LESSON.teacher, LESSON.substitute, LESSON.work_type):
        assert value in text, value
    week = shown(timetable.week(ru, GRANTED, WeekTimetable(7, DAY, DAY, (day,))))
    assert LESSON.subject in week and CHILD.class_name in week
    test = lessons.TestView(1, DAY, 1, f"Алгебра{HOSTILE}", f"Контрольная{HOSTILE}", False)
    schedule = lessons.TestSchedule(7, DAY, TERM, (test,), (test,))
    tests = shown(timetable.scheduled_tests(ru, GRANTED, schedule))
    assert test.subject in tests and test.work_type in tests


def test_homework_screens_escape_journal_text() -> None:
    text = shown(homework.day(ru, GRANTED, HomeworkDay(7, DAY, DAY, (ITEM,), None, None)))
    for value in (ITEM.subject, ITEM.text, ITEM.subgroup, CHILD.class_name):
        assert value in text, value
    subject = shown(homework.subject(ru, GRANTED, SubjectHomework(7, SUBJECT, DAY, (ITEM,), ())))
    assert SUBJECT.name in subject and ITEM.text in subject
    topic = TopicItem(1, DAY, 1, f"Дроби{HOSTILE}", f"Учебник{HOSTILE}")
    topics = shown(homework.topics(ru, GRANTED, LessonTopics(7, SUBJECT, (topic,))))
    assert topic.topic in topics and topic.material in topics
    picker = homework.subjects(ru, GRANTED, [SUBJECT])
    # Button texts are plain text: the name as it is, not escaped.
    assert SUBJECT.name in [b.text for row in picker.rows for b in row]


def test_attendance_forecast_calendar_teachers_escape_journal_text() -> None:
    missed = MissedLesson(DAY, 1, f"Алгебра{HOSTILE}", AttendanceKind.ILL, None)
    report = AttendanceReport(7, TERM.starts_on, TERM.ends_on, DAY, TERM,
                              tuple((k, int(k == AttendanceKind.ILL)) for k in AttendanceKind),
                              (missed,))
    text = shown(attendance.report(ru, GRANTED, attendance.AtView.PERIOD, report))
    assert missed.subject in text and CHILD.class_name in text
    line = forecast_service.SubjectForecast(1, f"Алгебра{HOSTILE}", TERM.id, TERM.name,
                                            TERM.ends_on, 3, Decimal("4.50"), 5, 1, 10,
                                            None, None, 4, 3)
    text = shown(forecast.student(ru, GRANTED, forecast_service.StudentForecast(
        TERM, DAY, [line])))
    assert line.subject in text and CHILD.class_name in text and CHILD.first_name in text
    cal = SchoolCalendar(7, DAY, (TERM,), (REST,), None, TERM, None)
    text = shown(calendar.calendar(ru, GRANTED, cal))
    assert CHILD.class_name in text and REST.name in text
    staff = ClassTeachers(7, CHILD.class_name, f"Сидорова{HOSTILE}", (
        SubjectTeacher(1, f"Алгебра{HOSTILE}", f"Иванова{HOSTILE}", f"Группа{HOSTILE}"),))
    text = shown(teachers.teachers(ru, GRANTED, staff))
    for value in (CHILD.class_name, staff.class_teacher, "Иванова" + HOSTILE, "Группа" + HOSTILE):
        assert value in text, value
