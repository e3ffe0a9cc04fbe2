"""What a signed-in resident sees on their own page ("Omat tiedot"): each area registers
a section provider (panel registrations, digiraati memberships ...)."""
from __future__ import annotations

from typing import Callable

_PROVIDERS: list[Callable] = []


def register(provider: Callable) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def sections(account) -> list[dict]:
    out: list[dict] = []
    for provider in _PROVIDERS:
        out.extend(provider(account))
    return out
