"""Declarative base, naming convention and column helpers shared by every table."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    DateTime,
    Enum,
    ForeignKey,
    MetaData,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: DateTime(timezone=True)}


def enum_type(cls: type[enum.Enum]) -> Enum:
    # Store the enum's lowercase values, not member names, so SQL reads naturally.
    return Enum(
        cls,
        name=cls.__name__.lower(),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def created_now() -> Any:
    return mapped_column(server_default=func.now())


def school_fk() -> Any:
    return mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)


def external_id_column() -> Any:
    return mapped_column(String(64), nullable=True)


def external_unique(table: str) -> UniqueConstraint:
    return UniqueConstraint("school_id", "external_id", name=f"uq_{table}_school_external")
