"""Deliberation: idea rounds (``ideas``, verkkoavoriihi), the live digiraati room
(``raati``) and the outcomes that close the loop (``outcomes``)."""


def init_app(app) -> None:
    from . import ideas, outcomes, raati

    ideas.init_app(app)
    raati.init_app(app)
    outcomes.init_app(app)
