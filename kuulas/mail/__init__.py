"""Mail outbox: mail is queued in the same transaction as the change that causes it, and
a scheduled job sends it over SMTP with retries, so a mail-server outage loses nothing.
Without ``MAIL_SERVER`` (the embedded default) mail stays in the outbox, where an
administrator reads it in the browser."""


def init_app(app) -> None:
    from . import jobs, views  # noqa: F401  (jobs registers itself)

    views.init_app(app)
