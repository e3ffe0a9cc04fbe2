"""What the idea rounds' public and staff views share: the blueprints, local time, the
page's language, the server-rendered confirmation step, and the round's lifecycle for the
templates (``ideas_lifecycle``, ``ideas_allows``, ``ideas_disabled_reason``)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from kuulas import access
from kuulas.errors import wants_json
from kuulas.i18n import reader_locale, to_local, to_utc  # noqa: F401 - the views' local time

from . import common, lifecycle

bp = Blueprint("ideas", __name__, url_prefix="/ideariihi")
staff = Blueprint("ideas_staff", __name__, url_prefix="/hallinta/ideariihi")


def page_locale() -> str:
    return reader_locale()


def json_wanted() -> bool:
    return wants_json() or request.headers.get("X-Requested-With") == "ideas.js"


def confirmed() -> bool:
    return request.form.get("confirm") == "1"


def confirm_page(*, title, text, quote, action, button, cancel, status=200):
    """The server-rendered "are you sure?" step before what cannot be undone (no JS needed)."""
    return render_template("ideas/confirm.html", title=title, text=text, quote=quote, action=action,
                           button=button, cancel=cancel), status



def lifecycle_role(actor) -> str:
    """The ``lifecycle`` role of a signed-in staff member (their strongest), else a visitor."""
    held = access.roles_of(actor)
    for role in (lifecycle.ADMINISTRATOR, lifecycle.PREPARER, lifecycle.MODERATOR):
        if role in held:
            return role
    return lifecycle.VISITOR


def disabled_reason(state: str, action: str, role: str | None = None) -> str | None:
    """Why a control for ``action`` is disabled in ``state`` (translated), or None."""
    code = lifecycle.why_not(state, action, role)
    return str(common.reason(code)) if code else None


def _disabled_reason_for_current_user(state: str, action: str) -> str | None:
    from flask_login import current_user

    return disabled_reason(state, action, lifecycle_role(current_user))


# Template globals (also inside imported macros, which see no context processor).
bp.add_app_template_global(lifecycle, "ideas_lifecycle")
bp.add_app_template_global(lifecycle.allows, "ideas_allows")
bp.add_app_template_global(_disabled_reason_for_current_user, "ideas_disabled_reason")
