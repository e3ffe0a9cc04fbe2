"""Deliberation area: verkkoavoriihi, anonymous asynchronous idea rounds.

Staff set up a round (fi/sv/en texts, times, moderation mode); anyone takes part without an
account: writes ideas and comments and says agree / disagree / pass to ideas dealt one at a
time.  Participants are known only by a keyed hash of a per-round cookie token
(``anonymity``); counts come from a vote table unique per (idea, hash); results rank ideas
by agreement and find opinion groups (``clustering``, pure).  ``api`` is what the outcomes
area reads.
"""


def init_app(app) -> None:
    """Wire this area into the app: models, rules, jobs, blueprints, Socket.IO namespace,
    log filter, staff menu, front-page cards and the demo seeder."""
    from flask_babel import lazy_gettext as _l

    from kuulas import processes, staff_menu

    from . import demo, events, jobs, live_results, live_views, models, public_views, rules, staff_views  # noqa: F401  (register on import)
    from .cards import round_cards
    from .participation import install_log_filter
    from .view_helpers import bp, staff

    for blueprint in (bp, staff):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    events.register(app)
    install_log_filter(app)
    from . import vote_gateway

    vote_gateway.install(app)   # the everyday vote of ideas.js, answered in front of Flask
    processes.register(round_cards)
    from kuulas import search

    from .search import provider as search_provider

    search.register(search_provider)
    staff_menu.register(_l("Idea rounds"), "ideas_staff.index", rules.MODERATE, order=30)

    from .personal_data import register_all as register_personal_data

    register_personal_data()
