"""Updates waiting for getUpdates, with Telegram's offset and long-poll rules."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram_fakes.wire import as_int


class UpdateQueue:
    def __init__(self) -> None:
        self.closing = False  # set while the server stops: long polls return at once
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._event = asyncio.Event()

    def __len__(self) -> int:
        return len(self._pending)

    def clear(self) -> None:
        """Drop what is pending (drop_pending_updates)."""
        self._pending.clear()

    def reset(self) -> None:
        """Empty, numbering from 1 again; pollers waiting now see the empty queue."""
        self._pending, self._next_id = [], 1
        self.wake()

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update; assigns ``update_id`` if missing, returns it."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_id
        self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        self._pending.append(update)
        self.wake()
        return int(update["update_id"])

    def wake(self) -> None:
        # Each waiter holds the event current when it started waiting; replacing it after
        # set() means a later waiter never sees a stale "set" state.
        self._event.set()
        self._event = asyncio.Event()

    async def get(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The answer to getUpdates with these parameters, waiting up to its timeout."""
        offset = as_int(params.get("offset")) or 0
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        allowed_set = set(allowed) if isinstance(allowed, list) and allowed else None
        # Like Telegram, an offset confirms (drops) every update before it; a negative offset
        # keeps only the last -offset updates.
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        deadline = time.monotonic() + timeout
        while True:
            ready = [
                u
                for u in self._pending
                if u["update_id"] >= offset
                and (allowed_set is None or allowed_set & (u.keys() - {"update_id"}))
            ][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self.closing:
                return ready
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []
