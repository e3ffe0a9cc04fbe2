"""Comparison keys for spotting the same person registered twice under look-alike
e-mail addresses: ``Matti+2@Example.fi``, ``m.a.t.t.i@googlemail.com`` for
``matti@gmail.com``, a Cyrillic ``а`` for a Latin ``a``, fullwidth ``ｍａｔｔｉ``.

A key is only a suspicion for staff to review before the draw (a pair may be two real
people); it is never shown publicly and never decides anything by itself.

Pure: no Flask, no SQLAlchemy, no I/O.  Uses the Unicode confusables table through
``confusable_homoglyphs`` rather than a hand-made list.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

# Providers whose mailboxes ignore dots in the local part, and their alias domains.
DOTLESS = {"gmail.com"}
ALIASES = {"googlemail.com": "gmail.com"}


@lru_cache(maxsize=4096)
def _latin(ch: str) -> str:
    """The ASCII letter or digit a non-ASCII character is confusable with, or itself."""
    if ch.isascii():
        return ch
    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=["latin"]) or []
    for entry in found:
        for glyph in entry.get("homoglyphs") or []:
            c = glyph.get("c", "")
            if len(c) == 1 and c.isascii() and c.isalnum():
                return c.lower()
    return ch


def skeleton(text: str) -> str:
    """Compatibility forms folded (fullwidth → ASCII), case folded, confusables mapped to
    the Latin letters they imitate."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().strip()
    return "".join(_latin(ch) for ch in folded)


def comparison_key(email: str) -> str:
    """The key under which two addresses probably reach the same mailbox (or person)."""
    value = skeleton(email)
    local, at, domain = value.rpartition("@")
    if not at:
        return value
    domain = domain.rstrip(".")
    domain = ALIASES.get(domain, domain)
    local = local.split("+", 1)[0]           # sub-addressing: matti+2 → matti
    if domain in DOTLESS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def suspected_pairs(people) -> list[tuple]:
    """``people``: ``(id, email)`` pairs.  Every pair of ids whose addresses share a key,
    in a stable order."""
    groups: dict[str, list] = {}
    for pid, email in people:
        groups.setdefault(comparison_key(email), []).append(pid)
    pairs = []
    for ids in groups.values():
        ids = sorted(ids)
        pairs += [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
    return sorted(pairs)
