"""Quotas derived from population shares and the panel size.  Pure: no Flask, no database.

A category's target is ``share × size``; the default quota allows half a seat either way,
rounded outwards (target 6.06 → 5..7, target 0.4 → 0..1), which keeps the panel within
one person of proportional while leaving the draw room to be fair to every volunteer.
"""
from __future__ import annotations

import math

TOLERANCE = 0.5


def default_quota(share_percent: float, size: int) -> tuple[int, int, float]:
    target = share_percent / 100.0 * size
    low = max(0, math.floor(target - TOLERANCE))
    high = min(size, math.ceil(target + TOLERANCE))
    return low, high, round(target, 2)
