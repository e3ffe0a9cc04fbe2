"""Participation measured and reported: the IOOI indicators (input, output, outcome, impact)
over every area, the participants' own experience questionnaire, the county's yearly targets,
the public participation page and the annual report to the council.

``indicators`` and ``charts`` are pure; ``collect`` reads the other areas; ``services`` is
behind every page, the CLI and the report.
"""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from kuulas import staff_menu

    from . import cli, demo, models, services  # noqa: F401  (register on import)
    from . import views
    from .views import bp, staff

    for blueprint in (bp, staff):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    cli.init_app(app)

    if views.count_browser not in app.after_request_funcs.setdefault(None, []):
        app.after_request(views.count_browser)

    @app.context_processor
    def _experience_link():
        return {"experience_link": views.experience_link}

    staff_menu.register(_l("Participation indicators and annual report"), "participation_staff.dashboard",
                        services.READ, order=56)

    from .personal_data import register_all as register_personal_data

    register_personal_data()
