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
    from ..api import composition

    return composition(panel.id, locale=locale)


def describe_blocking(entry: dict):
    """A stored ``{"code", "params"}`` diagnosis (which quota blocks some volunteers) as a
    translated sentence."""
    from ..sortition.errors import Issue
    from .engine import describe

    return describe(Issue(entry["code"], dict(entry.get("params") or {})))
