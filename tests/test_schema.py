"""The schema: migrations round-trip, and constraints reject rows a journal must not hold."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from services import migrate
from services.models import Base, Mark
from tests.conftest import Db
from tests.factories import mini_school


async def _tables(db: Db) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_downgrade_round_trip(empty_db: Db) -> None:
    expected = set(Base.metadata.tables)
    assert await _tables(empty_db) >= expected
    await migrate.downgrade(empty_db.engine, "base")
    assert await _tables(empty_db) <= {"alembic_version"}
    async with empty_db.engine.connect() as conn:
        leftover_types = await conn.scalar(text(
            "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND t.typtype = 'e'"))
    assert leftover_types == 0
    await migrate.upgrade(empty_db.engine)
    assert await _tables(empty_db) >= expected
    assert await migrate.current_revision(empty_db.engine) is not None


async def test_models_match_migrations(empty_db: Db) -> None:
    """Autogenerate finds nothing to add: models.py and the revisions agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    async with empty_db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    assert diff == []


def _mark(school, student, **overrides) -> Mark:  # type: ignore[no-untyped-def]
    values = dict(school_id=school.school.id, student_id=student.id,
                  subject_id=school.subject.id, work_type_id=school.work_type.id,
                  date=dt.date(2026, 11, 20), value=5, weight=1)
    values.update(overrides)
    return Mark(**values)


async def test_mark_values_are_checked(empty_db: Db) -> None:
    async with empty_db.sessionmaker() as session:
        school = await mini_school(session)
        session.add(_mark(school, school.fifth_grader, value=7))
        with pytest.raises(IntegrityError, match="value_range"):
            await session.flush()
        await session.rollback()


async def test_mark_needs_value_or_pass_fail_not_both(empty_db: Db) -> None:
    async with empty_db.sessionmaker() as session:
        school = await mini_school(session)
        session.add(_mark(school, school.fifth_grader, value=5, passed=True))
        with pytest.raises(IntegrityError, match="value_or_pass"):
            await session.flush()


async def test_first_grader_gets_no_marks(empty_db: Db) -> None:
    async with empty_db.sessionmaker() as session:
        school = await mini_school(session)
        session.add(_mark(school, school.fifth_grader))
        await session.flush()  # a fifth-grader's mark is fine
        session.add(_mark(school, school.first_grader))
        with pytest.raises(IntegrityError, match="first-grade"):
            await session.flush()


async def test_external_id_is_unique_per_school(empty_db: Db) -> None:
    async with empty_db.sessionmaker() as session:
        school = await mini_school(session)
        session.add(_mark(school, school.fifth_grader, external_id="M-1"))
        await session.flush()
        session.add(_mark(school, school.fifth_grader, external_id="M-1", value=4))
        with pytest.raises(IntegrityError, match="school_external"):
            await session.flush()
