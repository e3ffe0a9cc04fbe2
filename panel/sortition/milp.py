"""Thin HiGHS helpers shared by the LEXIMIN engine and the diagnosis.

Every model is built single-threaded with a fixed random seed so that the
same input always yields the same solution (the published draw depends on
it).  No I/O: solver output is switched off.
"""

from __future__ import annotations

import numpy as np
import highspy

from .errors import SolverError
from .grouping import TypedPool

INF = highspy.kHighsInf
_I32 = np.int32

try:  # the plain core class avoids highspy's Python callback plumbing and
    # its licence banner on stdout, which would corrupt CLI CSV output.
    from highspy._core import _Highs as _HighsClass
except ImportError:  # pragma: no cover - layout of a future highspy
    _HighsClass = highspy.Highs

HIGHS_VERSION = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"


def new_highs(**options) -> "highspy.Highs":
    h = _HighsClass()
    base = {"output_flag": False, "threads": 1, "random_seed": 0,
            "mip_detect_symmetry": True}
    base.update(options)
    for name, value in base.items():
        h.setOptionValue(name, value)
    return h


def status_of(h) -> highspy.HighsModelStatus:
    return h.getModelStatus()


OPTIMAL = highspy.HighsModelStatus.kOptimal
INFEASIBLE = highspy.HighsModelStatus.kInfeasible


def add_quota_rows(h, pool: TypedPool, col0: int = 0) -> None:
    """Rows: sum of counts = k, and lo_q <= sum over types of quota q <= hi_q."""
    t = pool.n_types
    idx = np.arange(col0, col0 + t, dtype=_I32)
    h.addRow(float(pool.k), float(pool.k), t, idx, np.ones(t))
    for q, ts in enumerate(pool.quota_types):
        h.addRow(float(pool.lo[q]), float(pool.hi[q]), len(ts),
                 (ts + col0).astype(_I32), np.ones(len(ts)))


class CommitteeMip:
    """Pricing oracle over type counts: 0 <= c_t <= n_t, quotas, sum = k.

    Re-used for every pricing call; only the objective changes.  The LP
    relaxation is tried first (warm-started, under a millisecond): it is
    integral most of the time, and when its bound already fails to beat the
    threshold no MILP is needed at all.  Solutions are rounded and checked
    against the quotas before use, because a tolerance slip would otherwise
    put an invalid panel into the published distribution.
    """

    def __init__(self, pool: TypedPool, rel_gap: float = 1e-7):
        self.pool = pool
        t = pool.n_types
        self.idx = np.arange(t, dtype=_I32)
        # presolve only costs time here: the model is tiny and re-solved often
        h = new_highs(mip_rel_gap=rel_gap, mip_abs_gap=1e-10, presolve="off",
                      mip_feasibility_tolerance=1e-7)
        h.addVars(t, np.zeros(t), pool.counts.astype(float))
        h.changeColsIntegrality(t, self.idx, np.array([highspy.HighsVarType.kInteger] * t))
        add_quota_rows(h, pool)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        r = new_highs(primal_feasibility_tolerance=1e-9, dual_feasibility_tolerance=1e-9)
        r.addVars(t, np.zeros(t), pool.counts.astype(float))
        add_quota_rows(r, pool)
        r.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h, self.relax = h, r
        self.solves = 0
        self.lp_solves = 0

    def _checked(self, x) -> np.ndarray:
        c = np.rint(np.asarray(x)).astype(np.int64)
        if not self.pool.counts_ok(c):
            raise SolverError("solver_invalid_panel")
        return c

    def maximise(self, weights: np.ndarray):
        """Exact MILP: (status, value, dual bound, counts) for max weights @ c."""
        h = self.h
        h.changeColsCost(len(weights), self.idx, np.asarray(weights, dtype=float))
        h.run()
        self.solves += 1
        st = h.getModelStatus()
        if st != OPTIMAL:
            return st, None, None, None
        c = self._checked(h.getSolution().col_value)
        return st, float(weights @ c), float(h.getInfo().mip_dual_bound), c

    def price(self, weights: np.ndarray, threshold: float, exact: bool = True):
        """Best committee if it may beat ``threshold``: (counts or None, bound).

        ``bound`` is a proven upper bound on max weights @ c.  With
        ``exact=False`` a fractional relaxation is not followed by a MILP.
        """
        r = self.relax
        r.changeColsCost(len(weights), self.idx, weights)
        r.run()
        self.lp_solves += 1
        if r.getModelStatus() != OPTIMAL:
            raise SolverError("solver_failed", stage="pricing_lp", status=str(r.getModelStatus()))
        bound = r.getInfo().objective_function_value
        if bound <= threshold:
            return None, bound
        x = np.asarray(r.getSolution().col_value)
        if np.all(np.abs(x - np.rint(x)) < 1e-9):
            return self._checked(x), bound
        if not exact:
            return None, bound
        st, value, mip_bound, c = self.maximise(weights)
        if st != OPTIMAL:
            raise SolverError("solver_failed", stage="pricing", status=str(st))
        return c, min(bound, mip_bound)

    def set_face(self, lb, ub, row_lo, row_hi) -> None:
        """Restrict pricing (MILP and its relaxation) to a face of the quota
        polytope until :meth:`clear_face`."""
        t, q = self.pool.n_types, len(self.pool.quotas)
        rows = np.arange(1, q + 1, dtype=_I32)
        for h in (self.h, self.relax):
            h.changeColsBounds(t, self.idx, np.asarray(lb, float), np.asarray(ub, float))
            h.changeRowsBounds(q, rows, np.asarray(row_lo, float), np.asarray(row_hi, float))
        self._presolve_if_fixed(lb, ub)

    def clear_face(self) -> None:
        self.set_face(np.zeros(self.pool.n_types), self.pool.counts, self.pool.lo, self.pool.hi)

    def _presolve_if_fixed(self, lb, ub) -> None:
        # On a face most types are fixed: presolve drops them and the MILP's
        # branch and bound works on the few that are left (a face MILP of a
        # 1,400-type pool: about 150 ms without, tens of ms with).
        fixed = bool(np.any(np.asarray(lb) == np.asarray(ub)))
        self.h.setOptionValue("presolve", "on" if fixed else "off")

    def on_face(self, lb, ub, row_lo, row_hi):
        """Some integer panel within tightened bounds (a face of the quota
        polytope), or None if there is none.  The bounds are restored after.
        A zero objective makes it a pure feasibility search, which stops at
        the first panel found."""
        h, t, q = self.h, self.pool.n_types, len(self.pool.quotas)
        rows = np.arange(1, q + 1, dtype=_I32)
        h.changeColsBounds(t, self.idx, np.asarray(lb, float), np.asarray(ub, float))
        h.changeRowsBounds(q, rows, np.asarray(row_lo, float), np.asarray(row_hi, float))
        h.changeColsCost(t, self.idx, np.zeros(t))
        self._presolve_if_fixed(lb, ub)
        try:
            h.run()
            self.solves += 1
            if h.getModelStatus() != OPTIMAL:
                return None
            return np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
        finally:
            h.changeColsBounds(t, self.idx, np.zeros(t), self.pool.counts.astype(float))
            h.changeRowsBounds(q, rows, self.pool.lo.astype(float), self.pool.hi.astype(float))
            h.setOptionValue("presolve", "off")
