"""Routes of the exchange API (and the calendar feeds, `GET /calendar/{secret}.ics`);
the contract is in README ("Journal exchange API") and in
`GET /openapi.json`. Each batch is one transaction, opened here at the edge."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiolimiter import AsyncLimiter
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.openapi import openapi_document
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import METRICS
from bot.settings import Settings
from screens.calendar_feed import render as render_feed
from screens.i18n import translator
from services import calendar_feed as feeds
from services import migrate
from services.exchange import BatchInvalid, apply_batch, tokens
from services.exchange.consents import consent_report

log = logging.getLogger("diary.exchange")

SESSIONMAKER = web.AppKey("sessionmaker", async_sessionmaker[AsyncSession])
SETTINGS = web.AppKey("settings", Settings)
LIMITERS = web.AppKey("limiters", dict[str, AsyncLimiter])
Handler = Callable[[web.Request, int], Awaitable[web.StreamResponse]]
HEALTH_TIMEOUT = 3.0  # seconds; a load balancer's probe gives up soon after
Endpoint = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def authorized(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Bearer token → the school it is for (401 otherwise); then the token's rate (429)."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        school_id = None
        if scheme.lower() == "bearer" and token.strip():
            async with request.app[SESSIONMAKER]() as session:
                school_id = await tokens.school_of_token(session, token.strip())
        if school_id is None:
            return _error(401, "a valid bearer token is required",
                          **{"WWW-Authenticate": "Bearer"})
        settings = request.app[SETTINGS]
        key = tokens.hash_token(token.strip())
        limiter = request.app[LIMITERS].setdefault(
            key, AsyncLimiter(max(settings.exchange_rate_per_minute, 1.0), 60))
        if not limiter.has_capacity():
            retry = max(1, math.ceil(60 / max(settings.exchange_rate_per_minute, 1.0)))
            return _error(429, "too many requests for this token",
                          **{"Retry-After": str(retry)})
        await limiter.acquire()
        return await handler(request, school_id)

    return wrapper


async def read_batch(request: web.Request) -> dict[str, Any] | web.Response:
    """The JSON object of the body, or the error answer (413, 400)."""
    limit = request.app[SETTINGS].exchange_body_limit
    if request.content_length is not None and request.content_length > limit:
        return _error(413, f"the body is over {limit} bytes")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, f"the body is over {limit} bytes")
    try:
        batch = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(400, "the body is not valid JSON")
    if not isinstance(batch, dict):
        return _error(400, "the body must be a JSON object")
    return batch


async def post_batch(request: web.Request, school_id: int) -> web.StreamResponse:
    batch = await read_batch(request)
    if isinstance(batch, web.Response):
        return batch
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            result = await apply_batch(session, school_id, batch)
    except BatchInvalid as exc:
        log.info("batch refused: school %s, %d error(s)", school_id, len(exc.errors))
        return web.json_response({"errors": exc.errors}, status=422)
    log.info("batch applied: school %s, %d push(es) queued", school_id, result.queued)
    return web.json_response(result.as_json())


async def get_consents(request: web.Request, school_id: int) -> web.StreamResponse:
    async with request.app[SESSIONMAKER]() as session:
        return web.json_response({"students": await consent_report(session, school_id)})


async def openapi(request: web.Request) -> web.StreamResponse:
    return web.json_response(openapi_document())


async def calendar_feed(request: web.Request) -> web.StreamResponse:
    """A family's calendar (services.calendar_feed): 404 for an unknown or revoked secret,
    410 when the chat may no longer read the child (consent withdrawn or lapsed, unlinked)."""
    secret = request.match_info.get("secret", "")
    try:
        async with request.app[SESSIONMAKER].begin() as session:
            data = await feeds.read_feed(session, secret, request.app[SETTINGS].code_key())
    except feeds.FeedUnknown:
        return web.Response(status=404, text="no such calendar")
    except feeds.FeedLapsed:
        log.info("calendar feed refused: access lapsed")
        return web.Response(status=410, text="this calendar is no longer available")
    return web.Response(body=render_feed(translator(data.locale), data),
                        content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "private, max-age=300"})


@functools.cache
def _scripts() -> tuple[frozenset[str], frozenset[str]]:
    """The code's Alembic head(s) and every revision it knows, read once from migrations/."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    return (frozenset(scripts.get_heads()),
            frozenset(r.revision for r in scripts.walk_revisions()))


def migration_heads() -> frozenset[str]:
    return _scripts()[0]


async def health_problem(sessionmaker: async_sessionmaker[AsyncSession]) -> str | None:
    """Why this process should not take traffic, or None. A schema at a revision this code
    does not know was migrated by a newer release (a rolling upgrade): the old workers stay
    in service until they are replaced, as migrations only add what old code can ignore."""
    heads, known = _scripts()
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT), sessionmaker() as session:
            current = set((await session.execute(
                text("SELECT version_num FROM alembic_version"))).scalars())
    except (TimeoutError, OSError, SQLAlchemyError) as exc:
        if isinstance(exc, ProgrammingError):  # no alembic_version: never migrated
            return "the database is not migrated"
        return "the database is unreachable"
    if current == heads or (current and not current <= known):
        return None
    return (f"the database is at migration {', '.join(sorted(current)) or 'none'}, "
            f"the code expects {', '.join(sorted(heads))}")


async def healthz(request: web.Request) -> web.StreamResponse:
    """200 while the database answers and its schema is at the code's migration head; 503
    with a short reason otherwise (one trivial query, bounded in time)."""
    reason = await health_problem(request.app[SESSIONMAKER])
    if reason:
        return web.json_response({"status": "unavailable", "reason": reason}, status=503)
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.StreamResponse:
    body = await METRICS.render(request.app[SESSIONMAKER])
    return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE})


async def _counted(request: web.Request, handler: Endpoint,
                   count: Callable[[str], object]) -> web.StreamResponse:
    """Call the handler; `count` the status it answered (raised, or 500 for a crash)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        count(str(exc.status))
        raise
    except Exception:
        count("500")
        raise
    count(str(response.status))
    return response


def counted_batches(handler: Endpoint) -> Endpoint:
    """Every answer to a batch, by status (401 and 429 included), for /metrics."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        return await _counted(request, handler,
                              lambda status: METRICS.exchange_batches.labels(status).inc())

    return wrapper


@web.middleware
async def count_responses(request: web.Request, handler: Endpoint) -> web.StreamResponse:
    """Answers by route and status (5xx and 429 are worth an alert). The route's pattern,
    never the path: a calendar secret must not become a label."""
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    return await _counted(request, handler,
                          lambda status: METRICS.http_responses.labels(route, status).inc())


def build_exchange_app(sessionmaker: async_sessionmaker[AsyncSession],
                       settings: Settings) -> web.Application:
    """The exchange API as an aiohttp app: served by `diary serve`; the webhook app
    (bot/webhook.py) is this app with the webhook route added."""
    # aiohttp itself refuses a larger body while reading it (a chunked one included).
    app = web.Application(client_max_size=settings.exchange_body_limit,
                          middlewares=[count_responses])
    app[SESSIONMAKER] = sessionmaker
    app[SETTINGS] = settings
    app[LIMITERS] = {}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/openapi.json", openapi)
    app.router.add_get("/metrics", metrics)
    app.router.add_post("/api/v1/batch", counted_batches(authorized(post_batch)))
    app.router.add_get("/api/v1/consents", authorized(get_consents))
    app.router.add_get("/calendar/{secret}.ics", calendar_feed)
    return app
