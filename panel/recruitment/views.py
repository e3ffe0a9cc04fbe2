"""Recruitment pages: the staff set-up and pool views, and the public sign-up,
confirmation and own-registration pages."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_user

from kuulas.accounts import services as accounts
from kuulas.accounts.views import sign_in_from_mail
from kuulas.clock import utcnow
from kuulas.errors import KuulasError, NotFound
from kuulas.extensions import db, limiter
from kuulas.web import attempt, form_page, staff_required

from .. import lifecycle, mailing, rules
from ..web import ActionForm, bp, confirmation_page, confirmed, error_details, locale, mailed_link, read_upload
from . import services
from .staff_forms import CsvForm, FeatureForm, PanelForm
from .forms import answers_from, feature_field_name, signup_form
from .models import Panel


# --- staff: set-up ------------------------------------------------------------------------

@bp.get("/hallinta/paneelit")
@staff_required(rules.ROSTER_VIEW)
def staff_list():
    from sqlalchemy import select

    panels = db.session.scalars(select(Panel).order_by(Panel.created_at.desc())).all()
    return render_template("panel/staff_list.html", panels=panels)


def _panel_data(form: PanelForm) -> dict:
    return {name: getattr(form, name).data for name in services.PANEL_FIELDS}


@bp.route("/hallinta/paneelit/uusi", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_new():
    form = PanelForm()
    return form_page(
        form, lambda: services.create_panel(_panel_data(form), actor=current_user, now=utcnow()),
        success=_("The panel was created. Next, add its features."),
        next_url=lambda panel: url_for("panel.staff_panel", panel_id=panel.id),
        render=lambda status: (render_template("panel/staff_form.html", form=form, panel=None), status))


@bp.route("/hallinta/paneelit/<int:panel_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_panel(panel_id: int):
    panel = services.get_panel(panel_id)
    form = PanelForm(obj=panel)
    return form_page(
        form, lambda: services.update_panel(panel.id, _panel_data(form), actor=current_user, now=utcnow()),
        success=_("Saved."), next_url=lambda _result: url_for("panel.staff_panel", panel_id=panel.id),
        render=lambda status: (render_template("panel/staff_panel.html", panel=panel, form=form,
                                               problems=services.check_ready(panel), action=ActionForm()),
                               status))


@bp.route("/hallinta/paneelit/<int:panel_id>/taustamuuttujat", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_features(panel_id: int):
    panel = services.get_panel(panel_id)
    form, csv_form = FeatureForm(prefix="feature"), CsvForm(prefix="shares")
    details, status = [], 200
    if request.method == "POST" and "feature-key" in request.form:
        if form.validate_on_submit():
            ok, result = attempt(lambda: services.save_feature(
                panel.id, key=form.key.data, label_fi=form.label_fi.data,
                label_sv=form.label_sv.data, label_en=form.label_en.data or "",
                sensitive=form.sensitive.data, allow_undisclosed=form.allow_undisclosed.data,
                categories=services.parse_categories(form.categories.data),
                actor=current_user, now=utcnow()), _("The feature was saved."))
            if ok:
                return redirect(url_for("panel.staff_features", panel_id=panel.id))
            details, status = error_details(result), result.status
        else:
            status = 400
    elif request.method == "POST":
        if csv_form.validate_on_submit():
            ok, result = attempt(lambda: services.import_shares(
                panel.id, read_upload(csv_form), actor=current_user, now=utcnow()))
            if ok:
                flash(ngettext("Population share updated for %(num)s category.",
                               "Population shares updated for %(num)s categories.", result),
                      "success")
                return redirect(url_for("panel.staff_features", panel_id=panel.id))
            details, status = error_details(result), result.status
        else:
            status = 400
    return render_template("panel/staff_features.html", panel=panel, form=form,
                           csv_form=csv_form, details=details, action=ActionForm()), status


@bp.post("/hallinta/paneelit/<int:panel_id>/taustamuuttujat/<int:feature_id>/poista")
@staff_required(rules.MANAGE)
def staff_feature_delete(panel_id: int, feature_id: int):
    if ActionForm().validate_on_submit():
        attempt(lambda: services.delete_feature(panel_id, feature_id, actor=current_user,
                                                now=utcnow()),
                _("The feature was removed."))
    return redirect(url_for("panel.staff_features", panel_id=panel_id))


@bp.post("/hallinta/paneelit/<int:panel_id>/tila/<action>")
@staff_required(rules.MANAGE)
def staff_state(panel_id: int, action: str):
    from .. import retention

    handlers = {"julkaise": services.publish, "sulje-rekrytointi": services.close_recruitment_now,
                "sulje": retention.close_panel}
    if action not in handlers:
        raise NotFound()
    if ActionForm().validate_on_submit():
        if not confirmed():
            panel = services.get_panel(panel_id)
            texts = {
                "julkaise": (_("Publish the panel?"), [
                    _("The panel's public page opens and recruitment starts by itself at its "
                      "opening time."),
                    _("Once volunteers register, the features can no longer change.")],
                    _("Publish")),
                "sulje-rekrytointi": (_("Close recruitment now?"), [
                    _("Nobody can register any more, and volunteers can no longer change their "
                      "answers. Recruitment cannot be reopened."),
                    _("Registrations not yet confirmed by e-mail stay out of the pool.")],
                    _("Close recruitment")),
                "sulje": (_("Close the panel?"), [
                    _("The panel ends: no more replacement draws or invitations."),
                    _("Personal data is deleted after the retention period of %(days)s days; "
                      "only aggregate counts are kept.", days=panel.retention_days)],
                    _("Close the panel")),
            }
            title, lines, button = texts[action]
            return confirmation_page(title=title, consequences=lines, button=button,
                                     cancel_url=url_for("panel.staff_panel", panel_id=panel.id))
        ok, result = attempt(lambda: handlers[action](panel_id, actor=current_user, now=utcnow()),
                             _("Saved."))
        if not ok:
            for detail in error_details(result):
                flash(detail, "error")
    return redirect(url_for("panel.staff_panel", panel_id=panel_id))


@bp.route("/hallinta/paneelit/<int:panel_id>/pooli", methods=["GET", "POST"])
@staff_required(rules.POOL_VIEW)
def staff_pool(panel_id: int):
    csv_form = CsvForm(prefix="volunteers")
    details, status = [], 200
    if request.method == "POST":
        if csv_form.validate_on_submit():
            ok, result = attempt(lambda: services.import_volunteers(
                panel_id, read_upload(csv_form), actor=current_user, now=utcnow()))
            if ok:
                flash(ngettext("%(num)s volunteer was imported.", "%(num)s volunteers were imported.",
                               result), "success")
                return redirect(url_for("panel.staff_pool", panel_id=panel_id))
            details, status = error_details(result), result.status
        else:
            status = 400
    view = services.pool_view(panel_id, actor=current_user, now=utcnow(), locale=locale())
    try:
        duplicates = sum(1 for pair in services.suspected_duplicates(
            panel_id, actor=current_user, now=utcnow()) if all(v.state != lifecycle.V_EXCLUDED for v in pair))
    except KuulasError:
        duplicates = 0
    return render_template("panel/staff_pool.html", view=view, panel=view["panel"],
                           csv_form=csv_form, details=details, duplicates=duplicates), status


@bp.route("/hallinta/paneelit/<int:panel_id>/kaksoiskirjautumiset", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_duplicates(panel_id: int):
    """Suspected duplicate registrations (staff only), with exclusion before the freeze."""
    now = utcnow()
    if request.method == "POST":
        form = ActionForm()
        if form.validate_on_submit():
            try:
                volunteer_id = int(request.form.get("volunteer", ""))
                if not 0 < volunteer_id < 2**31:
                    raise ValueError
            except ValueError:
                raise NotFound() from None
            attempt(lambda: services.set_excluded(
                panel_id, volunteer_id, exclude=request.form.get("action") == "exclude",
                actor=current_user, now=now), _("Saved."))
        return redirect(url_for("panel.staff_duplicates", panel_id=panel_id))
    pairs = services.suspected_duplicates(panel_id, actor=current_user, now=now)
    panel = services.get_panel(panel_id)
    return render_template("panel/staff_duplicates.html", panel=panel, pairs=pairs,
                           action=ActionForm())


# --- public: sign-up ----------------------------------------------------------------------

def _signup_key() -> str:
    return "panel-signup:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/paneelit/<int:panel_id>", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
@limiter.limit("3 per hour", key_func=_signup_key, methods=["POST"])
def recruit(panel_id: int):
    panel = services.get_panel(panel_id)
    if not lifecycle.panel_allows(panel.state, lifecycle.SHOW_PUBLIC):
        raise NotFound()
    now = utcnow()
    form = signup_form(panel, locale())
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            def sign_up():
                volunteer, token = services.register(
                    panel.id, email=form.email.data, display_name=form.display_name.data,
                    answers=answers_from(form, panel), consent=form.consent.data,
                    sensitive_consent=bool(getattr(form, "sensitive_consent", None)
                                           and form.sensitive_consent.data),
                    postal_code=getattr(form, "postal_code", None) and form.postal_code.data or "",
                    address=getattr(form, "address", None) and form.address.data or "",
                    locale=locale(), now=now,
                    services=getattr(form, "services", None) and form.services.data or ())
                from flask import current_app

                mailing.queue(
                    volunteer.email, "confirm", locale=volunteer.locale,
                    category="panel_confirm", now=now, panel_name=panel.name(volunteer.locale),
                    link=current_app.config["SITE_URL"].rstrip("/")
                    + url_for("panel.confirm", token=token))
                return volunteer.email

            ok, result = attempt(sign_up)
            if ok:
                return render_template("panel/signup_sent.html", panel=panel, email=result)
            status = result.status
        else:
            status = 400
    return render_template("panel/recruit.html", panel=panel, form=form,
                           recruiting=panel.recruiting(now), phase=panel.phase(now),
                           now=now), status


@bp.route("/paneelit/vahvista/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def confirm(token: str):
    def done(result):
        account = db.session.get(accounts.Account, result.account_id)
        own = "panel.membership" if services.get_panel(result.panel_id).standing else "panel.own"
        return sign_in_from_mail(account, url_for(own, panel_id=result.panel_id),
                                 done_message=_("Thank you! Your registration is confirmed."))

    return mailed_link(
        token, services.PURPOSE_CONFIRM, use=lambda tok, now: services.confirm(tok, now=now),
        template="panel/confirm.html", done=done,
        expired=_("This confirmation link has expired or has already been used. If you already "
                  "confirmed, sign in to see your registration; otherwise register again."),
        invalid=_("This confirmation link is not valid. Check that you copied the whole link."))


@bp.route("/paneelit/<int:panel_id>/oma", methods=["GET", "POST"])
def own(panel_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.path))
    now = utcnow()
    panel = services.get_panel(panel_id)
    volunteer = services.registration_of(panel.id, current_user)
    values = volunteer.values()
    form = signup_form(panel, locale(), with_email=False, with_consent=False,
                       obj_values=values)
    if request.method == "GET":
        form.display_name.data = volunteer.display_name
        if hasattr(form, "sensitive_consent"):
            form.sensitive_consent.data = volunteer.sensitive_consent_at is not None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            ok, result = attempt(lambda: services.update_registration(
                panel.id, display_name=form.display_name.data,
                answers=answers_from(form, panel),
                sensitive_consent=bool(getattr(form, "sensitive_consent", None)
                                       and form.sensitive_consent.data),
                actor=current_user, now=now), _("Your answers were saved."))
            if ok:
                return redirect(url_for("panel.own", panel_id=panel.id))
            status = result.status
        else:
            status = 400
    from ..cards import STATUS_TEXTS
    from ..selection import services as selection

    state = selection.registration_status(volunteer, panel, now)
    return render_template("panel/own.html", panel=panel, volunteer=volunteer, form=form,
                           values=values, withdraw_form=ActionForm(prefix="withdraw"),
                           editable=panel.recruiting(now), now=now,
                           status_text=STATUS_TEXTS[state["code"]], state=state,
                           own_row=selection.own_commitment(volunteer, panel)), status


@bp.post("/paneelit/<int:panel_id>/oma/peru")
def withdraw(panel_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    if ActionForm(prefix="withdraw").validate_on_submit():
        if not confirmed():
            panel = services.get_panel(panel_id)
            services.registration_of(panel.id, current_user)
            return confirmation_page(
                title=_("Withdraw from the panel?"),
                consequences=[_("Your registration and answers for “%(panel)s” are deleted at "
                                "once; they cannot be restored.", panel=panel.name(locale())),
                              _("If you have been invited or are a member, your seat is offered "
                                "to someone else.")],
                button=_("Withdraw and delete my data"),
                cancel_url=url_for("panel.own", panel_id=panel.id))
        services.registration_of(panel_id, current_user)   # 404 when there is none
        ok, _result = attempt(lambda: services.withdraw(panel_id, actor=current_user, now=utcnow()),
                              _("Your registration was withdrawn and your data deleted."))
        if ok:
            return redirect(url_for("accounts.resident_home"))
    return redirect(url_for("panel.own", panel_id=panel_id))
