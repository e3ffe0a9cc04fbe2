"""Survey pages: the staff builder, sending and results, and the member's answer page."""
from __future__ import annotations


from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kuulas.clock import utcnow
from kuulas.errors import KuulasError
from kuulas.extensions import db
from kuulas.web import attempt, form_page, staff_required
from kuulas.i18n import reader_locale as _locale, to_utc as _to_utc

from . import answering, lifecycle, messages, report, rules, sending, services
from ..web import ActionForm
from .forms import QuestionForm, ScheduleForm, SurveyForm
from .models import Survey

bp = Blueprint("panel_surveys", __name__)


def _survey_form(survey: Survey | None = None) -> SurveyForm:
    form = SurveyForm(obj=survey) if survey is not None else SurveyForm()
    panels = services.standing_panels()
    form.panel_id.choices = [SelectChoice(p.id, p.name(_locale())) for p in panels]
    from ..clients.models import Service
    from sqlalchemy import select

    form.service_keys.choices = [SelectChoice(s.key, s.name(_locale())) for s in db.session.scalars(
        select(Service).where(Service.active.is_(True)).order_by(Service.position, Service.id))]
    chosen = survey.panel_id if survey is not None else (form.panel_id.data or (panels[0].id if panels else None))
    panel = next((p for p in panels if p.id == chosen), None)
    form.weighting.choices = [SelectChoice(k, label) for k, label in services.weighting_choices(panel)] if panel else []
    form.sample_panel_id.choices = [SelectChoice(0, "–")] + [SelectChoice(g.id, g.name(_locale()))
                                                             for g in (services.draw_groups(panel) if panel else [])]
    return form


# --- staff ---------------------------------------------------------------------------------

@bp.get("/hallinta/kyselyt")
@staff_required(rules.MANAGE)
def staff_list():
    surveys = services.list_surveys(actor=current_user, now=utcnow())
    return render_template("panel/surveys/staff_list.html", surveys=surveys, states=messages.STATE_LABELS,
                           panels=services.standing_panels())


