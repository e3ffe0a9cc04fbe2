"""Public pages of following: ask to follow, confirm, manage, unsubscribe in one click."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kuulas import tokens
from kuulas.clock import utcnow
from kuulas.errors import NotFound
from kuulas.i18n import safe_next
from kuulas.extensions import csrf, limiter
from kuulas.web import attempt, confirmed
from kuulas.i18n import reader_locale as _locale

from . import services, targets
from .forms import FollowForm
from .models import KINDS

bp = Blueprint("follow", __name__, url_prefix="/seuraa")
PREFIX = "/seuraa"


def _rate_key() -> str:
    # A keyed digest, never the network address itself.
    return "follow-a:" + tokens.keyed(current_app.config["SECRET_KEY"], "follow-rate",
                                      request.remote_addr or "")[:22]


@bp.after_request
def _private(response):
    """Pages reached by a personal link (they show the address or act on it) are never stored."""
    if request.endpoint in ("follow.confirm", "follow.manage", "follow.unfollow", "follow.unsubscribe"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _target(kind: str, target_id: int):
    if kind not in KINDS:
        raise NotFound()
    target = targets.resolve(kind, target_id, _locale(), now=utcnow())
    if target is None:
        raise NotFound(_("This cannot be followed: it is not public."))
    return target


@bp.route("/<kind>/<int:target_id>", methods=["GET", "POST"])
@limiter.limit("10 per hour", key_func=_rate_key, methods=["POST"])
def subscribe(kind: str, target_id: int):
    target = _target(kind, target_id)
    form = FollowForm(prefix="follow")
    status = 200
    if form.is_submitted():
        if form.validate():
            ok, _result = attempt(lambda: services.subscribe(kind, target_id, form.email.data, _locale(),
                                                             now=utcnow()))
            if ok:
                flash(_("Almost done: we sent a confirmation link to the address you gave. "
                        "Open it within %(days)s days to start following.", days=services.CONFIRM_DAYS),
                      "success")
                # Back to the page that holds the form, or to this one.
                back = safe_next(request.form.get("back"), url_for("follow.subscribe", kind=kind,
                                                                    target_id=target_id))
                return redirect(back + "#seuraa")
            status = _result.status
        else:
            status = 400
    return render_template("follow/subscribe.html", target=target, form=form,
                           back=safe_next(request.form.get("back"), "")), status


@bp.route("/vahvista/<token>", methods=["GET", "POST"])
def confirm(token: str):
    now = utcnow()

    def done(follow):
        target = targets.resolve(follow.kind, follow.target_id, follow.address.locale, now=now)
        return render_template("follow/confirmed.html", target=target,
                               manage_url=url_for("follow.manage", token=services.manage_token(follow.address)))

    return tokens.confirm_link(
        token, peek=lambda t: services.peek_confirmation(t, now=now),
        use=lambda t: services.confirm(t, now=now), done=done,
        page=lambda peeked: render_template("follow/confirm.html", target=peeked[1], token=token))


@bp.get("/omat/<token>")
def manage(token: str):
    now = utcnow()
    address = services.address_for(token)
    return render_template("follow/manage.html", token=token, address=address,
                           follows=services.follows_of(address, now=now))


@bp.post("/omat/<token>/lopeta")
def unfollow(token: str):
    follow_id = request.form.get("follow", "")[:32]
    ok, gone = attempt(lambda: services.unfollow(token, follow_id, now=utcnow()))
    if ok and gone:
        return render_template("follow/unsubscribed.html")
    if ok:
        flash(_("You no longer follow it."), "success")
    return redirect(url_for("follow.manage", token=token), code=303)


@bp.route("/peru/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET shows one button; POST stops everything.  Mail programs POST here with
    ``List-Unsubscribe=One-Click`` (RFC 8058), without cookies or a form token: the link's
    own token is the authority, so this view is exempt from CSRF."""
    services.address_for(token)   # 404 for a wrong or spent link, before anything else
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and (one_click or confirmed()):
        ok, _count = attempt(lambda: services.unsubscribe(token, now=utcnow()))
        if ok:
            if one_click:
                return "", 200
            return render_template("follow/unsubscribed.html")
    return render_template("follow/unsubscribe.html", token=token)


def init_views(app) -> None:
    # Asking to follow changes no session state, and the pages holding the form are cached;
    # unsubscribing is authorised by the link's own token (mail programs POST without one).
    csrf.exempt(subscribe)
    csrf.exempt(unsubscribe)
    app.config.setdefault("KUULAS_CSRF_EXEMPT_ENDPOINTS", set()).update(
        {"follow.subscribe", "follow.unsubscribe"})
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


@bp.get("/vaikutukset/<int:outcome_id>")
def impacts(outcome_id: int):
    """The impacts recorded on an outcome, one per idea or point.  For an idea round, the
    participant's own browser marks the ideas it voted on (``static/js/follow.js`` reads
    what the round page left in its local storage); the server never learns which."""
    from . import digest

    target = _target("outcome", outcome_id)
    source = targets.outcome_source(outcome_id)
    return render_template("follow/impacts.html", target=target, round_id=source[1] if source and source[0] == "ideas" else None,
                           impacts=digest.impacts_of(outcome_id))
