"""Public pages of service feedback: the unit's feedback page (the QR code's target), its
public page, the printable poster, and the kiosk mode for a tablet.

Nothing here stores or logs the writer: no account, no address, no user agent.  Rate-limit
keys are keyed hashes; the log filter strips addresses from lines about these pages.
"""
from __future__ import annotations

import hashlib
import hmac

import segno
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from markupsafe import Markup

from kuulas import logfilter
from kuulas.clock import utcnow
from kuulas.errors import Conflict, KuulasError
from kuulas.extensions import csrf, limiter
from kuulas.web import attempt
from kuulas.i18n import reader_locale as _locale

from . import reading, services
from .forms import AREA_LABELS, FACES, KIND_LABELS, RATING_LABELS, GiveForm, UnlockForm

bp = Blueprint("feedback", __name__, url_prefix="/palaute")
PREFIX = "/palaute"
KIOSK_COOKIE = "kuulas_kiosk"


def _keyed(value: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"feedback:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def address_key() -> str:
    return "feedback-a:" + _keyed(request.remote_addr or "-")


def unit_key() -> str:
    return "feedback-u:" + _keyed((request.view_args or {}).get("slug", "-"))


def kiosk_key() -> str:
    return "feedback-k:" + _keyed(request.cookies.get(KIOSK_COOKIE) or "-")


def _masked_message(found) -> str | None:
    if not found:
        return None
    names = {"identity_code": _("a personal identity code"), "phone": _("a phone number"),
             "email": _("an e-mail address")}
    return _("Your text looked like it contained %(what)s. We replaced it with [***] before saving, "
             "so that your feedback cannot be linked to you.",
             what=", ".join(names[k] for k in sorted(found)))


def _give(unit, form, channel):
    """Validate, save and commit one feedback; returns the ``Given`` or None (errors on the form)."""
    if (form.website.data or "").strip():
        return "honeypot"
    ok, given = attempt(lambda: services.give(
        unit, rating=form.rating.data, text=form.text.data or "", kind=form.kind.data or None,
        contact=form.contact.data if form.wants_answer.data else None, locale=_locale(),
        channel=channel, now=utcnow()), flash_error=False)
    if not ok:
        exc = given
        target = {"rating": form.rating, "empty": form.rating, "text": form.text, "kind": form.kind,
                  "email": form.contact}.get(exc.code, form.rating)
        target.errors = [*target.errors, str(exc)] if isinstance(target.errors, list) else [str(exc)]
        if exc.status == 410:
            raise exc
        return None
    return given


def _page_context(unit, form):
    return {"unit": unit, "form": form, "faces": FACES, "rating_labels": RATING_LABELS,
            "kind_labels": KIND_LABELS, "locale": _locale()}


@bp.get("")
def index():
    return render_template("feedback/index.html", units=services.units(active_only=True), locale=_locale(),
                           area_labels=AREA_LABELS)


@bp.route("/<slug>", methods=["GET", "POST"])
@limiter.limit("30 per hour", key_func=address_key, methods=["POST"])
@limiter.limit("300 per minute", key_func=unit_key, methods=["POST"])
def give(slug: str):
    unit = services.unit_by_slug(slug)
    form = GiveForm()
    if form.validate_on_submit():
        result = _give(unit, form, "web")
        if result is not None:
            if result != "honeypot":
                message = _masked_message(result.masked)
                if message:
                    flash(message, "info")
                if result.feedback.wants_answer:
                    flash(_("We will answer to the address you gave and then delete it."), "info")
            return redirect(url_for(".thanks", slug=unit.slug), code=303)
    return render_template("feedback/give.html", **_page_context(unit, form)), 400 if form.errors else 200


@bp.get("/<slug>/kiitos")
def thanks(slug: str):
    unit = services.unit_by_slug(slug)
    return render_template("feedback/thanks.html", unit=unit, locale=_locale())


@bp.get("/<slug>/yksikko")
def unit_page(slug: str):
    unit = services.unit_by_slug(slug)
    data = reading.public_unit(unit, now=utcnow(), locale=_locale())
    return render_template("feedback/unit.html", locale=_locale(), kind_labels=KIND_LABELS,
                           area_labels=AREA_LABELS, **data)


def qr_svg(unit) -> Markup:
    url = current_app.config["SITE_URL"] + url_for("feedback.give", slug=unit.slug)
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, title=unit.text("name", _locale()))
    return Markup(svg)


@bp.get("/<slug>/juliste")
def poster(slug: str):
    unit = services.unit_by_slug(slug)
    url = current_app.config["SITE_URL"] + url_for("feedback.give", slug=unit.slug)
    return render_template("feedback/poster.html", unit=unit, qr=qr_svg(unit), url=url, locale=_locale())


# --- kiosk ---------------------------------------------------------------------------------
# The kiosk pages use their own layout without links out, set no session cookie (no CSRF
# token, no flashes): the only cookie is the device's own, so nothing of one person is kept
# for the next.  Each start screen carries a one-time nonce that admits one answer.

def _device():
    kiosk = services.kiosk_for_device(request.cookies.get(KIOSK_COOKIE))
    if kiosk is None:
        abort(404)
    return kiosk


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/kioski/aloita/<code>", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=address_key)
def kiosk_setup(code: str):
    if request.method == "GET":
        return render_template("feedback/kiosk_setup.html", code=code)
    ok, result = attempt(lambda: services.activate_kiosk(code, now=utcnow()), flash_error=False)
    if not ok:
        raise result
    kiosk, token = result
    session.clear()   # the device keeps only its kiosk cookie, no session of whoever set it up
    response = redirect(url_for(".kiosk"), code=303)
    response.set_cookie(KIOSK_COOKIE, token, max_age=5 * 365 * 24 * 3600, path=PREFIX + "/kioski",
                        httponly=True, samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _kiosk_page(kiosk, form=None, status=200, done=False, masked=None):
    nonce = None
    if not done:                      # the thanks screen takes no answer, so it gets no nonce
        ok, nonce = attempt(lambda: services.issue_nonce(kiosk, utcnow()), flash_error=False)
        if not ok:
            raise nonce
    form = form or GiveForm(formdata=None, meta={"csrf": False})
    page = render_template("feedback/kiosk.html", kiosk=kiosk, unit=kiosk.unit, nonce=nonce, done=done,
                           masked=masked, unlock=UnlockForm(formdata=None, meta={"csrf": False}),
                           **{k: v for k, v in _page_context(kiosk.unit, form).items() if k != "unit"})
    return _no_store(make_response(page, status))


@bp.get("/kioski")
def kiosk():
    return _kiosk_page(_device())


@bp.post("/kioski")
@csrf.exempt
@limiter.limit("6 per minute", key_func=kiosk_key)
def kiosk_post():
    kiosk = _device()

    def spend_nonce():
        if not services.consume_nonce(kiosk, request.form.get("nonce")):
            raise Conflict()

    ok, _spent = attempt(spend_nonce, flash_error=False)
    if not ok:
        # Sent twice, or an old screen: start again without saving anything.
        return _kiosk_page(kiosk, status=409)
    form = GiveForm(meta={"csrf": False})
    if not form.validate():
        return _kiosk_page(kiosk, form=form, status=400)
    result = _give(kiosk.unit, form, "kiosk")
    if result is None:
        return _kiosk_page(kiosk, form=form, status=400)
    masked = _masked_message(result.masked) if result != "honeypot" else None
    return _kiosk_page(kiosk, done=True, masked=masked)


@bp.post("/kioski/avaa")
@csrf.exempt
@limiter.limit("5 per 10 minutes", key_func=kiosk_key)
def kiosk_unlock():
    kiosk = _device()
    form = UnlockForm(meta={"csrf": False})
    try:
        services.unlock_kiosk(kiosk, form.pin.data or "")
    except KuulasError:
        return _no_store(make_response(render_template(
            "feedback/kiosk_locked.html", unit=kiosk.unit, error=_("Wrong unlock code."),
            unlock=form), 403))
    response = redirect(url_for("feedback_staff.units_page"), code=303)
    response.delete_cookie(KIOSK_COOKIE, path=PREFIX + "/kioski")
    return response


# --- logs ----------------------------------------------------------------------------------

def install_log_filter(app) -> None:
    """The feedback pages are anonymous: no address in their log lines."""
    logfilter.protect(PREFIX, markers=("feedback-a:",))
    logfilter.install(app)
