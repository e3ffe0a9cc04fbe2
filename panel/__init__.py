"""Panels: recruitment, representative selection, invitations and retention.

Importing this package must stay cheap and free of Flask so that the pure
``panel.sortition`` engine can be used from a plain Python process.  The web
parts are wired in by :func:`init_app`.
"""


def init_app(app) -> None:
    """Wire the panel area into the app (blueprints, jobs, rules, demo seeders)."""
