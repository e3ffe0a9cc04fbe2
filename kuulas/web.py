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


def form_page(form, action, *, success, next_url, render, redirect_code: int = 302,
              once: bool = True):
    """A page whose form saves through one service call (post/redirect/get).

    Not posted: ``render(200)``.  Posted but invalid: ``render(400)``, the input kept.  Valid:
    ``action()`` runs through ``attempt`` (one transaction); on success the browser goes to
    ``next_url(result)``, on a domain error the page comes back with the input kept, the
    reason flashed and the error's status.  With ``once`` (the default) the same submission
    sent again (double click, reload, back and send) is saved once: the repeat is sent to
    the first one's result (``kuulas.submissions``).
    """
    if not form.validate_on_submit():
        return render(400 if form.is_submitted() else 200)
    ok, result = attempt(action, success, once=once, next_url=next_url)
    if ok:
        target = result.url if isinstance(result, Repeated) else next_url(result)
        return redirect(target, code=redirect_code)
    return render(result.status)


def confirmed() -> bool:
    """True when this POST comes from a confirmation step (``templates/_confirm.html``):
    an irreversible action runs only then; otherwise the view shows the step."""
    return request.method == "POST" and request.form.get("confirmed") == "yes"


def form_errors(form) -> list[str]:
    return [f"{getattr(form, name).label.text}: {msg}" for name, msgs in form.errors.items()
            for msg in msgs if hasattr(form, name)]


INT_MAX = 2**31 - 1   # the largest id or number any integer column holds (PostgreSQL integer)
JSON_MAX_DEPTH = 32


def _json_depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _bounded_json_provider(app):
    """Request bodies in JSON: nesting deeper than ``JSON_MAX_DEPTH`` (or deep enough to
    exhaust Python's recursion limit) is a 400 like any malformed JSON, never a 500."""
    from flask.json.provider import DefaultJSONProvider

    class BoundedJSONProvider(DefaultJSONProvider):
        def loads(self, s, **kwargs):
            try:
                value = super().loads(s, **kwargs)
            except RecursionError:
                raise ValueError("JSON nested too deeply") from None
            if _json_depth(value) > JSON_MAX_DEPTH:
                raise ValueError("JSON nested too deeply")
            return value

    return BoundedJSONProvider(app)


def next_table_id() -> str:
    """A page-unique id for a table's caption, which names its scroll region
    (``templates/_table.html``); tables in loops each get their own."""
    from flask import g

    g.kuulas_table_ids = getattr(g, "kuulas_table_ids", 0) + 1
    return f"table-{g.kuulas_table_ids}"


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l
    from werkzeug.routing import IntegerConverter

    class BoundedInt(IntegerConverter):
        """``<int:...>`` in every route: an id above the columns' range is "not found",
        never a database error."""

        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", INT_MAX)
            super().__init__(map, *args, **kwargs)

    app.url_map.converters["int"] = BoundedInt
    app.jinja_env.globals["next_table_id"] = next_table_id
    app.json = _bounded_json_provider(app)

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


class Repeated:
    """The result of a submission that had already been saved: where its result is."""

    def __init__(self, url: str):
        self.url = url


def _messages():
    from flask_babel import lazy_gettext as _l
    return {
        "repeated": _l("This was already sent and saved once; nothing was saved twice."),
        "conflict": _l("This could not be saved because it conflicts with something saved at "
                       "the same moment (for example a double click). Check the page and try again."),
    }


def attempt(action, success_message=None, *, once: bool = False, next_url=None,
            raise_errors: bool = False, flash_error: bool = True):
    """Run one service call for a view, as one transaction: the one place a view commits.

    On a domain error: roll back, flash the translated reason (unless ``flash_error`` is
    false: the view shows it beside a field or on a page of its own), return ``(False, exc)``.
    A unique-constraint violation (two requests creating the same thing at once) is the
    user's conflict (409), never a 500.  Otherwise: commit, flash ``success_message`` (if
    any), return ``(True, result)``.  With ``once``, a repeat of an already saved
    submission returns ``(True, Repeated(url))`` without calling ``action``; ``next_url``
    (result -> url) says where the first one's result is.  With ``raise_errors`` a domain
    error is rolled back and raised again, not flashed, for ``kuulas.errors`` to answer
    (an error page or JSON with the error's status).
    """
    from flask import flash
    from sqlalchemy.exc import IntegrityError

    from . import submissions
    from .clock import utcnow
    from .errors import Conflict, KuulasError
    from .extensions import db

    messages = _messages()
    key = None
    if once:
        now = utcnow()
        key = submissions.submission_key()
        row = submissions.earlier(key, now)
        if row is not None:
            db.session.rollback()
            flash(messages["repeated"], "info")
            return True, Repeated(row.result_url)
    try:
        result = action()
        if key is not None:
            url = next_url(result) if next_url else request.full_path.rstrip("?")
            submissions.record(key, url, now)
        db.session.commit()
    except KuulasError as exc:
        db.session.rollback()
        if raise_errors:
            raise
        if flash_error:
            flash(str(exc), "error")
        return False, exc
    except IntegrityError:
        db.session.rollback()
        if key is not None:
            row = submissions.earlier(key, utcnow())
            if row is not None:   # the same submission won the race a moment earlier
                db.session.rollback()
                flash(messages["repeated"], "info")
                return True, Repeated(row.result_url)
        exc = Conflict(messages["conflict"])
        if raise_errors:
            raise exc from None
        if flash_error:
            flash(str(exc), "error")
        return False, exc
    if success_message:
        flash(success_message, "success")
    return True, result
