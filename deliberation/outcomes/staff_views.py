"""Preparer pages: drafts, publication, attachments, decisions and impact, follow-ups,
previews and downloads of drafts, and the participation metrics dashboard.

Each POST is one service call in one transaction, through ``kuulas.web.form_page`` (a form)
or ``kuulas.web.attempt`` (a single action): they commit, or roll back and show the reason."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kuulas.clock import utcnow
from kuulas.web import attempt, form_page, staff_required

from . import decisions, drafts, metrics, present, publication
from .dashboard import metrics_records
from .forms import (LANGUAGE_NAMES, AttachmentForm, DraftForm, FollowUpForm, PublishForm, TranslationForm,
                    decision_form_class, translation_forms)
from .rules import MANAGE, METRICS
from .views import export_response, send_attachment

bp = Blueprint("outcomes_staff", __name__, url_prefix="/hallinta/tulokset")


@bp.get("")
@staff_required(MANAGE)
def index():
    overview = drafts.staff_overview(actor=current_user, now=utcnow())
    return render_template("outcomes/staff_index.html", kinds=present.KIND_LABELS, **overview)


@bp.post("/uusi")
@staff_required(MANAGE)
def create():
    kind, _sep, source_id = (request.form.get("source") or "").partition(":")
    if not source_id.isdigit():
        flash(_("Choose a finished process."), "error")
        return redirect(url_for(".index")), 303
    ok, outcome = attempt(
        lambda: drafts.create_draft(kind, int(source_id), actor=current_user, now=utcnow(),
                                    locale=current_app.config["BABEL_DEFAULT_LOCALE"]),
        _("A draft outcome was created. Check the summary and publish when ready."))
    if not ok:
        return redirect(url_for(".index")), 303
    return redirect(url_for(".edit", outcome_id=outcome.id)), 303


def _edit_page(outcome, form=None, publish_form=None, attachment_form=None, follow_form=None, status=200,
               translation=None):
    return render_template(
        "outcomes/staff_edit.html", o=outcome, form=form or DraftForm(obj=outcome),
        translation_forms=translation_forms(outcome, translation), language_names=LANGUAGE_NAMES,
        publish_form=publish_form or PublishForm(), attachment_form=attachment_form or AttachmentForm(),
        follow_form=follow_form or FollowUpForm(), **{k: v for k, v in present.view(outcome).items() if k != "o"},
        change_labels=present.CHANGE_LABELS, controls=present.controls(outcome),
        closed_without_decision=present.is_closed_without_decision(outcome)), status


@bp.route("/<int:outcome_id>", methods=["GET", "POST"])
@staff_required(MANAGE)
def edit(outcome_id: int):
    now = utcnow()
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=now)
    form = DraftForm(obj=outcome)
    return form_page(
        form, lambda: drafts.update_draft(
            outcome_id, title=form.title.data, question=form.question.data or "",
            background=form.background.data or "", summary=form.summary.data or "",
            language=form.language.data, plain_summary=form.plain_summary.data or "", actor=current_user, now=now),
        success=_("The outcome was saved."), next_url=lambda _result: url_for(".edit", outcome_id=outcome_id),
        render=lambda status: _edit_page(outcome, form=form, status=status), redirect_code=303)


@bp.post("/<int:outcome_id>/kaannos/<any(fi, sv, en):language>")
@staff_required(MANAGE)
def translation(outcome_id: int, language: str):
    now = utcnow()
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=now)
    form = TranslationForm(prefix=language)
    return form_page(
        form, lambda: drafts.save_translation(
            outcome_id, language, title=form.title.data or "", question=form.question.data or "",
            background=form.background.data or "", summary=form.summary.data or "", actor=current_user, now=now),
        success=_("The translation was saved."),
        next_url=lambda _result: url_for(".edit", outcome_id=outcome_id) + f"#translation-{language}",
        render=lambda status: _edit_page(outcome, status=status, translation=(language, form)), redirect_code=303)


@bp.post("/<int:outcome_id>/julkaise")
@staff_required(MANAGE)
def publish(outcome_id: int):
    now = utcnow()
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=now)
    form = PublishForm()
    later = form.when.data == "later"
    return form_page(
        form, lambda: publication.publish(outcome_id, at=form.at(), actor=current_user, now=now),
        success=_("The outcome is scheduled for publication.") if later else
        _("The outcome is published and the participants are being told."),
        next_url=lambda _result: url_for(".edit", outcome_id=outcome_id),
        render=lambda status: _edit_page(outcome, publish_form=form, status=status), redirect_code=303, once=False)


@bp.post("/<int:outcome_id>/peru")
@staff_required(MANAGE)
def withdraw(outcome_id: int):
    attempt(lambda: publication.withdraw(outcome_id, actor=current_user, now=utcnow()),
            _("The outcome is a draft again and not shown to the public."))
    return redirect(url_for(".edit", outcome_id=outcome_id)), 303


@bp.post("/<int:outcome_id>/ei-paatosta")
@staff_required(MANAGE)
def close_without_decision(outcome_id: int):
    attempt(lambda: publication.close_without_decision(outcome_id, actor=current_user, now=utcnow()),
            _("The outcome is closed without a decision. The addresses left for notification were deleted."))
    return redirect(url_for(".edit", outcome_id=outcome_id) + "#decisions"), 303


@bp.post("/<int:outcome_id>/liitteet")
@staff_required(MANAGE)
def upload(outcome_id: int):
    now = utcnow()
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=now)
    form = AttachmentForm()

    def add():
        storage = form.file.data
        return drafts.add_attachment(outcome_id, title=form.title.data or "", filename=storage.filename or "",
                                     data=storage.read(), actor=current_user, now=now)
    return form_page(
        form, add, success=_("The attachment was added."),
        next_url=lambda _result: url_for(".edit", outcome_id=outcome_id) + "#attachments",
        render=lambda status: _edit_page(outcome, attachment_form=form, status=status), redirect_code=303, once=False)


@bp.post("/<int:outcome_id>/liitteet/<int:attachment_id>/poista")
@staff_required(MANAGE)
def remove_attachment(outcome_id: int, attachment_id: int):
    attempt(lambda: drafts.remove_attachment(outcome_id, attachment_id, actor=current_user, now=utcnow()),
            _("The attachment was removed."))
    return redirect(url_for(".edit", outcome_id=outcome_id) + "#attachments"), 303


@bp.get("/<int:outcome_id>/liitteet/<int:attachment_id>")
@staff_required(MANAGE)
def attachment(outcome_id: int, attachment_id: int):
    return send_attachment(drafts.staff_attachment(outcome_id, attachment_id, actor=current_user, now=utcnow()))


@bp.route("/<int:outcome_id>/paatos", methods=["GET", "POST"], defaults={"decision_id": None})
@bp.route("/<int:outcome_id>/paatos/<int:decision_id>", methods=["GET", "POST"])
@staff_required(MANAGE)
def decision(outcome_id: int, decision_id: int | None):
    now = utcnow()
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=now)
    existing = None
    if decision_id is not None:
        existing = next((d for d in outcome.decisions if d.id == decision_id), None)
        if existing is None:
            abort(404)
    points = outcome.points or []
    others = tuple(code for code in LANGUAGE_NAMES if code != (outcome.language or "fi"))
    form_cls = decision_form_class(points, others)
    state = decisions.impact_state(outcome)
    form = form_cls(obj=existing) if existing else form_cls()
    if request.method == "GET":
        for lang in others:
            version = ((existing.translations if existing else None) or {}).get(lang) or {}
            form[f"body_{lang}"].data = version.get("body", "")
            form[f"summary_{lang}"].data = version.get("summary", "")
        latest = {r.point_key: r for r in sorted(outcome.impacts, key=lambda r: (r.recorded_at, r.id or 0))}
        for n, p in enumerate(points):
            current = state.get(p["key"])
            if current:
                form[f"status_{n}"].data = current.status
                form[f"reason_{n}"].data = current.reasoning
                for lang in others:
                    form[f"reason_{n}_{lang}"].data = ((latest[p["key"]].translations or {}).get(lang) or {}).get(
                        "reasoning", "")

    def record():
        impacts = {p["key"]: (form[f"status_{n}"].data or "", form[f"reason_{n}"].data or "")
                   for n, p in enumerate(points)}
        return decisions.record_decision(
            outcome_id, body=form.body.data, meeting_date=form.meeting_date.data, item=form.item.data or "",
            minutes_url=form.minutes_url.data or "", summary=form.summary.data or "", impacts=impacts,
            decision_id=decision_id, notify=bool(form.notify.data), actor=current_user, now=now,
            translations={lang: {"body": form[f"body_{lang}"].data or "", "summary": form[f"summary_{lang}"].data or ""}
                          for lang in others},
            impact_translations={p["key"]: {lang: form[f"reason_{n}_{lang}"].data or "" for lang in others}
                                 for n, p in enumerate(points)})
    return form_page(
        form, record, success=_("The decision and its impact were recorded."),
        next_url=lambda _result: url_for(".edit", outcome_id=outcome_id) + "#decisions",
        render=lambda status: (render_template("outcomes/staff_decision.html", o=outcome, form=form, points=points,
                                               existing=existing, others=others, language_names=LANGUAGE_NAMES),
                               status), redirect_code=303)


@bp.post("/<int:outcome_id>/seuranta")
@staff_required(MANAGE)
def follow_up(outcome_id: int):
    now = utcnow()
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=now)
    form = FollowUpForm()
    return form_page(
        form, lambda: decisions.add_follow_up(outcome_id, entry_date=form.entry_date.data, text=form.text.data,
                                              actor=current_user, now=now),
        success=_("The follow-up was added."),
        next_url=lambda _result: url_for(".edit", outcome_id=outcome_id) + "#follow-ups",
        render=lambda status: _edit_page(outcome, follow_form=form, status=status), redirect_code=303, once=False)


@bp.get("/<int:outcome_id>/esikatselu")
@staff_required(MANAGE)
def preview(outcome_id: int):
    outcome = drafts.get_for_staff(outcome_id, actor=current_user, now=utcnow())
    return render_template("outcomes/show.html", preview=True, **present.view(outcome))


@bp.get("/<int:outcome_id>/lataa/<name>.<fmt>")
@staff_required(MANAGE)
def download(outcome_id: int, name: str, fmt: str):
    return export_response(drafts.get_for_staff(outcome_id, actor=current_user, now=utcnow()), name, fmt)


@bp.get("/mittarit")
@staff_required(METRICS)
def dashboard():
    records = metrics_records(actor=current_user, now=utcnow())
    return render_template("outcomes/metrics.html", records=records, m=metrics.indicators(records),
                           kinds=present.KIND_LABELS)
