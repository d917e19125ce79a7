"""Callback data is user input. Unicode digits (`²`, `٣`), numbers beyond any id and
random bytes, under every payload prefix the bot knows, get "not available", an audit
row, and never a traceback."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import random

import pytest

import screens
from screens.payloads import Payload
from tests.conftest import BotEnv

GUARDIAN = 1001
NOT_AVAILABLE = "Это недоступно."


def payload_classes() -> list[type[Payload]]:
    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"screens.{module.name}")
    found: list[type[Payload]] = []
    stack = list(Payload.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.prefix)


def forgeries(prefix: str, rng: random.Random) -> list[str]:
    noise = "".join(chr(rng.randrange(0x20, 0x2FF)) for _ in range(20))
    raw = bytes(rng.randrange(256) for _ in range(24)).decode("latin-1")
    return [f"{prefix}:²", f"{prefix}:r:²:0", f"{prefix}:٣:1", f"{prefix}:1:²:²:²",
            f"{prefix}:99999999999999999999", f"{prefix}:-0:-:", f"{prefix}:{noise}",
            f"{prefix}:{raw}"[:64]]


def test_every_area_uses_typed_payloads() -> None:
    prefixes = [c.prefix for c in payload_classes()]
    assert len(prefixes) == len(set(prefixes)), prefixes
    assert {"m", "mk", "ch"} <= set(prefixes)


async def test_malformed_payloads_are_refused_and_audited(
        bot_env: BotEnv, caplog: pytest.LogCaptureFixture) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    rng = random.Random(7)
    cases = [data for cls in payload_classes() for data in forgeries(cls.prefix, rng)]
    with caplog.at_level(logging.ERROR):
        for data in cases:
            replies = await client.click(data)
            assert replies and replies[-1].alert == NOT_AVAILABLE, data
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    audited = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied' "
        "AND details->>'what' = 'malformed_callback'")
    assert audited == len(cases)
