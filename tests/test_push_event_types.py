"""Typed push events: each kind survives the trip through the JSONB payload, rows queued
before events were typed still read (and render as they did), and a row this process
cannot read is held for a person instead of breaking delivery or vanishing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, text

from screens.i18n import translator
from screens.pushes import PushRow, compose
from services import clock, delivery_queue
from services import push_events as ev
from services.models import Account, Notification
from tests.conftest import Db

DAY = dt.date(2026, 11, 23)
EVENTS: list[ev.PushEvent] = [
    ev.MarkEvent(type="mark_changed", subject="Физика", work_type="Тест", weight=2, date=DAY,
                 value=5, old_value=4, student="Миша"),
    ev.FinalMarkEvent(subject="Физика", period="2 четверть", final_kind="period", value=5),
    ev.LessonChangeEvent(type="lesson_moved", subject="Физика", date=DAY, slot=2,
                         new_date=DAY + dt.timedelta(days=1), new_slot=3),
    ev.HomeworkEvent(type="homework_new", subject="Физика", due_on=DAY, text="§ 5"),
    ev.HomeworkTomorrowEvent(due_on=DAY, items=(ev.HomeworkItem("Физика", "§ 5"),)),
    ev.ForecastChangeEvent(subject="Физика", period="2 четверть", old=5, new=4, average=4.4,
                           cause=ev.ForecastCause("created", value=2, date=DAY, today=True),
                           need=3, target=5),
    ev.ForecastWeeklyEvent(period="2 четверть",
                           items=(ev.WeeklyItem("Физика", 4.5, 5), ev.WeeklyItem("Химия",
                                                                                3.4, 3, 2, 4))),
    ev.ForecastRiskEvent(period="2 четверть", ends_on=DAY,
                         items=(ev.RiskItem("Химия", 2.9, 3, previous=4),)),
    ev.AccessEndedEvent(reason="annulled", student="Оля"),
    ev.NoticeEvent(type="message", text="Собрание", author="Классный руководитель"),
    ev.UnmarkedLessonsEvent(items=(ev.UnmarkedLesson("5А", "Физика", DAY, 2),)),
    ev.ThreadMessageEvent(thread_id=3, message_id=7, sender="guardian", text="Вопрос",
                          file_kind="photo", file_id="file-1", student="Миша Петров, 5А"),
    ev.AbsenceEvent(attendance="absent", subject="Физика", date=DAY, slot=2, student="Миша"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_survives_its_payload(event: ev.PushEvent) -> None:
    payload = event.to_payload()
    assert payload["v"] == type(event).VERSION and payload["type"] == event.event_type
    assert ev.decode(event.kind, payload) == event


def test_rows_queued_before_events_were_typed_read_and_render_the_same() -> None:
    legacy = {"type": "mark_added", "student": "Ким Миша", "subject": "Физика",
              "work_type": "Тест", "weight": 2, "date": "2026-11-23", "value": 4,
              "passed": None, "hide_values": True}
    staff = {"type": "unmarked_lessons",
             "items": [{"class": "5А", "subject": "Физика", "date": "2026-11-16", "slot": 2}]}
    now = clock.now()
    [marks] = compose([PushRow.from_stored(1, "marks", legacy, 7, now)], translator("ru"))
    assert marks.text.startswith("📊 <b>Ким Миша</b>: новая оценка")
    assert "<tg-spoiler>" in marks.text and marks.row_ids == (1,)
    [unmarked] = compose([PushRow.from_stored(2, "staff", staff, None, now)], translator("en"))
    assert "5А" in unmarked.text and unmarked.row_ids == (2,)
    assert ev.decode("marks", {"subject": "Физика", "value": 3}).event_type == "mark_added"
    unknown = ev.decode("poll", {"type": "poll_opened", "text": "Опрос"})
    [shown] = compose([PushRow(3, unknown, None, now)], translator("ru"))
    assert "Опрос" in shown.text


def test_a_newer_or_malformed_payload_is_unreadable() -> None:
    with pytest.raises(ev.UnreadablePayload):
        ev.decode("marks", {"type": "mark_added", "v": 2, "subject": "Физика"})
    with pytest.raises(ev.UnreadablePayload):
        ev.decode("homework", {"type": "homework_tomorrow", "items": 5})


async def test_an_unreadable_row_is_held_and_the_rest_still_go(empty_db: Db) -> None:
    async with empty_db.sessionmaker.begin() as s:
        acc = Account(telegram_id=871, chat_id=871, locale="ru")
        s.add(acc)
        await s.flush()
        good = ev.MarkEvent(type="mark_added", subject="Физика", work_type="Тест", weight=1,
                            date=DAY, value=5, student="Миша").to_payload()
        await s.execute(insert(Notification), [
            {"account_id": acc.id, "chat_id": 871, "kind": "marks", "dedupe_key": key,
             "payload": payload, "due_at": clock.now(), "event_at": clock.now()}
            for key, payload in (("new", {**good, "v": 99}), ("ok", good))])
    async with empty_db.sessionmaker.begin() as s:
        [batch] = await delivery_queue.claim_due(s, worker_id="w", limit=10, lease=60)
    assert len(batch.rows) == 1
    async with empty_db.sessionmaker() as s:
        held = (await s.execute(text(
            "SELECT status, last_error FROM notifications WHERE dedupe_key = 'new'"))).one()
    assert held.status == "held" and "v99" in held.last_error


def test_a_row_too_long_for_one_message_rides_the_last_part() -> None:
    """Each message says which rows it completes: a row whose text spans two messages is
    complete only with the second, so a first part accepted alone sends nothing twice but
    leaves the row to be sent again whole."""
    items = tuple(ev.HomeworkItem(f"Предмет {n}", f"задание {n} " + "слово " * 95)
                  for n in range(12))
    long_one = ev.HomeworkTomorrowEvent(due_on=DAY, items=items, student="Миша")
    short = ev.MarkEvent(type="mark_added", subject="Физика", work_type="Тест", weight=1,
                         date=DAY, value=5, student="Миша")
    now = clock.now()
    messages = compose([PushRow(1, short, 9, now), PushRow(2, long_one, 9, now)],
                       translator("ru"))
    assert len(messages) == 2 and all(len(m.text) <= 4096 for m in messages)
    assert [m.row_ids for m in messages] == [(1,), (2,)]
    joined = "\n".join(m.text for m in messages)
    assert all(joined.count(f"задание {n} ") == 1 for n in range(12))
