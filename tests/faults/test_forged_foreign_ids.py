"""Every kind of button payload, forged by every demo role to name what is not theirs:
another school's child, class, teacher, lesson, notice, poll, complaint and thread; in
their own school, another family's child and a thread they are not in (parents and the
student), a class, pupil and lesson they do not teach (teachers); and ids that exist
nowhere. The cases are generated from the payload dataclasses themselves (every value of
every enum and flag field, foreign ids in every id field), so a new kind of button is
forged here the day it is added.

Each press is answered (the spinner stops) with no foreign name or text anywhere in what
the fake Telegram records, nothing in the data tables changes (audit log aside), and a
refusal is audited."""

from __future__ import annotations

import dataclasses
import enum
import itertools
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any, get_type_hints

import pytest

from screens.payloads import MAX_INT, Payload
from services.models import (
    Account,
    AccountLink,
    ClassNotice,
    Complaint,
    LinkKind,
    MessageThread,
    NoticeReceipt,
    Poll,
    PollRecipient,
    ThreadMessage,
)
from tests.conftest import BotEnv
from tests.forged import changed, data_fingerprint, payload_kinds

ROLES = {1001: "parent", 1002: "student", 2001: "class teacher", 2002: "teacher",
         2003: "admin"}
# What an id field of a payload names, by field name; `(class, field)` where the name means
# something else in that payload. "page" and "date" name nothing of anyone's.
FIELDS: dict[str, tuple[str, ...]] = {
    "s": ("student",), "student_id": ("student",), "c": ("class",), "class_id": ("class",),
    "j": ("subject",), "l": ("lesson",), "staff": ("staff",), "staff_id": ("staff",),
    "g": ("guardian",), "th": ("thread",), "d": ("date",), "p": ("page",),
}
BY_PAYLOAD: dict[tuple[str, str], tuple[str, ...]] = {
    ("MarksCb", "p"): ("period",), ("StaffCb", "d"): ("period",),
    ("ReportsCb", "p"): ("period",), ("NoticeCb", "n"): ("class", "notice"),
    ("NoticeCb", "g"): ("subgroup",), ("PollCb", "n"): ("class", "poll"),
    ("ComplaintCb", "n"): ("complaint",),
    # Text fields whose meaning depends on the action: forged as another school's id.
    ("NotifyCb", "v"): ("subject",), ("SetCb", "value"): ("subject",),
}
# Payloads that carry no id at all (a menu area, a preset, a day of one's own lessons):
# nothing of anyone else's to name.
NO_IDS = {"MenuCb", "HoursCb", "LessonsCb"}
NEUTRAL = {"page": 0, "date": 0}
NOT_AVAILABLE = "Это недоступно."
KINDS = ("student", "class", "subject", "lesson", "staff", "guardian", "thread", "period",
         "subgroup", "notice", "poll", "complaint")


@dataclasses.dataclass
class World:
    """Whose ids a forged payload names, and what of theirs must never be shown."""

    name: str
    ids: dict[str, int]
    secrets: tuple[str, ...]


def _field_kinds(cls: type[Payload]) -> dict[str, tuple[str, ...] | list[Any]]:
    """Each field's options: enum values and flags as they are, id kinds to fill in."""
    hints = get_type_hints(cls)
    options: dict[str, tuple[str, ...] | list[Any]] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[f.name]
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            options[f.name] = list(kind)
        elif kind is bool:
            options[f.name] = [False, True]
        else:
            known = BY_PAYLOAD.get((cls.__name__, f.name)) or FIELDS.get(f.name)
            if known is None:
                raise AssertionError(f"{cls.__name__}.{f.name}: what does it name? "
                                     "Add it to FIELDS or BY_PAYLOAD")
            options[f.name] = known
    return options


