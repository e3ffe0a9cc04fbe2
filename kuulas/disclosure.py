"""Statistical disclosure control for every public count: small-cell suppression with
complementary cells, used by the panel's public pages and the outcome pages alike.

Pure: imports neither Flask nor SQLAlchemy, does no I/O.  It must never return a count
between 1 and ``MIN_CELL - 1`` for a public view, nor leave a hidden cell recoverable from
the feature's total and the cells still shown:

* counts 1..MIN_CELL-1 are hidden;
* if only one cell is hidden, the next smallest non-zero cell is hidden with it;
* if the hidden cells together still hold fewer than ``MIN_CELL`` people (two hidden
  cells of 1 and 2 are each recoverable once a reader knows every hidden cell is non-zero),
  or no partner exists (one member: every other cell is 0), the whole feature is hidden.

:func:`public_group` is the one public-safe composition of a group (a panel's members, a
digiraati's jurors, a survey's respondents): it leaves out sensitive features (special
categories of personal data, e.g. service use) unless the caller explicitly allows them,
and passes every feature through the rule above.  Safe by default: a caller has to ask
for anything more.
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_CELL = 5


@dataclass(frozen=True)
class Row:
    value: str
    label: str
    count: int | None          # None when suppressed
    share: float | None        # participants' share 0..1, None when suppressed
    population_share: float | None
    suppressed: bool

    @property
    def gap_pp(self) -> float | None:
        """Participant share minus population share, in percentage points."""
        if self.share is None or self.population_share is None:
            return None
        return round((self.share - self.population_share) * 100, 1)


def hidden_cells(counts: list[int], min_cell: int = MIN_CELL) -> set[int]:
    """Indexes of the cells a public view must hide (see the module docstring)."""
    hidden = {i for i, n in enumerate(counts) if 0 < n < min_cell}
    if not hidden:
        return hidden
    if len(hidden) == 1:
        others = sorted((n, i) for i, n in enumerate(counts) if i not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    if len(hidden) < 2 or sum(counts[i] for i in hidden) < min_cell:
        return set(range(len(counts)))
    return hidden


def suppress(categories: list[dict], min_cell: int = MIN_CELL) -> list[Row]:
    """Public rows for one feature (``[{"value", "label", "count", "population_share"}]``,
    population shares 0..1)."""
    counts = [int(c.get("count") or 0) for c in categories]
    total = sum(counts)
    return _rows(categories, counts, hidden_cells(counts, min_cell),
                 lambda i, _c: counts[i] / total if total else 0.0)


def _rows(categories: list[dict], counts: list, hidden: set[int], share) -> list[Row]:
    """One public row per category: hidden cells carry neither count nor share."""
    rows = []
    for i, c in enumerate(categories):
        pop = c.get("population_share")
        pop = None if pop is None else float(pop)
        if i in hidden:
            rows.append(Row(str(c.get("value", "")), str(c.get("label", "")), None, None, pop, True))
        else:
            rows.append(Row(str(c.get("value", "")), str(c.get("label", "")), counts[i], share(i, c), pop, False))
    return rows


def public_group(features: list[dict], *, allow_sensitive: bool = False, min_cell: int = MIN_CELL) -> list[dict]:
    """The composition of a group as the public may see it: ``[{"feature", "label", "rows": [Row]}]``.

    ``features``: ``[{"feature", "label", "sensitive" (optional), "categories": [{"value",
    "label", "count", "population_share"}]}]``.  A feature marked ``sensitive`` is left out
    unless ``allow_sensitive``.  A feature whose source already suppressed it (its cells carry
    ``"suppressed"`` and the source's ``"share"``, as a panel survey publishes them) keeps
    the source's hidden cells and gets this module's rule on top, never less."""
    out = []
    for feature in features or []:
        if feature.get("sensitive") and not allow_sensitive:
            continue   # special-category data is never public, not even as counts
        categories = feature.get("categories") or []
        if any("suppressed" in c for c in categories):
            rows = _already_suppressed(categories, min_cell)
        else:
            rows = suppress(categories, min_cell)
        out.append({"feature": str(feature.get("feature", "")), "label": str(feature.get("label", "")),
                    "rows": rows})
    return out


def _already_suppressed(categories: list[dict], min_cell: int) -> list[Row]:
    counts = [None if c.get("suppressed") else int(c.get("count") or 0) for c in categories]
    hidden = {i for i, n in enumerate(counts) if n is None or 0 < n < min_cell}
    if len(hidden) == 1:   # a lone hidden cell is recoverable from the total: hide a partner
        others = sorted((n, i) for i, n in enumerate(counts) if i not in hidden and n)
        hidden |= {others[0][1]} if others else set(range(len(counts)))
    return _rows(categories, counts, hidden,
                 lambda _i, c: None if c.get("share") is None else float(c["share"]))


def public_composition(composition: list[dict], min_cell: int = MIN_CELL) -> list[dict]:
    """Every feature of a composition, suppressed for publication (:func:`public_group`)."""
    return public_group(composition, min_cell=min_cell)


def public_counts(counts: list[int], min_cell: int = MIN_CELL) -> list[int | None]:
    """Just the counts of one feature, ``None`` where hidden."""
    hidden = hidden_cells([int(n or 0) for n in counts], min_cell)
    return [None if i in hidden else int(n or 0) for i, n in enumerate(counts)]
