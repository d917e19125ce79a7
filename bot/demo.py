"""`diary demo`: chat with the real bot in the terminal, no Telegram needed. The delivery
worker and the jobs run as in production, so pushes appear in the console as they would
in Telegram."""

from __future__ import annotations

import sys

from bot.app import build_process
from bot.console import Identity, run_console
from bot.settings import Settings
from services import clock
from services.demo import prepare_demo, reset_demo
from services.demo_seed import DEMO_ACCOUNTS
from services.errors import DemoResetRefused
from telegram_fakes.local_session import LocalSession

NEWCOMER_ID = 9001


async def run_demo(settings: Settings, url: str, *, reset: bool = False) -> None:
    """With `reset`, the demo starts over from a fresh demo school."""
    local = LocalSession(bot_username=settings.bot_username)
    async with build_process(settings, url, token="42:DEMO", session=local) as app:
        async with app.sessionmaker.begin() as session:
            if reset:
                try:
                    await reset_demo(session)
                except DemoResetRefused as refused:
                    print("--reset refused: this database holds other schools: "
                          + ", ".join(refused.schools), file=sys.stderr)
                    raise SystemExit(2) from None
            created, code = await prepare_demo(session, clock.today("Europe/Moscow"),
                                               settings.code_key())
        if created:
            print("Демо-школа создана / the demo school is ready")
        identities = [Identity(a.label, a.telegram_id) for a in DEMO_ACCOUNTS]
        if code is not None:
            identities.append(Identity(
                f"Новый родитель (код {code.code} для {code.person_name})", NEWCOMER_ID))
        await app.dp.emit_startup(bot=app.bot)
        try:
            await run_console(app.dp, app.bot, local, identities)
        finally:
            await app.dp.emit_shutdown(bot=app.bot)