def forged(cls: type[Payload], world: World) -> Iterator[Payload]:
    """Every shape of `cls` (enum values x flags x id kinds), its ids from `world`."""
    hints = get_type_hints(cls)
    options = _field_kinds(cls)
    for combo in itertools.product(*options.values()):
        values: dict[str, Any] = {}
        for (name, _), value in zip(options.items(), combo, strict=True):
            if isinstance(value, str) and value in NEUTRAL:
                value = "" if hints[name] is str else NEUTRAL[value]
            elif isinstance(value, str) and value in KINDS:
                value = str(world.ids[value]) if hints[name] is str else world.ids[value]
            values[name] = value
        yield cls(**values)


def test_every_payload_is_forged() -> None:
    """A new payload kind, or a new field, needs no new case here, only to be understood."""
    nowhere = World("missing", dict.fromkeys(KINDS, MAX_INT), ())
    kinds = {c.__name__ for c in payload_kinds()}
    assert kinds >= NO_IDS
    for cls in payload_kinds():
        if cls.__name__ not in NO_IDS:
            cases = list(forged(cls, nowhere))
            assert cases and all(len(c.pack().encode()) <= 64 for c in cases), cls


# --- the foreign worlds ------------------------------------------------------------------


async def _one(env: BotEnv, sql: str, **params: Any) -> Any:
    value = await env.scalar(sql, **params)
    assert value is not None, sql
    return value


def _unique_person(table: str, where: str) -> str:
    """A person whose full name nobody else in the database has (so seeing it is a leak)."""
    return (f"SELECT p.id FROM {table} p WHERE {where} AND (SELECT count(*) FROM {table} o "
            "WHERE o.last_name = p.last_name AND o.first_name = p.first_name) = 1 "
            "ORDER BY p.id LIMIT 1")


async def _names(env: BotEnv, table: str, person: int) -> tuple[str, ...]:
    async with env.db.sessionmaker() as s:
        from sqlalchemy import text

        last, first = (await s.execute(text(
            f"SELECT last_name, first_name FROM {table} WHERE id = :i"), {"i": person})).one()
    return f"{last} {first}", f"{first} {last}"


async def _others(env: BotEnv, school: int, student: int, guardian: int, staff: int,
                  class_id: int, telegram_id: int, tag: str) -> dict[str, int]:
    """A family account of another chat with a thread, a notice, a poll and a complaint of
    its own (texts tagged `tag`): what nobody else may open."""
    async with env.db.sessionmaker.begin() as s:
        account = Account(telegram_id=telegram_id, chat_id=telegram_id, locale="ru")
        s.add(account)
        await s.flush()
        s.add(AccountLink(account_id=account.id, kind=LinkKind.GUARDIAN, school_id=school,
                          student_id=student, guardian_id=guardian, consent_pending=False))
        thread = MessageThread(school_id=school, student_id=student, account_id=account.id,
                               staff_id=staff, topic=f"{tag}-тема")
        notice = ClassNotice(school_id=school, class_id=class_id, author_id=staff,
                             text=f"{tag}-объявление")
        poll = Poll(school_id=school, class_id=class_id, author_id=staff,
                    question=f"{tag}-опрос", options=[f"{tag}-да", f"{tag}-нет"])
        complaint = Complaint(school_id=school, account_id=account.id, student_id=student,
                              text=f"{tag}-жалоба")
        s.add_all([thread, notice, poll, complaint])
        await s.flush()
        s.add_all([ThreadMessage(thread_id=thread.id, from_staff=False,
                                 author_account_id=account.id, text=f"{tag}-сообщение"),
                   NoticeReceipt(notice_id=notice.id, account_id=account.id,
                                 student_id=student),
                   PollRecipient(poll_id=poll.id, account_id=account.id, student_id=student)])
        return {"thread": thread.id, "notice": notice.id, "poll": poll.id,
                "complaint": complaint.id}


