"""Deliberation area: outcomes.  Closes the loop on finished idea rounds and digiraati:
public outcome pages, decisions and their impact, follow-ups, notifications, exports
for the board, the open-data API and participation metrics."""


def init_app(app) -> None:
    """Wire this area into the app: blueprints, rules, jobs, process cards, demo seeder."""
    from flask_babel import lazy_gettext as _l

    from kuulas import processes, staff_menu
    from kuulas.mail.services import forget_recipient_after_sending
    from kuulas.extensions import csrf

    from . import demo, jobs, models, rules  # noqa: F401  (models/jobs/seeder register on import)
    from .cards import decision_view, outcome_cards
    from .open_api import bp as api_bp
    from .staff_views import bp as staff_bp
    from .views import bp as public_bp

    # Idea-round participants gave their address only to be told: once a mail is delivered,
    # the outbox forgets whom it went to.
    forget_recipient_after_sending("outcome")

    for bp in (public_bp, staff_bp, api_bp):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    csrf.exempt(api_bp)  # read-only GET endpoints
    from . import lifecycle
    from .present import decision_texts, texts

    app.jinja_env.globals["outcome_lifecycle"] = lifecycle   # states by name, never string literals

    app.jinja_env.globals["outcome_texts"] = texts
    app.jinja_env.globals["outcome_decision_texts"] = decision_texts
    app.jinja_env.globals["outcome_decision"] = decision_view
    processes.register(outcome_cards)
    from kuulas import search

    from .search import provider as search_provider

    search.register(search_provider)
    staff_menu.register(_l("Outcomes and decisions"), "outcomes_staff.index", rules.MANAGE, order=50)
    staff_menu.register(_l("Participation metrics"), "outcomes_staff.dashboard", rules.METRICS, order=55)

    from .personal_data import register_all as register_personal_data

    register_personal_data()
