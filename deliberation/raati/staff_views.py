"""Staff set-up pages of the digiraati (``/hallinta/raati``): the raati, its members and
roles, experts, sessions, agenda and state.  Each view validates and calls one service
through ``kuulas.web.form_page``/``attempt``, which commit; what open rooms must hear (a
removal, a changed agenda) is sent after that commit (``core.append`` declared it)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.web import attempt, form_page, staff_required

from . import core, forms, rules, sessions, setup
from .models import Member, Raati
from .views import _locale, to_local, to_utc

staff = Blueprint("raati_staff", __name__, url_prefix="/hallinta/raati")


@staff.get("/")
@staff_required(rules.MANAGE)
def index():
    raatis = db.session.scalars(select(Raati).order_by(Raati.id.desc())).all()
    return render_template("raati/staff_index.html", raatis=raatis, locale=_locale())


@staff.route("/uusi", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def new():
    form = forms.RaatiForm()
    return form_page(
        form, lambda: setup.save_raati(None, form.data, actor=current_user, now=utcnow()),
        success=_("Digiraati created."),
        next_url=lambda raati: url_for("raati_staff.show", raati_id=raati.id),
        render=lambda status: (render_template("raati/staff_form.html", form=form, raati=None), status))


def _show(raati: Raati, status: int = 200, **bound):
    panel_form = forms.PanelForm(prefix="panel")
    api = setup.panel_api()
    if api is not None and hasattr(api, "panels_with_members"):
        from wtforms.fields.choices import SelectChoice

        panel_form.panel_id.choices = [SelectChoice(p["id"], p.get("name") or p.get("title") or str(p["id"])) for p in api.panels_with_members()]
    else:
        panel_form = None
    ctx = dict(
        raati=raati, locale=_locale(),
        edit_form=bound.get("edit_form") or forms.RaatiForm(prefix="edit", obj=raati),
        member_form=bound.get("member_form") or forms.MemberForm(prefix="member"),
        expert_form=bound.get("expert_form") or forms.ExpertForm(prefix="expert"),
        session_form=bound.get("session_form") or forms.SessionForm(prefix="session"),
        phase_form=bound.get("phase_form") or forms.PhaseForm(prefix="phase"),
        state_form=forms.StateForm(prefix="state", state=raati.state),
        panel_form=panel_form, role_form=forms.RoleForm,
        members=db.session.scalars(select(Member).where(Member.raati_id == raati.id)
                                   .order_by(Member.removed_at.is_not(None), Member.role, Member.id)).all(),
        role_labels=forms.ROLE_LABELS, phase_labels=forms.PHASE_LABELS, to_local=to_local,
        restorable_after=utcnow() - setup.UNDO_REMOVAL,
    )
    return render_template("raati/staff_show.html", **ctx), status


@staff.route("/<int:raati_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def show(raati_id: int):
    raati = core.get_raati(raati_id)
    form = forms.RaatiForm(prefix="edit", obj=raati)
    return form_page(
        form, lambda: setup.save_raati(raati_id, form.data | {"panel_id": raati.panel_id},
                                          actor=current_user, now=utcnow()),
        success=_("Saved."), next_url=lambda _result: url_for("raati_staff.show", raati_id=raati_id),
        render=lambda status: _show(raati, status, edit_form=form))


def _form(raati_id: int, form_name: str, form, do):
    """A form on the raati's page: one transaction (``form_page``), input kept on error."""
    raati = core.get_raati(raati_id)
    return form_page(form, lambda: do(utcnow()), success=_("Saved."),
                     next_url=lambda _result: url_for("raati_staff.show", raati_id=raati_id),
                     render=lambda status: _show(raati, status, **{form_name: form}))


def _action(raati_id: int, do, message=None, anchor: str = ""):
    """A single POST action on the raati's page: one transaction (``attempt``)."""
    raati = core.get_raati(raati_id)
    ok, result = attempt(lambda: do(utcnow()), _("Saved.") if message is None else message)
    if not ok:
        return _show(raati, result.status)
    return redirect(url_for("raati_staff.show", raati_id=raati_id) + anchor)


