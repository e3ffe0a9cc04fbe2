"""Staff views of the idea rounds under ``/hallinta/ideariihi``: setting up, moderating,
closing, the summary and the exports.  Each form or action calls one service through
``kuulas.web.form_page`` / ``attempt`` (committed there); the round in the URL is passed
to the service, which refuses an item of another round before writing anything."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kuulas import access
from kuulas.clock import utcnow
from kuulas.errors import ValidationFailed
from kuulas.web import attempt, form_page, staff_required

from . import common, exports, forms, moderation, participating, reading, results, rounds, rules
from .models import DRAFT, LOCALES
from .view_helpers import confirm_page, confirmed, page_locale, staff, to_local, to_utc


def _round_data(form) -> dict:
    lines = {loc: [x.strip() for x in (getattr(form, f"subthemes_{loc}").data or "").splitlines()] for loc in LOCALES}
    n = max(len(v) for v in lines.values())
    subthemes = [{loc: (lines[loc][i] if i < len(lines[loc]) else "") for loc in LOCALES} for i in range(n)]
    return {
        "title": {loc: getattr(form, f"title_{loc}").data for loc in LOCALES},
        "question": {loc: getattr(form, f"question_{loc}").data for loc in LOCALES},
        "background": {loc: getattr(form, f"background_{loc}").data for loc in LOCALES},
        "plain_summary": form.plain_summary.data or "",
        "subthemes": [s for s in subthemes if any(s.values())],
        "opens_at": to_utc(form.opens_at.data), "closes_at": to_utc(form.closes_at.data),
        "moderation": form.moderation.data, "comments_enabled": form.comments_enabled.data,
        "max_length": form.max_length.data,
    }


@staff.get("/")
@staff_required(rules.MODERATE)
def index():
    return render_template("ideas/staff_index.html", rounds=rounds.rounds(), locale=page_locale(),
                           can_manage=access.can(current_user, rules.MANAGE))


@staff.route("/uusi", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def create():
    form = forms.RoundForm()
    form.needs_publish_confirm = True
    return form_page(
        form, lambda: rounds.create_round(_round_data(form), actor=current_user, now=utcnow(),
                                            publish=form.publish.data),
        success=_("The idea round was saved."),
        next_url=lambda round_: url_for("ideas_staff.detail", round_id=round_.id),
        render=lambda status: (render_template("ideas/staff_form.html", form=form, round=None), status))


@staff.route("/<int:round_id>/muokkaa", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def edit(round_id: int):
    round_ = common.get_round(round_id)
    if request.method == "GET":
        data = {f"{field}_{loc}": (getattr(round_, field) or {}).get(loc, "")
                for field in ("title", "question", "background") for loc in LOCALES}
        data.update({f"subthemes_{loc}": "\n".join(t.get(loc, "") for t in round_.subthemes or []) for loc in LOCALES})
        data.update(opens_at=to_local(round_.opens_at), closes_at=to_local(round_.closes_at),
                    moderation=round_.moderation, comments_enabled=round_.comments_enabled,
                    max_length=round_.max_length, publish=round_.state != DRAFT,
                    plain_summary=round_.plain_summary or "")
        form = forms.RoundForm(data=data)
    else:
        form = forms.RoundForm()
    form.needs_publish_confirm = round_.state == DRAFT
    return form_page(
        form, lambda: rounds.update_round(round_.id, _round_data(form), actor=current_user, now=utcnow(),
                                            publish=form.publish.data),
        success=_("The idea round was saved."),
        next_url=lambda _result: url_for("ideas_staff.detail", round_id=round_.id),
        render=lambda status: (render_template("ideas/staff_form.html", form=form, round=round_), status))


@staff.get("/<int:round_id>")
@staff_required(rules.MODERATE)
def detail(round_id: int):
    now = utcnow()
    round_ = common.get_round(round_id)
    ideas = reading.staff_ideas(round_.id)
    return render_template("ideas/staff_round.html", round=round_, locale=page_locale(), ideas=ideas,
                           queue=moderation.queue(round_.id, actor=current_user, now=now),
                           counts=reading.shown_counts(round_), comments=reading.comment_counts(round_.id),
                           participants=reading.participant_count(round_.id), hide_form=forms.HideForm(),
                           tag_form=forms.TagForm(), can_manage=access.can(current_user, rules.MANAGE),
                           flag_reasons=participating.FLAG_REASONS, now=now)


@staff.post("/<int:round_id>/moderoi")
@staff_required(rules.MODERATE)
def moderate(round_id: int):
    kind = request.form.get("kind", "")
    ref = request.form.get("item_id", "")
    action = request.form.get("action", "")
    messages = {"approve": _("Approved and published."), "hide": _("Removed from view; the reason is shown publicly."),
                "restore": _("Restored."), "dismiss": _("Reports dismissed.")}
    _ok, item = attempt(lambda: moderation.moderate(round_id, kind, ref, action, actor=current_user, now=utcnow(),
                                                    reason=request.form.get("reason")),
                        messages.get(action, _("Done.")), raise_errors=True)
    return redirect(url_for("ideas_staff.detail", round_id=round_id, _anchor=f"{kind}-{item.public_id}"))


@staff.post("/<int:round_id>/ideat/<idea_ref>/teemat")
@staff_required(rules.MODERATE)
def tags(round_id: int, idea_ref: str):
    common.get_round(round_id)
    form = forms.TagForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_l("Themes are too long."))
    _ok, idea = attempt(lambda: moderation.set_tags(round_id, idea_ref, (form.tags.data or "").split(","),
                                                    actor=current_user, now=utcnow()),
                        _("Themes saved."), raise_errors=True)
    return redirect(url_for("ideas_staff.detail", round_id=round_id, _anchor=f"idea-{idea.public_id}"))


@staff.post("/<int:round_id>/sulje")
@staff_required(rules.MANAGE)
def close(round_id: int):
    round_ = common.get_round(round_id)
    if not confirmed():
        return confirm_page(
            title=_("Close the round now?"), quote=round_.text("title", page_locale()),
            text=_("Closing cannot be undone: nothing more can be written or voted, and the results are "
                   "published on the round's page at once."),
            action=url_for("ideas_staff.close", round_id=round_.id), button=_("Close the round now"),
            cancel=url_for("ideas_staff.detail", round_id=round_.id))
    attempt(lambda: rounds.close_now(round_id, actor=current_user, now=utcnow()), _("The round is closed."),
            raise_errors=True)
    return redirect(url_for("ideas_staff.detail", round_id=round_id))


@staff.get("/<int:round_id>/yhteenveto")
@staff_required(rules.RESULTS)
def summary(round_id: int):
    round_ = common.get_round(round_id)
    res = results.compute(round_.id)
    return render_template("ideas/results.html", round=round_, locale=page_locale(), res=res, staff_view=True,
                           summary_md=results.summary_markdown(res, page_locale()))


@staff.get("/<int:round_id>/vienti.<fmt>")
@staff_required(rules.RESULTS)
def export(round_id: int, fmt: str):
    round_ = common.get_round(round_id)
    if fmt == "csv":
        data, mime = exports.export_csv(round_.id, page_locale()), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data, mime = exports.export_xlsx(round_.id, page_locale()), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = current_app.response_class(data, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="ideariihi-{round_.id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
