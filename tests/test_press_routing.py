"""A press reaches only the routers whose handlers take its payload's prefix: the others
are skipped by their own filter, and none of them is a router that could have taken it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.types import CallbackQuery, Chat, Message, User

from handlers.replies import On


def _press(data: str) -> CallbackQuery:
    chat = Chat(id=5, type="private")
    user = User(id=5, is_bot=False, first_name="P")
    message = Message(message_id=1, date=dt.datetime(2026, 11, 23), chat=chat, text="x")
    return CallbackQuery(id="1", from_user=user, chat_instance="c", data=data,
                         message=message)


def _prefixes_taken(router: Any) -> set[str]:
    return {f.callback.kind.prefix for h in router.callback_query.handlers
            for f in h.filters or () if isinstance(f.callback, On)}


async def test_a_press_skips_exactly_the_routers_that_cannot_take_it(dispatcher: Any) -> None:
    routers = [r for r in dispatcher.sub_routers if r.callback_query.handlers]
    every_prefix = set().union(*(_prefixes_taken(r) for r in routers))
    skipping = 0
    for router in routers:
        taken = _prefixes_taken(router)
        for prefix in [*sorted(every_prefix), "zz"]:
            passed, _ = await router.callback_query.check_root_filters(_press(f"{prefix}:1"))
            if prefix in taken:
                assert passed, (router.name, prefix)
            elif not passed:
                skipping += 1
        # A router with a handler not keyed on a payload prefix is never skipped.
        if any(not any(isinstance(f.callback, On) for f in h.filters or ())
               for h in router.callback_query.handlers):
            passed, _ = await router.callback_query.check_root_filters(_press("zz:1"))
            assert passed, router.name
    # The skipping is real: most routers reject most other areas' presses at once.
    assert skipping > len(routers) * 5
