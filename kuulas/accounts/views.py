from __future__ import annotations

import segno
from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import tokens
from ..clock import utcnow
from ..extensions import db, limiter, login_manager
from ..i18n import safe_next
from ..mail import services as mail
from ..audit_web import record_request
from ..web import attempt, confirmed, form_page, staff_required
from . import services
from .forms import (ConfirmForm, EmailLinkForm, SetPasswordForm, StaffEditForm, StaffForm,
                    StaffSignInForm, TotpForm)
from .models import Account

bp = Blueprint("accounts", __name__)


def _email_key() -> str:
    return "link:" + services.normalise_email(request.form.get("email", ""))


# How the session was established; a staff account is only ever loaded from a session
# that its password (and second factor, when on) opened.
AUTH_KEY = "_kuulas_auth"
AUTH_PASSWORD = "password"
AUTH_MAIL_LINK = "mail_link"


def session_ids(user_id) -> tuple[int, int] | None:
    """``(account id, session version)`` from Flask-Login's ``_user_id`` ("id:version")."""
    ident, _sep, version = user_id.partition(":") if isinstance(user_id, str) else ("", "", "")
    if not ident.isdigit() or not version.isdigit():
        return None
    return int(ident), int(version)


def _load(user_id: str):
    ids = session_ids(user_id)
    if ids is None:
        return None
    # A caller that already read the account in its own query (the digiraati socket's
    # connect) left it in the identity map: then this is not a query.
    account = db.session.get(Account, ids[0])
    if account is None or account.session_version != ids[1] or not account.active:
        return None
    return account


@login_manager.user_loader
def _load_session_user(user_id: str):
    account = _load(user_id)
    if account is not None and account.is_staff and session.get(AUTH_KEY) != AUTH_PASSWORD:
        # Defence in depth for sign_in_from_mail: whatever opened this session (a mailed
        # link, an area's own login_user call), it was not the staff sign-in.
        return None
    return account


def _finish_sign_in(account: Account, next_path: str | None, *, method: str = AUTH_PASSWORD):
    session.clear()  # no session fixation: a fresh session for the signed-in user
    login_user(account)
    session[AUTH_KEY] = method
    session.permanent = True

    def signed_in():
        services.mark_signed_in(account, utcnow())
        record_request("auth.sign_in", actor=account, detail={"method": method})

    attempt(signed_in)
    default = url_for("accounts.staff_home") if account.is_staff else url_for("accounts.resident_home")
    return redirect(safe_next(next_path, default))


def sign_in_from_mail(account: Account, next_path: str | None, *, done_message=None):
    """The one way a link sent by mail signs someone in (resident sign-in link, panel
    confirmation, digiraati expert link; every area calls this instead of ``login_user``).

    A mailed link proves only that someone can read the mailbox: it must never open a
    staff session, which needs the password and the second factor.  For an account with
    any staff role the link's own purpose (already done by the caller's service, e.g. the
    panel membership confirmed) is committed, nobody is signed in, and the person is sent
    to the staff sign-in, which then continues to ``next_path``.
    """
    if account.is_staff:
        attempt(lambda: account)   # the link's purpose stays done; the link itself is used up
        logout_user()
        session.clear()
        if done_message:
            flash(done_message, "success")
        flash(_("This link does not sign in a staff account. Sign in with your password "
                "(and two-step verification) to continue."), "info")
        target = safe_next(next_path, "")
        return redirect(url_for("accounts.staff_sign_in", next=target) if target
                        else url_for("accounts.staff_sign_in"))
    response = _finish_sign_in(account, next_path, method=AUTH_MAIL_LINK)
    if done_message:
        flash(done_message, "success")   # after _finish_sign_in, which clears the session
    return response


@bp.route("/kirjaudu", methods=["GET", "POST"])
@limiter.limit("10 per minute;40 per hour", methods=["POST"])
@limiter.limit("3 per 10 minutes", key_func=_email_key, methods=["POST"])
def sign_in():
    form = EmailLinkForm()
    if form.validate_on_submit():
        now = utcnow()
        account = services.find_by_email(form.email.data)
        # Same answer whether or not the address is known: no account enumeration.
        if account is not None and account.active and not account.is_staff:
            def send_link():
                token = services.issue_token(account, services.PURPOSE_LOGIN, now=now,
                                             next_path=safe_next(request.args.get("next"), "") or None)
                mail.queue_template(account.email, "login_link",
                                    locale=account.locale or str(get_locale()), category="login",
                                    now=now, link=current_app.config["SITE_URL"]
                                    + url_for("accounts.link", token=token))

            attempt(send_link)
        return render_template("accounts/link_sent.html", email=form.email.data)
    status = 400 if form.errors else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/kirjaudu/linkki/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def link(token: str):
    form = ConfirmForm()
    now = utcnow()

    def problem(exc):
        _link_failed(exc)
        return _link_problem(exc)

    # A GET never signs in: mail scanners that open links must not use them up.
    return tokens.confirm_link(
        token, form=form,
        peek=lambda t: services.peek_token(t, services.PURPOSE_LOGIN, now=now),
        use=lambda t: services.consume_token(t, services.PURPOSE_LOGIN, now=now),
        page=lambda _row: render_template("accounts/link_confirm.html", form=form),
        done=lambda used: sign_in_from_mail(used[0], used[1].next_path),
        problem=problem)


