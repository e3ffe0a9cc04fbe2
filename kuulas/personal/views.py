"""Residents' own data (download, delete account) and the administrators' request tool and
data register.  Each view calls one service and commits through ``kuulas.web.attempt``."""
from __future__ import annotations

import json

from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..clock import utcnow
from ..extensions import limiter
from ..web import attempt, confirmed, staff_required
from . import registry, services
from .forms import ConfirmForm, FindForm, RequestForm
from .retention_text import describe

bp = Blueprint("personal", __name__)


def _secret():
    return current_app.secret_key


def _sign_in():
    return redirect(url_for("accounts.sign_in", next=request.path))


def resident_section(account) -> list[dict]:
    return [{"title": _("Your data"),
             "text": _("See everything this service holds about you, download it, or delete your account."),
             "links": [(_("My data (readable page)"), url_for("personal.own_html")),
                       (_("Download my data (PDF file)"), url_for("personal.own_pdf")),
                       (_("Download my data (JSON file)"), url_for("personal.own_json")),
                       (_("Delete my account"), url_for("personal.own_delete"))]}]


def _json_download(document: dict, name: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def _html(document: dict, *, staff: bool = False):
    response = Response(render_template("personal/export.html", document=document, staff=staff,
                                        describe=describe))
    response.headers["Cache-Control"] = "no-store"
    return response


def _pdf(document: dict, name: str, *, staff: bool = False) -> Response:
    from weasyprint import HTML

    title = _("Data held about %(email)s", email=document["email"]) if staff else _("My data")
    html = render_template("personal/export_pdf.html", document=document, title=title, describe=describe)
    data = HTML(string=html, base_url=current_app.config.get("SITE_URL")).write_pdf(pdf_variant="pdf/ua-1")
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


# --- the resident's own page --------------------------------------------------------------

@bp.get("/oma/tietoni")
def own_html():
    if not current_user.is_authenticated:
        return _sign_in()
    ok, document = attempt(lambda: services.own_export(actor=current_user, now=utcnow(), secret=_secret()))
    if not ok:
        return redirect(url_for("accounts.resident_home"))
    return _html(document)


@bp.get("/oma/tietoni.json")
def own_json():
    if not current_user.is_authenticated:
        return _sign_in()
    ok, document = attempt(lambda: services.own_export(actor=current_user, now=utcnow(), secret=_secret()))
    if not ok:
        return redirect(url_for("accounts.resident_home"))
    return _json_download(document, "kuulas-my-data.json")


@bp.get("/oma/tietoni.pdf")
def own_pdf():
    if not current_user.is_authenticated:
        return _sign_in()
    ok, document = attempt(lambda: services.own_export(actor=current_user, now=utcnow(), secret=_secret()))
    if not ok:
        return redirect(url_for("accounts.resident_home"))
    return _pdf(document, "kuulas-my-data.pdf")


@bp.route("/oma/poista", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def own_delete():
    if not current_user.is_authenticated:
        return _sign_in()
    if confirmed() and ConfirmForm().validate_on_submit():
        ok, _changed = attempt(lambda: services.own_erase(actor=current_user, now=utcnow(), secret=_secret()))
        if ok:
            logout_user()
            session.clear()
            flash(_("Your account and your personal data have been deleted."), "success")
            return redirect(url_for("pages.front"))
    reasons = services.blockers(services.subject_of(current_user), utcnow())
    return render_template("personal/own_delete.html", reasons=reasons), 409 if reasons else 200


# --- staff: requests ------------------------------------------------------------------------

def _requests_page(*, find=None, subject=None, found=None, form=None, status=200):
    find = find or FindForm()
    form = form or RequestForm(email=subject.email if subject else "")
    blocked = services.blockers(subject, utcnow()) if subject else []
    return render_template("personal/requests.html", find=find, subject=subject, found=found or [],
                           form=form, blocked=blocked, describe=describe), status


@bp.route("/hallinta/tietosuoja/pyynnot", methods=["GET", "POST"])
@staff_required(services.HANDLE)
def requests():
    find = FindForm()
    if not find.validate_on_submit():
        return _requests_page(find=find, status=400 if find.is_submitted() else 200)
    try:
        subject, found = services.staff_find(find.email.data, actor=current_user, now=utcnow())
    except services.KuulasError as exc:
        find.email.errors.append(str(exc))
        return _requests_page(find=find, status=exc.status)
    return _requests_page(find=find, subject=subject, found=found)


def _refind(form):
    try:
        return services.staff_find(form.email.data, actor=current_user, now=utcnow())
    except services.KuulasError:
        return None, []


@bp.post("/hallinta/tietosuoja/pyynnot/vienti")
@staff_required(services.HANDLE)
def staff_export():
    form = RequestForm()
    if not form.validate_on_submit():
        subject, found = _refind(form)
        return _requests_page(subject=subject, found=found, form=form, status=400)
    ok, document = attempt(lambda: services.staff_export(
        form.email.data, form.basis.data, actor=current_user, now=utcnow(), secret=_secret(),
        locale=str(get_locale())))
    if not ok:
        subject, found = _refind(form)
        return _requests_page(subject=subject, found=found, form=form, status=document.status)
    if form.format.data == "json":
        return _json_download(document, "kuulas-data-request.json")
    if form.format.data == "pdf":
        return _pdf(document, "kuulas-data-request.pdf", staff=True)
    return _html(document, staff=True)


@bp.post("/hallinta/tietosuoja/pyynnot/poisto")
@staff_required(services.HANDLE)
def staff_erase():
    form = RequestForm()
    subject, found = _refind(form)
    if not form.validate_on_submit():
        return _requests_page(subject=subject, found=found, form=form, status=400)
    if not confirmed():
        return render_template("personal/erase_confirm.html", subject=subject, found=found,
                               hidden={"email": form.email.data, "basis": form.basis.data})
    ok, result = attempt(lambda: services.staff_erase(
        form.email.data, form.basis.data, actor=current_user, now=utcnow(), secret=_secret(),
        locale=str(get_locale())),
        _("The person's data was erased and they were told by mail."))
    if ok:
        return redirect(url_for("personal.requests"))
    return _requests_page(subject=subject, found=found, form=form, status=result.status)


@bp.get("/hallinta/tietosuoja/seloste")
@staff_required(services.REGISTER)
def register():
    return render_template("personal/register.html", areas=registry.by_area(), describe=describe)


def notice_entries():
    """For the public privacy notice: what is held, why, on what basis and how long."""
    return registry.entries()
