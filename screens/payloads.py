"""Button payloads as typed values, packed as `prefix:field:field` within 64 bytes.

A payload comes back from the user, so it is input that can be forged. Unpacking is
strict: ASCII digits only for numbers (no `²`, no `٣`), ids within PostgreSQL's integer,
enum fields only their listed values. Anything else raises `ValueError`, so a forged
value never reaches a handler. The format is the one aiogram's CallbackData uses, which
keeps buttons already on users' screens working.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any, ClassVar, Self, get_type_hints

from screens.base import CALLBACK_DATA_LIMIT

SEP = ":"
MAX_INT = 2**31 - 1  # ids are PostgreSQL integers; dates packed as YYYYMMDD fit too
_INT = re.compile(r"-?[0-9]{1,10}")


class Payload:
    """Subclass as a frozen dataclass: `class MarksCb(Payload, prefix="mk")`."""

    prefix: ClassVar[str]
    _types: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if SEP in prefix:
            raise ValueError(f"prefix {prefix!r} may not contain {SEP!r}")
        cls.prefix = prefix

    @classmethod
    def _fields(cls) -> dict[str, Any]:
        if "_types" not in cls.__dict__:
            hints = get_type_hints(cls)
            cls._types = {f.name: hints[f.name] for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls._types

    def pack(self) -> str:
        parts = [self.prefix, *(_encode(getattr(self, name)) for name in self._fields())]
        packed = SEP.join(parts)
        if len(packed.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"payload {packed!r} is over {CALLBACK_DATA_LIMIT} bytes")
        return packed

    @classmethod
    def unpack(cls, raw: str) -> Self:
        prefix, _, rest = raw.partition(SEP)
        fields = cls._fields()
        parts = rest.split(SEP) if fields else ([] if not rest else [rest])
        if prefix != cls.prefix or len(parts) != len(fields):
            raise ValueError("not this payload")
        values = {name: _decode(kind, part) for (name, kind), part in zip(fields.items(), parts,
                                                                         strict=True)}
        return cls(**values)

    @classmethod
    def matches(cls, raw: str) -> bool:
        return raw == cls.prefix or raw.startswith(cls.prefix + SEP)


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    text = str(value)
    if SEP in text:
        raise ValueError(f"{text!r} may not contain {SEP!r}")
    return text


def _decode(kind: Any, part: str) -> Any:
    if kind is bool:
        if part not in ("0", "1"):
            raise ValueError("not a flag")
        return part == "1"
    if kind is int:
        if not _INT.fullmatch(part) or abs(int(part)) > MAX_INT:
            raise ValueError("not an id")
        return int(part)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(part)  # ValueError for anything not listed
    if kind is str:
        return part
    raise TypeError(f"unsupported payload field type {kind!r}")
