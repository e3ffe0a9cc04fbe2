"""Deliberation area: outcomes.  (Being built; see the issue tracker.)"""


def init_app(app) -> None:
    """Wire this area into the app: blueprint, rules, jobs, process cards, demo seeder."""
