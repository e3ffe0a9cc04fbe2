"""Shapes of the room's socket events: one small schema per event, checked before any
service runs.

Pure: imports neither Flask nor SQLAlchemy and does no I/O.  A payload that does not fit
raises ``PayloadError`` (never anything else), whatever a client sends: integers out of the
database's range or negative, floats, booleans or strings where integers belong, deep
nesting, oversized text or lists, bytes from binary attachments, unknown fields.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

MAX_PAYLOAD_BYTES = 24 * 1024
MAX_DEPTH = 4
# Row ids and sequence numbers are 32-bit signed integers in PostgreSQL.
MAX_ID = 2**31 - 1


class PayloadError(ValueError):
    """The payload does not fit the event's schema; ``str()`` says which field (for logs)."""


@dataclass(frozen=True)
class Int:
    low: int = 1
    high: int = MAX_ID
    required: bool = True


@dataclass(frozen=True)
class Str:
    max_len: int
    required: bool = True


@dataclass(frozen=True)
class Bool:
    required: bool = True


@dataclass(frozen=True)
class StrList:
    max_items: int
    item_len: int
    required: bool = True


def _depth(value, limit: int) -> int:
    """Nesting depth, without recursion (a 100,000-deep list must not blow the stack);
    stops counting past ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _check(name: str, spec, value) -> None:
    if isinstance(spec, Int):
        if not isinstance(value, int) or isinstance(value, bool):
            raise PayloadError(f"{name} not an integer")
        if not spec.low <= value <= spec.high:
            raise PayloadError(f"{name} out of range")
    elif isinstance(spec, Str):
        if not isinstance(value, str):
            raise PayloadError(f"{name} not text")
        if len(value) > spec.max_len:
            raise PayloadError(f"{name} too long")
    elif isinstance(spec, Bool):
        if not isinstance(value, bool):
            raise PayloadError(f"{name} not true/false")
    elif isinstance(spec, StrList):
        if not isinstance(value, list) or len(value) > spec.max_items:
            raise PayloadError(f"{name} not a short list")
        for item in value:
            if not isinstance(item, str) or len(item) > spec.item_len:
                raise PayloadError(f"{name} has an item that is not short text")
    else:  # pragma: no cover - a programming error in a schema
        raise TypeError(spec)


def check(schema: dict, data) -> dict:
    """Return the payload as a plain dict if it fits ``schema``; raise ``PayloadError``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PayloadError("not an object")
    if _depth(data, MAX_DEPTH) > MAX_DEPTH:
        raise PayloadError("nested too deeply")
    try:
        size = len(json.dumps(data, ensure_ascii=False).encode())
    except (TypeError, ValueError, RecursionError):
        raise PayloadError("not JSON") from None
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadError("too large")
    if not all(isinstance(k, str) for k in data) or set(data) - set(schema):
        raise PayloadError("unknown fields")
    for name, spec in schema.items():
        if data.get(name) is None:
            if spec.required:
                raise PayloadError(f"missing {name}")
            continue
        _check(name, spec, data[name])
    return data
