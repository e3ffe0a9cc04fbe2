"""Quotas and draws (staff), the public selection report and its downloadable files."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from kuulas.clock import utcnow
from kuulas.errors import NotFound
from kuulas.web import attempt, staff_required

from .. import lifecycle, rules
from ..recruitment.setup import get_panel
from ..web import ActionForm, bp, confirmation_page, confirmed, error_details, locale
from . import report, services
from .forms import PrepareDrawForm, RunDrawForm


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
        step = _draw_step(panel, prepare_form, run_form, quota_form, now)
        if not callable(step):
            return step        # the confirmation page
        ok, result = attempt(step)
        if ok:
            flash(result, "success")
            return redirect(url_for("panel.staff_draw", panel_id=panel.id))
        details, status = error_details(result), result.status
    quotas = services.quota_rows(panel)
    from ..recruitment.volunteers import pool_counts, pool_total

    return render_template("panel/staff_draw.html", panel=panel, quotas=quotas,
                           labels=report.labels(panel, locale()), counts=pool_counts(panel.id),
                           pool_total=pool_total(panel.id), draws=services.draws(panel.id),
                           prepare_form=prepare_form, run_form=run_form, quota_form=quota_form,
                           details=details, gaps=services.gaps(panel)), status


def _draw_step(panel, prepare_form, run_form, quota_form, now):
    """The posted step of the draw page: an action (returning its success message) for
    ``attempt``, or the confirmation page to show first."""
    if "quotas-csrf_token" in request.form or "quotas-submit" in request.form:
        def save_quotas():
            if not quota_form.validate_on_submit():
                raise _form_expired()
            services.save_quotas(panel.id, _quota_values(request.form), actor=current_user,
                                 now=now)
            return _("The quotas were saved.")
        return save_quotas
    if "prepare-seed_source" in request.form:
        if prepare_form.validate_on_submit() and not confirmed():
            return confirmation_page(
                title=_("Freeze the pool and publish its hash?"),
                consequences=[_("The pseudonymised pool and the quotas are frozen for "
                                "good; no quota can change afterwards."),
                              _("Their hash is published at once on the public "
                                "selection report, with the seed source “%(s)s”.",
                                s=prepare_form.seed_source.data)],
                button=_("Freeze and publish"),
                cancel_url=url_for("panel.staff_draw", panel_id=panel.id))

        def prepare():
            if not prepare_form.validate_on_submit():
                raise _form_expired(prepare_form)
            services.prepare_draw(panel.id, seed_source=prepare_form.seed_source.data,
                                  actor=current_user, now=now)
            return _("The pool and quotas were frozen and their hash published.")
        return prepare
    if "run-seed_value" in request.form:
        if run_form.validate_on_submit() and not confirmed():
            return confirmation_page(
                title=_("Run the draw?"),
                consequences=[_("The draw is run once with the seed value “%(v)s”; it "
                                "cannot be run again.", v=run_form.seed_value.data),
                              _("The result is published and invitations are e-mailed "
                                "at once to the selected volunteers; the others are told "
                                "they were not selected.")],
                button=_("Run the draw and send the e-mails"),
                cancel_url=url_for("panel.staff_draw", panel_id=panel.id))

        def run():
            if not run_form.validate_on_submit():
                raise _form_expired(run_form)
            services.run_draw(panel.id, seed_value=run_form.seed_value.data,
                              actor=current_user, now=now)
            return _("The draw was run and the invitations were sent.")
        return run

    def unknown():
        raise NotFound()
    return unknown


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
    back = url_for("panel.staff_invitations", panel_id=panel_id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    quotas = request.form.get("quotas")
    if quotas is not None and len(quotas) > 200_000:
        flash(_("The quotas are too long."), "error")
        return redirect(back)
    if not confirmed():
        lines = [_("The replacement draw is run at once and cannot be undone; invitations "
                   "are e-mailed to the newly selected volunteers.")]
        if quotas is not None:
            lines.append(_("It uses the quotas below, which are published with the draw."))
        from ..invitations.services import DECLINE_UNDO_WINDOW

        panel = get_panel(panel_id)
        recent = (len(services.gaps(panel))
                  - len(services.gaps(panel, settled_before=utcnow() - DECLINE_UNDO_WINDOW)))
        if recent:
            lines.append(ngettext("%(num)s decline is less than 24 hours old: that volunteer "
                                  "could still take it back.",
                                  "%(num)s declines are less than 24 hours old: those "
                                  "volunteers could still take them back.", recent))
        return confirmation_page(title=_("Run the replacement draw?"), consequences=lines,
                                 button=_("Run the replacement draw"), cancel_url=back)
    ok, draw = attempt(lambda: services.replacement_draw(panel_id, actor=current_user,
                                                         now=utcnow(), quotas_csv=quotas))
    if not ok:
        for detail in error_details(draw):
            flash(detail, "error")
    else:
        if draw is None:
            flash(_("There are no open seats to fill."), "success")
        elif draw.state == lifecycle.D_BLOCKED:
            flash(_("The remaining pool cannot meet every quota. Choose below how to "
                    "continue."), "error")
        else:
            flash(_("The replacement draw was run and the new invitations were sent."),
                  "success")
    return redirect(back)


@bp.get("/hallinta/paneelit/<int:panel_id>/arvonta/<int:number>/tarkastus/<filename>")
@staff_required(rules.DRAW_RUN)
def auditor_file(panel_id: int, number: int, filename: str):
    """The full pseudonymised file and the draw key, for the county's auditor only: with
    them the CLI re-runs the draw and recomputes the published commitments and hash."""
    panel = get_panel(panel_id)
    from flask_babel import lazy_gettext as _l

    from kuulas import access

    access.require(current_user, rules.DRAW_RUN, panel, now=utcnow())
    draw = services.public_draw(panel.id, number, include_blocked=True)
    if filename == "pooli-tarkastaja.csv":
        body, mimetype = draw.people_csv, "text/csv"
    elif filename == "avain.txt" and draw.commit_key:
        body, mimetype = draw.commit_key + "\n", "text/plain"
    else:
        raise NotFound(_l("No such file."))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="paneeli{panel_id}-'
                                                    f'arvonta{number}-{filename}"',
                             "Cache-Control": "no-store"})


# --- public -------------------------------------------------------------------------------

@bp.get("/paneelit/<int:panel_id>/arvonta")
def public_report(panel_id: int):
    panel = get_panel(panel_id)
    if not lifecycle.panel_allows(panel.state, lifecycle.SHOW_PUBLIC):
        raise NotFound()
    draws = lifecycle.public_draws(services.draws(panel.id))
    return render_template("panel/report.html", panel=panel, draws=draws,
                           labels=report.labels(panel, locale()),
                           public_categories=report.public_categories,
                           public_probabilities=report.public_probabilities,
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
    from . import engine

    if filename == "paneeli.csv":
        if draw.selected is None:
            raise NotFound()
        body = engine.panel_csv(draw.people_csv, draw.selected)
    elif filename == "pooli.csv":
        # Never the answers: one commitment per pseudonym (see selection/commitments.py).
        body = (engine.public_pool_csv(draw.people_csv, draw.commit_key) if draw.commit_key
                else engine.ids_csv(engine.ids_of(draw.people_csv)))
    else:
        body = getattr(draw, _FILES[filename]) or ""
        if filename == "todennakoisyydet.csv" and not body:
            raise NotFound()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="paneeli{panel_id}-'
                                                    f'arvonta{number}-{filename}"'})
