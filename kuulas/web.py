"""Small helpers shared by the HTML views of every area."""
from __future__ import annotations

from functools import wraps

from flask import redirect, request, url_for
from flask_login import current_user

from . import access


def staff_required(permission: str):
    """Require a signed-in actor holding ``permission``; anonymous users go to sign-in.
    Services check again: this decorator only gives the browser a friendly path."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.staff_sign_in", next=request.full_path.rstrip("?")))
            access.require(current_user, permission)
            return view(*args, **kwargs)
        wrapper.permission = permission
        return wrapper
    return decorator


def form_page(form, action, *, success, next_url, render, redirect_code: int = 302):
    """A page whose form saves through one service call (post/redirect/get).

    Not posted: ``render(200)``.  Posted but invalid: ``render(400)``, the input kept.  Valid:
    ``action()`` runs through ``attempt`` (one transaction); on success the browser goes to
    ``next_url(result)``, on a domain error the page comes back with the input kept, the
    reason flashed and the error's status.
    """
    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    ok, result = attempt(action, success)
    if ok:
        return redirect(next_url(result), code=redirect_code)
    return render(result.status)


def form_errors(form) -> list[str]:
    return [f"{getattr(form, name).label.text}: {msg}" for name, msgs in form.errors.items()
            for msg in msgs if hasattr(form, name)]


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .access import ROLE_LABELS, Role

    mail_states = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"),
                   "failed": _l("Failed"), "held": _l("In the outbox (not sent)")}
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def _helpers():
        return {
            "can": lambda action, target=None: access.can(current_user, action, target),
            "role_label": lambda r: ROLE_LABELS[Role(r)],
            "mail_status": lambda s: mail_states.get(s, s),
        }


def attempt(action, success_message=None):
    """Run one service call for a view, as one transaction.

    On a domain error: roll back, flash the translated reason, return ``(False, exc)``.
    Otherwise: commit, flash ``success_message`` (if any), return ``(True, result)``.
    """
    from flask import flash

    from .errors import KuulasError
    from .extensions import db

    try:
        result = action()
    except KuulasError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False, exc
    db.session.commit()
    if success_message:
        flash(success_message, "success")
    return True, result
