"""Pages of standing panels: the staff pool page (draw groups, idea-round invitations),
the service catalogue, the member's own membership page, renewal and leaving."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from wtforms.fields.choices import SelectChoice

from kuulas.accounts import services as accounts
from kuulas.clock import utcnow
from kuulas.extensions import db, limiter
from kuulas.web import Repeated, attempt, form_page, staff_required

from .. import pool, rules
from ..clients import services as clients
from ..web import ActionForm, bp, locale, mailed_link
from . import services
from .forms import (DrawGroupForm, IdeaInviteForm, OwnServicesForm, ServiceForm,
                    client_group_choices)


# --- staff: the pool --------------------------------------------------------------------

def _pool_forms(group_form=None, invite_form=None):
    catalogue = clients.catalogue()
    group_form = group_form or DrawGroupForm(prefix="group")
    invite_form = invite_form or IdeaInviteForm(prefix="invite")
    choices = client_group_choices(catalogue, locale())
    group_form.client_group.choices = choices
    invite_form.client_group.choices = choices
    rounds = services.open_idea_rounds(utcnow())
    lang = locale()
    invite_form.round_id.choices = [
        SelectChoice(r["id"], r["titles"].get(lang) or r["titles"].get("fi") or str(r["id"]))
        for r in rounds]
    return group_form, invite_form


def _render_pool(panel_id, group_form=None, invite_form=None, status=200):
    group_form, invite_form = _pool_forms(group_form, invite_form)
    view = services.pool_overview(panel_id, actor=current_user, now=utcnow(), locale=locale())
    return render_template("panel/standing_pool.html", view=view, panel=view["panel"],
                           group_form=group_form, invite_form=invite_form), status


@bp.get("/hallinta/paneelit/<int:panel_id>/jasenisto")
@staff_required(rules.POOL_VIEW)
def staff_standing(panel_id: int):
    return _render_pool(panel_id)


@bp.post("/hallinta/paneelit/<int:panel_id>/jasenisto/ryhma")
@staff_required(rules.POOL_INVITE)
def staff_draw_group(panel_id: int):
    group_form, _invite = _pool_forms()
    if not group_form.validate_on_submit():
        return _render_pool(panel_id, group_form=group_form, status=400)
    ok, result = attempt(lambda: services.create_draw_group(
        panel_id, name_fi=group_form.name_fi.data, name_sv=group_form.name_sv.data,
        name_en=group_form.name_en.data or "", target_size=group_form.target_size.data,
        client_group=group_form.client_group.data or "",
        invitation_days=group_form.invitation_days.data, actor=current_user, now=utcnow()),
        _("The group was created from the pool. Next, check its quotas and prepare the draw."),
        once=True, next_url=lambda group: url_for("panel.staff_draw", panel_id=group.id))
    if ok:
        if isinstance(result, Repeated):
            return redirect(result.url)
        return redirect(url_for("panel.staff_draw", panel_id=result.id))
    return _render_pool(panel_id, group_form=group_form, status=result.status)


@bp.post("/hallinta/paneelit/<int:panel_id>/jasenisto/ideariihi")
@staff_required(rules.POOL_INVITE)
def staff_invite_round(panel_id: int):
    _group, invite_form = _pool_forms()
    if not invite_form.validate_on_submit():
        return _render_pool(panel_id, invite_form=invite_form, status=400)
    ok, result = attempt(lambda: services.invite_to_idea_round(
        panel_id, invite_form.round_id.data, client_group=invite_form.client_group.data or "",
        sample_size=invite_form.sample_size.data, actor=current_user, now=utcnow()),
        once=True, next_url=lambda _r: url_for("panel.staff_standing", panel_id=panel_id))
    if ok:
        if not isinstance(result, Repeated):
            flash(_("%(n)s members were invited.", n=result.recipients), "success")
        return redirect(url_for("panel.staff_standing", panel_id=panel_id))
    return _render_pool(panel_id, invite_form=invite_form, status=result.status)


# --- staff: the service catalogue -------------------------------------------------------

@bp.get("/hallinta/paneelit/palvelut")
@staff_required(rules.SERVICES_MANAGE)
def staff_services():
    return render_template("panel/staff_services.html",
                           services=clients.catalogue(active_only=False), action=ActionForm())


def _service_data(form: ServiceForm) -> dict:
    return {name: getattr(form, name).data for name in clients.SERVICE_FIELDS}


@bp.route("/hallinta/paneelit/palvelut/uusi", methods=["GET", "POST"])
@staff_required(rules.SERVICES_MANAGE)
def staff_service_new():
    form = ServiceForm()
    return form_page(
        form, lambda: clients.create_service(_service_data(form), actor=current_user, now=utcnow()),
        success=_("The service was added."), next_url=lambda _s: url_for("panel.staff_services"),
        render=lambda status: (render_template("panel/staff_service_form.html", form=form,
                                               service=None), status))


@bp.route("/hallinta/paneelit/palvelut/<int:service_id>", methods=["GET", "POST"])
@staff_required(rules.SERVICES_MANAGE)
def staff_service_edit(service_id: int):
    service = clients.get_service(service_id)
    form = ServiceForm(obj=service)
    return form_page(
        form, lambda: clients.update_service(service.id, _service_data(form), actor=current_user,
                                             now=utcnow()),
        success=_("Saved."), next_url=lambda _s: url_for("panel.staff_services"),
        render=lambda status: (render_template("panel/staff_service_form.html", form=form,
                                               service=service), status))


@bp.post("/hallinta/paneelit/palvelut/<int:service_id>/<any(kayttoon,pois):action>")
@staff_required(rules.SERVICES_MANAGE)
def staff_service_state(service_id: int, action: str):
    if ActionForm().validate_on_submit():
        attempt(lambda: clients.set_active(service_id, action == "kayttoon", actor=current_user,
                                           now=utcnow()), _("Saved."))
    return redirect(url_for("panel.staff_services"))


# --- the member -------------------------------------------------------------------------

def _own_services_form(view, formdata=None):
    form = OwnServicesForm(prefix="services")
    form.services.choices = [SelectChoice(s.key, s.name(locale())) for s in view["catalogue"]]
    if request.method == "GET":
        form.consent.data = view["volunteer"].sensitive_consent_at is not None
        form.services.data = view["services"]
    return form


@bp.route("/paneelit/<int:panel_id>/jasenyys", methods=["GET", "POST"])
def membership(panel_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.path))
    now = utcnow()
    view = services.membership(panel_id, actor=current_user, now=now, locale=locale())
    form = _own_services_form(view)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            ok, result = attempt(lambda: clients.update_own_services(
                panel_id, keys=form.services.data or [], consent=form.consent.data,
                actor=current_user, now=now), _("Your service information was saved."))
            if ok:
                return redirect(url_for("panel.membership", panel_id=panel_id))
            status = result.status
            form.services.errors = [str(result)]
            view = services.membership(panel_id, actor=current_user, now=now, locale=locale())
        else:
            status = 400
    return render_template("panel/membership.html", view=view, panel=view["panel"],
                           volunteer=view["volunteer"], form=form, action=ActionForm(),
                           now=now), status


@bp.post("/paneelit/<int:panel_id>/jasenyys/jatka")
def membership_renew(panel_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in"))
    if ActionForm().validate_on_submit():
        attempt(lambda: services.renew_own(panel_id, actor=current_user, now=utcnow()),
                _("Your membership was renewed."))
    return redirect(url_for("panel.membership", panel_id=panel_id))


@bp.route("/paneelit/<int:panel_id>/jasenyys/eroa", methods=["GET", "POST"])
def membership_leave(panel_id: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.path))
    now = utcnow()
    view = services.membership(panel_id, actor=current_user, now=now, locale=locale())
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        account_id = current_user.id
        ok, _result = attempt(lambda: pool.leave(view["volunteer"].id, actor=current_user, now=now))
        if ok:
            if db.session.get(accounts.Account, account_id) is None:
                logout_user()
                session.clear()
            flash(_("You have left the panel and your personal data was deleted."), "success")
            return redirect(url_for("accounts.resident_home") if current_user.is_authenticated
                            else "/")
    return render_template("panel/membership_leave.html", view=view, panel=view["panel"],
                           form=form), 400 if request.method == "POST" else 200


@bp.route("/paneelit/jatka/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def renew_link(token: str):
    def done(volunteer):
        account = db.session.get(accounts.Account, volunteer.account_id)
        session.clear()
        login_user(account)
        session.permanent = True
        flash(_("Thank you! Your membership continues."), "success")
        return redirect(url_for("panel.membership", panel_id=volunteer.panel_id))

    return mailed_link(
        token, services.PURPOSE_RENEW, use=lambda tok, now: services.renew(tok, now=now),
        template="panel/renew.html", done=done,
        expired=_("This renewal link has expired or has already been used. Sign in to see your "
                  "membership and renew it there."),
        invalid=_("This renewal link is not valid. Check that you copied the whole link."))
