"""The base of every typed push event and its JSONB payload form (services/push_events.py
holds the events themselves).

The payload keeps the keys rows had before events were typed (so rows queued by an older
process still read) plus `v`, the schema version of that event type. A row without `v` is
version 1. A row whose version is newer than this code knows (a newer process queued it
during a rolling deploy), or whose payload does not fit its type, raises
`UnreadablePayload`: the queue holds it for a person rather than guessing.

Envelope keys that are not event fields (`v`, `urgent`, `hide_values`) are written by the
outbox and ignored here. `hide_values` is the privacy mode as it was when the row was
queued; delivery applies the chat's mode as it is when the row is sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

VERSION_KEY = "v"
ENVELOPE_KEYS = frozenset({VERSION_KEY, "type", "urgent", "hide_values"})


class UnreadablePayload(ValueError):
    """A payload of a newer schema version than this process knows, or a malformed one."""


def stored_as(name: str, **default: Any) -> Any:
    """A field stored under another payload key (a Python keyword, e.g. "class")."""
    return field(metadata={"key": name}, **default)


# --- (de)serialisation -----------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.metadata.get("key", f.name): _dump(getattr(value, f.name))
                for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(hint: Any, raw: Any) -> Any:
    """`raw` (from JSON) as the annotated type; tolerant of what older rows may hold."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if raw is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _load(inner[0], raw)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_load(item, v) for v in raw or ())
    if hint is dt.date:
        if isinstance(raw, str) and raw:
            try:
                return dt.date.fromisoformat(raw[:10])
            except ValueError:
                return None
        return None
    if dataclasses.is_dataclass(hint):
        return _from_dict(hint, raw if isinstance(raw, dict) else {})
    if hint is bool:
        return bool(raw)
    if hint is int:
        return int(raw) if isinstance(raw, int | float) else 0
    if hint is float:
        return float(raw) if isinstance(raw, int | float) else 0.0
    if hint is str:
        return "" if raw is None else str(raw)
    return raw


def _from_dict(cls: Any, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = f.metadata.get("key", f.name)
        if key in data:
            values[f.name] = _load(hints[f.name], data[key])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = _load(hints[f.name], None)  # an older row lacked it
    return cls(**values)


# --- the events ------------------------------------------------------------------------


@dataclass(frozen=True)
class PushEvent:
    """Base of every event. `KIND` is the outbox kind (what a chat can mute); `TYPES` the
    payload types the class covers (several when they share one shape, with a `type`
    field saying which); `VERSION` the payload schema version."""

    KIND: ClassVar[str] = ""
    TYPES: ClassVar[tuple[str, ...]] = ()
    VERSION: ClassVar[int] = 1

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def event_type(self) -> str:
        return str(getattr(self, "type", self.TYPES[0] if self.TYPES else ""))

    def to_payload(self) -> dict[str, Any]:
        payload = _dump(self)
        payload["type"] = self.event_type
        payload[VERSION_KEY] = self.VERSION
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        version = payload.get(VERSION_KEY, 1)
        if not isinstance(version, int) or version > cls.VERSION:
            raise UnreadablePayload(f"{cls.__name__} payload v{version}")
        data = {k: v for k, v in payload.items() if k not in ENVELOPE_KEYS - {"type"}}
        if "type" not in {f.name for f in dataclasses.fields(cls)}:
            data.pop("type", None)
        return typing.cast(Self, _from_dict(cls, data))

    def about(self, student: str) -> Self:
        """The event with the child's first name filled in, if it names one and has none."""
        if getattr(self, "student", None) == "":
            changes: dict[str, Any] = {"student": student}
            return dataclasses.replace(self, **changes)
        return self
