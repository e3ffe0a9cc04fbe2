"""What the public may see about a panel's selection and composition: labels,
per-category target/quota/achieved, and members against population shares.
Aggregates only; never names, e-mail addresses or pseudonym-level answers."""
from __future__ import annotations

from ..recruitment.models import UNDISCLOSED, Panel


def labels(panel: Panel, locale: str | None) -> dict:
    """{"features": {key: label}, "values": {(key, value): label}}"""
    from flask_babel import gettext as _

    features, values = {}, {}
    for feature in panel.features:
        features[feature.key] = feature.label(locale)
        for c in feature.categories:
            values[(feature.key, c.value)] = c.label(locale)
        values[(feature.key, UNDISCLOSED)] = _("Prefer not to say")
    return {"features": features, "values": values}


def composition_rows(panel: Panel, locale: str | None) -> list[dict]:
    """Accepted members against population shares, as the public may see them: no
    sensitive feature, every count through :func:`kuulas.disclosure.suppress`."""
    from ..api import composition

    return composition(panel.id, locale=locale, public=True)


def public_probabilities(report: dict) -> dict:
    """The probability summary of a draw report for the public page, its counts of people
    (could be drawn, had no chance, would be helped by a quota change) through the one
    suppression rule: a count of 1 to 4 people is not shown."""
    from kuulas import disclosure

    p = dict((report or {}).get("probabilities") or {})
    for key in ("count", "zero"):
        if key in p:
            p[key] = disclosure.public_counts([int(p[key] or 0)])[0]
    p["blocking"] = [{**b, "people": disclosure.public_counts([int(b.get("people") or 0)])[0]}
                     for b in p.get("blocking") or []]
    return p


def public_categories(report: dict) -> list[dict]:
    """The per-category rows of a draw report for the public page: the quota, target and
    expected count as stored, the drawn count through the one suppression rule (per
    feature), and whether the quota was met, so the check needs no small count."""
    from kuulas import disclosure

    rows = [dict(c) for c in (report or {}).get("categories") or []]
    by_feature: dict[str, list[dict]] = {}
    for row in rows:
        by_feature.setdefault(row["feature"], []).append(row)
    for group in by_feature.values():
        shown = disclosure.public_counts([int(r.get("achieved") or 0) for r in group])
        for row, count in zip(group, shown):
            row["met"] = int(row["min"]) <= int(row.get("achieved") or 0) <= int(row["max"])
            row["achieved"] = count
            row.pop("pool", None)
    return rows


def describe_blocking(entry: dict):
    """A stored ``{"code", "params"}`` diagnosis (which quota blocks some volunteers) as a
    translated sentence."""
    from ..sortition.errors import Issue
    from .engine import describe

    return describe(Issue(entry["code"], dict(entry.get("params") or {})))
