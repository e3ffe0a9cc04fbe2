"""Follow and hear back: anyone follows a public idea round, digiraati or outcome with an
e-mail address (double opt-in, one-click unsubscribe) and gets a weekly digest of what
changed.  The address is kept in its own table, linked to nothing personal, and deleted
with its last follow.  ``changes.record`` is how other areas report public changes;
``personal.export_for`` / ``erase_for`` serve the personal-data map.  See docs/follow.md."""


def init_app(app) -> None:
    import os

    from kuulas import logfilter
    from kuulas.mail.services import forget_recipient_after_sending

    from . import jobs, models  # noqa: F401  (register on import)
    from .views import PREFIX, init_views

    app.config.setdefault("FOLLOW_DIGEST_WEEKDAY", int(os.environ.get("KUULAS_FOLLOW_DIGEST_WEEKDAY", 0)))
    app.config.setdefault("FOLLOW_DIGEST_HOUR", int(os.environ.get("KUULAS_FOLLOW_DIGEST_HOUR", 7)))
    # Delivered follow mails forget their recipient: the address lives only in follow_address.
    forget_recipient_after_sending("follow")
    init_views(app)
    # No network address in log lines about following (it could be set beside a visit).
    logfilter.protect(PREFIX, markers=("follow-a:",))
    from .personal_data import register_all as register_personal_data

    register_personal_data()
