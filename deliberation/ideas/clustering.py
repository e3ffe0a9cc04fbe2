"""Opinion groups from the vote matrix (Pol.is style).  Pure: numpy and scipy only; no
Flask, no SQLAlchemy, no I/O, and no participant identifiers in or out (rows are anonymous
positions; only group sizes and idea ids leave this module).  The same input gives the
same output (fixed seed).

Steps: participants with too few votes are left out; unseen cells are filled with the
idea's mean; PCA (SVD) to two components; k-means for k = 2..max_groups, keeping the k
with the best silhouette (one group if no split is convincing).  A group smaller than
``MIN_GROUP`` participants is joined to the nearest group (``merge_small_groups``): a group
of one or two would publish what those few people voted, so no output ever shows one.
Then for each group the
*distinctive* ideas (agreed much more, or disagreed much more, inside the group than
outside, Pol.is "representativeness") and the *consensus* ideas that every group agrees on.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

MIN_VOTES = 3
MIN_GROUP = 5      # the smallest opinion group any output may show (page, summary, exports, API)


@dataclass(frozen=True)
class Distinctive:
    idea_id: int
    direction: int          # +1: the group agrees more than others; -1: disagrees more
    agree_share: float      # within the group, among those who saw it
    repness: float


@dataclass(frozen=True)
class Group:
    index: int              # 0, 1, ... by size, largest first
    size: int
    distinctive: list[Distinctive] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    participants: int       # rows that were clustered
    groups: list[Group]
    consensus: list[int]    # idea ids
    projection: np.ndarray | None = None   # (n, 2) coordinates, for a plot; anonymous
    labels: np.ndarray | None = None
    silhouette: float | None = None


def _silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    n = len(points)
    if n < 3 or len(set(labels.tolist())) < 2:
        return -1.0
    if n > 2000:  # subsample deterministically to keep it O(2000^2)
        idx = np.linspace(0, n - 1, 2000).astype(int)
        points, labels = points[idx], labels[idx]
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    scores = []
    ks = np.unique(labels)
    for i in range(len(points)):
        own = labels == labels[i]
        if own.sum() <= 1:
            scores.append(0.0)
            continue
        a = d[i, own].sum() / (own.sum() - 1)
        b = min(d[i, labels == k].mean() for k in ks if k != labels[i])
        scores.append((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return float(np.mean(scores))


def _kmeans(points: np.ndarray, k: int, seed: int) -> np.ndarray:
    from scipy.cluster.vq import kmeans2

    best, best_inertia = None, np.inf
    for attempt in range(4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "one of the clusters is empty": we retry
            centroids, labels = kmeans2(points, k, minit="++", seed=seed + attempt)
        if len(np.unique(labels)) < k:
            continue
        inertia = float(((points - centroids[labels]) ** 2).sum())
        if inertia < best_inertia:
            best, best_inertia = labels, inertia
    return best


def project(matrix: np.ndarray) -> np.ndarray:
    """matrix: participants x ideas, values 1 / -1 / 0 and NaN for unseen.  Returns (n, 2)."""
    filled = matrix.copy()
    counts = (~np.isnan(filled)).sum(axis=0)
    sums = np.nansum(filled, axis=0)
    means = np.divide(sums, counts, out=np.zeros(filled.shape[1]), where=counts > 0)
    rows, cols = np.where(np.isnan(filled))
    filled[rows, cols] = means[cols]
    centred = filled - filled.mean(axis=0)
    if centred.shape[0] < 2 or centred.shape[1] < 2:
        return np.zeros((centred.shape[0], 2))
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    comps = vt[:2]
    out = centred @ comps.T
    if out.shape[1] < 2:
        out = np.hstack([out, np.zeros((out.shape[0], 2 - out.shape[1]))])
    # Fix the sign so the same data always gives the same picture.
    for j in range(2):
        if out[:, j].sum() < 0:
            out[:, j] = -out[:, j]
    return out


def merge_small_groups(points: np.ndarray, labels: np.ndarray, min_size: int = MIN_GROUP) -> np.ndarray:
    """Join every group smaller than ``min_size`` to the group whose centre is nearest to
    its own, smallest first, until every group is big enough or one group is left.  The
    one rule that decides which groups may be shown: every output reads groups from here."""
    labels = np.asarray(labels, dtype=int).copy()
    while True:
        names, sizes = np.unique(labels, return_counts=True)
        if len(names) <= 1:
            return labels
        small = [(int(n), int(c)) for n, c in zip(names, sizes) if c < min_size]
        if not small:
            return labels
        name = min(small, key=lambda t: (t[1], t[0]))[0]
        centre = points[labels == name].mean(axis=0)
        others = [int(n) for n in names if n != name]
        nearest = min(others, key=lambda o: (float(((points[labels == o].mean(axis=0) - centre) ** 2).sum()), o))
        labels[labels == name] = nearest


def analyse(matrix: np.ndarray, idea_ids: list[int], *, max_groups: int = 4, seed: int = 7,
            min_votes: int = MIN_VOTES, min_group: int = MIN_GROUP, min_silhouette: float = 0.2,
            consensus_share: float = 0.6, top_n: int = 5, silhouette=None, projector=None) -> Result:
    """``silhouette``: the scoring function for a split (``opinion_map.silhouette`` computes
    the same numbers as ``_silhouette`` with matrix operations); ``projector``: what gives
    the (n, 2) points of the kept rows (``project`` by default; ``opinion_map`` passes one
    that also keeps the basis, so the projection is computed once)."""
    silhouette = silhouette or _silhouette
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != len(idea_ids):
        raise ValueError("matrix must be participants x ideas")
    seen_count = (~np.isnan(matrix)).sum(axis=1)
    m = matrix[seen_count >= min_votes]
    n = m.shape[0]
    if n == 0 or m.shape[1] == 0:
        return Result(0, [], [])
    points = (projector or project)(m)
    labels = np.zeros(n, dtype=int)
    best_sil = None
    if n >= 6 and m.shape[1] >= 2:
        best_k, best_labels = 1, labels
        for k in range(2, max_groups + 1):
            if n < 3 * k:
                break
            found = _kmeans(points, k, seed)
            if found is None:
                continue
            sil = silhouette(points, found)
            if best_sil is None or sil > best_sil + 0.02:
                best_sil, best_k, best_labels = sil, k, found
        if best_sil is not None and best_sil >= min_silhouette:
            labels = merge_small_groups(points, best_labels, min_group)
        else:
            best_sil = None
    # Relabel by size, largest first.
    order = sorted(np.unique(labels), key=lambda g: (-(labels == g).sum(), g))
    relabel = {int(g): i for i, g in enumerate(order)}
    labels = np.array([relabel[int(g)] for g in labels], dtype=int)

    agree = (m == 1)
    disagree = (m == -1)
    seen = ~np.isnan(m)
    groups = []
    k = len(order)
    agree_shares = np.zeros((k, m.shape[1]))
    seen_in_groups = np.zeros((k, m.shape[1]))
    for g in range(k):
        inside = labels == g
        outside = ~inside
        a_in, d_in, s_in = agree[inside].sum(0), disagree[inside].sum(0), seen[inside].sum(0)
        p_agree_in = (a_in + 1) / (s_in + 2)
        p_dis_in = (d_in + 1) / (s_in + 2)
        agree_shares[g] = p_agree_in
        seen_in_groups[g] = s_in
        distinct = []
        if k > 1:
            a_out, d_out, s_out = agree[outside].sum(0), disagree[outside].sum(0), seen[outside].sum(0)
            ra = p_agree_in / ((a_out + 1) / (s_out + 2))
            rd = p_dis_in / ((d_out + 1) / (s_out + 2))
            for j in range(m.shape[1]):
                if s_in[j] < 2:
                    continue
                if ra[j] >= rd[j] and ra[j] > 1.1 and p_agree_in[j] > 0.5:
                    distinct.append(Distinctive(int(idea_ids[j]), 1, float(a_in[j] / s_in[j]),
                                                float(ra[j] * p_agree_in[j])))
                elif rd[j] > ra[j] and rd[j] > 1.1 and p_dis_in[j] > 0.5:
                    distinct.append(Distinctive(int(idea_ids[j]), -1, float(a_in[j] / s_in[j]),
                                                float(rd[j] * p_dis_in[j])))
            distinct.sort(key=lambda d: (-d.repness, d.idea_id))
        groups.append(Group(g, int((labels == g).sum()), distinct[:top_n]))
    consensus_cols = [j for j in range(m.shape[1])
                      if (seen_in_groups[:, j] >= 2).all() and (agree_shares[:, j] >= consensus_share).all()]
    consensus_cols.sort(key=lambda j: (-agree_shares[:, j].min(), idea_ids[j]))
    return Result(n, groups, [int(idea_ids[j]) for j in consensus_cols[:top_n * 2]],
                  projection=points, labels=labels, silhouette=best_sil)


def group_label(index: int) -> str:
    """A, B, C, ... (letters name groups; they carry no meaning)."""
    return chr(ord("A") + index) if index < 26 else f"G{index + 1}"