@bp.route("/hallinta/kyselyt/uusi", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_new():
    form = _survey_form()
    if request.method == "GET" and request.args.get("panel_id", "").isdigit():
        form.panel_id.data = int(request.args["panel_id"])

    def action():
        return services.create_survey(
            form.panel_id.data, titles=form.texts("title"), intros=form.texts("intro"),
            audience=form.audience.data, service_keys=form.service_keys.data, weighting=form.weighting.data,
            reminder_days=form.reminder_days.data, sample_panel_id=form.sample_panel_id.data or None,
            actor=current_user, now=utcnow())

    return form_page(form, action, success=_("The survey was created. Add its questions."),
                     next_url=lambda s: url_for(".staff_edit", survey_id=s.id),
                     render=lambda status: (render_template("panel/surveys/staff_new.html", form=form), status))


def _edit_page(survey: Survey, *, form=None, qform=None, sform=None, status=200):
    now = utcnow()
    form = form or _survey_form(survey)
    del form.panel_id
    return render_template(
        "panel/surveys/staff_edit.html", survey=survey, form=form, qform=qform or QuestionForm(),
        sform=sform or ScheduleForm(), action_form=ActionForm(), lifecycle=lifecycle,
        why=lambda action: messages.reason(lifecycle.why_not(survey.state, action)),
        states=messages.STATE_LABELS, kinds=messages.KIND_LABELS, counts=services.counts(survey),
        group_size=services.audience_size(survey, now) if survey.state == lifecycle.DRAFT else None), status


@bp.route("/hallinta/kyselyt/<int:survey_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_edit(survey_id: int):
    survey = services.get_survey(survey_id, actor=current_user, now=utcnow())
    form = _survey_form(survey)
    del form.panel_id

    def action():
        return services.update_survey(
            survey.id, titles=form.texts("title"), intros=form.texts("intro"), audience=form.audience.data,
            service_keys=form.service_keys.data, weighting=form.weighting.data,
            reminder_days=form.reminder_days.data, sample_panel_id=form.sample_panel_id.data or None,
            actor=current_user, now=utcnow())

    return form_page(form, action, success=_("The survey was saved."),
                     next_url=lambda s: url_for(".staff_edit", survey_id=s.id),
                     render=lambda status: _edit_page(survey, form=form, status=status))


@bp.post("/hallinta/kyselyt/<int:survey_id>/kysymykset")
@staff_required(rules.MANAGE)
def staff_add_question(survey_id: int):
    survey = services.get_survey(survey_id, actor=current_user, now=utcnow())
    qform = QuestionForm()

    def action():
        options = services.parse_options(qform.options_fi.data, qform.options_sv.data, qform.options_en.data)
        return services.add_question(
            survey.id, kind=qform.kind.data, texts=qform.texts(), options=options,
            required=qform.required.data, min_value=qform.min_value.data, max_value=qform.max_value.data,
            actor=current_user, now=utcnow())

    return form_page(qform, action, success=_("The question was added."),
                     next_url=lambda q: url_for(".staff_edit", survey_id=survey.id) + "#questions",
                     render=lambda status: _edit_page(survey, qform=qform, status=status))


@bp.post("/hallinta/kyselyt/<int:survey_id>/kysymykset/<int:question_id>/poista")
@staff_required(rules.MANAGE)
def staff_remove_question(survey_id: int, question_id: int):
    if ActionForm().validate_on_submit():
        attempt(lambda: services.remove_question(survey_id, question_id, actor=current_user, now=utcnow()),
                _("The question was removed."))
    return redirect(url_for(".staff_edit", survey_id=survey_id) + "#questions", code=303)


def _question_form(question) -> QuestionForm:
    """The edit form, filled from the question on a GET (a POST keeps what was typed)."""
    if request.method != "GET":
        return QuestionForm()
    data = {"kind": question.kind, "required": question.required, "min_value": question.min_value,
            "max_value": question.max_value}
    for lang in ("fi", "sv", "en"):
        data[f"text_{lang}"] = getattr(question, f"text_{lang}", "") or ""
        data[f"options_{lang}"] = "\n".join((o.get(lang) or "") for o in question.options or []).rstrip()
    return QuestionForm(data=data)


@bp.route("/hallinta/kyselyt/<int:survey_id>/kysymykset/<int:question_id>", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def staff_edit_question(survey_id: int, question_id: int):
    survey = services.get_survey(survey_id, actor=current_user, now=utcnow())
    order = [q.id for q in survey.questions]
    if question_id not in order:
        abort(404)
    question = survey.questions[order.index(question_id)]
    if not lifecycle.allows(survey.state, lifecycle.EDIT):
        flash(messages.reason(lifecycle.why_not(survey.state, lifecycle.EDIT)), "error")
        return redirect(url_for(".staff_edit", survey_id=survey.id) + "#questions", code=303)
    qform = _question_form(question)

    def action():
        options = services.parse_options(qform.options_fi.data, qform.options_sv.data, qform.options_en.data)
        return services.update_question(
            survey.id, question_id, kind=qform.kind.data, texts=qform.texts(), options=options,
            required=qform.required.data, min_value=qform.min_value.data, max_value=qform.max_value.data,
            actor=current_user, now=utcnow())

    return form_page(qform, action, success=_("The question was saved."),
                     next_url=lambda q: url_for(".staff_edit", survey_id=survey.id) + "#questions",
                     render=lambda status: (render_template(
                         "panel/surveys/staff_question.html", survey=survey, qform=qform,
                         number=order.index(question_id) + 1), status))


@bp.post("/hallinta/kyselyt/<int:survey_id>/kysymykset/<int:question_id>/siirra")
@staff_required(rules.MANAGE)
def staff_move_question(survey_id: int, question_id: int):
    offset = {"ylos": -1, "alas": 1}.get(request.form.get("suunta", ""))
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
    elif offset is None:
        flash(_("A question moves one place up or down."), "error")
    else:
        attempt(lambda: services.move_question(survey_id, question_id, offset, actor=current_user, now=utcnow()),
                _("The question was moved."))
    return redirect(url_for(".staff_edit", survey_id=survey_id) + "#questions", code=303)


@bp.post("/hallinta/kyselyt/<int:survey_id>/ajoita")
@staff_required(rules.MANAGE)
def staff_schedule(survey_id: int):
    survey = services.get_survey(survey_id, actor=current_user, now=utcnow())
    sform = ScheduleForm()

    def action():
        return services.schedule(survey.id, opens_at=_to_utc(sform.opens_at.data),
                                 closes_at=_to_utc(sform.closes_at.data), actor=current_user, now=utcnow())

    message = _("The survey was sent.") if not sform.opens_at.data else _("The survey was scheduled.")
    return form_page(sform, action, success=message,
                     next_url=lambda s: url_for(".staff_edit", survey_id=survey.id),
                     render=lambda status: _edit_page(survey, sform=sform, status=status))


def _simple(survey_id: int, func, message: str, target: str = ".staff_edit"):
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
    else:
        attempt(lambda: func(survey_id, actor=current_user, now=utcnow()), message)
    return redirect(url_for(target, survey_id=survey_id), code=303)


@bp.post("/hallinta/kyselyt/<int:survey_id>/peru")
@staff_required(rules.MANAGE)
def staff_unschedule(survey_id: int):
    return _simple(survey_id, services.unschedule, _("The schedule was cancelled; the survey is a draft again."))


@bp.post("/hallinta/kyselyt/<int:survey_id>/sulje")
@staff_required(rules.MANAGE)
def staff_close(survey_id: int):
    return _simple(survey_id, services.close, _("The survey was closed."))


@bp.post("/hallinta/kyselyt/<int:survey_id>/poista")
@staff_required(rules.MANAGE)
def staff_delete(survey_id: int):
    if ActionForm().validate_on_submit():
        ok, _r = attempt(lambda: services.delete_survey(survey_id, actor=current_user, now=utcnow()),
                         _("The survey was deleted."))
        if ok:
            return redirect(url_for(".staff_list"), code=303)
    return redirect(url_for(".staff_edit", survey_id=survey_id), code=303)


@bp.get("/hallinta/kyselyt/<int:survey_id>/esikatselu")
@staff_required(rules.MANAGE)
def staff_preview(survey_id: int):
    survey = services.get_survey(survey_id, actor=current_user, now=utcnow())
    return render_template("panel/surveys/preview.html", survey=survey, locale=_locale(),
                           scale=messages.SCALE_LABELS, answers={}, errors={})


@bp.get("/hallinta/kyselyt/<int:survey_id>/tulokset")
@staff_required(rules.RESULTS)
def staff_results(survey_id: int):
    from . import charts, present
    from ..recruitment.models import Panel

    try:
        survey, res = report.survey_results(survey_id, actor=current_user, now=utcnow())
    except KuulasError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".staff_edit", survey_id=survey_id), code=303)
    panel = db.session.get(Panel, survey.panel_id)
    data = present.labelled(survey, res, panel, _locale())
    return render_template("panel/surveys/results.html", survey=survey, data=data, charts=charts,
                           action_form=ActionForm(), lifecycle=lifecycle, states=messages.STATE_LABELS,
                           outcome=report.outcome_of(survey))


@bp.get("/hallinta/kyselyt/<int:survey_id>/tulokset/<int:question_id>/vastaukset")
@staff_required(rules.RESULTS)
def staff_texts(survey_id: int, question_id: int):
    survey = services.get_survey(survey_id, actor=current_user, now=utcnow(), permission=rules.RESULTS)
    texts = report.free_texts(survey_id, question_id, actor=current_user, now=utcnow())
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return render_template("panel/surveys/texts.html", survey=survey, question=question, texts=texts)


@bp.get("/hallinta/kyselyt/<int:survey_id>/tulokset.<fmt>")
@staff_required(rules.RESULTS)
def staff_export(survey_id: int, fmt: str):
    from . import exports

    if fmt not in exports.FORMATS:
        abort(404)
    survey, res = report.survey_results(survey_id, actor=current_user, now=utcnow())
    return exports.response(survey, res, fmt, _locale())


@bp.post("/hallinta/kyselyt/<int:survey_id>/julkaise")
@staff_required(rules.PUBLISH)
def staff_publish(survey_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".staff_results", survey_id=survey_id), code=303)
    ok, outcome = attempt(lambda: report.publish(survey_id, actor=current_user, now=utcnow(),
                                                 locale=_locale()),
                          _("The results were frozen and a draft outcome was made. Check the summary and publish it."))
    if not ok:
        return redirect(url_for(".staff_results", survey_id=survey_id), code=303)
    return redirect(url_for("outcomes_staff.edit", outcome_id=outcome.id), code=303)


