"""LP relaxation of LEXIMIN over type counts, and its decomposition into panels.

If panel compositions could be fractional, LEXIMIN would be a short series
of small LPs over the compact model (counts c_t in [0, n_t], quotas, sum = k)
with no column generation at all.  On real pools the relaxation is usually
tight or nearly so, which gives the column generation in leximin.py two
head starts:

* the relaxation's duals are a near-optimal first dual for each level, and
* walking down the faces of the quota polytope splits the relaxed optimum
  into integer panels (a Caratheodory decomposition); the walk stops where
  a face holds no integer panel, but by then it has usually found almost
  all the committees the exact optimum needs.

Both are only accelerators: optimality is always certified by leximin.py.
No I/O, no Flask; deterministic (fixed internal seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import highspy

from .grouping import TypedPool
from .milp import INF, OPTIMAL, _I32, CommitteeMip, add_quota_rows, new_highs

_EPS = 1e-9
# LP objectives tried per walk step before diving, and the dive's depth:
# counts, never times, so the walk stays deterministic.
_LP_ATTEMPTS = 8
_DIVE_DEPTH = 100


class RelaxedLevels:
    """max z s.t. c in the relaxed quota polytope, c_t/n_t >= z (unfixed),
    c_t/n_t >= p_t (fixed).  Kept warm while types get fixed."""

    def __init__(self, pool: TypedPool, active: np.ndarray):
        t = pool.n_types
        ub = np.zeros(t)
        ub[active] = pool.counts[active]  # types in no panel stay at 0
        h = new_highs()
        h.addVars(t + 1, np.r_[np.zeros(t), -INF], np.r_[ub, INF])
        h.changeColCost(t, 1.0)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        add_quota_rows(h, pool)
        self.row: dict[int, int] = {}
        for u in active:
            self.row[int(u)] = h.getNumRow()
            h.addRow(0.0, INF, 2, np.array([u, t], dtype=_I32),
                     np.array([1.0 / pool.counts[u], -1.0]))
        self.h, self.t = h, t
        self.fixed: set[int] = set()

    def solve(self, unfixed: set[int], fixed_p: np.ndarray):
        """Return (level value, duals y normalised over unfixed, counts x)
        or None if the relaxation fails (then callers just go without)."""
        h = self.h
        for u, r in self.row.items():
            if u not in unfixed and u not in self.fixed:
                self.fixed.add(u)
                h.changeCoeff(r, self.t, 0.0)
                h.changeRowBounds(r, fixed_p[u], INF)
        h.run()
        if h.getModelStatus() != OPTIMAL:
            return None
        sol = h.getSolution()
        duals = np.abs(np.asarray(sol.row_dual))
        y = np.zeros(self.t)
        for u, r in self.row.items():
            y[u] = duals[r]
        s = sum(y[u] for u in unfixed)
        if s <= 0:
            return None
        return h.getInfo().objective_function_value, y / s, np.asarray(sol.col_value)[: self.t]


def relaxed_leximin(pool: TypedPool, active: np.ndarray, fix_eps: float) -> np.ndarray | None:
    """Expected counts per type of the LEXIMIN optimum of the relaxation."""
    rel = RelaxedLevels(pool, active)
    fixed_p = np.zeros(pool.n_types)
    unfixed = set(int(u) for u in active)
    x = None
    while unfixed:
        out = rel.solve(unfixed, fixed_p)
        if out is None:
            return None
        z, y, x = out
        pinned = [u for u in unfixed if y[u] > fix_eps] or [max(unfixed, key=lambda u: y[u])]
        for u in pinned:
            fixed_p[u] = max(0.0, z)
            unfixed.discard(u)
    return fixed_p * pool.counts if x is not None else None


@dataclass
class Walk:
    """A Caratheodory walk from expected counts x: step i takes panel
    ``panels[i]`` with share ``thetas[i]`` of what is left, and ``faces[i]``
    is the smallest face (lb, ub, row_lo, row_hi) that contains the
    remainder x_i before step i.  ``complete``: the last step took all that
    was left, so the panels' mixture is x itself."""

    panels: list[np.ndarray] = field(default_factory=list)
    thetas: list[float] = field(default_factory=list)
    remainders: list[np.ndarray] = field(default_factory=list)
    faces: list[tuple] = field(default_factory=list)
    complete: bool = False

    def fractional(self, i: int, cnt: np.ndarray) -> int:
        x = self.remainders[i]
        return int(np.sum((x > _EPS) & (x < cnt - _EPS)))


