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
  all the committees the exact optimum needs.  Most steps need no solver:
  the previous panel, moved onto the next face by a few seat swaps, will do.

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

    The panel of a step is the previous one moved onto the new face by seat
    swaps (:class:`SeatSwaps`) when that works, else an integral vertex of an
    LP over the face, else an LP dive, else a MILP.
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
    swaps = SeatSwaps(pool)
    out = Walk()
    x = np.clip(np.asarray(x, dtype=float), 0.0, cnt)
    c = None
    for _ in range(max_steps or (t + q + 2)):
        lb, ub, rlo, rhi = face = smallest_face(x, cnt, a, lo, hi)
        # the last panel just left this face; a few seat swaps usually bring
        # it back, which is far cheaper than finding an integral LP vertex
        c = swaps.onto(c, x, lb, ub, rlo, rhi) if c is not None else None
        v = None
        for attempt in range(_LP_ATTEMPTS if c is None else 0):
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


# Seat swaps tried when moving the last panel onto the next face, and how
# many types on the side that must change are weighed against all others.
_SWAPS = 12
_SWAP_CANDIDATES = 16
# swaps per repair that may raise the violation (a seat that must go round a
# cycle of tight quotas first breaks one of them)
_UPHILL_SWAPS = 2


class SeatSwaps:
    """Move an integer panel onto a face of the quota polytope by moving one
    seat at a time from one type to another.

    After a walk step the remainder lies on a smaller face that the step's
    panel has just left: mostly one type must now take nobody (or everybody),
    or one quota must now sit at its bound.  Moving a seat from type v to
    type w keeps the panel size and, for each feature on which v and w
    differ, takes one from the quota of v's value and adds one to the quota
    of w's, so the change of the total violation (of type bounds and quota
    rows) is a sum of per-feature table look-ups for every (v, w) pair.

    Greedy: each swap lowers the violation most; swaps that keep it equal
    are allowed (a seat passed around a cycle of quotas), and up to
    ``_UPHILL_SWAPS`` that raise it; a type that just lost a seat gets none
    back and vice versa; ties go to the swap that moves the panel towards x,
    then to the lowest type.  Deterministic; None when no panel on the face
    is found within ``_SWAPS`` swaps.
    """

    def __init__(self, pool: TypedPool):
        q = len(pool.quotas)
        features = sorted({quota.feature for quota in pool.quotas})
        # rows[f, t]: the quota row of type t's value of feature f; q is a
        # row without bounds, for values no quota counts
        self.rows = np.full((len(features), pool.n_types), q, dtype=np.int64)
        for j, quota in enumerate(pool.quotas):
            self.rows[features.index(quota.feature), pool.quota_types[j]] = j
        self.q = q

    def onto(self, c: np.ndarray, x: np.ndarray, lb, ub, rlo, rhi) -> np.ndarray | None:
        rows, q = self.rows, self.q
        c = np.asarray(c, dtype=np.int64).copy()
        lo_, hi_ = np.r_[rlo, -np.inf], np.r_[rhi, np.inf]
        r = np.zeros(q + 1)
        for f_rows in rows:
            r += np.bincount(f_rows, weights=c, minlength=q + 1)
        gap = x - c
        added, removed = np.zeros(c.size, bool), np.zeros(c.size, bool)
        uphill = _UPHILL_SWAPS
        for step in range(_SWAPS + 1):
            row_v = np.maximum(0.0, r - hi_) + np.maximum(0.0, lo_ - r)
            type_v = np.maximum(0.0, c - ub) + np.maximum(0.0, lb - c)
            if row_v.sum() + type_v.sum() < 0.5:
                return c
            if step == _SWAPS:
                return None
            # change of violation when a row / a type loses or gains one
            r_minus = np.maximum(0.0, r - 1 - hi_) + np.maximum(0.0, lo_ - r + 1) - row_v
            r_plus = np.maximum(0.0, r + 1 - hi_) + np.maximum(0.0, lo_ - r - 1) - row_v
            t_minus = np.maximum(0.0, c - 1 - ub) + np.maximum(0.0, lb - c + 1) - type_v
            t_plus = np.maximum(0.0, c + 1 - ub) + np.maximum(0.0, lb - c - 1) - type_v
            can_give = (c > lb) & ~added
            can_take = (c < ub) & ~removed
            must_give = ((c > ub) | (r > hi_)[rows].any(axis=0)) & can_give
            must_take = ((c < lb) | (r < lo_)[rows].any(axis=0)) & can_take
            best = None
            for side, movers, others in ((1, must_give, can_take), (-1, must_take, can_give)):
                if best is not None and best[1] < 0:
                    break
                m, o = np.flatnonzero(movers), np.flatnonzero(others)
                if m.size == 0 or o.size == 0:
                    continue
                m = m[np.lexsort((m, side * gap[m]))][:_SWAP_CANDIDATES]
                for u in m:
                    one = np.array([u])
                    give, take = (one, o) if side == 1 else (o, one)  # seat moves give -> take
                    differ = rows[:, o] != rows[:, one]
                    per_f = r_minus[rows[:, give]] + r_plus[rows[:, take]]
                    d = t_minus[give] + t_plus[take] + (differ * per_f).sum(axis=0)
                    d[o == u] = np.inf
                    score = d * 1e6 - gap[take] + gap[give]
                    i = int(np.argmin(score))
                    if best is None or score[i] < best[0]:
                        best = (score[i], d[i], int(give[min(i, give.size - 1)]),
                                int(take[min(i, take.size - 1)]))
            if best is None or not best[1] <= 0:
                if best is None or not np.isfinite(best[1]) or uphill <= 0:
                    return None
                uphill -= 1
            _, _, v, w = best
            c[v] -= 1
            c[w] += 1
            removed[v] = added[w] = True
            for f_rows in rows:
                r[f_rows[v]] -= 1
                r[f_rows[w]] += 1
        return None


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
