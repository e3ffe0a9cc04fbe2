"""Pages of participation measurement: the public participation page, the experience
questionnaire, the staff dashboard with targets and process inputs, and the annual report."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale

from kuulas.i18n import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from kuulas.clock import utcnow
from kuulas.errors import KuulasError
from kuulas.extensions import limiter
from kuulas.web import attempt, form_page, staff_required

from . import charts, labels, report, services
from . import indicators as ind
from .forms import CHANNEL_LABELS, ExperienceForm, InputForm, TargetForm

bp = Blueprint("participation", __name__)
staff = Blueprint("participation_staff", __name__, url_prefix="/hallinta/osallisuus")
BROWSER_COOKIE = "kuulas_kokemus"


def fmt(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "share":
        return format_percent(value, "#,##0 %")
    if unit in ("score", "days", "hours"):
        return format_decimal(value, "#,##0.#")
    if unit == "eur":
        return format_decimal(value, "#,##0.00") + " €"
    return format_decimal(value, "#,##0")


def chart(row) -> Markup:
    unit = row["unit"]
    return Markup(charts.bars_svg(str(labels.INDICATORS[row["key"]]), row["history"], row["target"],
                                  fmt=lambda v: fmt(v, unit)))


def _context(data):
    return dict(labels=labels, fmt=fmt, chart=chart, levels=ind.LEVELS, **data)


def _year() -> int:
    value = request.args.get("vuosi", "")
    return int(value) if value.isdigit() and int(value) in services.YEARS else utcnow().year


YEAR_COOKIE = "kuulas_osallistunut"
# Anonymous participation that adds a browser to the year's set of participants.
COUNTED_ENDPOINTS = {"ideas.vote", "ideas.post_idea", "ideas.post_comment", "feedback.give"}


def count_browser(response):
    """After a successful anonymous contribution, add this browser once to the year's set of
    participants: a fresh random key, hashed, with no process, time or contribution beside it.
    The cookie only remembers the year, so the browser is counted once a year and the key
    itself is never kept anywhere."""
    if (request.method != "POST" or request.endpoint not in COUNTED_ENDPOINTS
            or response.status_code >= 400):
        return response
    year = utcnow().year
    if request.cookies.get(YEAR_COOKIE) == str(year):
        return response
    attempt(lambda: services.mark_participant(year, f"browser:{secrets.token_urlsafe(18)}"),
            flash_error=False)
    response.set_cookie(YEAR_COOKIE, str(year), max_age=366 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def experience_link(kind: str, process_id: int) -> Markup:
    """A link to the experience questionnaire that any area's page can show after a process."""
    return Markup('<p class="experience-link"><a href="{}">{}</a></p>').format(
        url_for("participation.experience", kind=kind, process_id=process_id),
        _("Tell us how it was to take part (4 questions, anonymous)"))


@bp.get("/osallisuus")
def public_page():
    data = services.dashboard(_year(), public=True, now=utcnow())
    return render_template("participation/public.html", **_context(data))


@bp.route("/kokemus/<any(ideas, raati, feedback, surveys, panel):kind>/<int:process_id>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def experience(kind: str, process_id: int):
    if not services.process_exists(kind, process_id):
        abort(404)
    form = ExperienceForm()
    token = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(24)
    if form.validate_on_submit():
        ok, result = attempt(lambda: services.answer_experience(
            kind, process_id, {q: getattr(form, q).data for q in ind.EXPERIENCE_QUESTIONS},
            form.better.data or "", browser_key=token, locale=str(get_locale()), now=utcnow()),
            flash_error=False)
        if not ok:
            exc = result
            field = getattr(form, exc.code, None) if exc.code in ind.EXPERIENCE_QUESTIONS + ("better",) else None
            if field is not None:
                field.errors = [*field.errors, str(exc)]
            else:
                flash(str(exc), "error")
            return render_template("participation/experience.html", form=form, kind=kind,
                                   labels=labels), exc.status
        _answer, masked = result
        if masked:
            flash(_("Your text looked like it contained contact details or an identity code; we hid them "
                    "before saving."), "info")
        response = redirect(url_for(".experience_thanks"), code=303)
        response.set_cookie(BROWSER_COOKIE, token, max_age=366 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], path="/kokemus")
        return response
    return render_template("participation/experience.html", form=form, kind=kind, labels=labels), \
        400 if form.errors else 200


@bp.get("/kokemus/kiitos")
def experience_thanks():
    return render_template("participation/experience_thanks.html")


# --- staff -----------------------------------------------------------------------------------

def _target_form(formdata=True):
    form = TargetForm() if formdata else TargetForm(formdata=None)
    form.indicator.choices = [SelectChoice(i.key, str(labels.INDICATORS[i.key])) for i in ind.INDICATORS]
    return form


@staff.get("")
@staff_required(services.READ)
def dashboard(target_form=None, status=200):
    year = _year()
    area = request.args.get("alue") or None
    data = services.dashboard(year, area=area, actor=current_user, now=utcnow())
    return render_template("participation/staff.html", target_form=target_form or _target_form(False),
                           area=area or "", **_context(data)), status


@staff.post("/tavoite")
@staff_required(services.MANAGE)
def set_target():
    form = _target_form()
    year = request.form.get("year", "")
    if not form.validate():
        return dashboard(target_form=form, status=400)
    ok, result = attempt(lambda: services.set_target(year, form.indicator.data, form.value.data,
                                                     actor=current_user, now=utcnow()),
                         _("The target was saved."), flash_error=False)
    if not ok:
        (form.value if result.code == "value" else form.indicator).errors = [str(result)]
        return dashboard(target_form=form, status=result.status)
    return redirect(url_for(".dashboard", vuosi=year) + "#targets", code=303)


@staff.route("/prosessi/<any(ideas, raati, feedback, surveys, panel):kind>/<int:process_id>",
             methods=["GET", "POST"])
@staff_required(services.MANAGE)
def inputs(kind: str, process_id: int):
    if not services.process_exists(kind, process_id):
        abort(404)
    row = services.inputs_for(kind, process_id)
    if request.method == "GET" and row is not None:
        form = InputForm(formdata=None, data={
            "staff_hours": format_decimal(row.staff_hours) if row.staff_hours is not None else "",
            "costs_eur": format_decimal(row.costs_eur, "0.00") if row.costs_eur is not None else "",
            "invited": row.invited, "reached": row.reached, "channels": row.channels, "area": row.area})
    else:
        form = InputForm()
    return form_page(
        form, lambda: services.save_inputs(
            kind, process_id, staff_hours=form.staff_hours.data, costs_eur=form.costs_eur.data,
            channels=form.channels.data, invited=form.invited.data, reached=form.reached.data,
            area=form.area.data or "", actor=current_user, now=utcnow()),
        success=_("The inputs were saved."), next_url=lambda _r: url_for(".dashboard"), redirect_code=303,
        render=lambda status: (render_template("participation/inputs.html", form=form, kind=kind,
                                               process_id=process_id, labels=labels), status))


@staff.get("/raportti-<int:year>.<any(docx, pdf, xlsx):fmt_>")
@staff_required(services.READ)
def annual_report(year: int, fmt_: str):
    try:
        data = services.dashboard(year, actor=current_user, now=utcnow())
    except KuulasError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".dashboard"), code=303)
    if not data["has_data"]:
        flash(_("There is no participation data for %(year)s, so there is no report to make.", year=year), "error")
        return redirect(url_for(".dashboard", vuosi=year), code=303)
    body, mimetype = report.build(data, fmt_, fmt=fmt)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="osallisuusraportti-{year}.{fmt_}"'})
