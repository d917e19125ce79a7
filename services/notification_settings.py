"""How a chat wants its pushes: instant or a daily digest, quiet hours, muted kinds and
subjects, privacy mode; and when a push for it falls due.

A preference row with `student_id` NULL holds the chat's defaults; a row for one child
overrides them for pushes about that child (the settings screen creates one only to mute
subjects of that child, copying the defaults, and keeps chat-wide fields in step). Quiet
hours are read in the SCHOOL's timezone; NULL quiet hours mean the school's default, equal
start and end mean "off".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import ChildRef, deny, load_roles
from services.errors import BadPreference
from services.models import CurriculumItem, NotificationPreference, School, Subject

# Kinds a chat may switch off; the outbox kinds each one covers.
KINDS = ("marks", "timetable", "homework", "forecast", "notices", "absence")
KIND_OF: dict[str, str] = {
    "marks": "marks", "final": "marks", "timetable": "timetable", "homework": "homework",
    "forecast": "forecast", "notice": "notices", "absence": "absence",
}
DIGEST_TIMES = (dt.time(18, 0), dt.time(19, 0), dt.time(20, 0), dt.time(21, 0))
OFF = dt.time(0, 0)
# Quiet-hour presets offered on the settings screen: (start, end); None: the school default.
QUIET_PRESETS: dict[str, tuple[dt.time, dt.time] | None] = {
    "school": None,
    "off": (OFF, OFF),
    "21-07": (dt.time(21, 0), dt.time(7, 0)),
    "22-08": (dt.time(22, 0), dt.time(8, 0)),
    "20-07": (dt.time(20, 0), dt.time(7, 0)),
}


@dataclass(frozen=True)
class Preferences:
    digest: bool = False
    digest_time: dt.time = dt.time(19, 0)
    quiet_start: dt.time | None = None  # None: the school's quiet hours
    quiet_end: dt.time | None = None
    muted_kinds: frozenset[str] = frozenset()
    muted_subject_ids: frozenset[int] = frozenset()
    hide_values: bool = False
    family_summary: bool = False  # the evening summary of several children (opt-in)

    @property
    def quiet_off(self) -> bool:
        return self.quiet_start is not None and self.quiet_start == self.quiet_end

    @property
    def quiet_preset(self) -> str | None:
        """The preset matching these quiet hours, or None for a custom window."""
        window = None if self.quiet_start is None else (self.quiet_start, self.quiet_end)
        return next((k for k, v in QUIET_PRESETS.items() if v == window), None)

    def quiet_window(self, school_start: dt.time,
                     school_end: dt.time) -> tuple[dt.time, dt.time] | None:
        """The effective quiet hours (school-local), None when switched off."""
        if self.quiet_start is None or self.quiet_end is None:
            start, end = school_start, school_end
        else:
            start, end = self.quiet_start, self.quiet_end
        return None if start == end else (start, end)

    def wants(self, kind: str, subject_id: int | None = None) -> bool:
        """False when the chat muted this kind of push or this subject."""
        muted_kind = KIND_OF.get(kind)
        if muted_kind is not None and muted_kind in self.muted_kinds:
            return False
        return not (subject_id is not None and kind in ("marks", "final", "forecast",
                                                        "homework", "timetable")
                    and subject_id in self.muted_subject_ids)


DEFAULT = Preferences()


def _from_row(row: NotificationPreference) -> Preferences:
    return Preferences(row.digest, row.digest_time, row.quiet_start, row.quiet_end,
                       frozenset(row.muted_kinds or ()),
                       frozenset(int(s) for s in row.muted_subject_ids or ()), row.hide_values,
                       bool(row.family_summary))


# --- when a push falls due --------------------------------------------------------------


def in_quiet_hours(local: dt.time, window: tuple[dt.time, dt.time] | None) -> bool:
    if window is None:
        return False
    start, end = window
    if start < end:
        return start <= local < end
    return local >= start or local < end  # crosses midnight


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)


def due_at(prefs: Preferences, *, now: dt.datetime, timezone: str, school_quiet_start: dt.time,
           school_quiet_end: dt.time, urgent: bool = False) -> dt.datetime:
    """When a push made `now` should go out: now; the end of quiet hours (so a night's pushes
    arrive together as one summary); or the next digest time. Urgent pushes go now."""
    now = now.astimezone(dt.UTC)
    if urgent:
        return now
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    if prefs.digest:
        due = _at(local.date(), prefs.digest_time, tz)
        return due if due >= now else _at(local.date() + dt.timedelta(days=1),
                                          prefs.digest_time, tz)
    window = prefs.quiet_window(school_quiet_start, school_quiet_end)
    clock_time = local.time().replace(tzinfo=None)
    if window is None or not in_quiet_hours(clock_time, window):
        return now
    start, end = window
    day = local.date()
    if start > end and clock_time >= start:
        day += dt.timedelta(days=1)  # evening part of a window that ends tomorrow morning
    return _at(day, end, tz)


# --- reading ----------------------------------------------------------------------------


async def get_preferences(session: AsyncSession, account_id: int,
                          student_id: int | None = None) -> Preferences:
    """The chat's preferences for pushes about one child (or its defaults)."""
    found = await preferences_many(session, [(account_id, student_id)])
    return found[(account_id, student_id)]


