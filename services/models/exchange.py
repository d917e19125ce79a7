"""Journal exchange: the bearer tokens a school's journal authenticates with."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from services.models.base import Base, created_now, school_fk


class ExchangeToken(Base):
    """One journal's access to one school. Only the token's SHA-256 is stored."""

    __tablename__ = "exchange_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = school_fk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = created_now()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
