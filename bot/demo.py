"""`diary demo`: chat with the real bot in the terminal, no Telegram needed. The delivery
worker and the jobs run as in production, so pushes appear in the console as they would
in Telegram."""

from __future__ import annotations

from bot.app import build_process
from bot.console import Identity, run_console
from bot.settings import Settings
from services import clock
from services.demo import prepare_demo
from services.demo_seed import DEMO_ACCOUNTS
from telegram_fakes.local_session import LocalSession

NEWCOMER_ID = 9001


async def run_demo(settings: Settings, url: str) -> None:
    local = LocalSession(bot_username=settings.bot_username)
    async with build_process(settings, url, token="42:DEMO", session=local) as app:
        async with app.sessionmaker.begin() as session:
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
