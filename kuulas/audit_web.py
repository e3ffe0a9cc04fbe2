"""Flask glue of the access log (``kuulas.audit``): what is recorded automatically, and the
administrators' pages to search and export the log and to set retention periods.

Recorded automatically, after the view has answered:

- every successful (2xx/3xx) POST, PUT, PATCH or DELETE to a **staff** endpoint, i.e. a view
  protected by ``kuulas.web.staff_required`` (it carries ``.permission``).  The action is
  the endpoint's name (``panel.staff_state``); the target is the last ``<int:..._id>`` of
  the URL; the other URL parts go to ``detail``.  A view that flashed an error (nothing
  was done) is logged with ``refused: true``.
- every successful GET of a **sensitive** endpoint (pool and member lists, exports and
  downloads, the outbox, the log itself): listed in :data:`SENSITIVE` or marked with
  :func:`audited`.

Endpoints without ``.permission`` (everything residents and the anonymous public use:
idea votes, ideas, comments, feedback, survey answers, the experience questionnaire) are
never recorded, whoever is signed in.  Sign-ins and sign-outs are recorded explicitly by
``kuulas.accounts.views`` through :func:`record_request`.
"""
from __future__ import annotations

from functools import wraps

from flask import (Blueprint, Response, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from . import audit, effects, retention
from .clock import utcnow
from .errors import ValidationFailed
from .forms import KuulasForm
from .web import attempt, staff_required

READ = "staff:audit:read"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Staff GET endpoints that show or hand out personal data (or the log): endpoint -> action.
SENSITIVE: dict[str, str] = {
    "accounts.staff_list": "accounts.staff.view",
    "accounts.staff_edit": "accounts.staff.view_one",
    "panel.staff_pool": "panel.pool.view",
    "panel.staff_standing": "panel.pool.view",
    "panel.roster": "panel.members.view",
    "panel.staff_invitations": "panel.invitations.view",
    "panel.staff_duplicates": "panel.duplicates.view",
    "panel.auditor_file": "panel.draw.download",
    "panel_surveys.staff_export": "surveys.results.export",
    "panel_surveys.staff_texts": "surveys.texts.view",
    "raati_staff.show": "raati.members.view",
    "ideas_staff.export": "ideas.results.export",
    "feedback_staff.feedback_page": "feedback.feedback.view",
    "feedback_staff.summary_export": "feedback.summary.export",
    "outcomes_staff.download": "outcomes.export.download",
    "outcomes_staff.attachment": "outcomes.attachment.download",
    "participation_staff.annual_report": "participation.report.download",
    "pages.feedback_item": "pages.accessibility_feedback.view",
    "mail.outbox": "mail.outbox.view",
    "mail.message": "mail.message.view",
}


def audited(action: str):
    """Mark a staff view whose successful GET is recorded as ``action`` (e.g.
    ``@audited("panel.pool.view")``), in either order with ``staff_required``."""
    def decorator(view):
        view.audit_action = action
        return view
    return decorator


def _client_ip() -> str | None:
    # Kept whole: the log exists to investigate misuse of an account, which needs the
    # address; it is kept only for the access_log retention period (docs/access-log.md).
    return request.remote_addr


def record_request(action: str, *, actor=None, target_type=None, target_id=None, detail=None):
    """:func:`kuulas.audit.record` with the request's address; marks the request as
    recorded so the automatic hook does not add a second line.  The caller commits."""
    g._audit_recorded = True
    return audit.record(action, actor=actor, target_type=target_type, target_id=target_id,
                        detail=detail, ip=_client_ip())


def _target_and_detail(view_args: dict) -> tuple[str | None, str | None, dict]:
    target_type = target_id = None
    detail = {}
    for name, value in (view_args or {}).items():
        if isinstance(value, int) and name.endswith("_id"):
            if target_id is not None:
                detail[f"{target_type}_id"] = int(target_id)
            target_type, target_id = name[:-3], str(value)
        elif isinstance(value, (int, str)):
            detail[name] = value if isinstance(value, int) else str(value)[:40]
    return target_type, target_id, detail


def _view_action(endpoint: str | None):
    if endpoint is None:
        return None, None
    view = current_app.view_functions.get(endpoint)
    return view, (getattr(view, "audit_action", None) or SENSITIVE.get(endpoint))


def _refused() -> bool:
    return any(category == "error" for category, _m in session.get("_flashes", []))


def _after_request(response):
    if g.pop("_audit_recorded", False):
        return response
    view, sensitive = _view_action(request.endpoint)
    if view is None or not getattr(view, "permission", None):
        return response          # not a staff endpoint: never recorded (nor its session read)
    if not current_user.is_authenticated:
        return response
    status = response.status_code
    if request.method in STATE_CHANGING and 200 <= status < 400:
        action = request.endpoint
    elif request.method == "GET" and sensitive and 200 <= status < 300:
        action = sensitive
    else:
        return response
    target_type, target_id, detail = _target_and_detail(request.view_args)
    detail["method"] = request.method
    detail["status"] = status
    if request.method in STATE_CHANGING and _refused():
        detail["refused"] = True
    try:
        with effects.transaction():   # the access log's own transaction, after the view's
            audit.record(action, actor=current_user, target_type=target_type, target_id=target_id,
                         detail=detail, ip=_client_ip())
    except SQLAlchemyError:
        current_app.logger.exception("could not write the access log line for %s", action)
    return response


# --- the administrators' pages ----------------------------------------------------------

bp = Blueprint("audit", __name__)
PER_PAGE = 50


class SearchForm(KuulasForm):
    class Meta:
        csrf = False      # a GET search form

    actor = StringField(_l("Person (account number or e-mail address)"), validators=[Optional()])
    action = StringField(_l("Action (key, or the beginning of one ending in a full stop)"),
                         validators=[Optional()])
    since = DateField(_l("From (UTC day)"), validators=[Optional()])
    until = DateField(_l("To (UTC day)"), validators=[Optional()])
    target_type = StringField(_l("Target type"), validators=[Optional()])
    target_id = StringField(_l("Target number"), validators=[Optional()])


def _filters(form: SearchForm) -> audit.Filters | None:
    """The form's filters, or None (with an error on the field) when the person is unknown."""
    actor_id = audit.actor_filter(form.actor.data)
    if actor_id is False:
        from .accounts.services import find_by_email

        account = find_by_email(form.actor.data)
        if account is None:
            form.actor.errors = [str(_l("No account has this number or e-mail address."))]
            return None
        actor_id = account.id
    return audit.Filters(actor_id=actor_id, action=(form.action.data or "").strip()[:80],
                         since=form.since.data, until=form.until.data,
                         target_type=(form.target_type.data or "").strip()[:40],
                         target_id=(form.target_id.data or "").strip()[:64])


def _query_args() -> dict:
    return {k: v for k, v in request.args.items() if k in SearchForm.__dict__ and v}


@bp.get("/hallinta/lokit")
@staff_required(READ)
@audited("audit.log.view")
def index():
    form = SearchForm(request.args)
    filters = _filters(form) if form.validate() else None
    page = audit.search(filters, page=request.args.get("page", 1, type=int), per_page=PER_PAGE) \
        if filters is not None else None
    status = 400 if form.errors else 200
    return render_template("audit/index.html", form=form, page=page, args=_query_args(),
                           known_actions=audit.actions()), status


@bp.get("/hallinta/lokit/loki.csv")
@staff_required(READ)
@audited("audit.log.export")
def export():
    form = SearchForm(request.args)
    filters = _filters(form) if form.validate() else None
    if filters is None:
        flash(_l("Check the search fields."), "error")
        return redirect(url_for("audit.index", **_query_args()))
    header = [str(h) for h in (_l("Time (UTC)"), _l("Account number"), _l("Role"), _l("Action"),
                               _l("Target type"), _l("Target number"), _l("IP address"), _l("Details"))]
    data = audit.export_csv(audit.lines(filters), header)
    name = f"kuulas-access-log-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def _retention_form(rows):
    class RetentionForm(KuulasForm):
        pass

    for row in rows:
        setattr(RetentionForm, row["key"], IntegerField(
            row["period"].label, default=row["days"],
            validators=[Optional(), NumberRange(min=0, max=retention.MAX_DAYS)]))
    return RetentionForm


class _PeriodsRefused(ValidationFailed):
    """Some retention periods were refused: ``errors`` says which and why (shown by the fields)."""

    def __init__(self, *, errors: dict):
        super().__init__()
        self.errors = errors


@bp.route("/hallinta/sailytysajat", methods=["GET", "POST"])
@staff_required("staff:retention:manage")
def retention_page():
    rows = retention.table()
    form = _retention_form(rows)()
    status = 200
    if form.validate_on_submit():
        values = {row["key"]: form[row["key"]].data for row in rows}

        def save():
            errors = retention.set_days(values, actor=current_user, now=utcnow(), ip=_client_ip())
            if errors:
                raise _PeriodsRefused(errors=errors)

        ok, refused = attempt(save, _l("The retention periods were saved."), flash_error=False)
        if ok:
            g._audit_recorded = True   # set_days wrote its own line with the changed values
            return redirect(url_for("audit.retention_page"))
        for key, message in getattr(refused, "errors", {}).items():
            form[key].errors = [message]
        status = 400
    elif form.errors:
        status = 400
    return render_template("audit/retention.html", form=form, rows=rows), status


def init_app(app) -> None:
    from . import access, staff_menu

    access.register(READ, {"administrator"})
    app.register_blueprint(bp)
    app.before_request(lambda: g.pop("_audit_recorded", None) and None)
    app.after_request(_after_request)
    staff_menu.register(_l("Access log"), "audit.index", READ, order=92)
    staff_menu.register(_l("Retention periods"), "audit.retention_page", "staff:retention:manage",
                        order=93)


__all__ = ["SENSITIVE", "audited", "record_request", "init_app"]
