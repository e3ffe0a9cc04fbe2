"""``flask --app app participation report --year 2026 --out DIR``: the annual report files."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

group = AppGroup("participation", help="Participation indicators and the annual report.")


@group.command("report")
@click.option("--year", type=int, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=".")
@click.option("--lang", default="fi", type=click.Choice(["fi", "sv", "en"]))
def report_command(year: int, out_dir: str, lang: str):
    """Write osallisuusraportti-YEAR.docx/.pdf/.xlsx for the council."""
    from flask_babel import force_locale

    from kuulas.clock import utcnow
    from kuulas.errors import KuulasError

    from . import report, services
    from .views import fmt

    with force_locale(lang):
        try:
            data = services.dashboard(year, public=True, now=utcnow())
        except KuulasError as exc:
            raise click.ClickException(str(exc)) from None
        if not data["has_data"]:
            raise click.ClickException(str(_no_data(year)))
        # The CLI is the county's own tool: the full staff view, not only the public rows.
        data = services.dashboard(year, public=False, actor=_system_actor(), now=utcnow())
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        for kind in ("docx", "pdf", "xlsx"):
            body, _mime = report.build(data, kind, fmt=fmt)
            path = target / f"osallisuusraportti-{year}.{kind}"
            path.write_bytes(body)
            click.echo(str(path))


def _no_data(year):
    from flask_babel import gettext as _
    return _("There is no participation data for %(year)s, so there is no report to make.", year=year)


class _System:
    """The CLI acts as the county's coordinator."""
    is_authenticated = True
    is_active = True
    id = None
    role_set = frozenset({"preparer"})


def _system_actor():
    from kuulas.access import Role
    actor = _System()
    actor.role_set = frozenset({Role.PREPARER})
    return actor


def init_app(app) -> None:
    if "participation" not in app.cli.commands:
        app.cli.add_command(group)