async def _worlds(env: BotEnv) -> dict[str, World]:
    school = "(SELECT id FROM schools WHERE external_id = '{}')"
    lyc, demo = school.format("demo-lyceum"), school.format("demo-school")
    # Another school: foreign to every demo identity.
    student = await _one(env, _unique_person("students", f"p.school_id = {lyc}"))
    staff = await _one(env, _unique_person("staff", f"p.school_id = {lyc}"))
    guardian = await _one(env, _unique_person("guardians", f"p.school_id = {lyc}"))
    lyceum_class = await _one(env, "SELECT class_id FROM students WHERE id = :s", s=student)
    lyceum = {
        "student": student, "class": lyceum_class, "staff": staff, "guardian": guardian,
        "subject": await _one(env, f"SELECT min(id) FROM subjects WHERE school_id = {lyc}"),
        "lesson": await _one(env, f"SELECT min(id) FROM lessons WHERE school_id = {lyc}"),
        "period": await _one(env, f"SELECT min(id) FROM periods WHERE school_id = {lyc}"),
        "subgroup": await env.scalar(
            "SELECT min(g.id) FROM subgroups g JOIN classes c ON c.id = g.class_id "
            f"WHERE c.school_id = {lyc}") or MAX_INT,
        **await _others(env, await env.scalar(f"SELECT {lyc}"), student, guardian, staff,
                        lyceum_class, 990001, "ЧУЖОЕ"),
    }
    school_name = str(await _one(env, f"SELECT name FROM schools WHERE id = {lyc}"))
    lyceum_secrets = (school_name, *await _names(env, "students", student),
                      *await _names(env, "staff", staff),
                      *await _names(env, "guardians", guardian), "ЧУЖОЕ")

    # In the demo school: another family of 5А (their child, their guardian, their thread
    # with the maths teacher, their notice, poll and complaint).
    linked = "SELECT student_id FROM account_links WHERE student_id IS NOT NULL"
    stranger = await _one(env, _unique_person(
        "students", f"p.class_id = (SELECT id FROM classes WHERE name = '5А' AND school_id = "
        f"{demo}) AND p.id NOT IN ({linked})"))
    their_guardian = await _one(env, "SELECT min(guardian_id) FROM guardian_students "
                                "WHERE student_id = :s", s=stranger)
    math = await _one(env, "SELECT staff_id FROM account_links a JOIN accounts c ON "
                      "c.id = a.account_id WHERE c.telegram_id = 2002")
    class_5a = await _one(env, "SELECT class_id FROM students WHERE id = :s", s=stranger)
    family = {
        **lyceum, "student": stranger, "guardian": their_guardian, "class": class_5a,
        **await _others(env, await env.scalar(f"SELECT {demo}"), stranger, their_guardian,
                        math, class_5a, 990002, "СОСЕДИ"),
    }
    family_secrets = (*await _names(env, "students", stranger),
                      *await _names(env, "guardians", their_guardian), "СОСЕДИ", "ЧУЖОЕ")

    # For the teachers: 1А, whom neither teaches nor leads, a pupil of it and its lesson.
    class_1a = await _one(env, f"SELECT id FROM classes WHERE name = '1А' AND school_id = {demo}")
    pupil = await _one(env, _unique_person("students", f"p.class_id = {class_1a} "
                                           f"AND p.id NOT IN ({linked})"))
    assert not await env.scalar(
        "SELECT count(*) FROM teaching_assignments t JOIN account_links a ON a.staff_id = "
        "t.staff_id JOIN accounts c ON c.id = a.account_id WHERE t.class_id = :c AND "
        "c.telegram_id IN (2001, 2002)", c=class_1a)
    colleague = {
        **lyceum, "student": pupil, "class": class_1a,
        "guardian": await _one(env, "SELECT min(guardian_id) FROM guardian_students "
                               "WHERE student_id = :s", s=pupil),
        "lesson": await _one(env, "SELECT min(id) FROM lessons WHERE class_id = :c "
                             "AND date = DATE '2026-11-23'", c=class_1a),
    }
    # (The maths teacher wrote the neighbours' notice and poll, and the admin reads the
    # school's complaints: those are theirs to see.)
    colleague_secrets = (*await _names(env, "students", pupil), "ЧУЖОЕ")
    return {
        "lyceum": World("another school", lyceum, lyceum_secrets),
        "family": World("another family", family, family_secrets),
        "colleague": World("a class not theirs", colleague, colleague_secrets),
        "missing": World("ids that exist nowhere", dict.fromkeys(KINDS, MAX_INT),
                         ("ЧУЖОЕ",)),
    }


