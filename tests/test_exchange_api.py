"""The journal exchange through the real aiohttp app (aiohttp's test client)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from api import build_exchange_app
from bot.settings import Settings
from services import notification_settings
from services.exchange import tokens
from tests import exchange_batches as eb
from tests.conftest import Db

TABLES = ("periods", "subjects", "work_types", "staff", "staff_roles", "classes", "subgroups",
          "subgroup_members", "students", "student_class_history", "guardians",
          "guardian_students", "lessons", "homework", "marks", "mark_changes", "attendance",
          "final_marks", "notifications", "academic_years")


@dataclass
class Api:
    client: TestClient
    db: Db
    token: str
    school_id: int

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    async def post(self, batch: Any, token: str | None = None) -> tuple[int, Any]:
        resp = await self.client.post("/api/v1/batch", json=batch, headers=self.auth(token))
        return resp.status, await resp.json()

    async def rows(self) -> dict[str, int]:
        async with self.db.sessionmaker() as s:
            return {t: await s.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLES}

    async def sql(self, query: str, **params: Any) -> list[Any]:
        async with self.db.sessionmaker() as s:
            return list((await s.execute(text(query), params)).all())

    async def student(self, ext: str) -> int:
        return (await self.sql("SELECT id FROM students WHERE external_id = :e", e=ext))[0][0]

    async def pushes(self, kind: str | None = None) -> list[dict[str, Any]]:
        rows = await self.sql("SELECT kind, payload FROM notifications ORDER BY id")
        return [r.payload for r in rows if kind is None or r.kind == kind]


@contextlib.asynccontextmanager
async def _client(db: Db, **settings: Any) -> AsyncIterator[Api]:
    async with db.sessionmaker.begin() as s:
        school_id = await eb.school(s)
        token = await tokens.issue_token(s, "sch-1")
    app = build_exchange_app(db.sessionmaker, Settings(_env_file=None, **settings))
    async with TestClient(TestServer(app)) as client:
        yield Api(client, db, token, school_id)


@pytest.fixture
async def api(empty_db: Db) -> AsyncIterator[Api]:
    async with _client(empty_db) as a:
        yield a


async def _loaded(api: Api) -> dict[str, int]:
    """The base batch as a first fill, then a chat for each of s1 (with a consent given
    guardian link) and s2; returns their account ids."""
    status, body = await api.post({**eb.batch(), "initial_load": True})
    assert status == 200, body
    async with api.db.sessionmaker.begin() as s:
        return {ext: await eb.link_guardian(s, api.school_id, await api.student(ext), tg)
                for ext, tg in (("s1", 1001), ("s2", 1002))}


def _all(body: dict[str, Any], outcome: str) -> bool:
    return all(c[outcome] == sum(c.values()) for c in body["applied"].values())


async def test_a_batch_applied_twice_equals_once(api: Api) -> None:
    status, first = await api.post({**eb.batch(), "initial_load": True})
    assert status == 200 and _all(first, "created"), first
    assert first["applied"]["marks"] == {"created": 2, "updated": 0, "unchanged": 0,
                                         "deleted": 0}
    assert await api.pushes() == []  # a first fill pushes nothing
    await _loaded(api)
    news = eb.batch(marks=[*eb.BASE["marks"], {"external_id": "m2", "student": "s1",
                                               "lesson": "l1", "work_type": "test",
                                               "value": 4}],
                    attendance=[*eb.BASE["attendance"], {"external_id": "a2", "student": "s1",
                                                         "lesson": "l2", "kind": "ill"}])
    status, second = await api.post(news)
    assert status == 200 and second["applied"]["marks"]["created"] == 1
    once = await api.rows()
    assert once["notifications"] == 2  # the new mark and the new absence
    status, third = await api.post(news)
    assert status == 200 and _all(third, "unchanged"), third
    assert await api.rows() == once


async def test_two_identical_batches_at_once_give_one_result(api: Api) -> None:
    await _loaded(api)
    news = eb.batch(marks=[{"external_id": "m9", "student": "s1", "lesson": "l1",
                            "work_type": "answer", "value": 2}])
    (s1, b1), (s2, b2) = await asyncio.gather(api.post(news), api.post(news))
    assert s1 == s2 == 200
    created = sorted(b["applied"]["marks"]["created"] for b in (b1, b2))
    assert created == [0, 1]
    assert len(await api.pushes("marks")) == 1


async def test_a_changed_and_a_deleted_mark_are_each_pushed_once(api: Api) -> None:
    await _loaded(api)
    changed = eb.batch(marks=[{**eb.BASE["marks"][0], "value": 3}])
    for _ in range(2):
        status, body = await api.post(changed)
        assert status == 200
    assert body["applied"]["marks"]["unchanged"] == 1
    deleted = eb.batch(marks=[{"external_id": "m1", "deleted": True}])
    for _ in range(2):
        status, body = await api.post(deleted)
        assert status == 200
    assert body["applied"]["marks"] == {"created": 0, "updated": 0, "unchanged": 1,
                                        "deleted": 0}
    marks = await api.pushes("marks")
    assert [(p["type"], p.get("old_value"), p["value"]) for p in marks] == [
        ("mark_changed", 5, 3), ("mark_deleted", None, 3)]
    assert marks[0]["student"] == "Миша" and marks[0]["subject"] == "Математика"
    history = await api.sql("SELECT action, old_value, new_value FROM mark_changes mc JOIN "
                            "marks m ON m.id = mc.mark_id WHERE m.external_id = 'm1' "
                            "ORDER BY mc.id")
    assert [tuple(h) for h in history] == [("created", None, 5), ("updated", 5, 3),
                                           ("deleted", 3, None)]
    stored = await api.sql("SELECT deleted_at IS NOT NULL FROM marks WHERE external_id='m1'")
    assert stored[0][0] is True  # soft-deleted: the history stays


async def test_a_transfer_keeps_links_and_a_leaver_is_terminated(api: Api) -> None:
    accounts = await _loaded(api)
    students = [dict(s) for s in eb.BASE["students"]]
    students[0]["class"] = "5b"  # s1 moves to 5Б
    students[1]["status"] = "left"  # s2 leaves
    status, body = await api.post(eb.batch(students=students))
    assert status == 200 and body["applied"]["students"]["updated"] == 2
    links = {r.account_id: r for r in await api.sql(
        "SELECT account_id, revoked_at, revoke_reason FROM account_links")}
    assert links[accounts["s1"]].revoked_at is None
    assert links[accounts["s2"]].revoke_reason == "left_school"
    history = await api.sql(
        "SELECT c.name, h.to_date IS NULL AS current, h.reason FROM student_class_history h "
        "JOIN classes c ON c.id = h.class_id JOIN students s ON s.id = h.student_id "
        "WHERE s.external_id = 's1' ORDER BY h.id")
    assert [tuple(h) for h in history] == [("5А", False, "enrolled"),
                                           ("5Б", True, "transfer")]
    ended = await api.pushes("access")
    assert [(p["type"], p["reason"], p["student"]) for p in ended] == [
        ("access_ended", "left_school", "Аня")]
    status, again = await api.post(eb.batch(students=students))
    assert _all(again, "unchanged") and len(await api.pushes("access")) == 1


async def test_an_absence_is_pushed_and_can_be_muted(api: Api) -> None:
    accounts = await _loaded(api)
    async with api.db.sessionmaker.begin() as s:
        await notification_settings.toggle_kind(s, accounts["s2"], "absence")
    absences = [{"external_id": "a5", "student": "s1", "lesson": "l1", "kind": "late"},
                {"external_id": "a6", "student": "s2", "lesson": "l2", "kind": "absent"}]
    status, _ = await api.post(eb.batch(attendance=absences))
    assert status == 200
    pushed = await api.pushes("absence")
    assert [(p["student"], p["attendance"], p["subject"], p["slot"]) for p in pushed] == [
        ("Миша", "late", "Математика", 1)]


async def test_lesson_changes_today_and_new_homework_are_pushed(api: Api) -> None:
    await _loaded(api)
    lessons = [dict(x) for x in eb.BASE["lessons"]]
    lessons[0].update(status="replaced", substitute="t2")  # today
    lessons[2].update(status="cancelled")  # October: not news
    homework = [*eb.BASE["homework"], {"external_id": "h2", "class": "5a", "subject": "rus",
                                       "text": "Упр. 7", "due_on": "2026-11-26",
                                       "subgroup": "g1"}]
    status, _ = await api.post(eb.batch(lessons=lessons, homework=homework))
    assert status == 200
    timetable = await api.pushes("timetable")
    assert {(p["student"], p["type"], p["teacher"]) for p in timetable} == {
        ("Миша", "lesson_replaced", "Орлов Пётр"), ("Аня", "lesson_replaced", "Орлов Пётр")}
    assert [(p["student"], p["type"]) for p in await api.pushes("homework")] == [
        ("Миша", "homework_new")]  # the subgroup's homework: s1 only


async def test_errors_are_listed_per_record_and_nothing_is_applied(api: Api) -> None:
    bad = eb.batch(
        marks=[{"external_id": "m1", "student": "s1", "lesson": "l1", "work_type": "answer",
                "value": 7},
               {"external_id": "m2", "student": "s3", "lesson": "l1", "work_type": "answer",
                "value": 4},
               {"external_id": "m3", "student": "s1", "lesson": "nope", "work_type": "answer",
                "passed": True}],
        lessons=[*eb.BASE["lessons"], {"external_id": "l1", "class": "5a", "subject": "math",
                                       "teacher": "t1", "date": "2026-11-23", "slot": 3}],
        homework=[{"external_id": "h1", "class": "5a", "subject": "math", "text": "x",
                   "due_on": "23.11.2026"}])
    status, body = await api.post(bad)
    assert status == 422
    reasons = {(e["section"], e["index"], e["external_id"]): e["reason"] for e in body["errors"]}
    assert reasons[("marks", 0, "m1")] == "value: 1–5 expected"
    assert reasons[("lessons", 3, "l1")] == "external_id repeated"
    assert "ISO date" in reasons[("homework", 0, "h1")]
    assert all(v == 0 for v in (await api.rows()).values())
    # The shape is right now; references and the regulations' rules are checked next.
    status, body = await api.post(eb.batch(marks=bad["marks"][1:]))
    assert status == 422
    reasons = {e["external_id"]: e["reason"] for e in body["errors"]}
    assert reasons == {"m2": "first-grade students get no marks (002 §5.5)",
                       "m3": "lesson: no lessons record 'nope' in this batch or stored"}
    assert all(v == 0 for v in (await api.rows()).values())


async def test_error_statuses(api: Api, empty_db: Db) -> None:
    bad_json = await api.client.post("/api/v1/batch", data=b"{nope", headers=api.auth())
    assert bad_json.status == 400 and "JSON" in (await bad_json.json())["error"]
    array = await api.client.post("/api/v1/batch", json=[1], headers=api.auth())
    assert array.status == 400
    assert (await api.client.post("/api/v1/batch", json={})).status == 401
    assert (await api.post({}, token="wrong"))[0] == 401
    async with empty_db.sessionmaker.begin() as s:
        assert await tokens.revoke_tokens(s, "sch-1") == 1
    revoked = await api.client.post("/api/v1/batch", json={}, headers=api.auth())
    assert revoked.status == 401 and revoked.headers["WWW-Authenticate"] == "Bearer"


async def test_body_limit_and_rate(empty_db: Db) -> None:
    async with _client(empty_db, exchange_body_limit=2000, exchange_rate_per_minute=3) as api:
        big = {"subjects": [{"external_id": f"s{i}", "name": "Предмет"} for i in range(100)]}
        status, body = await api.post(big)
        assert status == 413 and "2000" in body["error"]
        assert (await api.post({}))[0] == 200
        assert (await api.post({}))[0] == 200
        over = await api.client.post("/api/v1/batch", json={}, headers=api.auth())
        assert over.status == 429 and int(over.headers["Retry-After"]) >= 1
        assert (await api.rows())["subjects"] == 0


async def test_consents_report(api: Api) -> None:
    await _loaded(api)
    async with api.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE guardians SET prefers_paper = true"))
    resp = await api.client.get("/api/v1/consents", headers=api.auth())
    assert resp.status == 200
    report = {r["student"]: r for r in (await resp.json())["students"]}
    assert set(report) == {"s1", "s2", "s3"}
    assert report["s1"]["guardians"][0]["guardian"] == "p1"
    assert report["s1"]["paper_due"] is True  # the guardian prefers paper
    assert report["s3"]["paper_due"] is True  # no chat sees the child
    assert report["s2"] == {"student": "s2", "guardians": [], "paper_due": False}


def _expected(doc: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(path, method.upper(), int(status)) for path, ops in doc["paths"].items()
            for method, op in ops.items() for status in op["responses"]}


async def test_openapi_is_valid_and_every_status_answers_as_documented(empty_db: Db) -> None:
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate

    async with _client(empty_db, exchange_body_limit=20000,
                       exchange_rate_per_minute=5) as api:
        doc = await (await api.client.get("/openapi.json")).json()
        validate(doc)
        assert set(doc["components"]["schemas"]["Batch"]["properties"]) == {
            "initial_load", *eb.BASE}
        # The documented batch schema accepts what the API accepts.
        batch_schema = {"$ref": "#/components/schemas/Batch", "components": doc["components"]}
        Draft202012Validator(batch_schema).validate(eb.batch(initial_load=True))
        seen: set[tuple[str, str, int]] = set()

        async def call(method: str, path: str, *, token: str | None = "ok",
                       body: Any = None, data: bytes | None = None) -> None:
            headers = {} if token is None else api.auth(None if token == "ok" else token)
            kwargs: dict[str, Any] = {"headers": headers}
            if data is not None:
                kwargs["data"] = data
            elif body is not None:
                kwargs["json"] = body
            resp = await api.client.request(method, path, **kwargs)
            seen.add((path, method, resp.status))
            # The body matches the schema the document gives for this route and status.
            answer = doc["paths"][path][method.lower()]["responses"][str(resp.status)]
            schema = answer["content"]["application/json"]["schema"]
            Draft202012Validator({**schema, "components": doc["components"]}).validate(
                await resp.json())
            if "headers" in answer:
                assert set(answer["headers"]) <= set(resp.headers)
        await call("GET", "/healthz", token=None)
        await call("GET", "/openapi.json", token=None)
        await call("POST", "/api/v1/batch", body=eb.batch())
        await call("POST", "/api/v1/batch", data=b"not json")
        await call("POST", "/api/v1/batch", token="bad", body={})
        await call("POST", "/api/v1/batch", data=json.dumps(
            {"subjects": [{"external_id": "x", "name": "y" * 400}] * 60}).encode())
        await call("POST", "/api/v1/batch", body={"marks": [{"external_id": 1}]})
        await call("GET", "/api/v1/consents")
        await call("GET", "/api/v1/consents", token=None)
        for _ in range(4):
            await call("GET", "/api/v1/consents")
        for _ in range(2):
            await call("POST", "/api/v1/batch", body={})
        assert seen == _expected(doc)


README = Path(__file__).resolve().parent.parent / "README.md"


async def test_the_readme_examples_apply_in_order(api: Api) -> None:
    readme = README.read_text("utf-8")
    examples = [json.loads(line[3:-1]) for line in readme.splitlines()
                if line.startswith("B '{")]
    assert len(examples) == 14
    sections = set()
    for batch in examples:
        status, body = await api.post(batch)
        assert status == 200, (batch, body)
        sections |= set(body["applied"])
    assert sections == set(eb.BASE)
    status, body = await api.post(examples[10])  # the mark again, after its deletion
    assert body["applied"]["marks"]["updated"] == 1


async def test_final_marks_are_pushed_with_the_old_value_and_old_records_are_not(
        api: Api) -> None:
    await _loaded(api)
    old_mark = {**eb.BASE["marks"][1], "value": 4}  # a lesson of 1 October: backfill
    final = {**eb.BASE["final_marks"][0], "value": 5}
    for _ in range(2):
        status, body = await api.post(eb.batch(marks=[old_mark], final_marks=[final]))
        assert status == 200
    assert body["applied"]["final_marks"]["unchanged"] == 1
    assert await api.pushes("marks") == []  # changed, but older than backfill_days
    pushed = await api.pushes("final")
    assert [(p["student"], p["old_value"], p["value"], p["period"]) for p in pushed] == [
        ("Аня", 4, 5, "2 четверть")]
    history = await api.sql("SELECT count(*) FROM mark_changes")
    assert history[0][0] == 3  # two created, one updated: the history is kept regardless


async def test_a_conflict_only_the_database_sees_refuses_the_batch(api: Api) -> None:
    await _loaded(api)
    twin = {"external_id": "a1-again", "student": "s2", "lesson": "l1", "kind": "ill"}
    before = await api.rows()
    status, body = await api.post(eb.batch(
        subjects=[*eb.BASE["subjects"], {"external_id": "new", "name": "Музыка"}],
        attendance=[twin]))
    assert status == 422
    assert body["errors"] == [{"section": "attendance", "index": None, "external_id": None,
                               "reason": "conflicts with a stored record "
                                         "(uq_attendance_student_id_lesson_id)"}]
    assert await api.rows() == before  # the new subject was rolled back too


async def test_no_new_marks_for_a_leaver_but_old_ones_may_be_re_sent(api: Api) -> None:
    await _loaded(api)
    students = [dict(s) for s in eb.BASE["students"]]
    students[0]["status"] = "left"
    new_mark = {"external_id": "m7", "student": "s1", "lesson": "l1", "work_type": "answer",
                "value": 4}
    status, body = await api.post(eb.batch(students=students,
                                           marks=[*eb.BASE["marks"], new_mark]))
    assert status == 422
    assert body["errors"] == [{"section": "marks", "index": 2, "external_id": "m7",
                               "reason": "the student is no longer at school"}]
    status, body = await api.post(eb.batch(students=students))
    assert status == 200 and body["applied"]["marks"]["unchanged"] == 2


async def test_late_marks_and_absences_from_the_journal_are_noted(api: Api) -> None:
    """002 §5.2 through the exchange: a mark or an absence for a lesson of 1 October that
    arrives on 23 November counts against the lesson's teacher; a first fill does not."""
    await _loaded(api)  # the initial load holds m0 for that old lesson: not late
    assert await api.sql("SELECT count(*) FROM late_entries") == [(0,)]
    late = eb.batch(marks=[{"external_id": "m9", "student": "s2", "lesson": "l0",
                            "work_type": "answer", "value": 4}],
                    attendance=[{"external_id": "a9", "student": "s1", "lesson": "l0",
                                 "kind": "ill"}])
    status, body = await api.post(late)
    assert status == 200, body
    rows = await api.sql("SELECT e.kind, e.lesson_date, s.external_id AS teacher FROM "
                         "late_entries e JOIN staff s ON s.id = e.teacher_id ORDER BY kind")
    assert [(r.kind, r.lesson_date.isoformat(), r.teacher) for r in rows] == [
        ("absence", "2026-10-01", "t1"), ("mark", "2026-10-01", "t1")]
    taken = await api.sql("SELECT attendance_taken_at IS NOT NULL FROM lessons "
                          "WHERE external_id = 'l0'")
    assert taken == [(True,)]
