"""Panels: recruitment, representative selection, invitations and retention.

Importing this package must stay cheap and free of Flask so that the pure
``panel.sortition`` engine can be used from a plain Python process.  The web
parts are wired in by :func:`init_app`.
"""


def init_app(app) -> None:
    """Wire the panel area into the app (blueprints, jobs, rules, demo seeders)."""
    from flask_babel import lazy_gettext as _l

    from kuulas import processes, residents, staff_menu
    from kuulas.accounts import services as accounts

    from . import demo, retention, rules  # noqa: F401  (registrations happen on import)
    from .invitations import jobs as _ij, models as _im, views as _iv  # noqa: F401
    from .recruitment import jobs as _rj, models as _rm, signup, views as _rv  # noqa: F401
    from .selection import models as _sm, views as _sv  # noqa: F401
    from .clients import models as _cm  # noqa: F401
    from .standing import jobs as _stj, models as _stm, services as standing  # noqa: F401
    from .standing import views as _stv  # noqa: F401
    from .cards import front_page_cards, resident_sections
    from .web import bp

    # The confirmation link is a one-time account token with its own, longer lifetime.
    accounts.TOKEN_LIFETIMES.setdefault(signup.PURPOSE_CONFIRM, signup.CONFIRM_LIFETIME)
    accounts.TOKEN_LIFETIMES.setdefault(standing.PURPOSE_RENEW, standing.RENEW_LIFETIME)
    if "panel" not in app.blueprints:
        app.register_blueprint(bp)
    _init_cli(app)
    from .surveys import init_app as init_surveys

    init_surveys(app)
    processes.register(front_page_cards)
    from .personal_data import register_all as register_personal_data

    register_personal_data()
    residents.register(resident_sections)
    staff_menu.register(_l("Panels"), "panel.staff_list", rules.ROSTER_VIEW, order=20)


def _init_cli(app) -> None:
    """``flask --app app panel ...``: the draw's ``select`` and ``hash`` (``panel.selection.cli``)
    and the survey weighting's ``weight`` (``panel.surveys.cli``), all outside the database."""
    if "panel" in app.cli.commands:
        return
    from flask.cli import AppGroup

    from .selection import cli as selection_cli
    from .surveys import cli as surveys_cli

    group = AppGroup("panel", help="Panel draws: re-run and verify from published CSV files.")
    selection_cli.register(group, app)
    surveys_cli.register(group, app)
    app.cli.add_command(group)
