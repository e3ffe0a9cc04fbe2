"""Accounts: staff with passwords (argon2) and optional TOTP; residents with one-time
e-mail links.  ``init_app`` wires the blueprint, the login manager and the CLI."""


def init_app(app) -> None:
    from . import cli, views

    views.init_app(app)
    cli.init_app(app)
