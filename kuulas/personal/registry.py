"""The personal-data map: every area declares here, in one place per area, which of its
tables hold personal data, about whom, why, on what legal basis and for how long.

The privacy notice, the staff data register, a resident's "download my data" and the staff
request tool are all generated from these entries, so they cannot drift from the code; a
test fails when a model with a personal column is missing.

Plain Python: no Flask, no SQLAlchemy session.  ``export`` and ``erase`` callables are the
areas' own functions (they use the session; the registry only calls them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Keys into the retention-period table (``kuulas/retention.py``); an entry names one.
RETENTION_KEYS = frozenset({
    "accounts_inactive", "panel_volunteers", "panel_members", "raati_messages", "raati_members",
    "invitations", "survey_participation", "mail_outbox", "feedback_contact",
    "follow_subscriptions", "access_log", "data_requests", "idea_content",
})


@dataclass(frozen=True)
class Subject:
    """The person a request or an export is about: always an e-mail address, and the
    account when there is one (people who only left an address have none)."""
    email: str
    account_id: int | None = None


@dataclass(frozen=True)
class PersonalData:
    """One kind of personal data.  ``model`` is the table; ``linked`` are tables whose rows
    only point at ``model``'s rows (a raati message's member) and share its purpose.

    ``about`` (whose data), ``purpose`` and ``basis`` are lazily translated texts.
    ``export(subject)`` returns JSON-safe dicts; ``erase(subject, now)`` deletes or unlinks
    the subject's rows and returns how many it changed.  Either may be None when another
    entry's function covers the rows (e.g. answers go with the registration).  ``stage``
    orders erasure: the account itself goes last, after everything that points at it.
    """
    area: str
    model: type
    columns: tuple[str, ...]
    about: object
    purpose: object
    basis: object
    retention: str
    export: Callable[[Subject], list[dict]] | None = None
    erase: Callable[..., int] | None = None
    linked: tuple[type, ...] = ()
    title: object = None
    stage: int = 50
    key: str = field(default="")

    def __post_init__(self):
        if self.retention not in RETENTION_KEYS:
            raise ValueError(f"unknown retention key {self.retention!r} for {self.model.__name__}")
        missing = [c for c in self.columns if c not in _column_names(self.model)]
        if missing:
            raise ValueError(f"{self.model.__name__} has no column(s) {missing}")
        if not self.key:
            object.__setattr__(self, "key", f"{self.area}.{self.model.__name__}")


def _column_names(model) -> set[str]:
    table = getattr(model, "__table__", None)
    return {c.name for c in table.columns} if table is not None else set()


_ENTRIES: dict[str, PersonalData] = {}


def register(entry: PersonalData) -> None:
    """Add an entry; registering the same key again (a second app in one process) replaces it."""
    _ENTRIES[entry.key] = entry


def entries() -> list[PersonalData]:
    return list(_ENTRIES.values())


def covered_models() -> set[type]:
    out: set[type] = set()
    for e in _ENTRIES.values():
        out.add(e.model)
        out.update(e.linked)
    return out


def by_area() -> dict[str, list[PersonalData]]:
    out: dict[str, list[PersonalData]] = {}
    for e in _ENTRIES.values():
        out.setdefault(e.area, []).append(e)
    return out


def erasers() -> list[PersonalData]:
    return sorted((e for e in _ENTRIES.values() if e.erase is not None), key=lambda e: e.stage)


def exporters() -> list[PersonalData]:
    return [e for e in _ENTRIES.values() if e.export is not None]