@staff.post("/<int:raati_id>/jasenet")
@staff_required(rules.MANAGE)
def add_member(raati_id: int):
    form = forms.MemberForm(prefix="member")
    return _form(raati_id, "member_form", form, lambda now: setup.add_member(
        raati_id, form.email.data, form.role.data, actor=current_user, now=now))


@staff.post("/<int:raati_id>/paneeli")
@staff_required(rules.MANAGE)
def add_panel(raati_id: int):
    from kuulas.web import INT_MAX

    try:
        panel_id = int(request.form.get("panel-panel_id", ""))
        if not 0 < panel_id <= INT_MAX:
            raise ValueError(panel_id)
    except ValueError:
        flash(_("Choose a panel."), "error")
        return _show(core.get_raati(raati_id), 400)
    return _action(raati_id, lambda now: setup.add_panel_members(raati_id, panel_id, actor=current_user, now=now))


@staff.post("/<int:raati_id>/asiantuntija")
@staff_required(rules.MANAGE)
def add_expert(raati_id: int):
    form = forms.ExpertForm(prefix="expert")
    return _form(raati_id, "expert_form", form, lambda now: setup.invite_expert(
        raati_id, form.email.data, actor=current_user, now=now, locale=_locale()))


@staff.post("/<int:raati_id>/jasen/<int:member_id>/rooli")
@staff_required(rules.MANAGE)
def member_role(raati_id: int, member_id: int):
    form = forms.RoleForm(prefix=f"m{member_id}")
    if not form.validate_on_submit():
        flash(_("Choose a role."), "error")
        return _show(core.get_raati(raati_id), 400)
    return _action(raati_id, lambda now: setup.set_role(raati_id, member_id, form.role.data,
                                                        actor=current_user, now=now))


def _confirm(raati, *, title: str, lines: list[str], action: str, back: str, status: int = 200):
    """A server-rendered confirmation step for what cannot (easily) be undone; it works
    without JavaScript: the first POST (or a GET) shows it, the POST with ``confirm`` acts."""
    return render_template("raati/confirm.html", raati=raati, title=title, lines=lines, action=action,
                           back=back, form=forms.KuulasForm(), locale=_locale()), status


def _confirmed() -> bool:
    return request.method == "POST" and forms.KuulasForm().validate_on_submit() and request.form.get("confirm") == "1"


