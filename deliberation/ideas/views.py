"""HTML (and small JSON) views of the idea rounds: public pages under ``/ideariihi`` and
staff pages under ``/hallinta/ideariihi``.  Views validate a form, call one service,
broadcast after the commit, and flash/redirect (or answer JSON for ``ideas.js``)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (Blueprint, abort, after_this_request, current_app, flash, jsonify, redirect,
                   render_template, request, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kuulas import access
from kuulas.clock import utcnow
from kuulas.errors import KuulasError, ValidationFailed, wants_json
from kuulas.extensions import limiter
from kuulas.web import form_page, staff_required

from . import events, exports, forms, participation, results, rules, services
from .models import CLOSED, HIDDEN, LOCALES, PENDING, VISIBLE, VOTE_VALUES, Idea, IdeaComment

bp = Blueprint("ideas", __name__, url_prefix="/ideariihi")
staff = Blueprint("ideas_staff", __name__, url_prefix="/hallinta/ideariihi")
PAGE_SIZE = 30
SORTS = ("uusimmat", "kannatetuimmat", "vahiten-aania")

P_LIMIT = "30 per minute;600 per hour"       # votes per participant
P_WRITE = "6 per minute;40 per hour"         # ideas and comments per participant
A_LIMIT = "900 per minute"                   # per address (care homes, workplaces share one)
A_WRITE = "120 per hour"


def _tz():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Helsinki"))


def to_utc(local: datetime | None) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=_tz()).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(_tz()).replace(tzinfo=None)


def _locale() -> str:
    return str(get_locale() or "fi")


def _json_wanted() -> bool:
    return wants_json() or request.headers.get("X-Requested-With") == "ideas.js"


# --- public ---------------------------------------------------------------------------------

def _participant_for_write(round_):
    """The participant of this request, or a clear error (and a fresh cookie) if the
    cookie is missing or was not issued by us."""
    state = participation.cookie_state(round_.id)
    if state == "ok":
        return participation.current_participant(round_.id)

    @after_this_request
    def _reissue(response):
        participation.issue_cookie(response, round_)
        return response

    if state == "forged":
        raise ValidationFailed(_l("Your participation key was not valid, so nothing was saved. You now have a new "
                                  "key: reload the page and try again."))
    raise ValidationFailed(_l("Your participation key was missing (cookies may be blocked), so nothing was saved. "
                              "Allow cookies for this site, reload the page and try again."))


def _honeypot(form) -> None:
    if (form.website.data or "").strip():
        raise ValidationFailed(_l("The form could not be saved. Please try again."))


def _round_page(round_, *, idea_form=None, status=200):
    now = utcnow()
    participant = participation.current_participant(round_.id)
    sort = request.args.get("jarjestys", "uusimmat")
    if sort not in SORTS:
        sort = "uusimmat"
    page = max(1, request.args.get("sivu", 1, type=int) or 1)
    counts = services.round_counts(round_.id)
    voted = services.my_votes(participant)
    index = services.idea_index(round_.id, participant)
    if sort == "kannatetuimmat":
        from . import tally
        empty = tally.Counts()
        index.sort(key=lambda r: (r[1] != VISIBLE, -tally.score(counts.get(r[0], empty)), r[0]))
    elif sort == "vahiten-aania":
        index.sort(key=lambda r: (r[1] != VISIBLE, counts[r[0]].total if r[0] in counts else 0, -r[0]))
    total = len(index)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(page, pages)
    shown = services.ideas_by_id([r[0] for r in index[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]])
    accepting = round_.accepting(now)
    # A first-time visitor has no token yet (it is made at their first write): deal from
    # every visible idea, so nobody is told they have voted on everything before starting.
    dealt = services.next_idea(round_.id, participant, counts=counts, voted=voted, index=index) \
        if accepting else None
    locale = _locale()
    if idea_form is None:
        idea_form = forms.IdeaForm()
    idea_form.subtheme.choices = [SelectChoice("", _("No sub-theme"))] + [
        SelectChoice(str(n), label) for n, label in enumerate(round_.subtheme_labels(locale))]
    response = current_app.make_response((render_template(
        "ideas/round.html", round=round_, locale=locale, ideas=shown, counts=counts, voted=voted,
        mine={r[0] for r in index if r[2]},
        comments=services.comment_counts(round_.id), dealt=dealt, accepting=accepting, now=now,
        idea_form=idea_form, notify_form=forms.NotifyForm(), page=page, pages=pages, sort=sort,
        total_visible=sum(1 for r in index if r[1] == VISIBLE),
        voted_count=len(voted)), status))
    if participation.cookie_state(round_.id) != "ok" and round_.state != CLOSED:
        participation.issue_cookie(response, round_)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:round_id>")
def round_page(round_id: int):
    round_ = services.visible_round(round_id, actor=current_user, now=utcnow())
    return _round_page(round_)


@bp.post("/<int:round_id>/aani")
@limiter.limit(P_LIMIT, key_func=participation.participant_rate_key)
@limiter.limit(A_LIMIT, key_func=participation.address_rate_key)
def vote(round_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = _participant_for_write(round_)
    value = VOTE_VALUES.get(request.form.get("value", ""))
    idea_id = request.form.get("idea_id", type=int)
    if value is None or idea_id is None:
        raise ValidationFailed(_l("Choose agree, disagree or pass."))
    counts = services.vote(idea_id, participant, value, now=now)
    events.counts_changed(round_.id, idea_id, counts)
    if _json_wanted():
        nxt = services.next_idea(round_.id, participant)
        return jsonify({"ok": True, "idea_id": idea_id, "counts": events.counts_wire(counts),
                        "next": {"id": nxt.id, "text": nxt.text,
                                 "url": url_for("ideas.idea_page", round_id=round_.id, idea_id=nxt.id)} if nxt else None})
    flash(_("Your vote was saved."), "success")
    target = request.form.get("back")
    if target == "idea":
        return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_id=idea_id))
    return redirect(url_for("ideas.round_page", round_id=round_.id, _anchor="aanesta"))


@bp.post("/<int:round_id>/ideat")
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key)
@limiter.limit(A_WRITE, key_func=participation.address_rate_key)
def post_idea(round_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    form = forms.IdeaForm()
    form.subtheme.choices = []
    if not form.validate_on_submit():
        if _json_wanted():
            return jsonify({"ok": False, "error": " ".join(m for ms in form.errors.values() for m in ms)}), 400
        return _round_page(round_, idea_form=form, status=400)
    _honeypot(form)
    participant = _participant_for_write(round_)
    sub = form.subtheme.data
    try:
        idea = services.post_idea(round_.id, participant, form.text.data, now=now,
                                  subtheme=int(sub) if sub not in (None, "", "None") and str(sub).isdigit() else None)
    except ValidationFailed as exc:
        if _json_wanted():
            raise
        form.text.errors = list(form.text.errors) + [str(exc)]
        return _round_page(round_, idea_form=form, status=400)
    if idea.status == VISIBLE:
        events.idea_added(round_.id, idea)
        flash(_("Thank you! Your idea is now public."), "success")
    else:
        flash(_("Thank you! Your idea will be public once a moderator has approved it."), "success")
    return redirect(url_for("ideas.round_page", round_id=round_.id, _anchor=f"idea-{idea.id}"))


def _idea_or_404(round_, idea_id, participant) -> Idea:
    from kuulas.extensions import db

    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.round_id != round_.id or idea.status == "withdrawn":
        abort(404)
    if idea.status == PENDING and not (participant and idea.author_hash == participant.hash):
        abort(404)
    return idea


@bp.get("/<int:round_id>/ideat/<int:idea_id>")
def idea_page(round_id: int, idea_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _idea_or_404(round_, idea_id, participant)
    comments = services.comments_of(idea.id, participant)
    response = current_app.make_response(render_template(
        "ideas/idea.html", round=round_, locale=_locale(), idea=idea, counts=services.idea_counts(idea.id),
        my_vote=services.my_votes(participant).get(idea.id), comments=comments,
        mine=bool(participant and idea.author_hash == participant.hash),
        my_comments={c.id for c in comments if participant and c.author_hash == participant.hash},
        accepting=round_.accepting(now), comment_form=forms.CommentForm()))
    if participation.cookie_state(round_.id) != "ok" and round_.state != CLOSED:
        participation.issue_cookie(response, round_)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:round_id>/ideat/<int:idea_id>/muokkaa", methods=["GET", "POST"])
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key, methods=["POST"])
def edit_idea(round_id: int, idea_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _idea_or_404(round_, idea_id, participant)
    if not (participant and idea.author_hash == participant.hash):
        abort(403, description=_("You can change only your own ideas."))
    form = forms.EditForm(data={"text": idea.text} if request.method == "GET" else None)
    form.text.label.text = _("Your idea")
    if form.validate_on_submit():
        try:
            services.edit_idea(idea.id, _participant_for_write(round_), form.text.data, now=now)
        except ValidationFailed as exc:
            form.text.errors = [str(exc)]
        else:
            if idea.status == VISIBLE:
                events.idea_changed(round_.id, idea)
            flash(_("Your idea was updated."), "success")
            return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_id=idea.id))
    return render_template("ideas/edit.html", round=round_, locale=_locale(), form=form, kind="idea",
                           delete_url=url_for("ideas.withdraw_idea", round_id=round_.id, idea_id=idea.id),
                           back=url_for("ideas.idea_page", round_id=round_.id, idea_id=idea.id),
                           max_length=round_.max_length), 400 if form.errors else 200


@bp.post("/<int:round_id>/ideat/<int:idea_id>/poista")
def withdraw_idea(round_id: int, idea_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    services.withdraw_idea(idea_id, _participant_for_write(round_), now=now)
    events.idea_removed(round_.id, idea_id)
    flash(_("Your idea was deleted."), "success")
    return redirect(url_for("ideas.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/ideat/<int:idea_id>/kommentit")
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key)
@limiter.limit(A_WRITE, key_func=participation.address_rate_key)
def post_comment(round_id: int, idea_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    form = forms.CommentForm()
    if form.validate_on_submit():
        _honeypot(form)
        comment = services.post_comment(idea_id, _participant_for_write(round_), form.text.data, now=now)
        if comment.status == VISIBLE:
            events.comment_added(round_.id, comment)
            flash(_("Thank you! Your comment is now public."), "success")
        else:
            flash(_("Thank you! Your comment will be public once a moderator has approved it."), "success")
        return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_id=idea_id, _anchor=f"comment-{comment.id}"))
    flash(" ".join(m for ms in form.errors.values() for m in ms), "error")
    return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_id=idea_id, _anchor="comment-form")), 303


@bp.route("/<int:round_id>/kommentit/<int:comment_id>/muokkaa", methods=["GET", "POST"])
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key, methods=["POST"])
def edit_comment(round_id: int, comment_id: int):
    from kuulas.extensions import db

    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    comment = db.session.get(IdeaComment, comment_id)
    if comment is None or comment.round_id != round_.id or comment.status == "withdrawn":
        abort(404)
    if not (participant and comment.author_hash == participant.hash):
        abort(403, description=_("You can change only your own comments."))
    form = forms.EditForm(data={"text": comment.text} if request.method == "GET" else None)
    form.text.label.text = _("Your comment")
    back = url_for("ideas.idea_page", round_id=round_.id, idea_id=comment.idea_id)
    if form.validate_on_submit():
        try:
            services.edit_comment(comment.id, _participant_for_write(round_), form.text.data, now=now)
        except ValidationFailed as exc:
            form.text.errors = [str(exc)]
        else:
            flash(_("Your comment was updated."), "success")
            return redirect(back)
    return render_template("ideas/edit.html", round=round_, locale=_locale(), form=form, kind="comment",
                           delete_url=url_for("ideas.withdraw_comment", round_id=round_.id, comment_id=comment.id),
                           back=back, max_length=services.MAX_COMMENT), 400 if form.errors else 200


@bp.post("/<int:round_id>/kommentit/<int:comment_id>/poista")
def withdraw_comment(round_id: int, comment_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    comment = services.withdraw_comment(comment_id, _participant_for_write(round_), now=now)
    flash(_("Your comment was deleted."), "success")
    return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_id=comment.idea_id))


@bp.route("/<int:round_id>/ideat/<int:idea_id>/ilmianna", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=participation.participant_rate_key, methods=["POST"])
def flag(round_id: int, idea_id: int):
    from kuulas.extensions import db

    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _idea_or_404(round_, idea_id, participant)
    comment_id = request.values.get("comment_id", type=int) or request.args.get("kommentti", type=int)
    comment = db.session.get(IdeaComment, comment_id) if comment_id else None
    if comment_id and (comment is None or comment.idea_id != idea.id):
        abort(404)
    form = forms.FlagForm()
    if form.validate_on_submit():
        added = services.flag(idea.id, _participant_for_write(round_), form.reason.data, form.detail.data,
                              now=now, comment_id=comment_id)
        flash(_("Thank you. A moderator will look at it.") if added
              else _("You have already reported this. A moderator will look at it."), "success")
        return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_id=idea.id))
    return render_template("ideas/flag.html", round=round_, locale=_locale(), idea=idea, comment=comment,
                           form=form, accepting=round_.accepting(now)), 400 if form.errors else 200


@bp.post("/<int:round_id>/ilmoitus")
@limiter.limit("10 per hour", key_func=participation.address_rate_key)
def notify(round_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    form = forms.NotifyForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_l("Enter an e-mail address such as name@example.fi."))
    services.request_notification(round_.id, form.email.data, _locale(), now=now)
    flash(_("Thank you. We will e-mail you when the outcome is published and when the decision on it is recorded, and then delete your address."),
          "success")
    return redirect(url_for("ideas.round_page", round_id=round_.id))


@bp.get("/<int:round_id>/nimettomyys")
def anonymity(round_id: int):
    round_ = services.visible_round(round_id, actor=current_user, now=utcnow())
    return render_template("ideas/anonymity.html", round=round_, locale=_locale())


@bp.get("/<int:round_id>/tulokset")
def public_results(round_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    if round_.state != CLOSED and not access.can(current_user, rules.RESULTS):
        abort(404, description=_("The results are shown here when the round has closed."))
    return render_template("ideas/results.html", round=round_, locale=_locale(), res=results.compute(round_.id),
                           staff_view=False)


@bp.get("/<int:round_id>/ideat.json")
def ideas_json(round_id: int):
    """The data the page can load: ideas and counts, never who wrote or voted what."""
    round_ = services.visible_round(round_id, actor=current_user, now=utcnow())
    counts = services.round_counts(round_.id)
    out = []
    for idea in services.public_ideas(round_.id, None):
        c = counts.get(idea.id)
        out.append({"id": idea.id, "text": idea.text if idea.status == VISIBLE else "",
                    "removed_reason": idea.hidden_reason if idea.status == HIDDEN else None,
                    "status": idea.status, "written": idea.created_at.date().isoformat(),
                    "agree": c.agree if c else 0, "disagree": c.disagree if c else 0, "pass": c.pass_ if c else 0})
    return jsonify({"round": round_.id, "state": round_.state, "ideas": out})


# --- staff ----------------------------------------------------------------------------------

def _round_data(form) -> dict:
    lines = {loc: [x.strip() for x in (getattr(form, f"subthemes_{loc}").data or "").splitlines()] for loc in LOCALES}
    n = max(len(v) for v in lines.values())
    subthemes = [{loc: (lines[loc][i] if i < len(lines[loc]) else "") for loc in LOCALES} for i in range(n)]
    return {
        "title": {loc: getattr(form, f"title_{loc}").data for loc in LOCALES},
        "question": {loc: getattr(form, f"question_{loc}").data for loc in LOCALES},
        "background": {loc: getattr(form, f"background_{loc}").data for loc in LOCALES},
        "subthemes": [s for s in subthemes if any(s.values())],
        "opens_at": to_utc(form.opens_at.data), "closes_at": to_utc(form.closes_at.data),
        "moderation": form.moderation.data, "comments_enabled": form.comments_enabled.data,
        "max_length": form.max_length.data,
    }


@staff.get("/")
@staff_required(rules.MODERATE)
def index():
    return render_template("ideas/staff_index.html", rounds=services.rounds(), locale=_locale(),
                           can_manage=access.can(current_user, rules.MANAGE))


@staff.route("/uusi", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def create():
    form = forms.RoundForm()
    return form_page(
        form, lambda: services.create_round(_round_data(form), actor=current_user, now=utcnow(),
                                            publish=form.publish.data),
        success=_("The idea round was saved."),
        next_url=lambda round_: url_for("ideas_staff.detail", round_id=round_.id),
        render=lambda status: (render_template("ideas/staff_form.html", form=form, round=None), status))


@staff.route("/<int:round_id>/muokkaa", methods=["GET", "POST"])
@staff_required(rules.MANAGE)
def edit(round_id: int):
    round_ = services.get_round(round_id)
    if request.method == "GET":
        data = {f"{field}_{loc}": (getattr(round_, field) or {}).get(loc, "")
                for field in ("title", "question", "background") for loc in LOCALES}
        data.update({f"subthemes_{loc}": "\n".join(t.get(loc, "") for t in round_.subthemes or []) for loc in LOCALES})
        data.update(opens_at=to_local(round_.opens_at), closes_at=to_local(round_.closes_at),
                    moderation=round_.moderation, comments_enabled=round_.comments_enabled,
                    max_length=round_.max_length, publish=round_.state != "draft")
        form = forms.RoundForm(data=data)
    else:
        form = forms.RoundForm()
    return form_page(
        form, lambda: services.update_round(round_.id, _round_data(form), actor=current_user, now=utcnow(),
                                            publish=form.publish.data),
        success=_("The idea round was saved."),
        next_url=lambda _result: url_for("ideas_staff.detail", round_id=round_.id),
        render=lambda status: (render_template("ideas/staff_form.html", form=form, round=round_), status))


@staff.get("/<int:round_id>")
@staff_required(rules.MODERATE)
def detail(round_id: int):
    now = utcnow()
    round_ = services.get_round(round_id)
    from sqlalchemy import select

    from kuulas.extensions import db
    ideas = list(db.session.scalars(select(Idea).where(Idea.round_id == round_.id, Idea.status != "withdrawn")
                                    .order_by(Idea.id.desc())))
    return render_template("ideas/staff_round.html", round=round_, locale=_locale(), ideas=ideas,
                           queue=services.queue(round_.id, actor=current_user, now=now),
                           counts=services.round_counts(round_.id), comments=services.comment_counts(round_.id),
                           participants=services.participant_count(round_.id), hide_form=forms.HideForm(),
                           tag_form=forms.TagForm(), can_manage=access.can(current_user, rules.MANAGE),
                           flag_reasons=services.FLAG_REASONS, now=now)


@staff.post("/<int:round_id>/moderoi")
@staff_required(rules.MODERATE)
def moderate(round_id: int):
    round_ = services.get_round(round_id)
    kind = request.form.get("kind", "")
    item_id = request.form.get("item_id", type=int)
    action = request.form.get("action", "")
    item = services.moderate(kind, item_id, action, actor=current_user, now=utcnow(),
                             reason=request.form.get("reason"))
    if item.round_id != round_.id:
        abort(404)
    if kind == "idea":
        if item.status == VISIBLE and action == "approve":
            events.idea_added(round_.id, item)
        else:
            events.idea_changed(round_.id, item)
    messages = {"approve": _("Approved and published."), "hide": _("Removed from view; the reason is shown publicly."),
                "restore": _("Restored."), "dismiss": _("Reports dismissed.")}
    flash(messages.get(action, _("Done.")), "success")
    return redirect(url_for("ideas_staff.detail", round_id=round_.id, _anchor=f"{kind}-{item.id}"))


@staff.post("/<int:round_id>/ideat/<int:idea_id>/teemat")
@staff_required(rules.MODERATE)
def tags(round_id: int, idea_id: int):
    round_ = services.get_round(round_id)
    form = forms.TagForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_l("Themes are too long."))
    idea = services.set_tags(idea_id, (form.tags.data or "").split(","), actor=current_user, now=utcnow())
    if idea.round_id != round_.id:
        abort(404)
    flash(_("Themes saved."), "success")
    return redirect(url_for("ideas_staff.detail", round_id=round_.id, _anchor=f"idea-{idea.id}"))


@staff.post("/<int:round_id>/sulje")
@staff_required(rules.MANAGE)
def close(round_id: int):
    services.close_now(round_id, actor=current_user, now=utcnow())
    events.round_closed(round_id)
    flash(_("The round is closed."), "success")
    return redirect(url_for("ideas_staff.detail", round_id=round_id))


@staff.get("/<int:round_id>/yhteenveto")
@staff_required(rules.RESULTS)
def summary(round_id: int):
    round_ = services.get_round(round_id)
    res = results.compute(round_.id)
    return render_template("ideas/results.html", round=round_, locale=_locale(), res=res, staff_view=True,
                           summary_md=results.summary_markdown(res, _locale()))


@staff.get("/<int:round_id>/vienti.<fmt>")
@staff_required(rules.RESULTS)
def export(round_id: int, fmt: str):
    round_ = services.get_round(round_id)
    if fmt == "csv":
        data, mime = exports.export_csv(round_.id, _locale()), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data, mime = exports.export_xlsx(round_.id, _locale()), \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = current_app.response_class(data, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="ideariihi-{round_.id}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response

