"""What the idea rounds' public and staff views share: the blueprints, local time, the
page's language, and the server-rendered confirmation step."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale

from kuulas.errors import wants_json

bp = Blueprint("ideas", __name__, url_prefix="/ideariihi")
staff = Blueprint("ideas_staff", __name__, url_prefix="/hallinta/ideariihi")


def _tz():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Helsinki"))


def to_utc(local: datetime | None) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=_tz()).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(_tz()).replace(tzinfo=None)


def page_locale() -> str:
    return str(get_locale() or "fi")


def json_wanted() -> bool:
    return wants_json() or request.headers.get("X-Requested-With") == "ideas.js"


def confirmed() -> bool:
    return request.form.get("confirm") == "1"


def confirm_page(*, title, text, quote, action, button, cancel, status=200):
    """The server-rendered "are you sure?" step before what cannot be undone (no JS needed)."""
    return render_template("ideas/confirm.html", title=title, text=text, quote=quote, action=action,
                           button=button, cancel=cancel), status