async def preferences_many(session: AsyncSession, pairs: Iterable[tuple[int, int | None]],
                           ) -> dict[tuple[int, int | None], Preferences]:
    """Effective preferences for (account, child) pairs in one query: the child's row if the
    chat has one, else the chat's defaults, else the built-in defaults."""
    wanted = set(pairs)
    if not wanted:
        return {}
    accounts = {a for a, _ in wanted}
    rows = (await session.scalars(
        select(NotificationPreference).where(NotificationPreference.account_id.in_(accounts))
    )).all()
    by_key = {(r.account_id, r.student_id): _from_row(r) for r in rows}
    result = {}
    for account, student in wanted:
        result[(account, student)] = by_key.get((account, student)) or by_key.get(
            (account, None)) or DEFAULT
    return result


# --- changing ---------------------------------------------------------------------------


def _values(prefs: Preferences) -> dict[str, Any]:
    return dict(digest=prefs.digest, digest_time=prefs.digest_time,
                quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end,
                muted_kinds=sorted(prefs.muted_kinds),
                muted_subject_ids=sorted(prefs.muted_subject_ids),
                hide_values=prefs.hide_values, family_summary=prefs.family_summary)


async def _save(session: AsyncSession, account_id: int, student_id: int | None,
                prefs: Preferences) -> None:
    values = _values(prefs)
    stmt = insert(NotificationPreference).values(account_id=account_id, student_id=student_id,
                                                 **values)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[NotificationPreference.account_id, NotificationPreference.student_id],
        set_=values,
    ))


async def _update_chat(session: AsyncSession, account_id: int, **fields: Any) -> Preferences:
    """Change chat-wide fields: the defaults row and every child row of the chat alike."""
    prefs = replace(await get_preferences(session, account_id), **fields)
    await _save(session, account_id, None, prefs)
    column_values = {k: v for k, v in _values(prefs).items() if k in fields}
    await session.execute(
        update(NotificationPreference)
        .where(NotificationPreference.account_id == account_id,
               NotificationPreference.student_id.is_not(None))
        .values(**column_values)
    )
    return prefs


async def set_digest(session: AsyncSession, account_id: int, digest: bool,
                     digest_time: dt.time | None = None) -> Preferences:
    """Instant pushes, or one daily digest at a chosen time (school-local)."""
    fields: dict[str, Any] = {"digest": digest}
    if digest_time is not None:
        if digest_time not in DIGEST_TIMES:
            raise BadPreference(str(digest_time))
        fields["digest_time"] = digest_time
    return await _update_chat(session, account_id, **fields)


async def set_quiet_hours(session: AsyncSession, account_id: int, preset: str) -> Preferences:
    if preset not in QUIET_PRESETS:
        raise BadPreference(preset)
    window = QUIET_PRESETS[preset]
    start, end = window if window is not None else (None, None)
    return await _update_chat(session, account_id, quiet_start=start, quiet_end=end)


async def toggle_kind(session: AsyncSession, account_id: int, kind: str) -> Preferences:
    if kind not in KINDS:
        raise BadPreference(kind)
    current = await get_preferences(session, account_id)
    return await _update_chat(session, account_id,
                              muted_kinds=current.muted_kinds ^ {kind})


async def set_hide_values(session: AsyncSession, account_id: int, hide: bool) -> Preferences:
    return await _update_chat(session, account_id, hide_values=hide)


