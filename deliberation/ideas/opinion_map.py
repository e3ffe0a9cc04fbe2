"""The opinion map: the 2-D projection of the vote matrix with its opinion groups, as
aggregates only, and "you are here" for one participant.  Pure: numpy only (and
``clustering``); no Flask, no SQLAlchemy, no I/O, no participant identifiers in or out.

What may be shown (and stored) is deliberately less than what ``clustering`` computes:
- never a participant's own point: a group is drawn as an ellipse around its centre (the
  mean and spread of at least ``MIN_GROUP`` people), so no dot, hull corner or frame edge
  is anybody's position;
- groups only as ``clustering`` gives them (smaller ones joined to the nearest), and only
  if every group has at least ``MIN_GROUP`` members; with no convincing split the crowd is
  one region, drawn only once it holds ``MIN_GROUP`` people;
- the *basis* of the projection (idea means, centre, two components) is kept with the map
  so that one participant's position can be computed on request from their own votes
  alone (``position``): the same numbers ``clustering.project`` gives that row with all
  the data.  The position is returned to that participant and never kept.

``analyse`` is ``clustering.analyse`` with a vectorised silhouette: the same groups,
labels and consensus, fast enough to redraw a live round of 2,000 participants x 200
ideas well within a second (see benchmarks/opinion_map_bench.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import clustering

MIN_GROUP = clustering.MIN_GROUP   # = kuulas.disclosure.MIN_CELL (tested)
ELLIPSE_SD = 1.5                   # an ellipse spans this many standard deviations
DIVISIVE_SPREAD = 0.3              # groups' agree shares at least this far apart
TOP_N = 5


def silhouette(points: np.ndarray, labels: np.ndarray, *, distances: np.ndarray | None = None) -> float:
    """``clustering._silhouette`` with matrix operations instead of a loop per point: the
    pairwise distances once (``cdist``, or ``distances`` already computed for these points),
    then every point's distance sum to every group as one product with the group indicator
    matrix."""
    from scipy.spatial.distance import cdist

    n = len(points)
    labels = np.asarray(labels)
    if n < 3 or len(np.unique(labels)) < 2:
        return -1.0
    if n > 2000:
        idx = np.linspace(0, n - 1, 2000).astype(int)
        points, labels = points[idx], labels[idx]
    d = distances if distances is not None else cdist(points, points)
    ks, inverse = np.unique(labels, return_inverse=True)
    rows = np.arange(len(labels))
    onehot = np.zeros((len(labels), len(ks)))
    onehot[rows, inverse] = 1.0
    sizes = onehot.sum(0)
    sums = d @ onehot                                  # (n, k): distance sum to each group
    own_size = sizes[inverse]
    a = sums[rows, inverse] / np.maximum(own_size - 1, 1)
    means = sums / sizes
    means[rows, inverse] = np.inf
    b = means.min(1)
    top = np.maximum(a, b)
    s = np.where(top > 0, (b - a) / np.where(top > 0, top, 1.0), 0.0)
    s = np.where(own_size <= 1, 0.0, s)
    return float(s.mean())


def _sample(points: np.ndarray) -> np.ndarray:
    n = len(points)
    return points[np.linspace(0, n - 1, 2000).astype(int)] if n > 2000 else points


def analyse(matrix, idea_ids, **kwargs) -> clustering.Result:
    """``clustering.analyse`` with the vectorised silhouette (the same result).  The splits
    for k = 2, 3, ... are scored on the same points, so their distances are computed once."""
    from scipy.spatial.distance import cdist

    cache: dict = {}

    def score(points, labels):
        if cache.get("points") is not points:
            cache.update(points=points, d=cdist(_sample(points), _sample(points)))
        return silhouette(points, labels, distances=cache["d"])

    return clustering.analyse(matrix, idea_ids, silhouette=score, **kwargs)


@dataclass(frozen=True)
class Basis:
    idea_ids: list[int]
    means: np.ndarray        # fill value of an unseen idea
    centre: np.ndarray       # subtracted before projecting
    comps: np.ndarray        # (2, ideas), signs fixed as in clustering.project

    def project(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(rows, dtype=float))
        filled = np.where(np.isnan(rows), self.means[None, :], rows)
        return (filled - self.centre) @ self.comps.T


def fit_basis(m: np.ndarray, idea_ids: list[int]) -> Basis:
    """The basis ``clustering.project`` uses for ``m`` (rows already filtered)."""
    counts = (~np.isnan(m)).sum(axis=0)
    sums = np.nansum(m, axis=0)
    means = np.divide(sums, counts, out=np.zeros(m.shape[1]), where=counts > 0)
    filled = np.where(np.isnan(m), means[None, :], m)
    centre = filled.mean(axis=0)
    centred = filled - centre
    comps = np.zeros((2, m.shape[1]))
    if centred.shape[0] >= 2 and centred.shape[1] >= 2:
        _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
        comps[:len(vt[:2])] = vt[:2]
        out = centred @ comps.T
        for j in range(2):
            if out[:, j].sum() < 0:
                comps[j] = -comps[j]
    return Basis(list(idea_ids), means, centre, comps)


@dataclass(frozen=True)
class Region:
    label: str               # "A", "B", ... or "" for everyone (no split)
    size: int
    x: float
    y: float
    rx: float
    ry: float
    angle: float             # degrees
    distinctive: list = field(default_factory=list)   # [(idea id, +1/-1, agree share)]


@dataclass(frozen=True)
class OpinionMap:
    participants: int        # rows that were placed (enough votes)
    regions: list[Region]
    grouped: bool            # True: regions are opinion groups; False: one region, everyone
    consensus: list[int]
    divisive: list[int]
    basis: Basis | None
    extent: tuple[float, float, float, float]   # x0, y0, x1, y1 (from regions only)

    def to_json(self) -> dict:
        return {
            "participants": self.participants, "grouped": self.grouped,
            "regions": [{"label": r.label, "size": r.size, "x": r.x, "y": r.y, "rx": r.rx, "ry": r.ry,
                         "angle": r.angle, "distinctive": [list(d) for d in r.distinctive]} for r in self.regions],
            "consensus": list(self.consensus), "divisive": list(self.divisive), "extent": list(self.extent),
            "basis": None if self.basis is None else {
                "idea_ids": self.basis.idea_ids, "means": self.basis.means.tolist(),
                "centre": self.basis.centre.tolist(), "comps": self.basis.comps.tolist()},
        }

    @classmethod
    def from_json(cls, data: dict) -> "OpinionMap":
        b = data.get("basis")
        basis = None if not b else Basis([int(i) for i in b["idea_ids"]], np.asarray(b["means"], dtype=float),
                                         np.asarray(b["centre"], dtype=float), np.asarray(b["comps"], dtype=float))
        regions = [Region(r["label"], int(r["size"]), r["x"], r["y"], r["rx"], r["ry"], r["angle"],
                          [(int(i), int(d), float(s)) for i, d, s in r.get("distinctive", [])])
                   for r in data.get("regions", [])]
        return cls(int(data.get("participants", 0)), regions, bool(data.get("grouped")),
                   [int(i) for i in data.get("consensus", [])], [int(i) for i in data.get("divisive", [])],
                   basis, tuple(data.get("extent") or (-1.0, -1.0, 1.0, 1.0)))


EMPTY = OpinionMap(0, [], False, [], [], None, (-1.0, -1.0, 1.0, 1.0))


def _ellipse(points: np.ndarray) -> tuple[float, float, float, float, float]:
    centre = points.mean(axis=0)
    cov = np.cov(points.T) if len(points) > 1 else np.zeros((2, 2))
    vals, vecs = np.linalg.eigh(np.atleast_2d(cov))
    vals = np.maximum(vals, 0.0)
    major = vecs[:, 1]
    angle = math.degrees(math.atan2(major[1], major[0]))
    rx, ry = (ELLIPSE_SD * math.sqrt(vals[1]), ELLIPSE_SD * math.sqrt(vals[0]))
    return float(centre[0]), float(centre[1]), rx, ry, angle


def _extent(regions: list[Region]) -> tuple[float, float, float, float]:
    if not regions:
        return (-1.0, -1.0, 1.0, 1.0)
    spread = max([r.rx for r in regions] + [1e-6])
    x0 = min(r.x - max(r.rx, r.ry) for r in regions)
    x1 = max(r.x + max(r.rx, r.ry) for r in regions)
    y0 = min(r.y - max(r.rx, r.ry) for r in regions)
    y1 = max(r.y + max(r.rx, r.ry) for r in regions)
    pad = 0.15 * max(x1 - x0, y1 - y0, spread)
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _divisive(m: np.ndarray, labels: np.ndarray, k: int, idea_ids: list[int]) -> list[int]:
    """Ideas on which the groups differ most (agree share, at least two seen per group); with
    one group, ideas that split the crowd (both sides at least a third of ``MIN_GROUP``+)."""
    seen = ~np.isnan(m)
    agree = m == 1
    if k > 1:
        shares = np.full((k, m.shape[1]), np.nan)
        for g in range(k):
            inside = labels == g
            s = seen[inside].sum(0)
            shares[g] = np.where(s >= 2, agree[inside].sum(0) / np.maximum(s, 1), np.nan)
        ok = ~np.isnan(shares).any(0)
        spread = np.where(ok, shares.max(0) - shares.min(0), 0.0)   # (max/min: no all-NaN warning)
        cols = [j for j in np.argsort(-spread, kind="stable") if spread[j] >= DIVISIVE_SPREAD]
    else:
        s = seen.sum(0)
        a, d = agree.sum(0), (m == -1).sum(0)
        balance = np.minimum(a, d) / np.maximum(s, 1)
        cols = [j for j in np.argsort(-balance, kind="stable")
                if s[j] >= MIN_GROUP and balance[j] >= 1 / 3]
    return [int(idea_ids[j]) for j in cols[:TOP_N]]


def build(matrix, idea_ids, *, seed: int = 7, min_group: int = MIN_GROUP) -> OpinionMap:
    """The aggregate map of a vote matrix (participants x ideas: 1 / -1 / 0, NaN unseen)."""
    matrix = np.asarray(matrix, dtype=float)
    idea_ids = [int(i) for i in idea_ids]
    if matrix.ndim != 2 or matrix.shape[1] != len(idea_ids):
        raise ValueError("matrix must be participants x ideas")
    fitted: list[Basis] = []

    def projector(m):        # the projection of the kept rows, computed once with its basis
        fitted.append(fit_basis(m, idea_ids))
        return fitted[-1].project(m)

    res = analyse(matrix, idea_ids, seed=seed, min_group=min_group, projector=projector)
    if res.participants < min_group or res.projection is None:
        return OpinionMap(res.participants, [], False, [], [], None, EMPTY.extent)
    m = matrix[(~np.isnan(matrix)).sum(axis=1) >= clustering.MIN_VOTES]
    basis = fitted[-1]
    points, labels = res.projection, res.labels
    grouped = len(res.groups) > 1 and all(g.size >= min_group for g in res.groups)
    regions = []
    if grouped:
        for g in res.groups:
            x, y, rx, ry, angle = _ellipse(points[labels == g.index])
            regions.append(Region(clustering.group_label(g.index), g.size, x, y, rx, ry, angle,
                                  [(d.idea_id, d.direction, round(d.agree_share, 3)) for d in g.distinctive]))
    else:
        x, y, rx, ry, angle = _ellipse(points)
        regions.append(Region("", res.participants, x, y, rx, ry, angle, []))
    k = len(res.groups) if grouped else 1
    divisive = _divisive(m, labels if grouped else np.zeros(len(m), dtype=int), k, idea_ids)
    return OpinionMap(res.participants, regions, grouped, list(res.consensus), divisive, basis, _extent(regions))


@dataclass(frozen=True)
class Position:
    x: float
    y: float
    nearest: str | None      # label of the nearest group, None without groups
    votes: int               # the participant's votes that were used


def position(omap: OpinionMap, votes: dict[int, int], *, min_votes: int = clustering.MIN_VOTES) -> Position | None:
    """Where one participant's own votes ({idea id: 1/-1/0}) fall on the map, or None with
    fewer than ``min_votes`` votes on the mapped ideas.  Computed for them alone: nothing
    here keeps or returns anything but the point and the nearest group's letter."""
    if omap.basis is None or not omap.regions:
        return None
    col = {i: j for j, i in enumerate(omap.basis.idea_ids)}
    row = np.full(len(col), np.nan)
    used = 0
    for idea_id, value in votes.items():
        j = col.get(int(idea_id))
        if j is not None and value in (-1, 0, 1):
            row[j] = float(value)
            used += 1
    if used < min_votes:
        return None
    x, y = (float(v) for v in omap.basis.project(row)[0])
    nearest = None
    if omap.grouped:
        nearest = min(omap.regions, key=lambda r: ((r.x - x) ** 2 + (r.y - y) ** 2, r.label)).label
    return Position(x, y, nearest, used)


