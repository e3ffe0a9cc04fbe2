"""IOOI participation indicators computed from plain per-process records.

Pure: no Flask, no SQLAlchemy, no I/O.  Each input record is a dict describing one
process (see ``dashboard.metrics_records``); nothing here identifies a participant.
"""
from __future__ import annotations

from statistics import median


def _median(values):
    values = [v for v in values if v is not None]
    return median(values) if values else None


def indicators(records: list[dict]) -> dict:
    """records: dict(kind, has_outcome, published, participants, ideas, comments, votes,
    tvd (max over features, or None), impact_recorded, closed_at, published_at,
    points, points_adopted)."""
    run = len(records)
    by_kind: dict[str, int] = {}
    for r in records:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + 1
    published = [r for r in records if r.get("published")]
    idea_rounds = [r for r in records if r["kind"] == "ideas"]
    days = []
    for r in published:
        if r.get("closed_at") and r.get("published_at"):
            days.append(max(0.0, (r["published_at"] - r["closed_at"]).total_seconds() / 86400))
    with_impact = [r for r in published if r.get("impact_recorded")]
    points = sum(r.get("points_assessed") or 0 for r in published)
    adopted = sum(r.get("points_adopted") or 0 for r in published)
    tvds = [r["tvd"] for r in records if r.get("tvd") is not None]
    return {
        "processes_run": run,
        "processes_by_kind": by_kind,
        "outcomes_published": len(published),
        "participants_total": sum(r.get("participants") or 0 for r in records),
        "participants_median": _median([r.get("participants") for r in records]),
        "ideas_per_round_median": _median([r.get("ideas") for r in idea_rounds]),
        "ideas_total": sum(r.get("ideas") or 0 for r in idea_rounds),
        "tvd_median": _median(tvds),
        "share_with_impact": (len(with_impact) / len(published)) if published else None,
        "share_points_adopted": (adopted / points) if points else None,
        "median_days_close_to_publication": round(_median(days), 1) if days else None,
    }
