"""Entries on the staff home page; areas register theirs with a permission, and only
the entries the signed-in person may use are shown."""
from __future__ import annotations

from dataclasses import dataclass

from . import access


@dataclass(frozen=True)
class Entry:
    label: object   # lazily translated
    endpoint: str
    permission: str
    order: int = 100


_ENTRIES: list[Entry] = []


def register(label, endpoint: str, permission: str, order: int = 100) -> None:
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(Entry(label, endpoint, permission, order))


def entries(actor) -> list[Entry]:
    return [e for e in sorted(_ENTRIES, key=lambda e: (e.order, e.endpoint))
            if access.can(actor, e.permission)]
