"""/metrics (Prometheus text, read back with prometheus_client's parser) moves with what an
operator watches: updates by type and their latency, the outbox, pushes sent, exchange
batches by status, scheduled job runs. The counters live as long as the process, so each
test compares a scrape before with one after."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import DeliveryWorker
from bot.scheduler import run_once
from services.exchange import tokens
from tests.factories import add_mark_for_active_child
from tests.webhook_env import GUARDIAN, message_update, sample, webhook_env


async def test_updates_are_counted_by_type_and_timed(bot_env: Any) -> None:
    async with webhook_env(bot_env) as hook:
        before = await hook.metrics()
        await hook.post(message_update(GUARDIAN, "/menu"))
        await hook.post(message_update(GUARDIAN, "/menu"))
        after = await hook.metrics()
    assert sample(after, "diary_updates_total", type="message") == \
        sample(before, "diary_updates_total", type="message") + 2
    assert sample(after, "diary_update_duration_seconds_count") == \
        sample(before, "diary_update_duration_seconds_count") + 2
    assert sample(after, "diary_update_duration_seconds_sum") > \
        sample(before, "diary_update_duration_seconds_sum")


async def test_outbox_depth_and_pushes_sent(bot_env: Any) -> None:
    async with webhook_env(bot_env) as hook:
        await add_mark_for_active_child(bot_env.db.sessionmaker, GUARDIAN)
        queued = await hook.metrics()
        assert sample(queued, "diary_outbox_pending", state="due") == 1
        assert sample(queued, "diary_outbox_oldest_due_age_seconds") >= 0
        assert await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker).run_once() == 1
        sent = await hook.metrics()
    assert sample(sent, "diary_pushes_sent_total") == \
        sample(queued, "diary_pushes_sent_total") + 1
    assert sample(sent, "diary_outbox_pending", state="due") == 0
    assert sample(sent, "diary_outbox_oldest_due_age_seconds") == 0
    assert any("Математика" in t for t in hook.replies())


async def test_a_blocked_chat_counts_as_a_failed_push(bot_env: Any) -> None:
    async with webhook_env(bot_env) as hook:
        await add_mark_for_active_child(bot_env.db.sessionmaker, GUARDIAN)
        bot_env.session.forbid_chat(GUARDIAN)
        before = await hook.metrics()
        assert await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker).run_once() == 0
        after = await hook.metrics()
    assert sample(after, "diary_pushes_failed_total", reason="blocked") == \
        sample(before, "diary_pushes_failed_total", reason="blocked") + 1
    assert sample(after, "diary_pushes_sent_total") == sample(before, "diary_pushes_sent_total")


async def test_exchange_batches_are_counted_by_status(bot_env: Any) -> None:
    async with bot_env.db.sessionmaker.begin() as s:
        token = await tokens.issue_token(s, "demo-school")
    async with webhook_env(bot_env) as hook:
        before = await hook.metrics()
        ok = await hook.client.post("/api/v1/batch", json={"subjects": []},
                                    headers={"Authorization": f"Bearer {token}"})
        refused = await hook.client.post("/api/v1/batch", json={"no_such_section": []},
                                         headers={"Authorization": f"Bearer {token}"})
        unauthorized = await hook.client.post("/api/v1/batch", json={},
                                              headers={"Authorization": "Bearer wrong"})
        assert (ok.status, refused.status, unauthorized.status) == (200, 422, 401)
        after = await hook.metrics()
    for status in ("200", "422", "401"):
        assert sample(after, "diary_exchange_batches_total", status=status) == \
            sample(before, "diary_exchange_batches_total", status=status) + 1
        assert sample(after, "diary_http_responses_total", route="/api/v1/batch",
                      status=status) == sample(before, "diary_http_responses_total",
                                               route="/api/v1/batch", status=status) + 1


async def test_job_runs_are_counted_by_outcome(bot_env: Any) -> None:
    sessionmaker = bot_env.db.sessionmaker

    async def work(session: AsyncSession) -> int:
        return 3

    async def broken(session: AsyncSession) -> int:
        raise RuntimeError("the job failed")

    async with webhook_env(bot_env) as hook:
        before = await hook.metrics()
        assert await run_once(sessionmaker, "metrics_probe", "2026-11-23", work) == 3
        assert await run_once(sessionmaker, "metrics_probe", "2026-11-23", work) is None
        with pytest.raises(RuntimeError):
            await run_once(sessionmaker, "metrics_probe", "2026-11-24", broken)
        after = await hook.metrics()
    for outcome in ("done", "taken_elsewhere", "failed"):
        assert sample(after, "diary_job_runs_total", job="metrics_probe", outcome=outcome) == \
            sample(before, "diary_job_runs_total", job="metrics_probe", outcome=outcome) + 1
    assert sample(after, "diary_job_last_success_timestamp_seconds", job="metrics_probe") > 0