def layout(omap: OpinionMap, you: Position | None = None, *, width: int = 320, height: int = 240,
           margin: int = 16) -> dict:
    """Pixel geometry for the SVG (y grows downwards).  A position outside the frame is drawn
    on its edge (``you_clamped``)."""
    x0, y0, x1, y1 = omap.extent
    span = max(x1 - x0, y1 - y0, 1e-9)
    scale = min((width - 2 * margin) / max(x1 - x0, 1e-9), (height - 2 * margin) / max(y1 - y0, 1e-9))
    scale = scale if math.isfinite(scale) else (width - 2 * margin) / span
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2

    def px(x, y):
        return (round(width / 2 + (x - cx) * scale, 1), round(height / 2 - (y - cy) * scale, 1))

    shapes = []
    for r in omap.regions:
        sx, sy = px(r.x, r.y)
        shapes.append({"label": r.label, "size": r.size, "x": sx, "y": sy,
                       "rx": round(max(r.rx * scale, 10.0), 1), "ry": round(max(r.ry * scale, 10.0), 1),
                       "angle": round(-r.angle, 1)})
    out = {"width": width, "height": height, "regions": shapes, "you": None, "you_clamped": False}
    if you is not None:
        ux, uy = px(you.x, you.y)
        cx_, cy_ = min(max(ux, margin / 2), width - margin / 2), min(max(uy, margin / 2), height - margin / 2)
        out["you"] = {"x": cx_, "y": cy_}
        out["you_clamped"] = (cx_, cy_) != (ux, uy)
    return out
