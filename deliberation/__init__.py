"""Deliberation: idea rounds (``ideas``, verkkoavoriihi), the live digiraati room
(``raati``), service feedback (``feedback``) and the outcomes that close the loop
(``outcomes``)."""


def init_app(app) -> None:
    from . import feedback, follow, ideas, outcomes, participation, raati
    from . import retention  # noqa: F401  (registers the areas' purges in kuulas.retention)

    ideas.init_app(app)
    raati.init_app(app)
    feedback.init_app(app)
    outcomes.init_app(app)
    participation.init_app(app)
    follow.init_app(app)
