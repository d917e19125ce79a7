"""The bot's routers, in priority order: specific conversations first, the catch-all last."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from handlers.replies import On
from screens.payloads import SEP


# Coroutines, not magic filters: aiogram runs a synchronous filter (a magic filter too) in
# a worker thread, and every update passes these on each router it reaches.
async def _private_message(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


async def _private_press(query: CallbackQuery) -> bool:
    return query.message is not None and query.message.chat.type == ChatType.PRIVATE


class _Prefixes(Filter):
    """A router's own filter on a press: the payload's prefix is one its handlers take, so
    a press for another area skips the router in one set look-up instead of passing each
    handler's filters. Only for routers whose every press handler is an `On` filter, so
    what a press reaches (and the fallback's refusal of the rest) is unchanged."""

    def __init__(self, prefixes: frozenset[str]) -> None:
        self.prefixes = prefixes

    async def __call__(self, query: CallbackQuery) -> bool:
        return (query.data or "").partition(SEP)[0] in self.prefixes


def _press_prefixes(router: Router) -> frozenset[str] | None:
    """The payload prefixes of the router's press handlers; None if one takes presses
    other than by an `On` filter (or there are none)."""
    prefixes: set[str] = set()
    for handler in router.callback_query.handlers:
        kinds = [f.callback.kind for f in handler.filters or ()
                 if isinstance(f.callback, On)]
        if not kinds:
            return None
        prefixes.update(kind.prefix for kind in kinds)
    return frozenset(prefixes) if prefixes and not router.sub_routers else None


def routers() -> list[Router]:
    from handlers import (
        attendance,
        calendar,
        codes,
        complaints,
        consents,
        errors,
        fallback,
        feeds,
        forecast,
        homework,
        marks,
        menu,
        messages,
        notices,
        notification_settings,
        polls,
        quick_entry,
        reports,
        settings,
        staff,
        start,
        summary,
        teachers,
        timetable,
    )

    # Conversations first: a command cancels composing there and then goes on to its
    # handler. Quick entry's typed topic or homework before start: a code-shaped text in
    # that conversation is homework, not a link code.
    areas = [messages.router, notices.router, complaints.router, polls.router,
             quick_entry.router, start.router, menu.router, settings.router, feeds.router,
             codes.router, consents.router, timetable.router, homework.router,
             attendance.router, teachers.router, marks.router, calendar.router, staff.router,
             forecast.router, notification_settings.router, reports.router, summary.router,
             fallback.router]
    for router in areas:
        prefixes = _press_prefixes(router)
        if prefixes is not None:
            router.callback_query.filter(_Prefixes(prefixes))
        # Defence in depth: the outer middleware already drops group updates.
        router.message.filter(_private_message)
        router.callback_query.filter(_private_press)
    return [errors.router, *areas]