# --- members -------------------------------------------------------------------------------

def _form_data() -> dict:
    return {name: request.form.getlist(name) for name in request.form
            if name.startswith("q") and name[1:].isdigit()}


def _typed(survey, data: dict) -> dict:
    """Posted values as the page shows them: by question id, a list only for multiple choice."""
    out = {}
    for q in survey.questions:
        values = data.get(f"q{q.id}") or []
        if values:
            out[str(q.id)] = list(values) if q.kind == "multiple" else values[0]
    return out


def _answer_page(session, *, answers=None, errors=None, notices=None, status=200):
    numbers = {q.id: n for n, q in enumerate(session.survey.questions, 1)}
    notices = [{"number": numbers.get(n["question_id"], ""),
                "what": ", ".join(str(messages.REDACTED[k]) for k in n["found"])} for n in notices or []]
    response = session.response
    answers = answers if answers is not None else dict(response.answers if response else {})
    return render_template("panel/surveys/answer.html", survey=session.survey, token=session.token,
                           answers=answers, errors=errors or {}, notices=notices,
                           submitted=bool(response and response.submitted), locale=_locale(),
                           scale=messages.SCALE_LABELS,
                           action_form=ActionForm()), status


@bp.after_request
def _no_store(response):
    """Survey pages carry a member's personal link or answers: never cached."""
    if request.endpoint in ("panel_surveys.answer", "panel_surveys.staff_results",
                            "panel_surveys.staff_texts", "panel_surveys.staff_export"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/paneelit/kysely/<int:survey_id>/<token>", methods=["GET", "POST"])
def answer(survey_id: int, token: str):
    now = utcnow()
    try:
        session = answering.open_link(survey_id, token, now=now)
    except KuulasError as exc:
        return render_template("panel/surveys/link_problem.html", reason=str(exc)), exc.status
    if request.method == "GET":
        return _answer_page(session)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return _answer_page(session, answers=_typed(session.survey, _form_data()), status=400)
    submit = request.form.get("action") == "submit"
    ok, saved = attempt(
        lambda: answering.save(survey_id, token, _form_data(), submit=submit, now=now),
        _("Thank you! Your answers were saved. You can change them until the survey closes.")
        if submit else _("Your answers were saved. You can continue later with the same link."))
    if not ok and isinstance(saved, answering.AnswersInvalid):    # the reason was flashed
        return _answer_page(session, answers=_typed(session.survey, _form_data()), errors=saved.errors,
                            status=400)
    if not ok:      # the survey closed or the link stopped working meanwhile: the flash says
        return render_template("panel/surveys/link_problem.html", reason=None), saved.status
    if saved.notices:
        return _answer_page(saved, notices=saved.notices)
    return redirect(url_for(".answer", survey_id=survey_id, token=token), code=303)


@bp.post("/paneelit/kysely/<int:survey_id>/linkki")
def resend(survey_id: int):
    """"Send my link again" (a signed-in member): the link is derived again and mailed."""
    from .. import pool

    if not current_user.is_authenticated:
        abort(403)
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    member = pool.member_for_account(current_user.id, survey.panel_id, now=utcnow())
    if member is None:
        abort(403)
    if ActionForm().validate_on_submit():
        attempt(lambda: sending.resend_link(survey_id, member, now=utcnow()),
                _("Your personal link was sent to your e-mail address again."))
    target = "panel.membership"
    if target in current_app.view_functions:
        return redirect(url_for(target, panel_id=survey.panel_id), code=303)
    return redirect("/", code=303)