def _link_problem(exc):
    """The page of a sign-in or password link that does not work: 410 when it was used or
    expired, 404 when it never was a link."""
    if not isinstance(exc, (services.TokenExpired, services.TokenUsed, services.TokenInvalid)):
        raise exc
    status = 404 if isinstance(exc, services.TokenInvalid) else 410
    return render_template("accounts/link_problem.html", message=str(exc)), status


@bp.route("/kirjaudu/henkilosto", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
def staff_sign_in():
    form = StaffSignInForm()
    status = 200
    if form.validate_on_submit():
        # Saved either way: a rehashed password, or the failed attempt in the audit log.
        ok, account = attempt(lambda: services.authenticate_staff(form.email.data, form.password.data,
                                                                  now=utcnow()))
        if not ok:
            status = 401
            known = services.find_by_email(form.email.data)
            attempt(lambda: record_request(
                "auth.sign_in_failed", target_type="account" if known else None,
                target_id=known.id if known else None, detail={"method": AUTH_PASSWORD}))
        else:
            if account.totp_enabled:
                session.clear()
                session["pending_2fa"] = account.get_id()
                session["pending_next"] = safe_next(request.args.get("next"), "")
                return redirect(url_for("accounts.second_factor"))
            return _finish_sign_in(account, safe_next(request.args.get("next"), ""))
    elif form.errors:
        status = 400
    return render_template("accounts/staff_sign_in.html", form=form), status


@bp.route("/kirjaudu/tunnistus", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def second_factor():
    account = _load(session.get("pending_2fa", ""))
    if account is None:
        flash(_("Please sign in first."), "error")
        return redirect(url_for("accounts.staff_sign_in"))
    form = TotpForm()
    status = 200
    if form.validate_on_submit():
        ok, _result = attempt(lambda: services.verify_totp(account, form.code.data, now=utcnow()))
        if ok:
            return _finish_sign_in(account, session.get("pending_next"))
        status = 401
        attempt(lambda: record_request("auth.sign_in_failed", target_type="account",
                                       target_id=account.id, detail={"method": "second_factor"}))
    return render_template("accounts/second_factor.html", form=form), status


@bp.post("/kirjaudu/ulos")
def sign_out():
    if current_user.is_authenticated:
        attempt(lambda: record_request("auth.sign_out", actor=current_user))
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("pages.front"))


def _link_failed(exc) -> None:
    """A sign-in link that did not work (only when someone pressed the button: mail
    scanners opening links are not sign-in attempts)."""
    if request.method == "POST":
        attempt(lambda: record_request("auth.sign_in_failed",
                                       detail={"method": AUTH_MAIL_LINK, "reason": exc.code}))


@bp.get("/oma")
def resident_home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.sign_in", next=request.path))
    from .. import residents

    return render_template("accounts/resident_home.html", sections=residents.sections(current_user))


@bp.route("/tili/salasana/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute")
def set_password(token: str):
    form = SetPasswordForm()
    now = utcnow()

    def use(t):
        account, _row = services.consume_token(t, services.PURPOSE_SET_PASSWORD, now=now)
        services.set_password(account, form.password.data)
        account.session_version += 1
        record_request("auth.password.set", actor=account, target_type="account", target_id=account.id)

    def page(_row=None):
        return render_template("accounts/set_password.html", form=form), 400 if form.errors else 200

    def done(_result):
        flash(_("Your password has been set. You can now sign in."), "success")
        return redirect(url_for("accounts.staff_sign_in"))

    def problem(exc):
        if isinstance(exc, (services.TokenExpired, services.TokenUsed, services.TokenInvalid)):
            return _link_problem(exc)
        flash(str(exc), "error")   # the password itself was refused (too short, ...)
        return page()

    return tokens.confirm_link(
        token, form=form, use=use, page=page, done=done, problem=problem,
        peek=lambda t: services.peek_token(t, services.PURPOSE_SET_PASSWORD, now=now))


@bp.route("/tili/kaksivaiheinen", methods=["GET", "POST"])
@staff_required("staff:area:enter")
def totp_setup():
    form = TotpForm()
    if current_user.totp_enabled:
        return render_template("accounts/totp_enabled.html", form=ConfirmForm())
    secret = session.get("totp_setup_secret") or services.new_totp_secret()
    session["totp_setup_secret"] = secret
    if form.validate_on_submit():
        ok, _result = attempt(lambda: services.enable_totp(current_user, secret, form.code.data,
                                                           now=utcnow()),
                              _("Two-step verification is now on."))
        if ok:
            session.pop("totp_setup_secret", None)
            return redirect(url_for("accounts.staff_home"))
    uri = services.totp_uri(current_user, secret, current_app.config["SITE_NAME"])
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return render_template("accounts/totp_setup.html", form=form, secret=secret, qr=qr)


@bp.post("/tili/kaksivaiheinen/poista")
@staff_required("staff:area:enter")
def totp_disable():
    if ConfirmForm().validate_on_submit():
        attempt(lambda: services.disable_totp(current_user), _("Two-step verification is now off."))
    return redirect(url_for("accounts.staff_home"))


@bp.get("/hallinta")
@staff_required("staff:area:enter")
def staff_home():
    from .. import staff_menu

    return render_template("accounts/staff_home.html", entries=staff_menu.entries(current_user))


@bp.get("/hallinta/henkilosto")
@staff_required("staff:accounts:manage")
def staff_list():
    from sqlalchemy import select

    from .models import AccountRole

    accounts = db.session.scalars(
        select(Account).where(Account.id.in_(select(AccountRole.account_id))).order_by(Account.email)).all()
    return render_template("accounts/staff_list.html", accounts=accounts)


@bp.route("/hallinta/henkilosto/uusi", methods=["GET", "POST"])
@staff_required("staff:accounts:manage")
@limiter.limit("30 per hour", methods=["POST"])
def staff_new():
    form = StaffForm()

    def create():
        now = utcnow()
        account = services.create_staff(form.email.data, form.roles.data,
                                        display_name=form.display_name.data or "",
                                        actor=current_user, now=now)
        token = services.issue_token(account, services.PURPOSE_SET_PASSWORD, now=now)
        record_request("accounts.staff.create", actor=current_user, target_type="account",
                       target_id=account.id, detail={"roles": sorted(form.roles.data)})
        mail.queue_template(account.email, "staff_welcome", locale=str(get_locale()),
                            category="staff", now=now,
                            link=current_app.config["SITE_URL"] + url_for("accounts.set_password", token=token))
        return account

    return form_page(
        form, create,
        success=_("The account was created and a link to set a password was sent."),
        next_url=lambda _account: url_for("accounts.staff_list"),
        render=lambda status: (render_template("accounts/staff_form.html", form=form), status))


@bp.route("/hallinta/henkilosto/<int:account_id>", methods=["GET", "POST"])
@staff_required("staff:accounts:manage")
def staff_edit(account_id: int):
    account = db.session.get(Account, account_id)
    if account is None or not account.is_staff:
        return render_template("errors/error.html", status=404, title=_("Page not found"),
                               explanation=""), 404
    form = StaffEditForm(roles=[r.value for r in account.role_set], active=account.active)
    if form.validate_on_submit():
        roles, active = sorted(form.roles.data), bool(form.active.data)
        old_roles = sorted(r.value for r in account.role_set)
        if (roles != old_roles or active != account.active) and not confirmed():
            # Both end the person's sessions at once (and deactivation locks them out):
            # a confirmation step first, which works without JavaScript.
            return render_template("accounts/staff_edit_confirm.html", account=account,
                                   roles=roles, old_roles=old_roles, active=active,
                                   hidden={"roles": roles, **({"active": "y"} if active else {})})
        def update():
            services.update_staff(account_id, roles=roles, active=active,
                                  actor=current_user, now=utcnow())
            record_request("accounts.staff.update", actor=current_user, target_type="account",
                           target_id=account_id,
                           detail={"roles": roles, "old_roles": old_roles, "active": active})

        ok, _result = attempt(update, _("The account was updated."))
        if ok:
            return redirect(url_for("accounts.staff_list"))
    status = 400 if form.errors else 200
    return render_template("accounts/staff_edit.html", form=form, account=account), status


def init_app(app) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
