"""Geometry for the server-rendered SVG bar charts (no script, no inline style): a bar for
the weighted share, a thinner one for the unweighted share and the 95 % interval as a line.
Pure: no Flask, no database."""
from __future__ import annotations

WIDTH = 100.0       # viewBox units per 100 %
ROW = 14            # viewBox height per option


def pct(share) -> str:
    """0.4567 -> '46 %' (empty for None)."""
    return "" if share is None else f"{share * 100:.0f} %"


def x(share) -> float:
    if share is None:
        return 0.0
    return round(max(0.0, min(1.0, float(share))) * WIDTH, 2)


def height(rows) -> int:
    return max(1, len(rows)) * ROW


def y(index: int) -> int:
    return index * ROW