def smallest_face(x: np.ndarray, cnt: np.ndarray, a: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Bounds of the smallest face of the quota polytope containing x: types
    at 0 or at n_t stay there, quotas met at a bound stay at it."""
    lb = np.where(x >= cnt - _EPS, cnt, 0.0)
    ub = np.where(x <= _EPS, 0.0, cnt)
    ax = a @ x
    rlo = np.where(ax >= hi - _EPS, hi, lo)
    rhi = np.where(ax <= lo + _EPS, lo, hi)
    return lb, ub, rlo, rhi


def walk(pool: TypedPool, x: np.ndarray, mip: CommitteeMip,
         max_steps: int | None = None, max_milps: int | None = None) -> Walk:
    """Integer panels whose mixture approximates expected counts ``x``.

    Each step picks an integer panel c on the smallest face of the polytope
    that contains x, and moves x away from c as far as the polytope allows:
    x = theta c + (1 - theta) x'.  x' lies on a smaller face, so the walk
    ends after at most dim + 1 steps, or earlier when a face has no integer
    panel (x' left the integer hull) or the MILP budget is spent.
    """
    t, q = pool.n_types, len(pool.quotas)
    cnt = pool.counts.astype(float)
    a = pool.incidence.astype(float)
    lo, hi = pool.lo.astype(float), pool.hi.astype(float)
    cols, rows = np.arange(t, dtype=_I32), np.arange(1, q + 1, dtype=_I32)
    lp = new_highs()
    lp.addVars(t, np.zeros(t), cnt)
    add_quota_rows(lp, pool)
    rng = np.random.default_rng(7)
    out = Walk()
    x = np.clip(np.asarray(x, dtype=float), 0.0, cnt)
    for _ in range(max_steps or (t + q + 2)):
        lb, ub, rlo, rhi = face = smallest_face(x, cnt, a, lo, hi)
        c = v = None
        for attempt in range(_LP_ATTEMPTS):
            # objectives lean towards x, which tends to give long steps; the noise
            # grows tenfold per attempt (the last ones are as good as random), so
            # early re-solves stay near the previous vertex and are cheap
            obj = x + (1e-3 if attempt == 0 else 10.0 ** (attempt - 2)) * rng.random(t)
            lp.changeColsBounds(t, cols, lb, ub)
            lp.changeRowsBounds(q, rows, rlo, rhi)
            lp.changeColsCost(t, cols, obj)
            lp.run()
            if lp.getModelStatus() != OPTIMAL:
                return out
            v = np.asarray(lp.getSolution().col_value)
            if np.all(np.abs(v - np.rint(v)) < 1e-9):
                c = np.rint(v).astype(np.int64)
                break
        if c is None:
            c = _dive(lp, v)
        if c is None:
            # faces whose vertices stay fractional need a MILP.  These pay off:
            # the column generation needs far longer to find the same panels.  A
            # budget, if any, must be a count, never a time, to stay deterministic.
            if max_milps is not None:
                max_milps -= 1
                if max_milps < 0:
                    return out
            c = mip.on_face(lb, ub, rlo, rhi)
            if c is None:
                return out
        if not pool.counts_ok(c):
            return out
        theta = _max_step(x, c.astype(float), cnt, a, lo, hi)
        out.panels.append(c)
        out.thetas.append(theta)
        out.remainders.append(x)
        out.faces.append(face)
        if theta >= 1.0 - 1e-12:
            out.complete = True
            return out
        x = np.clip((x - theta * c) / (1.0 - theta), 0.0, cnt)
    return out


def _dive(lp, v: np.ndarray) -> np.ndarray | None:
    """An integer point near the fractional vertex v of the face in ``lp``
    (its bounds set): fix one fractional type at a time to its nearer
    integer (the other one if that is infeasible) and re-solve the LP,
    warm, until the vertex is integral.  None if a fixing leaves no room;
    then a MILP decides.  Restores nothing: the caller resets the bounds."""
    for _ in range(_DIVE_DEPTH):
        frac = np.flatnonzero(np.abs(v - np.rint(v)) >= 1e-9)
        if frac.size == 0:
            return np.rint(v).astype(np.int64)
        j = int(frac[np.argmax(np.abs(v[frac] - np.floor(v[frac]) - 0.5))])
        near, far = (np.ceil(v[j]), np.floor(v[j])) if v[j] - np.floor(v[j]) >= 0.5 \
            else (np.floor(v[j]), np.ceil(v[j]))
        for value in (near, far):
            lp.changeColBounds(j, value, value)
            lp.run()
            if lp.getModelStatus() == OPTIMAL:
                v = np.asarray(lp.getSolution().col_value)
                break
        else:
            return None
    return None


def decompose(pool: TypedPool, x: np.ndarray, mip: CommitteeMip,
              max_steps: int | None = None, max_milps: int | None = None) -> list[np.ndarray]:
    """The panels of :func:`walk`."""
    return walk(pool, x, mip, max_steps, max_milps).panels


def _max_step(x, c, cnt, a, lo, hi) -> float:
    """Largest theta with (x - theta c)/(1 - theta) inside the polytope."""
    theta = 1.0
    for gx, gc, upper, lower in ((x, c, cnt, np.zeros_like(cnt)), (a @ x, a @ c, hi, lo)):
        d = upper - gc
        m = d > 1e-12
        if m.any():
            theta = min(theta, float(np.min((upper - gx)[m] / d[m])))
        d = gc - lower
        m = d > 1e-12
        if m.any():
            theta = min(theta, float(np.min((gx - lower)[m] / d[m])))
    return max(0.0, theta)
