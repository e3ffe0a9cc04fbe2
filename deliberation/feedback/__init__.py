"""Service feedback (asiakaspalaute): an always-open anonymous feedback channel per service
unit, reached from a QR code, a kiosk tablet or a link; handled by named people within a
target time; recurring themes gathered into development items that are decided and
published as outcomes ("you said, we did").

``lifecycle`` and ``summary`` are pure; ``services`` and ``reading`` are the services behind
every page, job and export; ``api`` is what the outcomes area reads.
"""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from kuulas import staff_menu

    from . import demo, jobs, models, rules  # noqa: F401  (register on import)
    from .staff_views import bp as staff
    from .views import bp, install_log_filter

    for blueprint in (bp, staff):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    install_log_filter(app)
    # The kiosk keeps no session cookie between people, so its two forms carry no CSRF token:
    # the answer form is bound to the device cookie (SameSite=Strict) and a one-time nonce,
    # the unlock form to the device cookie and the staff unlock code.
    app.config.setdefault("KUULAS_CSRF_EXEMPT_ENDPOINTS", set()).update(
        {"feedback.kiosk_post", "feedback.kiosk_unlock"})
    staff_menu.register(_l("Service feedback"), "feedback_staff.queue_page", rules.QUEUE, order=35)
    staff_menu.register(_l("Service units and kiosks"), "feedback_staff.units_page", rules.MANAGE, order=36)
    staff_menu.register(_l("Feedback summary"), "feedback_staff.summary_page", rules.SUMMARY, order=37)

    from .personal_data import register_all as register_personal_data

    register_personal_data()
