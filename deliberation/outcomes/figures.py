"""Participation figures for publication: shares and representativeness (total
variation distance).  Small-cell suppression lives in :mod:`kuulas.disclosure`, the one
rule for every public count.

Pure: imports neither Flask nor SQLAlchemy, does no I/O.
"""
from __future__ import annotations


def total_variation_distance(shares: list[float], population: list[float]) -> float:
    """½·Σ|p_c − q_c| over the categories of one variable (0 = identical, 1 = disjoint)."""
    if len(shares) != len(population):
        raise ValueError("shares and population shares differ in length")
    return round(0.5 * sum(abs(p - q) for p, q in zip(shares, population)), 4)


def feature_tvd(categories: list[dict]) -> float | None:
    """TVD of one composition feature from raw counts (staff view; never shown per cell)."""
    if any(c.get("suppressed") for c in categories):
        return None      # a source that published suppressed figures: no exact counts to compare
    total = sum(int(c.get("count") or 0) for c in categories)
    pops = [c.get("population_share") for c in categories]
    if not total or any(p is None for p in pops):
        return None
    return total_variation_distance([int(c.get("count") or 0) / total for c in categories],
                                    [float(p) for p in pops])


def percent_step(share: float | None) -> int:
    """Share 0..1 rounded to a whole percent, 0..100 (bar widths are SVG attributes)."""
    if share is None:
        return 0
    return max(0, min(100, round(share * 100)))
