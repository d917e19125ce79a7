"""`diary demo`: chat with the real bot in the terminal, no Telegram needed."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import build_bot, build_dispatcher
from bot.console import Identity, run_console
from bot.local_session import LocalSession
from bot.settings import Settings
from services import clock, codes, migrate
from services.db import make_engine, make_sessionmaker
from services.demo_seed import DEMO_ACCOUNTS, seed_demo
from services.models import ClassGroup, LinkKind, School

NEWCOMER_ID = 9001


async def run_demo(settings: Settings, url: str) -> None:
    engine = make_engine(url)
    await migrate.upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker.begin() as session:
        if not await session.scalar(select(func.count()).select_from(School)):
            print("Создаю демо-школу… / creating the demo school…")
            await seed_demo(session, today=clock.today("Europe/Moscow"))
        # A fresh code so a newcomer can try linking a child the way a parent would.
        class_id = await session.scalar(select(ClassGroup.id).join(School)
                                        .where(School.external_id == "demo-school",
                                               ClassGroup.name == "5А"))
        ids = await codes.class_student_ids(session, class_id) if class_id else []
        issued = await codes.issue_student_codes(session, ids[-1:], (LinkKind.GUARDIAN,),
                                                 secret=settings.code_key())
    identities = [Identity(a.label, a.telegram_id) for a in DEMO_ACCOUNTS]
    if issued:
        code = issued[0]
        identities.append(Identity(f"Новый родитель (код {code.code} для {code.person_name})",
                                   NEWCOMER_ID))
    session_ = LocalSession(bot_username=settings.bot_username)
    bot = build_bot("42:DEMO", session=session_)
    dp = build_dispatcher(sessionmaker, settings)
    try:
        await run_console(dp, bot, session_, identities)
    finally:
        await bot.session.close()
        await engine.dispose()