@staff.route("/<int:raati_id>/jasen/<int:member_id>/poista", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def member_remove(raati_id: int, member_id: int):
    raati = core.get_raati(raati_id)
    member = core.member_of(raati_id, member_id)
    back = url_for("raati_staff.show", raati_id=raati_id) + "#members-h"
    if not _confirmed():
        who = member.display_name or (member.account.email if member.account else _("former member"))
        minutes = int(setup.UNDO_REMOVAL.total_seconds() // 60)
        return _confirm(raati, title=_("Remove %(who)s?", who=who), action=_("Remove"), back=back, lines=[
            _("%(who)s loses access to the room at once; an open room window is closed.", who=who),
            _("What they already wrote stays in the transcript."),
            ngettext("You can undo the removal on the digiraati page for %(num)d minute.",
                     "You can undo the removal on the digiraati page for %(num)d minutes.", minutes)])
    ok, result = attempt(lambda: setup.staff_remove(raati_id, member_id, actor=current_user, now=utcnow()),
                         _("Member removed. You can undo this for a while with Restore in the member list."))
    if not ok:
        return _show(raati, result.status)
    return redirect(back)


@staff.post("/<int:raati_id>/jasen/<int:member_id>/palauta")
@staff_required(rules.MANAGE)
def member_restore(raati_id: int, member_id: int):
    forms.KuulasForm().validate_on_submit()
    return _action(raati_id, lambda now: setup.staff_restore(raati_id, member_id, actor=current_user, now=now),
                   _("Member restored."), "#members-h")


@staff.post("/<int:raati_id>/istunnot")
@staff_required(rules.MANAGE)
def add_session(raati_id: int):
    form = forms.SessionForm(prefix="session")
    return _form(raati_id, "session_form", form, lambda now: sessions.add_session(
        raati_id, form.title.data, to_utc(form.starts_at.data), to_utc(form.ends_at.data),
        actor=current_user, now=now))


@staff.route("/<int:raati_id>/istunnot/<int:session_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def edit_session(raati_id: int, session_id: int):
    raati = core.get_raati(raati_id)
    session_ = next((s for s in raati.sessions if s.id == session_id), None)
    if session_ is None:
        abort(404)
    form = forms.SessionForm(prefix="session", data={"title": session_.title, "starts_at": to_local(session_.starts_at),
                                                     "ends_at": to_local(session_.ends_at)})
    return form_page(
        form, lambda: sessions.update_session(raati_id, session_id, form.title.data, to_utc(form.starts_at.data),
                                              to_utc(form.ends_at.data), actor=current_user, now=utcnow()),
        success=_("Saved. Members who were invited get the change by e-mail."),
        next_url=lambda _result: url_for("raati_staff.show", raati_id=raati_id) + "#sessions-h",
        render=lambda status: (render_template("raati/session_form.html", raati=raati, session=session_,
                                               form=form, locale=_locale()), status))


@staff.route("/<int:raati_id>/istunnot/<int:session_id>/peru", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def cancel_session(raati_id: int, session_id: int):
    raati = core.get_raati(raati_id)
    session_ = next((s for s in raati.sessions if s.id == session_id), None)
    if session_ is None:
        abort(404)
    if not _confirmed():
        return _confirm(raati, title=_("Cancel the session “%(title)s”?", title=session_.title), action=_("Cancel the session"),
                        back=url_for("raati_staff.edit_session", raati_id=raati_id, session_id=session_id), lines=[
                            _("The session is removed from the agenda. This cannot be undone; you can add a new session."),
                            _("Members who were invited get an e-mail whose calendar file removes it from their calendars.")])
    return _action(raati_id, lambda now: sessions.cancel_session(raati_id, session_id, actor=current_user, now=now),
                   _("The session was cancelled. Invited members get the cancellation by e-mail."), "#sessions-h")


@staff.post("/<int:raati_id>/vaiheet")
@staff_required(rules.MANAGE)
def add_phase(raati_id: int):
    form = forms.PhaseForm(prefix="phase")
    return _form(raati_id, "phase_form", form, lambda now: setup.edit_phase(
        raati_id, None, form.kind.data, to_utc(form.planned_start.data), form.minutes.data,
        actor=current_user, now=now))


@staff.route("/<int:raati_id>/vaiheet/<int:phase_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def edit_phase(raati_id: int, phase_id: int):
    raati = core.get_raati(raati_id)
    phase = next((p for p in raati.phases if p.id == phase_id), None)
    if phase is None:
        abort(404)
    form = forms.PhaseForm(prefix="phase", data={"kind": phase.kind, "minutes": phase.planned_minutes,
                                                 "planned_start": to_local(phase.planned_start)})
    return form_page(
        form, lambda: setup.edit_phase(raati_id, phase_id, form.kind.data, to_utc(form.planned_start.data),
                                          form.minutes.data, actor=current_user, now=utcnow()),
        success=_("Saved."), next_url=lambda _result: url_for("raati_staff.show", raati_id=raati_id) + "#agenda-h",
        render=lambda status: (render_template("raati/phase_form.html", raati=raati, phase=phase, form=form,
                                               locale=_locale()), status))


@staff.post("/<int:raati_id>/vaiheet/<int:phase_id>/<any(ylos, alas):step>")
@staff_required(rules.MANAGE)
def move_phase(raati_id: int, phase_id: int, step: str):
    forms.KuulasForm().validate_on_submit()
    return _action(raati_id, lambda now: setup.move_phase(
        raati_id, phase_id, -1 if step == "ylos" else 1, actor=current_user, now=now))


@staff.post("/<int:raati_id>/vaiheet/<int:phase_id>/poista")
@staff_required(rules.MANAGE)
def delete_phase(raati_id: int, phase_id: int):
    forms.KuulasForm().validate_on_submit()
    return _action(raati_id, lambda now: setup.delete_phase(raati_id, phase_id, actor=current_user, now=now))


@staff.post("/<int:raati_id>/tila")
@staff_required(rules.MANAGE)
def set_state(raati_id: int):
    form = forms.StateForm(prefix="state")
    return _form(raati_id, "state_form", form, lambda now: setup.set_state(
        raati_id, form.state.data, actor=current_user, now=now))
