"""Telegram accounts: who is talking to the bot, in which language, for which child."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import ChildRef, deny, load_roles
from services.models import Account

LOCALES = ("ru", "en")  # the languages the diary speaks; Russian first, the default


@dataclass(frozen=True)
class AccountInfo:
    id: int
    telegram_id: int
    chat_id: int
    locale: str
    active_student_id: int | None


def _locale_from(language_code: str | None, default: str) -> str:
    code = (language_code or "").split("-")[0].lower()
    return code if code in LOCALES else default


async def get_or_create(
    session: AsyncSession, telegram_id: int, chat_id: int, language_code: str | None,
    default_locale: str = "ru",
) -> AccountInfo:
    """The account of a Telegram user; a first contact creates it. Every contact marks it
    active again (a user who had blocked the bot came back) and records it in
    `last_seen_at`, the activity retention reads (an unlinked account idle for a year is
    deleted). One statement per update."""
    stmt = (
        insert(Account)
        .values(telegram_id=telegram_id, chat_id=chat_id,
                locale=_locale_from(language_code, default_locale),
                last_seen_at=clock.now(), is_active=True)
        .on_conflict_do_update(
            index_elements=[Account.telegram_id],
            set_={"last_seen_at": clock.now(), "is_active": True, "chat_id": chat_id,
                  "deactivated_at": None},
        )
        .returning(Account.id, Account.locale, Account.active_student_id)
    )
    row = (await session.execute(stmt)).one()
    return AccountInfo(row.id, telegram_id, chat_id, row.locale, row.active_student_id)


async def set_locale(session: AsyncSession, account_id: int, locale: str) -> None:
    if locale not in LOCALES:
        raise ValueError(locale)
    await session.execute(update(Account).where(Account.id == account_id).values(locale=locale))


async def mark_inactive(session: AsyncSession, chat_id: int) -> None:
    """Telegram said the user blocked the bot or is gone: stop sending to that chat."""
    await session.execute(
        update(Account).where(Account.chat_id == chat_id, Account.is_active)
        .values(is_active=False, deactivated_at=clock.now())
    )


async def set_active_student(session: AsyncSession, account_id: int,
                             student_id: int | None) -> None:
    await session.execute(update(Account).where(Account.id == account_id)
                          .values(active_student_id=student_id))


async def choose_active_student(session: AsyncSession, account_id: int,
                                student_id: int) -> ChildRef:
    """Switch the active child; only to a child (or self) this account may see."""
    roles = await load_roles(session, account_id)
    for child in roles.family_students:
        if child.student_id == student_id:
            await set_active_student(session, account_id, student_id)
            return child
    raise deny(account_id, "switch_child", student_id=student_id)
