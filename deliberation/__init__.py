"""Deliberation: idea rounds (verkkoavoriihi), digiraati rooms and outcomes."""


def init_app(app) -> None:
    """Wire the deliberation area into the app (blueprints, namespaces, jobs, rules)."""
