"""Surveys to a standing panel, with results weighted to the population.

Members answer through a personal link without signing in; answers are stored apart from
the member (see ``models`` and ``tokens``); staff see weighted, suppressed results once the
survey has closed and publish them as an outcome.  ``lifecycle``, ``tokens`` and ``results``
are pure modules.
"""


def init_app(app) -> None:
    from .. import pool
    from . import demo, jobs, models, rules  # noqa: F401  (registrations happen on import)
    from .own import asked_items
    from .services import forget_member
    from .views import bp

    if "panel_surveys" not in app.blueprints:
        app.register_blueprint(bp)
    pool.on_leave(forget_member)
    from kuulas import logfilter

    # Answer pages are anonymous: no network address in any log line about them.
    logfilter.protect("/paneelit/kysely/")
    pool.register_asked(asked_items)
    from flask_babel import lazy_gettext as _l

    from kuulas import staff_menu

    staff_menu.register(_l("Panel surveys"), "panel_surveys.staff_list", rules.MANAGE, order=22)
