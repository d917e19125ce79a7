"""The journal's write side: marks, final marks, lesson changes and homework, as the journal
exchange import, the CLI and tests write them (no aiogram here).

Every write records its history (MarkChange for marks) and, in the same transaction, queues
the pushes (services.notifications) to the chats that follow the students concerned, and
keeps the term forecast's snapshot in step (a changed forecast is pushed with its cause).

A new mark that arrives after the 002 §5.2 deadline is noted as late (services.deadlines).

Backfill — an initial load (`backfill=True`), a mark dated more than `School.backfill_days`
days before today, a lesson already past or homework already due — is stored silently.
Rows re-sent by the journal with a known `external_id` update instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, deadlines, forecast_snapshots
from services.errors import InvalidJournalData, InvalidMark, NotFound
from services.models import (
    ClassGroup,
    FinalMark,
    FinalMarkKind,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    MarkChange,
    Period,
    Staff,
    Student,
    StudentStatus,
    Subgroup,
    SubgroupMember,
    Subject,
    WorkType,
)
from services.names import full_name
from services.notifications import (
    Push,
    SchoolClock,
    notify_audience,
    notify_student,
    school_clock,
)
from services.push_events import (
    FinalMarkEvent,
    ForecastCause,
    ForecastChangeEvent,
    HomeworkEvent,
    LessonChangeEvent,
    MarkEvent,
)

JournalError = InvalidJournalData  # the journal sent something that cannot be stored


@dataclass(frozen=True)
class MarkResult:
    mark_id: int
    change_id: int | None  # None: nothing changed (a re-sent identical mark)
    queued: int  # outbox rows written (mark and forecast pushes)
    forecast: forecast_snapshots.ForecastChange | None = None


@dataclass(frozen=True)
class WriteResult:
    id: int
    changed: bool
    queued: int


# --- marks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MarkContext:
    student_id: int
    school: SchoolClock
    subject_id: int
    subject: str
    pass_fail: bool
    work_type: str


async def _student_row(session: AsyncSession, student_id: int) -> Any:
    row = (await session.execute(
        select(Student.id, Student.school_id, Student.status, Student.first_name,
               Student.class_id, ClassGroup.grade)
        .outerjoin(ClassGroup, ClassGroup.id == Student.class_id)
        .where(Student.id == student_id)
    )).one_or_none()
    if row is None:
        raise NotFound(f"student {student_id}")
    return row


async def _mark_context(session: AsyncSession, student_id: int, subject_id: int,
                        work_type_id: int) -> _MarkContext:
    student = await _student_row(session, student_id)
    if student.grade == 1:
        raise InvalidMark("first-grade students get no marks")  # 002 §5.5
    if student.status != StudentStatus.ACTIVE:
        raise InvalidMark("the student is no longer at school")
    subject = await session.get(Subject, subject_id)
    work_type = await session.get(WorkType, work_type_id)
    if subject is None or subject.school_id != student.school_id:
        raise NotFound(f"subject {subject_id}")
    if work_type is None or work_type.school_id != student.school_id:
        raise NotFound(f"work type {work_type_id}")
    return _MarkContext(student_id, await school_clock(session, student.school_id), subject_id,
                        subject.name, subject.pass_fail, work_type.name)


def _check_value(ctx: _MarkContext, value: int | None, passed: bool | None) -> None:
    if ctx.pass_fail:
        if passed is None or value is not None:
            raise InvalidMark("a pass/fail subject takes passed=True/False, not a value")
        return
    if passed is not None or value is None:
        raise InvalidMark("a mark needs a value 1-5")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidMark(f"a mark is 1-5, not {value!r}")


def _silent(ctx: _MarkContext, day: dt.date, backfill: bool) -> bool:
    """Backfill is stored without pushes: explicitly, or dated before the backfill window."""
    return backfill or day < ctx.school.today() - dt.timedelta(days=ctx.school.backfill_days)


def _mark_event(ctx: _MarkContext, mark: Mark, kind: str, **old: Any) -> MarkEvent:
    return MarkEvent(type=kind, subject=ctx.subject, work_type=ctx.work_type,
                     weight=mark.weight, date=mark.date, value=mark.value, passed=mark.passed,
                     **old)


async def _after_mark(session: AsyncSession, ctx: _MarkContext, mark: Mark, change: MarkChange,
                      event: MarkEvent, silent: bool) -> MarkResult:
    """Queue the mark push and, if the forecast moved, the forecast push with its cause."""
    queued = 0
    if not silent:
        queued += await notify_student(session, ctx.school, ctx.student_id, Push(
            event, f"mark:{mark.id}:{change.id}", ctx.subject_id))
    moved = await forecast_snapshots.refresh_snapshot(session, ctx.student_id, ctx.subject_id,
                                                      mark.date)
    if moved is not None and moved.current and not silent:
        cause = ForecastCause(action=change.action, value=event.value, passed=event.passed,
                              old_value=event.old_value, date=mark.date,
                              today=mark.date == ctx.school.today())
        queued += await notify_student(session, ctx.school, ctx.student_id, Push(
            ForecastChangeEvent(subject=moved.subject, period=moved.period, old=moved.old,
                                new=moved.new, average=float(moved.average), cause=cause,
                                need=moved.need,
                                target=moved.old if moved.new < moved.old else None),
            f"forecast:{ctx.student_id}:{ctx.subject_id}:{moved.period_id}:{change.id}",
            ctx.subject_id))
    return MarkResult(mark.id, change.id, queued, moved)


async def add_mark(session: AsyncSession, *, student_id: int, subject_id: int,
                   work_type_id: int, date: dt.date, value: int | None = None,
                   passed: bool | None = None, weight: int | None = None,
                   lesson_id: int | None = None, comment: str | None = None,
                   entered_by_id: int | None = None, external_id: str | None = None,
                   backfill: bool = False) -> MarkResult:
    """A new current mark (1-5, or pass/fail in a pass/fail subject). A re-sent mark with a
    known external id updates the stored one instead."""
    ctx = await _mark_context(session, student_id, subject_id, work_type_id)
    _check_value(ctx, value, passed)
    if external_id is not None:
        existing = await session.scalar(select(Mark).where(
            Mark.school_id == ctx.school.school_id, Mark.external_id == external_id))
        if existing is not None:
            if existing.student_id != student_id:
                raise InvalidMark("external id belongs to another student's mark")
            return await change_mark(session, existing.id, value=value, passed=passed,
                                     changed_by_id=entered_by_id, backfill=backfill)
    if weight is None:
        weight = await session.scalar(select(WorkType.weight).where(WorkType.id == work_type_id))
    if not 1 <= int(weight or 1) <= 10:
        raise InvalidMark("weight is 1-10")
    now = clock.now()
    mark = Mark(school_id=ctx.school.school_id, student_id=student_id, subject_id=subject_id,
                lesson_id=lesson_id, work_type_id=work_type_id, date=date, value=value,
                passed=passed, weight=int(weight or 1), comment=comment,
                entered_by_id=entered_by_id, entered_at=now, external_id=external_id)
    session.add(mark)
    await session.flush()
    change = MarkChange(mark_id=mark.id, action="created", new_value=value, new_passed=passed,
                        changed_by_id=entered_by_id, changed_at=now)
    session.add(change)
    await session.flush()
    if not backfill:  # an initial load is not a late entry (002 §5.2)
        await deadlines.record_late_marks(session, [mark.id])
    return await _after_mark(session, ctx, mark, change, _mark_event(ctx, mark, "mark_added"),
                             _silent(ctx, date, backfill))


async def _live_mark(session: AsyncSession, mark_id: int) -> Mark:
    mark = await session.get(Mark, mark_id, with_for_update=True)
    if mark is None:
        raise NotFound(f"mark {mark_id}")
    return mark


async def change_mark(session: AsyncSession, mark_id: int, *, value: int | None = None,
                      passed: bool | None = None, changed_by_id: int | None = None,
                      backfill: bool = False) -> MarkResult:
    """Correct a mark's value; the push shows old → new. An identical value changes nothing
    (a deleted mark re-sent by the journal comes back)."""
    mark = await _live_mark(session, mark_id)
    ctx = await _mark_context(session, mark.student_id, mark.subject_id, mark.work_type_id)
    _check_value(ctx, value, passed)
    restored = mark.deleted_at is not None
    if not restored and (mark.value, mark.passed) == (value, passed):
        return MarkResult(mark.id, None, 0)
    old_value, old_passed = (None, None) if restored else (mark.value, mark.passed)
    now = clock.now()
    mark.value, mark.passed, mark.updated_at, mark.deleted_at = value, passed, now, None
    change = MarkChange(mark_id=mark.id, action="created" if restored else "updated",
                        old_value=old_value, new_value=value, old_passed=old_passed,
                        new_passed=passed, changed_by_id=changed_by_id, changed_at=now)
    session.add(change)
    await session.flush()
    event = (_mark_event(ctx, mark, "mark_added") if restored else
             _mark_event(ctx, mark, "mark_changed", old_value=old_value,
                         old_passed=old_passed))
    return await _after_mark(session, ctx, mark, change, event,
                             _silent(ctx, mark.date, backfill))


async def delete_mark(session: AsyncSession, mark_id: int, *, deleted_by_id: int | None = None,
                      backfill: bool = False) -> MarkResult:
    """Soft-delete a mark (kept for history); the push says it was deleted."""
    mark = await _live_mark(session, mark_id)
    if mark.deleted_at is not None:
        return MarkResult(mark.id, None, 0)
    ctx = await _mark_context(session, mark.student_id, mark.subject_id, mark.work_type_id)
    now = clock.now()
    mark.deleted_at = now
    change = MarkChange(mark_id=mark.id, action="deleted", old_value=mark.value,
                        old_passed=mark.passed, changed_by_id=deleted_by_id, changed_at=now)
    session.add(change)
    await session.flush()
    return await _after_mark(session, ctx, mark, change, _mark_event(ctx, mark, "mark_deleted"),
                             _silent(ctx, mark.date, backfill))


# --- final marks ------------------------------------------------------------------------


async def set_final_mark(session: AsyncSession, *, student_id: int, subject_id: int,
                         period_id: int, kind: FinalMarkKind | str = FinalMarkKind.PERIOD,
                         value: int | None = None, passed: bool | None = None,
                         postponed: bool = False, entered_by_id: int | None = None,
                         external_id: str | None = None, backfill: bool = False) -> WriteResult:
    """A period, year, exam or final mark (or a postponed attestation, 001 §5); stored once
    per student, subject, period and kind, updated when re-sent."""
    kind = FinalMarkKind(kind)
    student = await _student_row(session, student_id)
    if student.grade == 1:
        raise InvalidMark("first-grade students get no marks")
    subject = await session.get(Subject, subject_id)
    period = await session.get(Period, period_id)
    if subject is None or subject.school_id != student.school_id:
        raise NotFound(f"subject {subject_id}")
    if period is None or period.school_id != student.school_id:
        raise NotFound(f"period {period_id}")
    if postponed:
        value = passed = None
    elif subject.pass_fail:
        if passed is None or value is not None:
            raise InvalidMark("a pass/fail subject takes passed=True/False")
    elif passed is not None or value is None or not 1 <= int(value) <= 5:
        raise InvalidMark("a final mark is 1-5")
    final = await session.scalar(select(FinalMark).where(
        FinalMark.student_id == student_id, FinalMark.subject_id == subject_id,
        FinalMark.period_id == period_id, FinalMark.kind == kind).with_for_update())
    old: tuple[Any, ...] | None = None
    if final is None:
        final = FinalMark(school_id=student.school_id, student_id=student_id,
                          subject_id=subject_id, period_id=period_id, kind=kind, value=value,
                          passed=passed, postponed=postponed, entered_by_id=entered_by_id,
                          entered_at=clock.now(), external_id=external_id)
        session.add(final)
    else:
        old = (final.value, final.passed, final.postponed)
        if old == (value, passed, postponed):
            return WriteResult(final.id, False, 0)
        final.value, final.passed, final.postponed = value, passed, postponed
        final.entered_by_id, final.entered_at = entered_by_id, clock.now()
    await session.flush()
    if backfill:
        return WriteResult(final.id, True, 0)
    changed = old is not None and not old[2]
    event = FinalMarkEvent(subject=subject.name, period=period.name, final_kind=kind.value,
                           value=value, passed=passed, postponed=postponed,
                           old_value=old[0] if changed and old else None,
                           old_passed=old[1] if changed and old else None)
    school = await school_clock(session, student.school_id)
    queued = await notify_student(session, school, student_id, Push(
        # Keyed by the change, not the values: 4 → 5 → 4 must be told twice. A re-sent
        # identical mark returned above and queues nothing.
        event, f"final:{final.id}:{clock.now().timestamp()}", subject_id))
    return WriteResult(final.id, True, queued)


# --- lessons ----------------------------------------------------------------------------


def _audience(class_id: int, subgroup_id: int | None,
              student_id: int | None = None) -> Select[Any]:
    """The students a class, subgroup or individual item concerns, as a query the
    fan-out runs inside its own (families of inactive students hear nothing)."""
    if student_id is not None:
        return select(Student.id).where(Student.id == student_id)
    if subgroup_id is not None:
        return (select(Student.id).join(SubgroupMember, SubgroupMember.student_id == Student.id)
                .where(SubgroupMember.subgroup_id == subgroup_id))
    return select(Student.id).where(Student.class_id == class_id)


def _staff_name(staff: Staff | None) -> str | None:
    if staff is None:
        return None
    return full_name(staff.last_name, staff.first_name, staff.middle_name)


async def change_lesson(session: AsyncSession, lesson_id: int, *,
                        status: LessonStatus | str, substitute_id: int | None = None,
                        moved_to_date: dt.date | None = None, moved_to_slot: int | None = None,
                        room: str | None = None, backfill: bool = False) -> WriteResult:
    """Replace a lesson's teacher, move it, cancel it (or restore it to scheduled/held).
    Every student of the class or subgroup is told; a lesson already past is not pushed."""
    status = LessonStatus(status)
    lesson = await session.get(Lesson, lesson_id, with_for_update=True)
    if lesson is None:
        raise NotFound(f"lesson {lesson_id}")
    substitute = None
    if status == LessonStatus.REPLACED:
        substitute = await session.get(Staff, substitute_id) if substitute_id else None
        if substitute is None or substitute.school_id != lesson.school_id:
            raise JournalError("a replaced lesson needs a substitute teacher of the school")
    if status == LessonStatus.MOVED and (moved_to_date is None or moved_to_slot is None):
        raise JournalError("a moved lesson needs the new date and slot")
    if moved_to_slot is not None and not 0 <= moved_to_slot <= 12:
        raise JournalError("a lesson slot is 0-12")
    before = (lesson.status, lesson.substitute_id, lesson.moved_to_date, lesson.moved_to_slot,
              lesson.room)
    lesson.status = status
    lesson.substitute_id = substitute.id if substitute else None
    lesson.moved_to_date = moved_to_date if status == LessonStatus.MOVED else None
    lesson.moved_to_slot = moved_to_slot if status == LessonStatus.MOVED else None
    if room is not None:
        lesson.room = room
    after = (lesson.status, lesson.substitute_id, lesson.moved_to_date, lesson.moved_to_slot,
             lesson.room)
    if before == after:
        return WriteResult(lesson.id, False, 0)
    await session.flush()
    school = await school_clock(session, lesson.school_id)
    notable = status in (LessonStatus.REPLACED, LessonStatus.MOVED, LessonStatus.CANCELLED)
    if backfill or not notable or lesson.date < school.today():
        return WriteResult(lesson.id, True, 0)
    subject = await session.scalar(select(Subject.name).where(Subject.id == lesson.subject_id))
    moved = status == LessonStatus.MOVED
    event = LessonChangeEvent(
        type=f"lesson_{status.value}", subject=subject or "", date=lesson.date,
        slot=lesson.slot,
        teacher=_staff_name(substitute) if status == LessonStatus.REPLACED else None,
        new_date=moved_to_date if moved else None, new_slot=moved_to_slot if moved else None)
    key = "lesson:{}:{}:{}:{}:{}".format(lesson.id, status.value, lesson.substitute_id or 0,
                                         moved_to_date or "", moved_to_slot or "")
    queued = await notify_audience(session, school,
                                   _audience(lesson.class_id, lesson.subgroup_id),
                                   Push(event, key, lesson.subject_id))
    return WriteResult(lesson.id, True, queued)


async def set_topic(session: AsyncSession, lesson_id: int, topic: str, *,
                    via: str | None = None) -> WriteResult:
    """A lesson's topic (what a family reads in the subject's topics; no push)."""
    topic = (topic or "").strip()
    if not topic:
        raise JournalError("a topic needs a text")
    lesson = await session.get(Lesson, lesson_id, with_for_update=True)
    if lesson is None:
        raise NotFound(f"lesson {lesson_id}")
    if lesson.topic == topic:
        return WriteResult(lesson.id, False, 0)
    lesson.topic = topic
    if via is not None:
        lesson.entered_via = via
    await session.flush()
    return WriteResult(lesson.id, True, 0)


# --- homework ---------------------------------------------------------------------------


async def set_homework(session: AsyncSession, *, class_id: int, subject_id: int,
                       due_on: dt.date, text: str, assigned_on: dt.date | None = None,
                       subgroup_id: int | None = None, student_id: int | None = None,
                       lesson_id: int | None = None, teacher_id: int | None = None,
                       external_id: str | None = None, homework_id: int | None = None,
                       backfill: bool = False, via: str | None = None) -> WriteResult:
    """New or changed homework for a class, a subgroup or one student. Its students (and
    their guardians) are told unless it is already due."""
    text = (text or "").strip()
    if not text:
        raise JournalError("homework needs a text")
    klass = await session.get(ClassGroup, class_id)
    if klass is None:
        raise NotFound(f"class {class_id}")
    subject = await session.get(Subject, subject_id)
    if subject is None or subject.school_id != klass.school_id:
        raise NotFound(f"subject {subject_id}")
    if subgroup_id is not None:
        subgroup = await session.get(Subgroup, subgroup_id)
        if subgroup is None or subgroup.class_id != class_id:
            raise NotFound(f"subgroup {subgroup_id}")
    school = await school_clock(session, klass.school_id)
    assigned_on = assigned_on or min(school.today(), due_on)
    if assigned_on > due_on:
        raise JournalError("homework is due after it is assigned")
    homework = None
    if homework_id is not None:
        homework = await session.get(Homework, homework_id, with_for_update=True)
        if homework is None or homework.class_id != class_id:
            raise NotFound(f"homework {homework_id}")
    elif external_id is not None:
        homework = await session.scalar(select(Homework).where(
            Homework.school_id == klass.school_id, Homework.external_id == external_id))
    if homework is None:
        homework = Homework(school_id=klass.school_id, class_id=class_id,
                            subgroup_id=subgroup_id, student_id=student_id,
                            subject_id=subject_id, lesson_id=lesson_id, teacher_id=teacher_id,
                            assigned_on=assigned_on, due_on=due_on, text=text,
                            external_id=external_id, entered_via=via)
        session.add(homework)
        kind = "homework_new"
    else:
        if (homework.text, homework.due_on) == (text, due_on):
            return WriteResult(homework.id, False, 0)
        homework.text, homework.due_on = text, due_on
        homework.assigned_on = min(homework.assigned_on, due_on)
        kind = "homework_changed"
    await session.flush()
    if backfill or due_on < school.today():
        return WriteResult(homework.id, True, 0)
    digest = hashlib.sha256(f"{due_on}|{text}".encode()).hexdigest()[:12]
    event = HomeworkEvent(type=kind, subject=subject.name, due_on=due_on, text=text[:1500])
    queued = await notify_audience(
        session, school, _audience(homework.class_id, homework.subgroup_id, homework.student_id),
        Push(event, f"homework:{homework.id}:{digest}", subject_id))
    return WriteResult(homework.id, True, queued)
