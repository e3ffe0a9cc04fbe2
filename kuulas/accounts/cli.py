from __future__ import annotations

import sys

import click

from .. import effects
from ..clock import utcnow
from ..errors import KuulasError
from . import services


def init_app(app) -> None:
    @app.cli.command("create-admin")
    @click.option("--email", prompt=True, help="The administrator's e-mail address.")
    @click.option("--name", default="", help="Display name.")
    @click.option("--password-stdin", is_flag=True,
                  help="Read the password from standard input instead of prompting.")
    def create_admin(email: str, name: str, password_stdin: bool):
        """Create the first administrator (or give an existing account the role)."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            with effects.transaction():
                account = services.create_staff(email, {"administrator"}, password=password,
                                                display_name=name, actor=None, now=utcnow())
                from .. import audit

                audit.record_system("accounts.staff.create", target_type="account",
                                    target_id=account.id,
                                    detail={"roles": ["administrator"], "via": "cli"})
        except KuulasError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Administrator {account.email} is ready.")
