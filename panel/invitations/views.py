"""Invitation answers (public, by one-time link), the staff invitation list and the
moderators' roster."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kuulas.clock import utcnow
from kuulas.errors import NotFound
from kuulas.extensions import db, limiter
from kuulas.web import attempt, staff_required

from .. import lifecycle, rules
from ..recruitment.models import Volunteer
from ..recruitment.setup import get_panel
from ..selection import services as selection
from ..web import ActionForm, bp, confirmation_page, confirmed, locale
from . import services
from .models import ACCEPTED, DECLINED


@bp.route("/paneelit/kutsu/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def invitation(token: str):
    now = utcnow()
    form = ActionForm()
    try:
        current = services.peek(token, now=now)        # reads only
    except services.LinkExpired as exc:
        return render_template("panel/link_problem.html", message=str(exc)), 410
    except NotFound as exc:
        return render_template("panel/link_problem.html", message=str(exc)), 404
    panel = get_panel(current.panel_id)
    volunteer = db.session.get(Volunteer, current.volunteer_id)
    if request.method == "POST" and form.validate_on_submit():
        choice = request.form.get("answer")
        if choice not in ("accept", "decline", "undo"):
            return render_template("panel/link_problem.html", message=str(NotFound())), 404
        if choice == "undo":
            attempt(lambda: services.undo_decline(token, now=now),
                    _("Your decline was taken back. Please answer the invitation again."))
            return redirect(url_for("panel.invitation", token=token))
        if choice == "decline" and not confirmed():
            if not lifecycle.invitation_allows(current.state, lifecycle.ANSWER):
                flash(_("You have already answered this invitation."), "error")
                return redirect(url_for("panel.invitation", token=token))
            return confirmation_page(
                title=_("Decline the invitation?"),
                consequences=[_("Your seat in “%(panel)s” will be offered to another "
                                "volunteer.", panel=panel.name(locale()))],
                undo=_("You can take the decline back on this page for %(hours)s hours, "
                       "as long as nobody has been drawn for your seat.",
                       hours=int(services.DECLINE_UNDO_WINDOW.total_seconds() // 3600)),
                button=_("I decline"),
                cancel_url=url_for("panel.invitation", token=token))
        # No flash on success: the invitation page itself states the answer (one status line).
        attempt(lambda: services.answer(token, accept=choice == "accept",
                                        display_name=request.form.get("display_name"), now=now))
        return redirect(url_for("panel.invitation", token=token))
    return render_template("panel/invitation.html", invitation=current, panel=panel,
                           volunteer=volunteer, form=form,
                           can_undo=services.can_undo_decline(current, now))


@bp.get("/hallinta/paneelit/<int:panel_id>/kutsut")
@staff_required(rules.DRAW_RUN)
def staff_invitations(panel_id: int):
    panel = get_panel(panel_id)
    rows = services.invitation_list(panel.id, actor=current_user, now=utcnow())
    counts = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    from ..selection import report

    return render_template("panel/staff_invitations.html", panel=panel, rows=rows,
                           counts=counts, gaps=selection.gaps(panel), action=ActionForm(),
                           blocked=selection.blocked_draw(panel.id),
                           describe_issue=report.describe_blocking)


@bp.get("/hallinta/paneelit/<int:panel_id>/jasenet")
@staff_required(rules.ROSTER_VIEW)
def roster(panel_id: int):
    panel = get_panel(panel_id)
    names = services.roster(panel.id, actor=current_user, now=utcnow())
    return render_template("panel/roster.html", panel=panel, names=names)
