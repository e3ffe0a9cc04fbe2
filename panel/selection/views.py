"""Quotas and draws (staff), the public selection report and its downloadable files."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kuulas.clock import utcnow
from kuulas.errors import KuulasError, NotFound
from kuulas.extensions import db
from kuulas.web import staff_required

from .. import rules
from ..forms import ActionForm, PrepareDrawForm, RunDrawForm
from ..recruitment.models import DRAFT
from ..recruitment.services import get_panel
from ..web import bp, flash_error, locale
from . import report, services


@bp.route("/hallinta/paneelit/<int:panel_id>/arvonta", methods=["GET", "POST"])
@staff_required(rules.DRAW_RUN)
def staff_draw(panel_id: int):
    panel = get_panel(panel_id)
    prepare_form = PrepareDrawForm(prefix="prepare")
    run_form = RunDrawForm(prefix="run")
    quota_form = ActionForm(prefix="quotas")
    details, status = [], 200
    now = utcnow()
    if request.method == "POST":
        try:
            if "quotas-csrf_token" in request.form or "quotas-submit" in request.form:
                if not quota_form.validate_on_submit():
                    raise _form_expired()
                services.save_quotas(panel.id, _quota_values(request.form), actor=current_user,
                                     now=now)
                message = _("The quotas were saved.")
            elif "prepare-seed_source" in request.form:
                if not prepare_form.validate_on_submit():
                    raise _form_expired(prepare_form)
                services.prepare_draw(panel.id, seed_source=prepare_form.seed_source.data,
                                      actor=current_user, now=now)
                message = _("The pool and quotas were frozen and their hash published.")
            elif "run-seed_value" in request.form:
                if not run_form.validate_on_submit():
                    raise _form_expired(run_form)
                services.run_draw(panel.id, seed_value=run_form.seed_value.data,
                                  actor=current_user, now=now)
                message = _("The draw was run and the invitations were sent.")
            else:
                raise NotFound()
        except KuulasError as exc:
            db.session.rollback()
            details, status = flash_error(exc), exc.status
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("panel.staff_draw", panel_id=panel.id))
    quotas = services.quota_rows(panel)
    from ..recruitment.services import pool_counts, pool_total

    return render_template("panel/staff_draw.html", panel=panel, quotas=quotas,
                           labels=report.labels(panel, locale()), counts=pool_counts(panel.id),
                           pool_total=pool_total(panel.id), draws=services.draws(panel.id),
                           prepare_form=prepare_form, run_form=run_form, quota_form=quota_form,
                           details=details, gaps=services.gaps(panel)), status


def _form_expired(form=None):
    from kuulas.errors import ValidationFailed
    from flask_babel import lazy_gettext as _l

    if form is not None and form.errors and "csrf_token" not in form.errors:
        return ValidationFailed(_l("Please fill in the field."))
    return ValidationFailed(_l("The form expired. Please send it again."))


def _quota_values(form) -> dict:
    from kuulas.errors import ValidationFailed
    from flask_babel import lazy_gettext as _l

    values = {}
    for name in form:
        if not name.startswith("min__"):
            continue
        _prefix, feature, value = name.split("__", 2)
        try:
            low = int(form[name])
            high = int(form.get(f"max__{feature}__{value}", ""))
        except ValueError:
            raise ValidationFailed(_l("%(feature)s = %(value)s: the minimum and maximum must be "
                                      "whole numbers."), feature=feature, value=value) from None
        values[(feature, value)] = (low, high)
    return values


@bp.post("/hallinta/paneelit/<int:panel_id>/korvaava-arvonta")
@staff_required(rules.DRAW_RUN)
def staff_replacement(panel_id: int):
    if ActionForm().validate_on_submit():
        try:
            draw = services.replacement_draw(panel_id, actor=current_user, now=utcnow())
        except KuulasError as exc:
            db.session.rollback()
            for detail in flash_error(exc):
                flash(detail, "error")
        else:
            db.session.commit()
            if draw is None:
                flash(_("There are no open seats to fill."), "success")
            else:
                flash(_("The replacement draw was run and the new invitations were sent."),
                      "success")
    return redirect(url_for("panel.staff_invitations", panel_id=panel_id))


# --- public -------------------------------------------------------------------------------

@bp.get("/paneelit/<int:panel_id>/arvonta")
def public_report(panel_id: int):
    panel = get_panel(panel_id)
    if panel.state == DRAFT:
        raise NotFound()
    draws = services.draws(panel.id)
    return render_template("panel/report.html", panel=panel, draws=draws,
                           labels=report.labels(panel, locale()),
                           describe_issue=report.describe_blocking,
                           composition=report.composition_rows(panel, locale()))


_FILES = {"pooli.csv": "people_csv", "kiintiot.csv": "quotas_csv", "pakotetut.csv": "forced_csv",
          "poissuljetut.csv": "excluded_csv", "paneeli.csv": None,
          "todennakoisyydet.csv": "probabilities_csv"}


@bp.get("/paneelit/<int:panel_id>/arvonta/<int:number>/<filename>")
def public_file(panel_id: int, number: int, filename: str):
    if filename not in _FILES:
        raise NotFound()
    draw = services.public_draw(panel_id, number)
    if filename == "paneeli.csv":
        if draw.selected is None:
            raise NotFound()
        from . import engine

        body = engine.panel_csv(draw.people_csv, draw.selected)
    else:
        body = getattr(draw, _FILES[filename]) or ""
        if filename == "todennakoisyydet.csv" and not body:
            raise NotFound()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="paneeli{panel_id}-'
                                                    f'arvonta{number}-{filename}"'})
