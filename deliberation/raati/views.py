"""Members' HTML pages of the digiraati: the room, the display-name step, the transcript,
the statement with its versions and the chair's lock, the public page and the expert's
one-time link (the staff set-up pages are ``staff_views``).  Views validate and call one
service through ``kuulas.web.form_page``/``attempt``, which commit; what the room must hear
is sent after that commit (``core.append`` declared it)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kuulas import access
from kuulas.accounts.views import sign_in_from_mail
from kuulas.clock import utcnow
from kuulas.errors import KuulasError
from kuulas.extensions import db
from kuulas.i18n import reader_locale as _locale, to_local, to_utc  # noqa: F401 - staff_views too
from kuulas.web import form_page

from . import core, drafting, forms, lifecycle, room as actions, rules, setup, statement
from .models import Member, Message, Raati

bp = Blueprint("raati", __name__)


def _need_sign_in():
    return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))


# --- members ------------------------------------------------------------------------------

@bp.get("/raati/<int:raati_id>")
def room(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    now = utcnow()
    raati = core.get_raati(raati_id)
    member = core.membership(raati_id, current_user)
    access.require(current_user, rules.ENTER, member, now=now)
    if not member.display_name:
        return redirect(url_for("raati.choose_name", raati_id=raati_id))
    # What the phase and role allow now, with the reasons, so the page starts with the right
    # controls disabled (the script keeps them current from the same service), and what the
    # role may do at all (the lifecycle's table: which controls the page has).
    can = actions.abilities(raati_id, actor=current_user, now=now)
    return render_template("raati/room.html", raati=raati, me=member, locale=_locale(), can=can,
                           role_can=actions.role_actions(member), lc=lifecycle,
                           announce=actions.client_rules(),
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
    raati = core.get_raati(raati_id)
    member = core.assert_can_read_transcript(raati_id, actor=current_user, now=now)
    if member is None:
        abort(403)
    form = forms.NameForm(display_name=member.display_name)
    return form_page(
        form, lambda: actions.set_display_name(raati_id, form.display_name.data, actor=current_user, now=now),
        success=None, next_url=lambda _result: url_for("raati.room", raati_id=raati_id), once=False,
        render=lambda status: (render_template("raati/name.html", raati=raati, form=form, locale=_locale()), status))


@bp.get("/raati/<int:raati_id>/poytakirja")
def transcript(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    raati = core.get_raati(raati_id)
    core.assert_can_read_transcript(raati_id, actor=current_user, now=utcnow())
    messages = db.session.scalars(select(Message).where(Message.raati_id == raati_id)
                                  .order_by(Message.seq)).all()
    return render_template("raati/transcript.html", raati=raati, messages=messages, locale=_locale(),
                           role_labels=forms.ROLE_LABELS)


@bp.get("/raati/<int:raati_id>/kannanotto")
def statement_page(raati_id: int):
    if not current_user.is_authenticated:
        return _need_sign_in()
    raati = core.get_raati(raati_id)
    core.assert_can_read_transcript(raati_id, actor=current_user, now=utcnow())
    _raati, checked = drafting.approval_status(raati_id)
    approvals = {c.section_id: c for c in checked}
    member = core.membership(raati_id, current_user)
    sections = []
    for s in drafting.sections(raati_id):
        history = []
        previous = ""
        for v in s.versions:
            history.append((v, statement.diff(previous, v.text)))
            previous = v.text
        sections.append((s, list(reversed(history)), drafting.section_tally(s)))
    names = {i: (n if a is not None else _("former member")) for i, n, a in db.session.execute(
        select(Member.id, Member.display_name, Member.account_id).where(Member.raati_id == raati_id))}
    record = {"approval": raati.lock_record, "locked_at": raati.drafting_closed_at,
              "sha256": raati.statement_sha256} if raati.drafting_closed_at else None
    return render_template("raati/statement.html", raati=raati, sections=sections, names=names,
                           approvals=approvals, record=record, rule_labels=forms.RULE_LABELS,
                           is_chair=member is not None and member.removed_at is None
                           and lifecycle.LOCK in actions.role_actions(member),
                           locale=_locale())


@bp.route("/raati/<int:raati_id>/kannanotto/lukitse", methods=["GET", "POST"])
def lock_statement(raati_id: int):
    """The chair's confirmation step (works without JavaScript): which sections have the
    approval the rule needs, and the lock itself, with an override reason where allowed."""
    if not current_user.is_authenticated:
        return _need_sign_in()
    now = utcnow()
    member = core.membership(raati_id, current_user)
    access.require(current_user, rules.LOCK, member, now=now)
    raati, checked = drafting.approval_status(raati_id)
    form = forms.LockForm()
    if raati.allow_override and not all(s.met for s in checked):
        from wtforms.validators import DataRequired, Length

        form.override.validators = [DataRequired(_("Give the reason for locking without the members' approval.")),
                                    Length(max=300)]
    return form_page(
        form, lambda: drafting.close_drafting(raati_id, actor=current_user, now=utcnow(),
                                              override=form.override.data or None),
        success=_("The statement is locked."),
        next_url=lambda _result: url_for("raati.statement_page", raati_id=raati_id),
        render=lambda status: (render_template("raati/lock.html", raati=raati, checked=checked, form=form,
                                               rule_labels=forms.RULE_LABELS, locale=_locale()), status))


@bp.route("/raati/asiantuntija/<token>", methods=["GET", "POST"])
def expert_link(token: str):
    form = forms.KuulasForm()
    now = utcnow()
    try:
        if request.method == "POST" and form.validate_on_submit():
            member = setup.consume_expert_invite(token, now=now)
            return sign_in_from_mail(member.account, url_for("raati.room", raati_id=member.raati_id))
        invite = setup.peek_expert_invite(token, now=now)
        raati = db.session.get(Raati, db.session.get(Member, invite.member_id).raati_id)
    except KuulasError as exc:
        db.session.rollback()
        return render_template("raati/link_problem.html", message=str(exc)), \
            (410 if exc.status == 409 else exc.status)
    return render_template("raati/expert_link.html", form=form, raati=raati, locale=_locale())
