"""Input data model of the sortition engine and its validation.

A *pool* is a list of :class:`Person` (a pseudonymous id plus one value per
feature), *quotas* are :class:`Quota` rows (feature, value, min, max) and ``k``
is the panel size.  :func:`validate` checks everything that can be checked
without a solver and raises one :class:`ValidationError` listing every issue.

Pure data: no I/O, no Flask, no SQLAlchemy, no solver.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .errors import Issue, ValidationError


@dataclass(frozen=True)
class Person:
    """A volunteer.  ``id`` must be pseudonymous: it ends up in published
    hashes and probability files."""

    id: str
    features: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Quota:
    """Panel must contain between ``min`` and ``max`` people (inclusive) whose
    ``feature`` equals ``value``.  ``target`` is informational (e.g. the
    population-proportional count) and never constrains the draw."""

    feature: str
    value: str
    min: int
    max: int
    target: int | None = None

    @property
    def category(self) -> tuple[str, str]:
        return (self.feature, self.value)


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def validate(
    people: Sequence[Person],
    quotas: Sequence[Quota],
    k: int,
    forced: Iterable[str] = (),
    excluded: Iterable[str] = (),
) -> None:
    """Raise :class:`ValidationError` with every issue found, else return.

    Codes (params): panel_size_invalid(k), pool_empty(), quotas_empty(),
    person_id_empty(index), person_id_duplicate(person_id),
    person_feature_missing(person_id, feature),
    person_value_without_quota(person_id, feature, value),
    feature_without_quotas(feature), quota_feature_unknown(feature),
    quota_duplicate(feature, value), quota_not_integer(feature, value),
    quota_bounds_invalid(feature, value, min, max),
    feature_mins_exceed_panel(feature, sum_min, k),
    feature_maxes_below_panel(feature, sum_max, k),
    pool_too_small(available, k), forced_unknown_id(person_id),
    excluded_unknown_id(person_id), forced_and_excluded(person_id),
    forced_exceed_panel(forced, k).
    """
    issues: list[Issue] = []
    forced = list(dict.fromkeys(forced))
    excluded = list(dict.fromkeys(excluded))
    k_ok = _is_int(k) and k >= 1
    if not k_ok:
        issues.append(Issue("panel_size_invalid", {"k": k}))
    if not people:
        issues.append(Issue("pool_empty"))
    if not quotas:
        issues.append(Issue("quotas_empty"))

    quota_features: dict[str, set[str]] = defaultdict(set)
    seen_quotas: set[tuple[str, str]] = set()
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for q in quotas:
        if q.category in seen_quotas:
            issues.append(Issue("quota_duplicate", {"feature": q.feature, "value": q.value}))
            continue
        seen_quotas.add(q.category)
        quota_features[q.feature].add(q.value)
        if not (_is_int(q.min) and _is_int(q.max)):
            issues.append(Issue("quota_not_integer", {"feature": q.feature, "value": q.value}))
            continue
        if q.min < 0 or q.min > q.max:
            issues.append(Issue("quota_bounds_invalid",
                                {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max}))
        sums[q.feature][0] += q.min
        sums[q.feature][1] += q.max
    if k_ok:
        for feat in sorted(sums):
            lo, hi = sums[feat]
            if lo > k:
                issues.append(Issue("feature_mins_exceed_panel", {"feature": feat, "sum_min": lo, "k": k}))
            if hi < k:
                issues.append(Issue("feature_maxes_below_panel", {"feature": feat, "sum_max": hi, "k": k}))

    pool_features: set[str] = set()
    for p in people:
        pool_features.update(p.features)
    if people:
        for feat in sorted(set(quota_features) - pool_features):
            issues.append(Issue("quota_feature_unknown", {"feature": feat}))
        for feat in sorted(pool_features - set(quota_features)):
            issues.append(Issue("feature_without_quotas", {"feature": feat}))

    ids = Counter()
    for index, p in enumerate(people):
        if not isinstance(p.id, str) or not p.id.strip():
            issues.append(Issue("person_id_empty", {"index": index}))
            continue
        ids[p.id] += 1
        if ids[p.id] == 2:
            issues.append(Issue("person_id_duplicate", {"person_id": p.id}))
        for feat in sorted(quota_features):
            if feat not in pool_features:
                continue
            if feat not in p.features:
                issues.append(Issue("person_feature_missing", {"person_id": p.id, "feature": feat}))
            elif p.features[feat] not in quota_features[feat]:
                issues.append(Issue("person_value_without_quota",
                                    {"person_id": p.id, "feature": feat, "value": p.features[feat]}))

    for pid in forced:
        if pid not in ids:
            issues.append(Issue("forced_unknown_id", {"person_id": pid}))
        if pid in excluded:
            issues.append(Issue("forced_and_excluded", {"person_id": pid}))
    for pid in excluded:
        if pid not in ids:
            issues.append(Issue("excluded_unknown_id", {"person_id": pid}))
    if k_ok and people:
        available = len(ids) - sum(1 for pid in excluded if pid in ids)
        if available < k:
            issues.append(Issue("pool_too_small", {"available": available, "k": k}))
        if len(forced) > k:
            issues.append(Issue("forced_exceed_panel", {"forced": len(forced), "k": k}))
    if issues:
        raise ValidationError(issues)
