"""``flask --app app demo``: a realistic Finnish example in a fresh database.

Each area registers a seeder; they run in order inside one transaction.  Demo staff
accounts get a fixed, printed password: the demo is for a newcomer's own machine.
"""
from __future__ import annotations

from typing import Callable

import click
from sqlalchemy import func, select

from . import effects
from .clock import utcnow
from .extensions import db

DEMO_PASSWORD = "kuulas-demo-salasana"
_SEEDERS: list[tuple[int, str, Callable]] = []


def seeder(order: int, name: str):
    def decorator(func_):
        if all(n != name for _o, n, _f in _SEEDERS):
            _SEEDERS.append((order, name, func_))
        return func_
    return decorator


@seeder(10, "staff")
def seed_staff(now, rng, out):
    from .accounts import services

    for email, roles, name in [
        ("admin@example.fi", {"administrator"}, "Aino Ylläpitäjä"),
        ("valmistelija@example.fi", {"preparer"}, "Pekka Valmistelija"),
        ("moderaattori@example.fi", {"moderator"}, "Mirja Moderaattori"),
    ]:
        services.create_staff(email, roles, password=DEMO_PASSWORD, display_name=name,
                              actor=None, now=now)
    out.append(f"staff: admin@example.fi, valmistelija@example.fi, moderaattori@example.fi "
               f"(password {DEMO_PASSWORD})")


def run(now=None, seed: int = 2026) -> list[str]:
    import random

    now = now or utcnow()
    rng = random.Random(seed)
    out: list[str] = []
    with effects.transaction():   # a script: one transaction for all the demo data
        for _order, name, func_ in sorted(_SEEDERS, key=lambda s: s[0]):
            func_(now, rng, out)
            db.session.flush()
    return out


def init_app(app) -> None:
    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database already has accounts.")
    def demo_command(if_empty: bool):
        """Fill a fresh database with demo data."""
        from .accounts.models import Account

        if db.session.scalar(select(func.count()).select_from(Account)):
            if if_empty:
                click.echo("Demo data already present; nothing to do.")
                return
            raise click.ClickException("The database is not empty; demo data goes into a fresh one.")
        for line in run():
            click.echo(line)
