"""The bot's routers, in priority order: specific conversations first, the catch-all last."""

from __future__ import annotations

from aiogram import Router


def routers() -> list[Router]:
    from handlers import codes, fallback, menu, settings, start

    return [start.router, menu.router, settings.router, codes.router, fallback.router]
