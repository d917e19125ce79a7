"""Prometheus metrics of one process, served at `/metrics` (api/app.py).

One `Metrics` object per process (`METRICS`), on a registry of its own rather than
prometheus_client's global one: nothing else registers into it, and a test reads it by
scraping `/metrics` like Prometheus does (comparing before and after, since the counters
live as long as the process). The outbox gauges are read from the database at scrape time,
so every process reports the same shared queue.

No aiogram here: `diary serve` imports this module and must start at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import clock

# One cheap statement on the partial index of pending rows (ix_notifications_due).
_OUTBOX_SQL = text(
    "SELECT count(*) AS pending, count(*) FILTER (WHERE due_at <= :now) AS due, "
    "min(due_at) FILTER (WHERE due_at <= :now) AS oldest "
    "FROM notifications WHERE status = 'pending'")

# Handler latency: most updates take milliseconds; a report or a chart takes seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0, 30.0)

# Why Telegram did not take a push, by the error's class (aiogram's, matched by name so this
# module needs no aiogram): a small fixed set of label values.
_FAILURE_REASONS = {
    "TelegramForbiddenError": "blocked",
    "TelegramUnauthorizedError": "unauthorized",
    "TelegramRetryAfter": "rate_limited",
    "TelegramServerError": "server_error",
    "TelegramNetworkError": "network",
    "ClientError": "network",
    "TimeoutError": "timeout",
    "TelegramBadRequest": "rejected",
    "TelegramNotFound": "rejected",
    "TelegramConflictError": "rejected",
    "TelegramEntityTooLarge": "rejected",
}


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter("diary_updates", "Telegram updates received, by type",
                               ["type"], registry=registry)
        self.update_errors = Counter(
            "diary_update_errors", "Updates whose handling raised an unexpected error",
            registry=registry)
        self.update_seconds = Histogram(
            "diary_update_duration_seconds", "Time to handle one update (middlewares, "
            "handler, commit and reply)", buckets=_LATENCY_BUCKETS, registry=registry)
        self.pushes_sent = Counter("diary_pushes_sent", "Outbox rows Telegram accepted "
                                   "(a burst of rows goes out as one message)",
                                   registry=registry)
        self.pushes_failed = Counter(
            "diary_pushes_failed", "Push messages Telegram refused or that were lost, by "
            "reason", ["reason"], registry=registry)
        self.outbox_pending = Gauge(
            "diary_outbox_pending", "Outbox rows waiting: due now, or scheduled later "
            "(quiet hours, digests, backoff)", ["state"], registry=registry)
        self.outbox_oldest_due_age = Gauge(
            "diary_outbox_oldest_due_age_seconds", "How long the oldest due outbox row has "
            "been waiting (0 when none is due)", registry=registry)
        self.exchange_batches = Counter("diary_exchange_batches", "Journal exchange batches "
                                        "answered, by HTTP status", ["status"],
                                        registry=registry)
        self.http_responses = Counter("diary_http_responses", "HTTP answers of the app, by "
                                      "route and status", ["route", "status"],
                                      registry=registry)
        self.job_runs = Counter("diary_job_runs", "Scheduled job runs, by job and outcome "
                                "(done, taken_elsewhere, failed)", ["job", "outcome"],
                                registry=registry)
        self.job_last_success = Gauge(
            "diary_job_last_success_timestamp_seconds", "When this process last finished a "
            "run of the job (Unix time)", ["job"], registry=registry)

    # --- recorded where it happens ---------------------------------------------------------

    def push_failed(self, exc: BaseException) -> None:
        reason = _FAILURE_REASONS.get(type(exc).__name__, "other")
        if reason == "rejected" and "chat not found" in str(getattr(exc, "message", "")).lower():
            reason = "chat_not_found"
        self.pushes_failed.labels(reason).inc()

    def job_run(self, job: str, outcome: str) -> None:
        self.job_runs.labels(job, outcome).inc()
        if outcome == "done":
            self.job_last_success.labels(job).set_to_current_time()

    # --- scrape ------------------------------------------------------------------------------

    async def render(self, sessionmaker: async_sessionmaker[AsyncSession]) -> bytes:
        """The text exposition, with the outbox read now. A database that does not answer
        leaves the outbox gauges at their last value; the counters are served anyway."""
        now = clock.now()
        try:
            async with asyncio.timeout(3), sessionmaker() as session:
                row = (await session.execute(_OUTBOX_SQL, {"now": now})).one()
        except (SQLAlchemyError, OSError, TimeoutError):
            pass  # the scrape must not fail with the database
        else:
            self.outbox_pending.labels("due").set(row.due)
            self.outbox_pending.labels("scheduled").set(row.pending - row.due)
            oldest: dt.datetime | None = row.oldest
            self.outbox_oldest_due_age.set(
                max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        return generate_latest(self.registry)


METRICS = Metrics()
CONTENT_TYPE = CONTENT_TYPE_LATEST


class UpdateMetrics:
    """The dispatcher's first outer middleware: counts each update by type and times its
    handling. Cheap: one dict lookup, one increment, one observe."""

    def __init__(self, metrics: Metrics = METRICS) -> None:
        self._metrics = metrics
        self._observe = metrics.update_seconds.observe
        self._by_type: dict[str, Any] = {}

    async def __call__(self, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
                       event: Any, data: dict[str, Any]) -> Any:
        try:
            kind = event.event_type
        except Exception:  # aiogram's UpdateTypeLookupError: no event it knows
            kind = "unknown"
        counter = self._by_type.get(kind)
        if counter is None:
            counter = self._by_type[kind] = self._metrics.updates.labels(kind)
        counter.inc()
        start = perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            self._metrics.update_errors.inc()
            raise
        finally:
            self._observe(perf_counter() - start)
