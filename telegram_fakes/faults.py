"""Faults the fake server can inject: chats that refuse, server errors, answers withheld.

Each kind is one small piece of state with the check the server runs for it, so a new kind
of misbehaviour is a new method here and one call in the server's request path.
"""

from __future__ import annotations

import asyncio
import random
from http import HTTPStatus

from telegram_fakes.wire import ApiError


class Faults:
    def __init__(self) -> None:
        self.blocked: set[int] = set()
        self.deactivated: set[int] = set()
        self.missing: set[int] = set()
        self._fail_rate = 0.0
        self._rng = random.Random(0)
        self._fail_next = 0
        self._fail_next_status = 502
        self._stall_after: int | None = None
        self._stall_seen = 0
        self._stall_release = asyncio.Event()
        self.stall_delivers = False  # carry a stalled request out, withhold only the answer

    # --- configuration ---------------------------------------------------------------------

    def restore_chat(self, chat_id: int) -> None:
        for faulty in (self.blocked, self.deactivated, self.missing):
            faulty.discard(chat_id)

    def fail_randomly(self, rate: float, seed: int = 0) -> None:
        self._fail_rate = rate
        self._rng = random.Random(seed)

    def fail_next(self, n: int, status: int = 502) -> None:
        self._fail_next = n
        self._fail_next_status = status

    def stall_after(self, k: int | None, *, deliver: bool = False) -> None:
        if k is None:
            self._stall_release.set()
            self._stall_release = asyncio.Event()
        self._stall_after, self._stall_seen = k, 0
        self.stall_delivers = deliver

    # --- checks, in the order the server applies them ----------------------------------------

    def stalls(self) -> bool:
        """Whether this sending request's answer is withheld (see `wait_for_release`)."""
        if self._stall_after is None:
            return False
        self._stall_seen += 1
        return self._stall_seen > self._stall_after

    async def wait_for_release(self) -> None:
        await self._stall_release.wait()

    def check_send(self) -> None:
        """Injected server errors, for a sending request."""
        if self._fail_next > 0:
            self._fail_next -= 1
            status = self._fail_next_status
            raise ApiError(status, HTTPStatus(status).phrase, "injected_failure")
        if self._fail_rate > 0 and self._rng.random() < self._fail_rate:
            raise ApiError(500, "Internal Server Error", "random_failure")

    def check_chat(self, chat_id: int | None) -> None:
        """A chat that is gone, deactivated or has blocked the bot."""
        if chat_id is None:
            return
        if chat_id in self.missing:
            raise ApiError(400, "Bad Request: chat not found", "chat_not_found")
        if chat_id in self.deactivated:
            raise ApiError(403, "Forbidden: user is deactivated", "deactivated")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user", "blocked")
