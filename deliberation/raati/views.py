"""HTML pages of the digiraati: the room, the display-name step, the transcript, the
statement with its versions, the expert's one-time link, and the staff set-up pages.
Views validate, call one service, commit, then broadcast (through ``events``)."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_user
from sqlalchemy import select

from kuulas.accounts.views import sign_in_from_mail
from kuulas.clock import utcnow
from kuulas.errors import KuulasError
from kuulas.extensions import db
from kuulas.web import attempt, form_page, staff_required
from kuulas.i18n import reader_locale as _locale, to_local, to_utc

from . import events, forms, rules, services, statement
from .models import Member, Message, Raati

bp = Blueprint("raati", __name__)
staff = Blueprint("raati_staff", __name__, url_prefix="/hallinta/raati")


def _need_sign_in():
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))


# --- members ------------------------------------------------------------------------------

@bp.get("/raati/<int:raati_id>")
def room(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    now = utcnow()
    raati = services.get_raati(raati_id)
    member = services.membership(raati_id, current_user)
    from kuulas import access

    access.require(current_user, rules.ENTER, member, now=now)
    if not member.display_name:
        return redirect(url_for("raati.choose_name", raati_id=raati_id))
    # What the phase and role allow now, with the reasons, so the page starts with the right
    # controls disabled (the script keeps them current from the same service).
    can = services.abilities(raati_id, actor=current_user, now=now)
    return render_template("raati/room.html", raati=raati, me=member, locale=_locale(), can=can,
                           phase_labels=forms.PHASE_LABELS, role_labels=forms.ROLE_LABELS)


@bp.get("/raati/<int:raati_id>/esittely")
def public_page(raati_id: int):
    """The public face of a raati (no sign-in): see ``public``.  Members get a link into
    the room, which stays members-only."""
    from .public import is_member, view

    locale = _locale()
    data = view(raati_id, locale)
    from flask_babel import format_time

    from deliberation.outcomes.figures import percent_step

    return render_template("raati/public.html", v=data, raati=data.raati, locale=locale,
                           member=is_member(raati_id, current_user), percent=percent_step,
                           phase_labels=forms.PHASE_LABELS, format_time=format_time)


@bp.route("/raati/<int:raati_id>/nimi", methods=["GET", "POST"])
def choose_name(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    now = utcnow()
    raati = services.get_raati(raati_id)
    member = services.assert_can_read_transcript(raati_id, actor=current_user, now=now)
    if member is None:
        abort(403)
    form = forms.NameForm(display_name=member.display_name)
    if form.validate_on_submit():
        try:
            _member, saved = services.set_display_name(raati_id, form.display_name.data,
                                                       actor=current_user, now=now)
            db.session.commit()
            events.broadcast(saved)
            return redirect(url_for("raati.room", raati_id=raati_id))
        except KuulasError as exc:
            db.session.rollback()
            form.display_name.errors.append(str(exc))
    status = 400 if form.errors else 200
    return render_template("raati/name.html", raati=raati, form=form, locale=_locale()), status


@bp.get("/raati/<int:raati_id>/poytakirja")
def transcript(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    raati = services.get_raati(raati_id)
    services.assert_can_read_transcript(raati_id, actor=current_user, now=utcnow())
    messages = db.session.scalars(select(Message).where(Message.raati_id == raati_id)
                                  .order_by(Message.seq)).all()
    return render_template("raati/transcript.html", raati=raati, messages=messages, locale=_locale(),
                           role_labels=forms.ROLE_LABELS)


@bp.get("/raati/<int:raati_id>/kannanotto")
def statement_page(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    raati = services.get_raati(raati_id)
    services.assert_can_read_transcript(raati_id, actor=current_user, now=utcnow())
    _raati, checked = services.approval_status(raati_id)
    approvals = {c.section_id: c for c in checked}
    member = services.membership(raati_id, current_user)
    sections = []
    for s in services.sections(raati_id):
        history = []
        previous = ""
        for v in s.versions:
            history.append((v, statement.diff(previous, v.text)))
            previous = v.text
        sections.append((s, list(reversed(history)), services.section_tally(s)))
    names = {i: (n if a is not None else _("former member")) for i, n, a in db.session.execute(
        select(Member.id, Member.display_name, Member.account_id).where(Member.raati_id == raati_id))}
    record = {"approval": raati.lock_record, "locked_at": raati.drafting_closed_at,
              "sha256": raati.statement_sha256} if raati.drafting_closed_at else None
    return render_template("raati/statement.html", raati=raati, sections=sections, names=names,
                           approvals=approvals, record=record, rule_labels=forms.RULE_LABELS,
                           is_chair=member is not None and member.role == "chair" and member.removed_at is None,
                           locale=_locale())


@bp.route("/raati/<int:raati_id>/kannanotto/lukitse", methods=["GET", "POST"])
def lock_statement(raati_id: int):
    """The chair's confirmation step (works without JavaScript): which sections have the
    approval the rule needs, and the lock itself, with an override reason where allowed."""
    if not current_user.is_authenticated:
        return _need_sign_in()
    now = utcnow()
    member = services.membership(raati_id, current_user)
    from kuulas import access

    access.require(current_user, rules.LOCK, member, now=now)
    raati, checked = services.approval_status(raati_id)
    form = forms.LockForm()
    if raati.allow_override and not all(s.met for s in checked):
        from wtforms.validators import DataRequired, Length

        form.override.validators = [DataRequired(_("Give the reason for locking without the members' approval.")),
                                    Length(max=300)]

    def saved(result):
        events.broadcast(result)
        return url_for("raati.statement_page", raati_id=raati_id)
    return form_page(
        form, lambda: services.close_drafting(raati_id, actor=current_user, now=utcnow(),
                                              override=form.override.data or None),
        success=_("The statement is locked."), next_url=saved,
        render=lambda status: (render_template("raati/lock.html", raati=raati, checked=checked, form=form,
                                               rule_labels=forms.RULE_LABELS, locale=_locale()), status))


@bp.route("/raati/asiantuntija/<token>", methods=["GET", "POST"])
def expert_link(token: str):
    form = forms.KuulasForm()
    now = utcnow()
    try:
        if request.method == "POST" and form.validate_on_submit():
            member = services.consume_expert_invite(token, now=now)
            return sign_in_from_mail(member.account, url_for("raati.room", raati_id=member.raati_id))
        invite = services.peek_expert_invite(token, now=now)
        raati = db.session.get(Raati, db.session.get(Member, invite.member_id).raati_id)
    except KuulasError as exc:
        db.session.rollback()
        return render_template("raati/link_problem.html", message=str(exc)), \
            (410 if exc.status == 409 else exc.status)
    return render_template("raati/expert_link.html", form=form, raati=raati, locale=_locale())


# --- staff ---------------------------------------------------------------------------------

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
        form, lambda: services.save_raati(None, form.data, actor=current_user, now=utcnow()),
        success=_("Digiraati created."),
        next_url=lambda raati: url_for("raati_staff.show", raati_id=raati.id),
        render=lambda status: (render_template("raati/staff_form.html", form=form, raati=None), status))


def _show(raati: Raati, status: int = 200, **bound):
    panel_form = forms.PanelForm(prefix="panel")
    api = services.panel_api()
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
        restorable_after=utcnow() - services.UNDO_REMOVAL,
    )
    return render_template("raati/staff_show.html", **ctx), status


@staff.route("/<int:raati_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def show(raati_id: int):
    raati = services.get_raati(raati_id)
    form = forms.RaatiForm(prefix="edit", obj=raati)
    return form_page(
        form, lambda: services.save_raati(raati_id, form.data | {"panel_id": raati.panel_id},
                                          actor=current_user, now=utcnow()),
        success=_("Saved."), next_url=lambda _result: url_for("raati_staff.show", raati_id=raati_id),
        render=lambda status: _show(raati, status, edit_form=form))


def _act(raati_id: int, form_name: str, form, do):
    raati = services.get_raati(raati_id)
    if form is not None:
        # Forms that create something go through the kernel's form_page (one transaction,
        # input kept on error, and whatever protection against double submits it gives).
        def done(result):
            if isinstance(result, list):
                events.broadcast(result)
            return url_for("raati_staff.show", raati_id=raati_id)
        return form_page(form, lambda: do(utcnow()), success=_("Saved."), next_url=done,
                         render=lambda status: _show(raati, status, **{form_name: form}))
    try:
        result = do(utcnow())
        db.session.commit()
    except KuulasError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _show(raati, exc.status, **({form_name: form} if form is not None else {}))
    if isinstance(result, list):
        events.broadcast(result)
    flash(_("Saved."), "success")
    return redirect(url_for("raati_staff.show", raati_id=raati_id))


@staff.post("/<int:raati_id>/jasenet")
@staff_required(rules.MANAGE)
def add_member(raati_id: int):
    form = forms.MemberForm(prefix="member")
    return _act(raati_id, "member_form", form, lambda now: services.add_member(
        raati_id, form.email.data, form.role.data, actor=current_user, now=now) and None)


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
        return _show(services.get_raati(raati_id), 400)
    return _act(raati_id, "panel_form", None, lambda now: services.add_panel_members(
        raati_id, panel_id, actor=current_user, now=now) and None)


@staff.post("/<int:raati_id>/asiantuntija")
@staff_required(rules.MANAGE)
def add_expert(raati_id: int):
    form = forms.ExpertForm(prefix="expert")
    return _act(raati_id, "expert_form", form, lambda now: services.invite_expert(
        raati_id, form.email.data, actor=current_user, now=now, locale=_locale()) and None)


@staff.post("/<int:raati_id>/jasen/<int:member_id>/rooli")
@staff_required(rules.MANAGE)
def member_role(raati_id: int, member_id: int):
    form = forms.RoleForm(prefix=f"m{member_id}")
    if not form.validate_on_submit():
        flash(_("Choose a role."), "error")
        return _show(services.get_raati(raati_id), 400)
    return _act(raati_id, "role_form", None, lambda now: services.set_role(
        raati_id, member_id, form.role.data, actor=current_user, now=now) and None)


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
    raati = services.get_raati(raati_id)
    member = services.member_of(raati_id, member_id)
    back = url_for("raati_staff.show", raati_id=raati_id) + "#members-h"
    if not _confirmed():
        who = member.display_name or (member.account.email if member.account else _("former member"))
        minutes = int(services.UNDO_REMOVAL.total_seconds() // 60)
        return _confirm(raati, title=_("Remove %(who)s?", who=who), action=_("Remove"), back=back, lines=[
            _("%(who)s loses access to the room at once; an open room window is closed.", who=who),
            _("What they already wrote stays in the transcript."),
            ngettext("You can undo the removal on the digiraati page for %(num)d minute.",
                     "You can undo the removal on the digiraati page for %(num)d minutes.", minutes)])
    ok, result = attempt(lambda: services.staff_remove(raati_id, member_id, actor=current_user, now=utcnow()),
                         _("Member removed. You can undo this for a while with Restore in the member list."))
    if not ok:
        return _show(raati, result.status)
    events.broadcast(result[1])
    return redirect(back)


@staff.post("/<int:raati_id>/jasen/<int:member_id>/palauta")
@staff_required(rules.MANAGE)
def member_restore(raati_id: int, member_id: int):
    forms.KuulasForm().validate_on_submit()
    ok, result = attempt(lambda: services.staff_restore(raati_id, member_id, actor=current_user, now=utcnow()),
                         _("Member restored."))
    if not ok:
        return _show(services.get_raati(raati_id), result.status)
    events.broadcast(result[1])
    return redirect(url_for("raati_staff.show", raati_id=raati_id) + "#members-h")


@staff.post("/<int:raati_id>/istunnot")
@staff_required(rules.MANAGE)
def add_session(raati_id: int):
    form = forms.SessionForm(prefix="session")
    return _act(raati_id, "session_form", form, lambda now: services.add_session(
        raati_id, form.title.data, to_utc(form.starts_at.data), to_utc(form.ends_at.data),
        actor=current_user, now=now) and None)


@staff.route("/<int:raati_id>/istunnot/<int:session_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def edit_session(raati_id: int, session_id: int):
    raati = services.get_raati(raati_id)
    session_ = next((s for s in raati.sessions if s.id == session_id), None)
    if session_ is None:
        abort(404)
    form = forms.SessionForm(prefix="session", data={"title": session_.title, "starts_at": to_local(session_.starts_at),
                                                     "ends_at": to_local(session_.ends_at)})
    return form_page(
        form, lambda: services.update_session(raati_id, session_id, form.title.data, to_utc(form.starts_at.data),
                                              to_utc(form.ends_at.data), actor=current_user, now=utcnow()),
        success=_("Saved. Members who were invited get the change by e-mail."),
        next_url=lambda _result: url_for("raati_staff.show", raati_id=raati_id) + "#sessions-h",
        render=lambda status: (render_template("raati/session_form.html", raati=raati, session=session_,
                                               form=form, locale=_locale()), status))


@staff.route("/<int:raati_id>/istunnot/<int:session_id>/peru", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def cancel_session(raati_id: int, session_id: int):
    raati = services.get_raati(raati_id)
    session_ = next((s for s in raati.sessions if s.id == session_id), None)
    if session_ is None:
        abort(404)
    if not _confirmed():
        return _confirm(raati, title=_("Cancel the session “%(title)s”?", title=session_.title), action=_("Cancel the session"),
                        back=url_for("raati_staff.edit_session", raati_id=raati_id, session_id=session_id), lines=[
                            _("The session is removed from the agenda. This cannot be undone; you can add a new session."),
                            _("Members who were invited get an e-mail whose calendar file removes it from their calendars.")])
    ok, result = attempt(lambda: services.cancel_session(raati_id, session_id, actor=current_user, now=utcnow()),
                         _("The session was cancelled. Invited members get the cancellation by e-mail."))
    if not ok:
        return _show(services.get_raati(raati_id), result.status)
    return redirect(url_for("raati_staff.show", raati_id=raati_id) + "#sessions-h")


@staff.post("/<int:raati_id>/vaiheet")
@staff_required(rules.MANAGE)
def add_phase(raati_id: int):
    form = forms.PhaseForm(prefix="phase")
    return _act(raati_id, "phase_form", form, lambda now: services.edit_phase(
        raati_id, None, form.kind.data, to_utc(form.planned_start.data), form.minutes.data,
        actor=current_user, now=now))


@staff.route("/<int:raati_id>/vaiheet/<int:phase_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def edit_phase(raati_id: int, phase_id: int):
    raati = services.get_raati(raati_id)
    phase = next((p for p in raati.phases if p.id == phase_id), None)
    if phase is None:
        abort(404)
    form = forms.PhaseForm(prefix="phase", data={"kind": phase.kind, "minutes": phase.planned_minutes,
                                                 "planned_start": to_local(phase.planned_start)})

    def saved(result):
        events.broadcast(result)
        return url_for("raati_staff.show", raati_id=raati_id) + "#agenda-h"
    return form_page(
        form, lambda: services.edit_phase(raati_id, phase_id, form.kind.data, to_utc(form.planned_start.data),
                                          form.minutes.data, actor=current_user, now=utcnow()),
        success=_("Saved."), next_url=saved,
        render=lambda status: (render_template("raati/phase_form.html", raati=raati, phase=phase, form=form,
                                               locale=_locale()), status))


@staff.post("/<int:raati_id>/vaiheet/<int:phase_id>/<any(ylos, alas):step>")
@staff_required(rules.MANAGE)
def move_phase(raati_id: int, phase_id: int, step: str):
    forms.KuulasForm().validate_on_submit()
    return _act(raati_id, "x", None, lambda now: services.move_phase(
        raati_id, phase_id, -1 if step == "ylos" else 1, actor=current_user, now=now))


@staff.post("/<int:raati_id>/vaiheet/<int:phase_id>/poista")
@staff_required(rules.MANAGE)
def delete_phase(raati_id: int, phase_id: int):
    forms.KuulasForm().validate_on_submit()
    return _act(raati_id, "x", None, lambda now: services.delete_phase(
        raati_id, phase_id, actor=current_user, now=now))


@staff.post("/<int:raati_id>/tila")
@staff_required(rules.MANAGE)
def set_state(raati_id: int):
    form = forms.StateForm(prefix="state")
    return _act(raati_id, "state_form", form, lambda now: services.set_state(
        raati_id, form.state.data, actor=current_user, now=now) and None)
