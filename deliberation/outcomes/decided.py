"""What was decided, in one short line: the summary that outcome cards, the front page,
the results index and the Atom feed show instead of repeating the question.

Pure: imports neither Flask nor SQLAlchemy and does no I/O.  It reads only what the public
page shows already (decisions and the current impact per point), so a caller may pass any
object with the outcome's attributes.  Labels are left to the caller, which translates them
(``present.STATUS_LABELS``); the text returned is the preparer's own, in ``lang``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import history

LIMIT = 200

_MARKUP = re.compile(r"(^|\s)[#>*\-+]+\s|[*_`]+|\[([^\]]*)\]\([^)]*\)")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DecisionSummary:
    text: str                   # the latest decision's summary, shortened ("" when none written)
    lang: str                   # the language ``text`` is in (for ``lang``, WCAG 3.1.2)
    body: str                   # who decided
    meeting_date: date | None
    decisions: int              # how many decisions are recorded
    statuses: dict = field(default_factory=dict)   # current impact status -> number of points


def shorten(text: str | None, limit: int = LIMIT) -> str:
    """The first paragraph as plain text, cut at a word boundary with an ellipsis."""
    first = (text or "").strip().split("\n\n", 1)[0]
    plain = _MARKUP.sub(lambda m: (m.group(1) or "") + (m.group(2) or ""), first)
    plain = _SPACE.sub(" ", plain).strip()
    if len(plain) <= limit:
        return plain
    cut = plain[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,.;:–-") + "…"


def _translated(decision, locale: str, own: str) -> tuple[str, str]:
    """The decision's summary in the reader's language where one was written, else the original."""
    versions = getattr(decision, "translations", None) or {}
    version = versions.get(locale) if isinstance(versions, dict) and locale != own else None
    if isinstance(version, dict) and (version.get("summary") or "").strip():
        return version["summary"], locale
    return decision.summary or "", own


def impact_counts(outcome) -> dict[str, int]:
    """How many points have each current impact status (points with none are left out)."""
    revisions = [history.Revision(r.point_key, r.status, r.reasoning, r.recorded_at, r.decision_id,
                                  getattr(r, "id", 0) or 0) for r in (outcome.impacts or [])]
    current = history.current(revisions)
    keys = [p.get("key") for p in (outcome.points or [])] or list(current)
    counts: dict[str, int] = {}
    for key in keys:
        c = current.get(key)
        if c is not None:
            counts[c.status] = counts.get(c.status, 0) + 1
    return {s: counts[s] for s in history.STATUSES if s in counts}


def decision_summary(outcome, locale: str, limit: int = LIMIT) -> DecisionSummary | None:
    """What was decided, for a reader in ``locale``; None while no decision is recorded."""
    decisions = list(outcome.decisions or [])
    if not decisions:
        return None
    latest = max(decisions, key=lambda d: (d.meeting_date or date.min, d.id or 0))
    own = outcome.language or "fi"
    text, lang = _translated(latest, locale, own)
    return DecisionSummary(text=shorten(text, limit), lang=lang, body=latest.body or "",
                           meeting_date=latest.meeting_date, decisions=len(decisions),
                           statuses=impact_counts(outcome))
