"""Timetable and lessons of the demo: every lesson of the weekly templates, monthly tests,
this week's changes (a replacement, a cancellation, a move) and homework."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.demo_seed import data
from services.demo_seed.people import _Class
from services.demo_seed.school import DAY, WEEKS_PER_YEAR, _School
from services.demo_seed.syllabus import COMMON_TOPICS, HOMEWORK, MATERIALS, TEST_TOPIC, TOPICS
from services.demo_seed.writer import _Writer
from services.models import Lesson, LessonStatus

# --- timetable and lessons --------------------------------------------------------------


@dataclass
class _Lesson:
    cls: _Class
    subject: str
    subgroup_id: int | None
    teacher_id: int
    date: dt.date
    slot: int
    room: str | None
    seq: int  # number of this lesson of the subject in the class's year, from 0
    external_id: str
    status: LessonStatus
    topic: str = ""
    topic_no: int = 0
    material: str | None = None
    test: bool = False
    substitute_id: int | None = None
    moved_to: tuple[dt.date, int] | None = None
    id: int = 0

    @property
    def held(self) -> bool:
        return self.status in (LessonStatus.HELD, LessonStatus.REPLACED)

    @property
    def taught_by(self) -> int:
        return self.substitute_id or self.teacher_id


def _numbers(seq: int, topic_no: int) -> dict[str, int]:
    """Textbook numbers that grow through the year, for homework and material texts."""
    ex, page, k = 30 + 3 * seq, 8 + 2 * seq, 1 + seq % 9
    return {"ex": ex, "ex1": ex + 1, "ex2": ex + 2, "par": topic_no + 1, "page": page,
            "page2": page + 3, "k": k, "k1": k + 1}


def _plan_lessons(school: _School, classes: Sequence[_Class],
                  timetable: dict[str, tuple[tuple[str, ...], ...]], emit_from: dt.date,
                  last: dt.date, today: dt.date, rng: random.Random) -> list[_Lesson]:
    """Every lesson of the weekly templates on school days up to `last`. Counting starts
    on 1 September so topics follow the year even when only a later range is emitted."""
    lessons = []
    seq: dict[tuple[int, str], int] = defaultdict(int)
    day = min(q.starts_on for q in school.cal.quarters)
    while day <= last:
        for c in classes:
            if not school.cal.is_school_day(day, c.grade):
                continue
            for slot, subject in enumerate(timetable[c.spec.name][day.weekday()], start=1):
                n = seq[c.id, subject]
                seq[c.id, subject] += 1
                if day < emit_from:
                    continue
                topics = TOPICS.get((subject, c.grade)) or COMMON_TOPICS[subject]
                topic_no = min(len(topics) - 1, int(
                    n * len(topics) // (c.hours(subject) * WEEKS_PER_YEAR)))
                material = None
                if subject in data.MAIN_SUBJECTS and rng.random() < 0.35:
                    material = rng.choice(MATERIALS).format(
                        topic=topics[topic_no], **_numbers(n, topic_no))
                status = LessonStatus.HELD if day < today else LessonStatus.SCHEDULED
                for g, (teacher, subgroup) in enumerate(c.groups[subject], start=1):
                    suffix = f"-g{g}" if subgroup is not None else ""
                    room = data.SUBJECT_ROOMS.get(subject) or school.rooms[teacher]
                    lessons.append(_Lesson(
                        c, subject, subgroup, teacher, day, slot, room, n,
                        f"L-{c.spec.name}-{day.isoformat()}-{slot}{suffix}", status,
                        topics[topic_no], topic_no, material))
        day += DAY
    return lessons


def _plan_tests(lessons: Sequence[_Lesson], today: dt.date, rng: random.Random) -> None:
    """About one test (контрольная) a month per main subject of 2+ hours a week, not two
    on one day in a class; in the current fortnight most subjects have one coming."""
    units: dict[tuple[int, str, int, int], dict[tuple[dt.date, int], list[_Lesson]]] = (
        defaultdict(lambda: defaultdict(list)))
    for lesson in lessons:
        c = lesson.cls
        if c.grade >= 2 and lesson.subject in data.MAIN_SUBJECTS and c.hours(lesson.subject) >= 2:
            key = (c.id, lesson.subject, lesson.date.year, lesson.date.month)
            units[key][lesson.date, lesson.slot].append(lesson)
    taken: set[tuple[int, dt.date]] = set()
    soon = today + 14 * DAY
    for (class_id, *_), month in units.items():
        slots = list(month)
        upcoming = [s for s in slots if today < s[0] <= soon]
        pool = (upcoming if upcoming and rng.random() < 0.6
                else [s for s in slots if s[0].day >= 10] or slots)
        pool = [s for s in pool if (class_id, s[0]) not in taken] or pool
        chosen = rng.choice(pool)
        taken.add((class_id, chosen[0]))
        for lesson in month[chosen]:
            lesson.test = True
            lesson.topic = TEST_TOPIC.format(topic=lesson.topic)


def _plan_week_changes(lessons: Sequence[_Lesson], c: _Class, today: dt.date,
                       rng: random.Random) -> None:
    """In the week of `today`, one lesson of class `c` replaced, one cancelled, one moved
    to a free slot later in the week (upcoming days first)."""
    busy = {(lesson.teacher_id, lesson.date, lesson.slot) for lesson in lessons}
    last_slot: dict[dt.date, int] = defaultdict(int)
    teaches: dict[str, set[int]] = defaultdict(set)
    for lesson in lessons:
        teaches[lesson.subject].add(lesson.teacher_id)
        if lesson.cls is c:
            last_slot[lesson.date] = max(last_slot[lesson.date], lesson.slot)
    own = [lesson for lesson in lessons
           if lesson.cls is c and lesson.subgroup_id is None and not lesson.test]
    dates = sorted({lesson.date for lesson in own})
    if not dates:
        return
    monday = today - today.weekday() * DAY
    if not any(monday <= d < monday + 7 * DAY for d in dates):
        anchor = next((d for d in dates if d >= today), dates[-1])
        monday = anchor - anchor.weekday() * DAY
    week = [d for d in dates if monday <= d < monday + 7 * DAY]
    upcoming = [d for d in week if d >= today] or week
    everyone = sorted({t for ts in teaches.values() for t in ts})

    def on(day: dt.date) -> list[_Lesson]:
        return [x for x in own if x.date == day and x.status in (
            LessonStatus.HELD, LessonStatus.SCHEDULED)]

    def free(teacher: int, day: dt.date, slot: int) -> bool:
        return (teacher, day, slot) not in busy

    for lesson in rng.sample(on(upcoming[0]), len(on(upcoming[0]))):
        subs = [t for t in sorted(teaches[lesson.subject]) if t != lesson.teacher_id
                and free(t, lesson.date, lesson.slot)]
        subs = subs or [t for t in everyone if t != lesson.teacher_id
                        and free(t, lesson.date, lesson.slot)]
        if subs:
            lesson.status, lesson.substitute_id = LessonStatus.REPLACED, rng.choice(subs)
            busy.add((lesson.substitute_id, lesson.date, lesson.slot))
            break
    cancel_day = upcoming[1] if len(upcoming) > 1 else upcoming[0]
    if on(cancel_day):
        rng.choice(on(cancel_day)).status = LessonStatus.CANCELLED
    for day in upcoming[2:] + upcoming[:2] + [d for d in week if d not in upcoming]:
        for lesson in on(day):
            target = next(((d, last_slot[d] + 1) for d in week if d > day
                           and last_slot[d] < len(data.BELLS)
                           and free(lesson.teacher_id, d, last_slot[d] + 1)), None)
            if target:
                lesson.status, lesson.moved_to = LessonStatus.MOVED, target
                return


async def _add_lessons(w: _Writer, school: _School, lessons: Sequence[_Lesson],
                       today: dt.date) -> None:
    # The timetable was loaded before the year; this week's changes the Friday before.
    loaded = school.at(min(q.starts_on for q in school.cal.quarters) - 7 * DAY,
                       dt.time(10, 0))
    changed = school.at(today - (today.weekday() + 3) * DAY, dt.time(17, 0))
    test_type = school.work_types["test"][0]
    ids = await w.ids(Lesson, [{
        "school_id": school.id, "class_id": x.cls.id, "subgroup_id": x.subgroup_id,
        "subject_id": school.subjects[x.subject], "teacher_id": x.teacher_id,
        "substitute_id": x.substitute_id, "date": x.date, "slot": x.slot, "room": x.room,
        "topic": x.topic, "material": x.material,
        "planned_work_type_id": test_type if x.test else None, "status": x.status,
        "moved_to_date": x.moved_to[0] if x.moved_to else None,
        "moved_to_slot": x.moved_to[1] if x.moved_to else None,
        "external_id": x.external_id,
        # The register is taken in every lesson held so far, everyone present or not.
        "attendance_taken_at": (school.at(x.date, data.BELLS[x.slot - 1][1])
                                if x.held and x.date < today else None),
        "updated_at": changed if x.status in (LessonStatus.REPLACED, LessonStatus.CANCELLED,
                                              LessonStatus.MOVED) else loaded,
    } for x in lessons])
    for lesson, lesson_id in zip(lessons, ids, strict=True):
        lesson.id = lesson_id


# --- homework ---------------------------------------------------------------------------


def _plan_homework(school: _School, lessons: Sequence[_Lesson], today: dt.date,
                   individual: tuple[_Class, int], rng: random.Random) -> list[dict[str, Any]]:
    """Homework from most lessons of the main subjects (first-graders get none), due at
    the next lesson of the same subject and group; plus two individual tasks."""
    chains: dict[tuple[int, str, int | None], list[_Lesson]] = defaultdict(list)
    for x in lessons:
        if (x.cls.grade >= 2 and x.subject in HOMEWORK
                and x.status not in (LessonStatus.CANCELLED, LessonStatus.MOVED)):
            chains[x.cls.id, x.subject, x.subgroup_id].append(x)
    planned: list[tuple[_Lesson, _Lesson, int | None, str]] = []
    for chain in chains.values():
        for lesson, after in itertools.pairwise(chain):
            if after.test:
                text = f"Подготовиться к контрольной работе: повторить §{lesson.topic_no + 1}"
            elif rng.random() < 0.85:
                text = rng.choice(HOMEWORK[lesson.subject]).format(
                    **_numbers(lesson.seq, lesson.topic_no))
            else:
                continue
            planned.append((lesson, after, None, text))
    c, student_id = individual
    for subject, template in data.INDIVIDUAL_HOMEWORK.items():
        chain = chains[c.id, subject, None]
        pair = next(((a, b) for a, b in itertools.pairwise(chain) if a.date >= today), None)
        if pair:
            planned.append((*pair, student_id, template.format(**_numbers(pair[0].seq, 0))))
    planned.sort(key=lambda p: (p[0].date, p[0].slot, p[0].cls.id, p[2] or 0))
    return [{
        "school_id": school.id, "class_id": lesson.cls.id, "subgroup_id": lesson.subgroup_id,
        "student_id": student_id, "subject_id": school.subjects[lesson.subject],
        "lesson_id": lesson.id, "teacher_id": lesson.taught_by, "assigned_on": lesson.date,
        "due_on": after.date, "text": text, "external_id": f"H-{n:05d}",
        "created_at": school.at(lesson.date, dt.time(15, 30)),
        "updated_at": school.at(lesson.date, dt.time(15, 30)),
    } for n, (lesson, after, student_id, text) in enumerate(planned, start=1)]
