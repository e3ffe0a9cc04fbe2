"""The front page's list of processes.  Each area registers a provider that returns
cards for its processes (panels recruiting, idea rounds, digiraati, outcomes); the kernel
knows nothing about the areas themselves."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

OPEN, UPCOMING, PAST = "open", "upcoming", "past"


@dataclass(frozen=True)
class ProcessCard:
    kind: str            # translated label, e.g. "Idea round"
    title: str
    summary: str
    url: str
    state: str           # OPEN, UPCOMING or PAST
    state_label: str     # translated, shown as text (never colour alone)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    sort_key: tuple = field(default=())
    # The languages of title and summary where they may differ from the page's (WCAG 3.1.2).
    title_lang: str | None = None
    summary_lang: str | None = None


_PROVIDERS: list[Callable[[datetime, str], list[ProcessCard]]] = []


def register(provider: Callable[[datetime, str], list[ProcessCard]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def cards(now: datetime, locale: str) -> dict[str, list[ProcessCard]]:
    grouped: dict[str, list[ProcessCard]] = {OPEN: [], UPCOMING: [], PAST: []}
    for provider in _PROVIDERS:
        for card in provider(now, locale):
            grouped[card.state].append(card)
    grouped[OPEN].sort(key=lambda c: (c.ends_at or datetime.max, c.title))
    grouped[UPCOMING].sort(key=lambda c: (c.starts_at or datetime.max, c.title))
    grouped[PAST].sort(key=lambda c: (c.ends_at or datetime.min), reverse=True)
    return grouped