async def set_family_summary(session: AsyncSession, account_id: int, on: bool) -> Preferences:
    """Opt in to (or out of) the evening summary of several children; only a guardian of
    two or more children with consent may."""
    if on and len((await load_roles(session, account_id)).children) < 2:
        raise deny(account_id, "family_summary")
    return await _update_chat(session, account_id, family_summary=on)


async def toggle_subject(session: AsyncSession, account_id: int, student_id: int,
                         subject_id: int) -> Preferences:
    """Mute or unmute one subject's pushes about one child. The caller checks that the chat
    may see the child (services.access) and that the subject is the child's."""
    current = await get_preferences(session, account_id, student_id)
    prefs = replace(current, muted_subject_ids=current.muted_subject_ids ^ {subject_id})
    await _save(session, account_id, student_id, prefs)
    return prefs


# --- the settings screen ----------------------------------------------------------------


@dataclass(frozen=True)
class SubjectChoice:
    subject_id: int
    name: str
    muted: bool


@dataclass(frozen=True)
class NotifySettings:
    """What the notifications screen shows: the chat's defaults, the school's quiet hours
    they fall back to, and the child whose subjects can be muted (the active one)."""

    prefs: Preferences
    school_quiet: tuple[dt.time, dt.time]
    child: ChildRef | None
    muted_subjects: tuple[str, ...]  # names, for the active child
    several_children: bool = False  # may opt in to the evening summary of them all


async def _school_quiet(session: AsyncSession, school_id: int | None) -> tuple[dt.time, dt.time]:
    if school_id is not None:
        row = (await session.execute(select(School.quiet_start, School.quiet_end)
                                     .where(School.id == school_id))).one_or_none()
        if row is not None:
            return row.quiet_start, row.quiet_end
    return dt.time(21, 0), dt.time(7, 0)


async def settings_overview(session: AsyncSession, account_id: int,
                            active_student_id: int | None) -> NotifySettings:
    roles = await load_roles(session, account_id)
    children = roles.family_students
    child = next((c for c in children if c.student_id == active_student_id),
                 children[0] if children else None)
    school_id = child.school_id if child else (roles.staff.school_id if roles.staff else None)
    prefs = await get_preferences(session, account_id)
    muted: tuple[str, ...] = ()
    if child is not None:
        child_prefs = await get_preferences(session, account_id, child.student_id)
        if child_prefs.muted_subject_ids:
            muted = tuple(await session.scalars(
                select(Subject.name).where(Subject.id.in_(child_prefs.muted_subject_ids))
                .order_by(Subject.name)))
    return NotifySettings(prefs, await _school_quiet(session, school_id), child, muted,
                          len(roles.children) >= 2)


async def _family_child(session: AsyncSession, account_id: int, student_id: int) -> ChildRef:
    roles = await load_roles(session, account_id)
    child = next((c for c in roles.family_students if c.student_id == student_id), None)
    if child is None:
        raise deny(account_id, "notify_subjects", student_id=student_id)
    return child


async def _child_subjects(session: AsyncSession, child: ChildRef) -> list[tuple[int, str]]:
    rows = await session.execute(
        select(Subject.id, Subject.name)
        .join(CurriculumItem, CurriculumItem.subject_id == Subject.id)
        .where(CurriculumItem.class_id == child.class_id).order_by(Subject.name))
    return [(r.id, r.name) for r in rows]


async def subject_choices(session: AsyncSession, account_id: int,
                          student_id: int) -> tuple[ChildRef, list[SubjectChoice]]:
    """The child's subjects with their muted state; only for the chat's own family."""
    child = await _family_child(session, account_id, student_id)
    prefs = await get_preferences(session, account_id, student_id)
    return child, [SubjectChoice(sid, name, sid in prefs.muted_subject_ids)
                   for sid, name in await _child_subjects(session, child)]


async def mute_subject(session: AsyncSession, account_id: int, student_id: int,
                       subject_id: int) -> Preferences:
    """Toggle one subject of one of the chat's children; anything else is refused."""
    child = await _family_child(session, account_id, student_id)
    if subject_id not in {sid for sid, _ in await _child_subjects(session, child)}:
        raise deny(account_id, "notify_subject", student_id=student_id,
                         subject_id=subject_id)
    return await toggle_subject(session, account_id, student_id, subject_id)
