"""Deliberation area: the digiraati, a real-time online citizens' jury.

Staff set up a raati (question, members, roles, sessions, agenda: ``setup``, ``sessions``);
members deliberate in a live room over Socket.IO (``events``, actions in ``room``), where
every event is saved with a per-room sequence number and broadcast once the caller commits
(``core.append`` declares it with ``kuulas.effects``); the secretary drafts the statement,
members review it and the chair locks it (``drafting``; ``statement`` is pure).  What each
state and phase allows each role is ``lifecycle`` (pure), asked by every service.  Callers
own the transaction: the views (``views``, ``staff_views``) through ``kuulas.web``, the
socket gate ``events.RaatiNamespace._run``, the jobs through ``run_job``.  ``api`` is what
the outcomes area reads; ``services`` re-exports the services for other areas.
"""


def init_app(app) -> None:
    """Wire this area into the app: models, rules, jobs, blueprints, Socket.IO namespace,
    staff menu, front-page cards, resident section and the demo seeder."""
    from flask_babel import lazy_gettext as _l

    from kuulas import processes, residents, staff_menu

    from . import demo, events, jobs, models, rules  # noqa: F401  (register on import)
    from .cards import raati_cards, resident_section
    from .staff_views import staff
    from .views import bp

    for blueprint in (bp, staff):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    events.register(app)
    from .api import approval_lines

    app.jinja_env.globals["raati_approval_lines"] = approval_lines
    processes.register(raati_cards)
    from .personal_data import register_all as register_personal_data

    register_personal_data()

    from kuulas import search

    from .search import provider as search_provider

    search.register(search_provider)
    residents.register(resident_section)
    staff_menu.register(_l("Digiraati"), "raati_staff.index", rules.MANAGE, order=40)
