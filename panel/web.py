"""The panel area's blueprint and small view helpers shared by its subpackages."""
from __future__ import annotations

from flask import Blueprint

from kuulas.errors import KuulasError
from kuulas.forms import KuulasForm
from kuulas.i18n import reader_locale as locale

bp = Blueprint("panel", __name__)


@bp.app_context_processor
def _lifecycle():
    """``panel_states`` in every template: the panel area's states and what they allow
    (``panel.lifecycle``), so no template spells a state out."""
    from . import lifecycle

    return {"panel_states": lifecycle}


def error_details(exc: KuulasError) -> list[str]:
    """The detailed problems (row-level errors) of a failed action, for the page; the reason
    itself was flashed by ``kuulas.web.attempt``."""
    return list(getattr(exc, "details", []) or [])


def read_upload(form) -> str:
    """Text of an uploaded or pasted CSV (UTF-8, with or without BOM; Excel's cp1252 too)."""
    data = b""
    if form.file.data and getattr(form.file.data, "read", None):
        data = form.file.data.read()
    if data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    return form.text.data or ""


def confirmed() -> bool:
    """Has the person confirmed an action that cannot be undone (second step)?"""
    from flask import request

    return request.form.get("confirm") == "yes"


def confirmation_page(*, title, consequences, button, cancel_url: str, undo=None,
                      extra_fields=()):
    """The server-rendered second step before an action that cannot be undone (works
    without JavaScript): says what will happen and posts the same fields again with
    ``confirm=yes``.  Nothing has been changed when this page is shown."""
    from flask import render_template, request

    fields = [(k, v) for k, v in request.form.items(multi=True)
              if k != "confirm" and not k.endswith("csrf_token")]
    fields += list(extra_fields)
    csrf_names = sorted({k for k in request.form if k.endswith("csrf_token")} or {"csrf_token"})
    return render_template("panel/confirm_action.html", title=title, consequences=consequences,
                           button=button, cancel_url=cancel_url, undo=undo, fields=fields,
                           csrf_names=csrf_names, action_url=request.path)


class ActionForm(KuulasForm):
    """A button that changes state (CSRF only)."""


def mailed_link(token: str, purpose: str, *, use, template: str, done, expired: str, invalid: str):
    """A panel link sent by mail (confirm a registration, renew a membership): the GET shows
    ``template`` with a button, the POST uses the link through ``kuulas.tokens.confirm_link``.
    An expired or used link is a 410 with ``expired``, an unknown one a 404 with ``invalid``;
    a refusal while using it (recruitment closed) shows its own reason."""
    from flask import render_template

    from kuulas import tokens
    from kuulas.accounts import services as accounts
    from kuulas.clock import utcnow

    now = utcnow()

    def problem(exc):
        if isinstance(exc, (accounts.TokenExpired, accounts.TokenUsed)):
            return render_template("panel/link_problem.html", message=expired), 410
        if isinstance(exc, accounts.TokenInvalid):
            return render_template("panel/link_problem.html", message=invalid), 404
        return render_template("panel/link_problem.html", message=str(exc)), exc.status

    form = ActionForm()
    return tokens.confirm_link(
        token, peek=lambda tok: accounts.peek_token(tok, purpose, now=now), use=lambda tok: use(tok, now),
        page=lambda _row: render_template(template, form=form), done=done, problem=problem,
        form=form)
