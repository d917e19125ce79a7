"""Abuse of the webhook: a wrong or missing secret, malformed JSON, JSON that is not an
Update, oversized bodies (declared and chunked). Each is answered with a short 4xx, never
reaches the dispatcher, writes nothing, and the app goes on answering real updates."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import text

from tests.webhook_env import GUARDIAN, WebhookEnv, message_update, sample, webhook_env

LIMIT = 1024 * 1024


async def _writes(hook: WebhookEnv) -> tuple[int, int]:
    """The cluster's next transaction id (any write anywhere moves it) and the accounts."""
    async with hook.env.db.sessionmaker() as s:
        xmax = await s.scalar(text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"))
        accounts = await s.scalar(text("SELECT count(*) FROM accounts"))
    return int(xmax), accounts


async def _still_serving(hook: WebhookEnv) -> None:
    before = len(hook.replies())
    status, _ = await hook.post(message_update(GUARDIAN, "/menu"))
    assert status == 200
    assert len(hook.replies()) == before + 1
    assert "Михаил Петров, 5А" in hook.replies()[-1]


@pytest.fixture
async def hook(bot_env: Any) -> AsyncIterator[WebhookEnv]:
    async with webhook_env(bot_env, webhook_body_limit=LIMIT) as h:
        yield h


async def _refused(hook: WebhookEnv, send: Callable[[], Any], status: int) -> str:
    """Send the bad request; check its answer and that nothing was handled or written."""
    metrics = await hook.metrics()
    writes = await _writes(hook)
    replies = hook.replies()
    got, body = await send()
    assert got == status, body
    assert await _writes(hook) == writes
    assert hook.replies() == replies
    after = await hook.metrics()
    assert sum(v for (n, _), v in after.items() if n == "diary_updates_total") == \
        sum(v for (n, _), v in metrics.items() if n == "diary_updates_total")
    await _still_serving(hook)
    return str(body["error"])


@pytest.mark.parametrize("secret", ["wrong-secret", "", None], ids=["wrong", "empty", "missing"])
async def test_a_wrong_or_missing_secret_is_refused(
        hook: WebhookEnv, fault_report: Any, secret: str | None) -> None:
    update = message_update(GUARDIAN, "/start")
    error = await _refused(hook, lambda: hook.post(update, secret=secret), 401)
    assert error == "wrong or missing secret token"
    fault_report(tried=f"a real update with secret {secret!r}",
                 kept="401, no handler ran, no transaction written, later updates answered")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b""],
                         ids=["broken", "binary", "empty"])
async def test_malformed_json_is_refused(hook: WebhookEnv, fault_report: Any,
                                         raw: bytes) -> None:
    error = await _refused(hook, lambda: hook.post(None, raw=raw), 400)
    assert error == "the body is not valid JSON"
    fault_report(tried=f"a body of {raw[:12]!r}",
                 kept="400, nothing handled or written, later updates answered")


@pytest.mark.parametrize("body", [
    {"hello": "world"}, [1, 2, 3], "text", {"update_id": "seven"},
    {"update_id": 7, "message": {"text": "no chat, no date"}},
], ids=["object", "array", "string", "bad-id", "bad-message"])
async def test_json_that_is_not_an_update_is_refused(hook: WebhookEnv, fault_report: Any,
                                                     body: Any) -> None:
    error = await _refused(hook, lambda: hook.post(body), 400)
    assert error == "the body is not a Telegram Update"
    fault_report(tried=f"the JSON {json.dumps(body)[:40]}",
                 kept="400, nothing handled or written, later updates answered")


async def test_an_oversized_body_is_refused(hook: WebhookEnv, fault_report: Any) -> None:
    update = message_update(GUARDIAN, "x" * (LIMIT + 1))
    error = await _refused(hook, lambda: hook.post(update), 413)
    assert error == f"the body is over {LIMIT} bytes"

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: read up to the limit
        for _ in range(3 * LIMIT // 65536):
            yield b" " * 65536

    async def chunked() -> tuple[int, Any]:
        resp = await hook.client.post("/tg/updates", data=chunks(), headers={
            "X-Telegram-Bot-Api-Secret-Token": "s3cret_webhook-token"})
        return resp.status, await resp.json()

    await _refused(hook, chunked, 413)
    fault_report(tried=f"a {LIMIT + 1}-byte text update and a 3 MiB chunked body",
                 kept="413 for both, nothing handled or written, later updates answered")


async def test_an_update_of_no_known_kind_changes_nothing(hook: WebhookEnv,
                                                          fault_report: Any) -> None:
    before = await hook.metrics()
    writes = await _writes(hook)
    status, _ = await hook.post({"update_id": 77})
    assert status == 200  # valid for Telegram: it must not send it again
    assert await _writes(hook) == writes
    assert hook.replies() == []
    after = await hook.metrics()
    assert sample(after, "diary_updates_total", type="unknown") == \
        sample(before, "diary_updates_total", type="unknown") + 1
    await _still_serving(hook)
    fault_report(tried="an Update carrying no event",
                 kept="200 (no redelivery), nothing written, later updates answered")
