"""Pure statement drafting: section versions, diffs, review tallies and the final hash.

Imports neither Flask nor SQLAlchemy and never touches the database or the clock; the
service layer stores what these functions compute.  The hash is over a canonical text
(sections in order, each ``## title`` then its text, LF line endings, NFC), so anyone can
recompute it from the published statement.
"""
from __future__ import annotations

import difflib
import hashlib
import unicodedata
from dataclasses import dataclass

APPROVE, NEEDS_CHANGE = "approve", "needs_change"
VERDICTS = (APPROVE, NEEDS_CHANGE)
MAX_SECTION_CHARS = 20_000
MAX_TITLE_CHARS = 200


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """Line diff as ``[(op, line)]`` with op in ``" "``, ``"-"``, ``"+"``: what the page shows
    (as text marks and colour both) between two versions."""
    out: list[tuple[str, str]] = []
    a, b = normalise(old).split("\n"), normalise(new).split("\n")
    if a == [""]:
        a = []
    if b == [""]:
        b = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend((" ", line) for line in a[i1:i2])
        else:
            out.extend(("-", line) for line in a[i1:i2])
            out.extend(("+", line) for line in b[j1:j2])
    return out


def canonical(sections: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"## {normalise(title)}\n\n{normalise(text)}" for title, text in sections) + "\n"


def sha256(sections: list[tuple[str, str]]) -> str:
    return hashlib.sha256(canonical(sections).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Tally:
    approve: int
    needs_change: int

    @property
    def settled(self) -> bool:
        return self.approve > 0 and self.needs_change == 0


def tally(reviews: dict[int, str], current_version: int, review_versions: dict[int, int]) -> Tally:
    """Count verdicts per member that are about the current version; a review of an older
    version no longer counts (the text changed under it)."""
    approve = sum(1 for m, v in reviews.items()
                  if v == APPROVE and review_versions.get(m) == current_version)
    change = sum(1 for m, v in reviews.items()
                 if v == NEEDS_CHANGE and review_versions.get(m) == current_version)
    return Tally(approve, change)


def check_edit(locked: bool, title: str, text: str) -> list[str]:
    """Problems with an edit, as stable codes; empty means fine."""
    problems = []
    if locked:
        problems.append("locked")
    if not normalise(title):
        problems.append("title_missing")
    if len(normalise(title)) > MAX_TITLE_CHARS:
        problems.append("title_too_long")
    if len(normalise(text)) > MAX_SECTION_CHARS:
        problems.append("text_too_long")
    return problems


# --- what locking needs -------------------------------------------------------------------

MAJORITY, ALL = "majority", "all"
RULES = (MAJORITY, ALL)


def needed(rule: str, members: int) -> int:
    """Approvals a section needs: more than half of the members, or every one of them.
    With no members at all nothing can be approved (one is still needed)."""
    if rule == ALL:
        return max(members, 1)
    return members // 2 + 1


@dataclass(frozen=True)
class SectionApproval:
    section_id: int
    title: str
    version: int
    approvals: int
    members: int
    needed: int

    @property
    def met(self) -> bool:
        return self.approvals >= self.needed


def approval(rule: str, members: int, sections: list[tuple[int, str, int, int]]) -> list[SectionApproval]:
    """Per section ``(id, title, version, approvals of that version)``: whether the rule holds."""
    if rule not in RULES:
        raise ValueError(rule)
    need = needed(rule, members)
    return [SectionApproval(i, t, v, a, members, need) for i, t, v, a in sections]


def lock_record(rule: str, members: int, checked: list[SectionApproval], *, override: str | None,
                locked_at: str, sha256: str) -> dict:
    """What is frozen at the lock and published with the statement."""
    return {"rule": rule, "members": members, "locked_at": locked_at, "sha256": sha256,
            "approved": all(s.met for s in checked) and bool(checked),
            "override": override or None,
            "sections": [{"title": s.title, "version": s.version, "approvals": s.approvals,
                          "members": s.members, "needed": s.needed, "met": s.met} for s in checked]}
