"""Telegram accounts: who is talking to the bot, in which language, for which child."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import ChildRef, deny, load_roles
from services.models import Account

LOCALES = ("ru", "en")  # the languages the diary speaks; Russian first, the default
# `last_seen_at` is refreshed at most this often: retention counts idle years and the
# activity report days, so a chat pressing buttons writes its row a few times an hour at
# most, not on every update.
SEEN_EVERY = dt.timedelta(minutes=10)


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
    """The account of a Telegram user; a first contact creates it. A contact marks it
    active again (a user who had blocked the bot came back) and records it in
    `last_seen_at`, the activity retention reads (an unlinked account idle for a year is
    deleted). Usually one cheap read: the row is written only when it is new, inactive,
    in another chat, or last seen more than `SEEN_EVERY` ago."""
    connection = await session.connection()
    row = (await connection.execute(_READ, {"telegram_id": telegram_id})).one_or_none()
    now = clock.now()
    if row is None:
        new = (await connection.execute(_CREATE, {
            "new_telegram_id": telegram_id, "new_chat_id": chat_id, "now": now,
            "new_locale": _locale_from(language_code, default_locale)})).one()
        return AccountInfo(new.id, telegram_id, chat_id, new.locale, new.active_student_id)
    if (not row.is_active or row.deactivated_at is not None or row.chat_id != chat_id
          or row.last_seen_at is None or now - row.last_seen_at >= SEEN_EVERY):
        await connection.execute(_SEEN, {"account_id": row.id, "new_chat_id": chat_id,
                                         "now": now})
    return AccountInfo(row.id, telegram_id, chat_id, row.locale, row.active_student_id)


# Built once: the same statement objects hit SQLAlchemy's compiled cache on every update.
_READ = (select(Account.id, Account.locale, Account.active_student_id, Account.chat_id,
                Account.is_active, Account.deactivated_at, Account.last_seen_at)
         .where(Account.telegram_id == bindparam("telegram_id")))
_CREATE = (
    insert(Account)
    .values(telegram_id=bindparam("new_telegram_id"), chat_id=bindparam("new_chat_id"),
            locale=bindparam("new_locale"), last_seen_at=bindparam("now"), is_active=True)
    .on_conflict_do_update(  # a first contact racing another of the same user
        index_elements=[Account.telegram_id],
        set_={"last_seen_at": bindparam("now"), "is_active": True,
              "chat_id": bindparam("new_chat_id"), "deactivated_at": None},
    )
    .returning(Account.id, Account.locale, Account.active_student_id)
)
_SEEN = (update(Account).where(Account.id == bindparam("account_id"))
         .values(last_seen_at=bindparam("now"), is_active=True,
                 chat_id=bindparam("new_chat_id"), deactivated_at=None))


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