WORLDS_OF = {1001: ("lyceum", "family", "missing"), 1002: ("lyceum", "family", "missing"),
             2001: ("lyceum", "colleague", "missing"), 2002: ("lyceum", "colleague", "missing"),
             2003: ("lyceum", "missing")}


# --- the presses ---------------------------------------------------------------------------


def _audited(payload: Payload, world: World) -> bool:
    """Whether the product audits this refusal: one naming somebody's existing row is an
    access question; an id that exists nowhere is "not found", and a forged preference
    value (a text field) is bad input, refused like any other."""
    texts = [f.name for f in dataclasses.fields(payload)  # type: ignore[arg-type]
             if isinstance(getattr(payload, f.name), str)
             and not isinstance(getattr(payload, f.name), enum.Enum)]
    return world.name != "ids that exist nowhere" and not any(
        getattr(payload, name) for name in texts)


def _shown(records: list[Any]) -> list[str]:
    """Everything a press made visible: texts, captions, alerts, buttons, file names."""
    shown: list[str] = []
    for r in records:
        shown += [r.text or "", r.alert or "", r.filename or ""]
        shown += [text for text, _ in r.buttons]
    return shown


async def test_every_role_forging_every_payload_sees_and_changes_nothing_foreign(
        bot_env: BotEnv, caplog: pytest.LogCaptureFixture, fault_report: Any) -> None:
    worlds = await _worlds(bot_env)
    denied_sql = "SELECT count(*) FROM audit_log WHERE action = 'access_denied'"
    problems: list[str] = []
    outcomes: Counter[str] = Counter()
    presses = 0
    for user in ROLES:
        await bot_env.client(user).send("/menu")
    with caplog.at_level(logging.ERROR):
        for user, role in ROLES.items():
            client = bot_env.client(user)
            for world in (worlds[w] for w in WORLDS_OF[user]):
                before = await data_fingerprint(bot_env)
                for cls in payload_kinds():
                    if cls.__name__ in NO_IDS:
                        continue
                    for payload in forged(cls, world):
                        presses += 1
                        packed = payload.pack()
                        denied = await bot_env.scalar(denied_sql)
                        records = await client.click(packed)
                        where = f"{role} {world.name} {packed}"
                        answers = [r for r in records if r.method == "answerCallbackQuery"]
                        if len(answers) != 1:
                            problems.append(f"{where}: {len(answers)} answers")
                        leaked = [s for s in world.secrets
                                  if any(s in shown for shown in _shown(records))]
                        if leaked:
                            problems.append(f"{where}: shows {leaked}")
                        alert = answers[-1].alert if answers else None
                        outcomes[alert or "a view"] += 1
                        if alert == NOT_AVAILABLE and _audited(payload, world) and \
                                await bot_env.scalar(denied_sql) == denied:
                            problems.append(f"{where}: refused, not audited")
                after = await data_fingerprint(bot_env)
                if changed(before, after):
                    problems.append(f"{role} {world.name}: changed "
                                    f"{sorted(changed(before, after))}")
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[:5]
    assert not problems, "\n".join(problems[:60]) + f"\n({len(problems)} in all)"
    fault_report(tried=f"{presses} forged presses: every payload kind x every enum value and "
                 f"flag, ids of another school, family or class and ids that exist nowhere, "
                 f"by {len(ROLES)} roles", kept="no foreign name or text shown, no data row "
                 f"changed, every press answered, refusals audited "
                 f"({outcomes[NOT_AVAILABLE]} refusals, {outcomes['a view']} own views)")
