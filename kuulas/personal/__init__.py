"""Personal data under control (issue 18): the map of personal data (``registry``, filled by
each area's ``personal_data.py``), a resident's own export and erasure, and the staff tool
for written data-subject requests.  ``registry`` imports neither Flask nor SQLAlchemy."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import access, residents, staff_menu
    from ..access import Role
    from ..accounts import personal_data as accounts_data
    from ..mail import personal_data as mail_data
    from ..pages import personal_data as pages_data
    from . import labels, models, own_data, retention_text, services, views  # noqa: F401

    access.register(services.HANDLE, {Role.ADMINISTRATOR})
    access.register(services.REGISTER, {Role.ADMINISTRATOR})
    access.register(services.OWN, services.own_rule)
    for module in (accounts_data, mail_data, pages_data, own_data):
        module.register_all()
    own_data.register_kernel()
    if views.bp.name not in app.blueprints:
        app.register_blueprint(views.bp)
    residents.register(views.resident_section)
    app.jinja_env.globals.update(personal_data_map=views.notice_entries,
                                 retention_text=retention_text.describe,
                                 field_label=labels.field_label)
    staff_menu.register(_l("Personal data requests"), "personal.requests", services.HANDLE, order=85)
    staff_menu.register(_l("Data register"), "personal.register", services.REGISTER, order=86)
