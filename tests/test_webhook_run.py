"""`diary run --webhook` as a real process on a loopback port: it sets the webhook (URL and
secret) at a fake Bot API server, answers an update Telegram posts with the secret,
delivers a push, serves /healthz and /metrics, and stops cleanly on SIGTERM. Without
WEBHOOK_URL or WEBHOOK_SECRET it refuses to start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import cli
from telegram_fakes.server import FakeTelegram
from tests.conftest import Db
from tests.factories import add_mark_for_active_child
from tests.webhook_env import GUARDIAN, SECRET, message_update

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_for(predicate: Any, proc: asyncio.subprocess.Process, seconds: float) -> None:
    for _ in range(int(seconds / 0.1)):
        if await predicate():
            return
        assert proc.returncode is None, "diary run --webhook exited early"
        await asyncio.sleep(0.1)
    raise AssertionError("timed out waiting for the bot")


async def test_diary_run_webhook_end_to_end(demo_db: Db) -> None:
    tg = FakeTelegram()
    api_url = await tg.start()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BOT_TOKEN": "42:TEST", "TELEGRAM_API_URL": api_url,
           "DATABASE_URL": demo_db.url, "LOG_LEVEL": "WARNING", "EXCHANGE_HOST": "127.0.0.1",
           "EXCHANGE_PORT": str(port), "WEBHOOK_URL": f"{base}/tg/hook",
           "WEBHOOK_SECRET": SECRET}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession() as http:
            async def healthy() -> bool:
                try:
                    async with http.get(f"{base}/healthz") as resp:
                        return resp.status == 200
                except aiohttp.ClientError:
                    return False

            await _wait_for(healthy, proc, 60)
            [hook] = tg.sent("setWebhook")
            assert hook.params["url"] == f"{base}/tg/hook"
            assert hook.params["secret_token"] == SECRET

            async with http.post(f"{base}/tg/hook", json=message_update(GUARDIAN, "/menu"),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}) as resp:
                assert resp.status == 401
            async with http.post(f"{base}/tg/hook", json=message_update(GUARDIAN, "/menu"),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                assert resp.status == 200

            async def answered(n: int) -> bool:
                return len(tg.sent("sendMessage", chat_id=GUARDIAN)) >= n

            await _wait_for(lambda: answered(1), proc, 30)
            await asyncio.sleep(1.1)  # one message a second into a chat
            await add_mark_for_active_child(demo_db.sessionmaker, GUARDIAN)
            await _wait_for(lambda: answered(2), proc, 30)  # the worker runs in this mode

            samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}

            async def recorded() -> bool:
                # The push is counted once its row is marked sent, just after Telegram
                # took it.
                async with http.get(f"{base}/metrics") as resp:
                    assert resp.status == 200
                    samples.update({(s.name, tuple(sorted(s.labels.items()))): s.value
                                    for f in text_string_to_metric_families(await resp.text())
                                    for s in f.samples})
                return samples.get(("diary_pushes_sent_total", ()), 0) >= 1

            await _wait_for(recorded, proc, 30)
        assert samples[("diary_updates_total", (("type", "message"),))] == 1
        assert samples[("diary_pushes_sent_total", ())] == 1
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
        await tg.stop()
    menu, push = (r.params["text"] for r in tg.sent("sendMessage", chat_id=GUARDIAN))
    assert "Михаил Петров, 5А" in menu
    assert "Математика" in push
    assert not tg.sent("getUpdates")  # no polling beside the webhook
    assert not tg.sent("deleteWebhook")  # the other workers go on


@pytest.mark.parametrize(("unset", "message"), [
    ("WEBHOOK_URL", "WEBHOOK_URL is not set"),
    ("WEBHOOK_SECRET", "WEBHOOK_SECRET is not set"),
])
def test_webhook_mode_refuses_to_start_without_its_settings(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        unset: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("BOT_TOKEN", "42:TEST")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/tg")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv(unset)
    assert cli.main(["run", "--webhook"]) == 2
    assert f"cannot start in webhook mode: {message}" in capsys.readouterr().err
