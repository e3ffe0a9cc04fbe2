"""Participation figures for publication: shares, small-cell suppression and
representativeness (total variation distance).

Pure: imports neither Flask nor SQLAlchemy, does no I/O.  It must never return a
participant count below ``MIN_CELL`` for a public view, nor leave a suppressed cell
recoverable from the feature's total (a lone suppressed cell gets a partner).
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


def total_variation_distance(shares: list[float], population: list[float]) -> float:
    """½·Σ|p_c − q_c| over the categories of one variable (0 = identical, 1 = disjoint)."""
    if len(shares) != len(population):
        raise ValueError("shares and population shares differ in length")
    return round(0.5 * sum(abs(p - q) for p, q in zip(shares, population)), 4)


def feature_tvd(categories: list[dict]) -> float | None:
    """TVD of one composition feature from raw counts (staff view; never shown per cell)."""
    total = sum(int(c.get("count") or 0) for c in categories)
    pops = [c.get("population_share") for c in categories]
    if not total or any(p is None for p in pops):
        return None
    return total_variation_distance([int(c.get("count") or 0) / total for c in categories],
                                    [float(p) for p in pops])


def suppress(categories: list[dict], min_cell: int = MIN_CELL) -> list[Row]:
    """Public rows for one feature.  Counts 1..min_cell-1 are hidden; if exactly one
    cell is hidden, the next smallest non-zero cell is hidden too, so the hidden count
    cannot be derived by subtracting the others from the total."""
    counts = [int(c.get("count") or 0) for c in categories]
    total = sum(counts)
    hidden = {i for i, n in enumerate(counts) if 0 < n < min_cell}
    if len(hidden) == 1:
        others = sorted((n, i) for i, n in enumerate(counts) if i not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    rows = []
    for i, c in enumerate(categories):
        pop = c.get("population_share")
        pop = None if pop is None else float(pop)
        if i in hidden:
            rows.append(Row(str(c.get("value", "")), str(c.get("label", "")), None, None, pop, True))
        else:
            share = counts[i] / total if total else 0.0
            rows.append(Row(str(c.get("value", "")), str(c.get("label", "")), counts[i], share, pop, False))
    return rows


def public_composition(composition: list[dict], min_cell: int = MIN_CELL) -> list[dict]:
    """Every feature of a composition, suppressed for publication."""
    out = []
    for feature in composition or []:
        rows = suppress(feature.get("categories") or [], min_cell)
        out.append({"feature": str(feature.get("feature", "")), "label": str(feature.get("label", "")),
                    "rows": rows})
    return out


def percent_step(share: float | None) -> int:
    """Share 0..1 rounded to a whole percent, 0..100 (bar widths are SVG attributes)."""
    if share is None:
        return 0
    return max(0, min(100, round(share * 100)))
