"""The front page's list of processes.  Each area registers a provider that returns
cards for its processes (panels recruiting, idea rounds, digiraati, outcomes); the kernel
knows nothing about the areas themselves.

A process is listed once: a card that is the outcome of another card (``outcome_of`` equal
to that card's ``key``) is folded into it, so the reader sees the process with its outcome
and what was decided.  An outcome whose process has no card of its own stays a card."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    # ("ideas", 3): the process this card is about; an outcome card names its process in
    # ``outcome_of`` and is then shown inside that process's card.
    key: tuple | None = None
    outcome_of: tuple | None = None
    outcome_url: str | None = None
    # What was decided (a dict from the outcomes area: text, lang, who, impacts), or None.
    decision: dict | None = None


_PROVIDERS: list[Callable[[datetime, str], list[ProcessCard]]] = []


def register(provider: Callable[[datetime, str], list[ProcessCard]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def merge(cards: list[ProcessCard]) -> list[ProcessCard]:
    """Fold each outcome card into the card of its process (listed once, with the outcome's
    link, state label and decision); the order of the process cards is kept."""
    by_key = {c.key: i for i, c in enumerate(cards) if c.key is not None and c.outcome_of is None}
    out = list(cards)
    folded = set()
    for i, c in enumerate(cards):
        target = by_key.get(c.outcome_of) if c.outcome_of is not None else None
        if target is None:
            continue
        process = out[target]
        out[target] = replace(process, outcome_url=c.url, decision=c.decision, state=PAST,
                              state_label=c.state_label,
                              ends_at=process.ends_at or c.ends_at)
        folded.add(i)
    return [c for i, c in enumerate(out) if i not in folded]


def cards(now: datetime, locale: str) -> dict[str, list[ProcessCard]]:
    grouped: dict[str, list[ProcessCard]] = {OPEN: [], UPCOMING: [], PAST: []}
    everything = [card for provider in _PROVIDERS for card in provider(now, locale)]
    for card in merge(everything):
        grouped[card.state].append(card)
    grouped[OPEN].sort(key=lambda c: (c.ends_at or datetime.max, c.title))
    grouped[UPCOMING].sort(key=lambda c: (c.starts_at or datetime.max, c.title))
    grouped[PAST].sort(key=lambda c: (c.ends_at or datetime.min), reverse=True)
    return grouped
