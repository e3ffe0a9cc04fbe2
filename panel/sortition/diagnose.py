"""Why no panel meets the quotas, or why a volunteer can never be drawn.

First cheap counting checks (a category with fewer volunteers than its
minimum, forced members already past a maximum, minimums that cannot fit in
the seats left); then a MILP that relaxes each quota's min and max by
non-negative integer slack and minimises the total slack.  Every quota that
needed slack is reported with the number of people it must move by, so staff
see *which* quotas conflict and by how much.

Issue codes (params):
  forced_exceed_quota_max(feature, value, max, forced)
  category_short_of_volunteers(feature, value, min, available, shortfall)
  feature_mins_exceed_seats(feature, sum_min, seats)
  quota_min_too_high(feature, value, min, max, by)   -> lower min by ``by``
  quota_max_too_low(feature, value, min, max, by)    -> raise max by ``by``

No I/O, no Flask; deterministic.
"""

from __future__ import annotations

import numpy as np
import highspy

from .errors import InfeasibleQuotasError, Issue, SolverError
from .grouping import TypedPool
from .milp import INF, OPTIMAL, INFEASIBLE, _I32, new_highs


def find_panel(pool: TypedPool) -> np.ndarray | None:
    """Any type-count vector meeting the quotas, or None."""
    h = _count_model(pool, slack=False)
    h.run()
    if h.getModelStatus() == INFEASIBLE:
        return None
    if h.getModelStatus() != OPTIMAL:
        raise SolverError("solver_failed", stage="feasibility", status=str(h.getModelStatus()))
    return np.rint(np.asarray(h.getSolution().col_value)[: pool.n_types]).astype(np.int64)


def counting_conflicts(pool: TypedPool) -> list[Issue]:
    """Conflicts visible without a solver."""
    issues = []
    sums: dict[str, int] = {}
    for i, q in enumerate(pool.quotas):
        forced = int(pool.forced_per_quota[i])
        if pool.hi[i] < 0:
            issues.append(Issue("forced_exceed_quota_max", {
                "feature": q.feature, "value": q.value, "max": q.max, "forced": forced}))
        available = int(pool.pool_per_quota[i]) + forced
        if available < q.min:
            issues.append(Issue("category_short_of_volunteers", {
                "feature": q.feature, "value": q.value, "min": q.min,
                "available": available, "shortfall": q.min - available}))
        sums[q.feature] = sums.get(q.feature, 0) + int(pool.lo[i])
    for feature in sorted(sums):
        if sums[feature] > pool.k:
            issues.append(Issue("feature_mins_exceed_seats", {
                "feature": feature, "sum_min": sums[feature], "seats": pool.k}))
    return issues


def slack_conflicts(pool: TypedPool, must_include: int | None = None) -> list[Issue]:
    """Quotas to relax (and by how much) for a panel to exist; with
    ``must_include`` a panel that also contains a member of that type."""
    h = _count_model(pool, slack=True)
    if must_include is not None:
        h.changeColBounds(must_include, 1.0, float(pool.counts[must_include]))
    h.run()
    if h.getModelStatus() != OPTIMAL:
        raise SolverError("solver_failed", stage="diagnosis", status=str(h.getModelStatus()))
    x = np.asarray(h.getSolution().col_value)
    t, nq = pool.n_types, len(pool.quotas)
    below, above = np.rint(x[t:t + nq]).astype(int), np.rint(x[t + nq:t + 2 * nq]).astype(int)
    issues = []
    for i, q in enumerate(pool.quotas):
        base = {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}
        if below[i] > 0:
            issues.append(Issue("quota_min_too_high", {**base, "by": int(below[i])}))
        if above[i] > 0:
            issues.append(Issue("quota_max_too_low", {**base, "by": int(above[i])}))
    return issues


def diagnose(pool: TypedPool) -> list[Issue]:
    """Conflicts that make the quotas infeasible (empty list if feasible)."""
    if find_panel(pool) is not None:
        return []
    return counting_conflicts(pool) or slack_conflicts(pool)


def require_feasible(pool: TypedPool) -> np.ndarray:
    """A panel meeting the quotas, or raise InfeasibleQuotasError with the
    conflicting quotas."""
    panel = find_panel(pool)
    if panel is None:
        raise InfeasibleQuotasError(counting_conflicts(pool) or slack_conflicts(pool))
    return panel


def _count_model(pool: TypedPool, slack: bool):
    """Integer counts per type; with ``slack`` every quota row gets a
    below-min and an above-max slack column and total slack is minimised."""
    t, nq = pool.n_types, len(pool.quotas)
    h = new_highs(mip_rel_gap=0.0)
    h.addVars(t, np.zeros(t), pool.counts.astype(float))
    h.changeColsIntegrality(t, np.arange(t, dtype=_I32),
                            np.array([highspy.HighsVarType.kInteger] * t))
    h.addRow(float(pool.k), float(pool.k), t, np.arange(t, dtype=_I32), np.ones(t))
    if not slack:
        for i, ts in enumerate(pool.quota_types):
            h.addRow(float(pool.lo[i]), float(pool.hi[i]), len(ts), ts.astype(_I32), np.ones(len(ts)))
        return h
    h.addVars(2 * nq, np.zeros(2 * nq), np.full(2 * nq, INF))
    h.changeColsCost(2 * nq, np.arange(t, t + 2 * nq, dtype=_I32), np.ones(2 * nq))
    for i, ts in enumerate(pool.quota_types):
        idx = ts.astype(_I32)
        h.addRow(float(pool.lo[i]), INF, len(ts) + 1, np.r_[idx, t + i].astype(_I32),
                 np.ones(len(ts) + 1))
        h.addRow(-INF, float(pool.hi[i]), len(ts) + 1, np.r_[idx, t + nq + i].astype(_I32),
                 np.r_[np.ones(len(ts)), -1.0])
    return h
