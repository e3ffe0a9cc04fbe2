"""HTML (and small JSON) views of the idea rounds: public pages under ``/ideariihi`` and
staff pages under ``/hallinta/ideariihi``.  Views validate a form, call one service,
broadcast after the commit, and flash/redirect (or answer JSON for ``ideas.js``)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (Blueprint, abort, after_this_request, current_app, flash, jsonify, redirect,
                   render_template, request, session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kuulas import access
from kuulas.clock import utcnow
from kuulas.errors import NotFound, ValidationFailed, wants_json
from kuulas.extensions import db, limiter
from kuulas.web import Repeated, attempt, form_page, staff_required

from . import events, exports, forms, participation, results, rules, services, voting_web
from .models import CLOSED, HIDDEN, LOCALES, PENDING, VISIBLE, VOTE_VALUES, Idea, IdeaComment

bp = Blueprint("ideas", __name__, url_prefix="/ideariihi")
staff = Blueprint("ideas_staff", __name__, url_prefix="/hallinta/ideariihi")
PAGE_SIZE = 30
# No "newest" order: it would show the order (and so roughly the time) of posting.
SORTS = ("sekoitettu", "kannatetuimmat", "vahiten-aania")
DEFAULT_SORT = "sekoitettu"

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


def _order_seed(participant) -> str:
    """A per-viewer seed for the shuffled order: the participant's keyed hash, or a random
    value kept in the session of a visitor who has no participation key yet."""
    if participant is not None:
        return participant.hash
    return session.setdefault("ideas_order", secrets.token_hex(8))


def _ensure_submitter() -> None:
    """Give the browser its anonymous submitter nonce (``kuulas.submissions``) with the page
    that holds the forms, so that even the very first double click on a form is sent with
    the same session and is saved once."""
    session.setdefault("_submitter", secrets.token_urlsafe(16))


def _shuffle_key(seed: str, public_id: str) -> str:
    return hmac.new(seed.encode(), public_id.encode(), hashlib.sha256).hexdigest()


def _round_page(round_, *, idea_form=None, status=200):
    from . import tally

    now = utcnow()
    participant = participation.current_participant(round_.id)
    sort = request.args.get("jarjestys", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    page = max(1, request.args.get("sivu", 1, type=int) or 1)
    shown = services.shown_counts(round_)           # what everyone may see (batched)
    voted = services.my_votes(participant)
    index = services.idea_index(round_.id, participant)
    empty = tally.Counts()
    # Never posting order: a per-viewer shuffle, or by the shown counts; ties by public id.
    if sort == "kannatetuimmat":
        index.sort(key=lambda r: (r[1] != VISIBLE, -tally.score(shown.get(r[0], empty)), r[3]))
    elif sort == "vahiten-aania":
        index.sort(key=lambda r: (r[1] != VISIBLE, shown.get(r[0], empty).total, r[3]))
    else:
        seed = _order_seed(participant)
        index.sort(key=lambda r: (r[1] != VISIBLE, _shuffle_key(seed, r[3])))
    total = len(index)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(page, pages)
    page_ideas = services.ideas_by_id([r[0] for r in index[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]])
    accepting = round_.accepting(now)
    # A first-time visitor has no token yet (it is made at their first write): deal from
    # every visible idea, so nobody is told they have voted on everything before starting.
    # Dealing weighs by the live totals (inside only; nothing of them is shown).
    dealt = services.next_idea(round_.id, participant, voted=voted, index=index) if accepting else None
    locale = _locale()
    if idea_form is None:
        idea_form = forms.IdeaForm()
    idea_form.subtheme.choices = [SelectChoice("", _("No sub-theme"))] + [
        SelectChoice(str(n), label) for n, label in enumerate(round_.subtheme_labels(locale))]
    _ensure_submitter()
    response = current_app.make_response((render_template(
        "ideas/round.html", round=round_, locale=locale, ideas=page_ideas, counts=shown, voted=voted,
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


MAX_VOTE_JSON = 1024   # bytes: a vote is two short strings


def _vote_input() -> tuple[str | None, str | None, str | None]:
    """(idea public id, value, back) from the form, or from a small flat JSON object.
    Anything else (huge, nested, numbers where strings belong) is the caller's 4xx."""
    if request.mimetype == "application/json":
        if request.content_length is None or request.content_length > MAX_VOTE_JSON:
            abort(413)
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or len(data) > 5 or not all(
                isinstance(v, str) and len(v) <= 64 for v in data.values()):
            raise ValidationFailed(_l("Choose agree, disagree or pass."))
        return data.get("idea_id"), data.get("value"), data.get("back")
    return request.form.get("idea_id"), request.form.get("value"), request.form.get("back")


@bp.post("/<int:round_id>/aani")
@limiter.limit(P_LIMIT, key_func=participation.participant_rate_key)
@limiter.limit(A_LIMIT, key_func=participation.address_rate_key)
def vote(round_id: int):
    now = utcnow()
    # The lean path (one SQL statement); None when the full path below must answer.
    lean = voting_web.cast(round_id, now, deal=_json_wanted(), read_input=_vote_input)
    if lean is None:
        return _vote_full(round_id, now)
    db.session.commit()
    return _voted(round_id, *lean)


def _vote_full(round_id: int, now):
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = _participant_for_write(round_)
    ref, raw_value, target = _vote_input()
    value = VOTE_VALUES.get(raw_value or "")
    if value is None or not ref:
        raise ValidationFailed(_l("Choose agree, disagree or pass."))
    if not services.valid_public_id(ref):
        raise NotFound(services.NO_IDEA)
    # One transaction: the vote and, for ideas.js, the next idea to offer.  No counts here
    # and no broadcast per vote: the count publisher sends batches.
    json_wanted = _json_wanted()
    public_id, nxt = services.vote_and_deal(ref, participant, value, now=now, deal=json_wanted)
    db.session.commit()
    return _voted(round_id, public_id, nxt, target)


def _voted(round_id: int, public_id: str, nxt, target):
    """The answer to a stored vote; ``nxt`` is the next idea's (public id, text) or None."""
    if _json_wanted():
        return jsonify({"ok": True, "idea_id": public_id,
                        "next": {"id": nxt[0], "text": nxt[1],
                                 "url": url_for("ideas.idea_page", round_id=round_id, idea_ref=nxt[0])}
                        if nxt else None})
    flash(_("Your vote was saved."), "success")
    if target == "idea":
        return redirect(url_for("ideas.idea_page", round_id=round_id, idea_ref=public_id))
    return redirect(url_for("ideas.round_page", round_id=round_id, _anchor="aanesta"))


def _round_url(round_):
    # What a repeated submission is sent to: never the new item's own address, so the
    # stored submission key (kept ten minutes, with its time) names no idea or comment.
    return lambda _result: url_for("ideas.round_page", round_id=round_.id)


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
    subtheme = int(sub) if sub not in (None, "", "None") and str(sub).isdigit() and len(str(sub)) < 4 else None
    ok, result = attempt(lambda: services.post_idea(round_.id, participant, form.text.data, now=now,
                                                    subtheme=subtheme),
                         once=True, next_url=_round_url(round_))
    if not ok:
        if _json_wanted():
            return jsonify({"ok": False, "error": str(result)}), result.status
        if isinstance(result, ValidationFailed):
            form.text.errors = list(form.text.errors) + [str(result)]
        return _round_page(round_, idea_form=form, status=result.status)
    if isinstance(result, Repeated):
        return redirect(result.url)
    idea = result
    if idea.status == VISIBLE:
        events.idea_added(round_.id, idea)
        flash(_("Thank you! Your idea is now public."), "success")
    else:
        flash(_("Thank you! Your idea will be public once a moderator has approved it."), "success")
    # To the round page, the idea named only in the fragment: browsers do not send it, so no
    # access log line ties the new idea's address to the exact moment it was written.
    return redirect(url_for("ideas.round_page", round_id=round_.id, _anchor=f"idea-{idea.public_id}"))


def _idea_or_404(round_, idea_ref, participant) -> Idea:
    idea = services.find_idea(idea_ref) if services.valid_public_id(idea_ref) else None
    if idea is None or idea.round_id != round_.id or idea.status == "withdrawn":
        abort(404)
    if idea.status == PENDING and not (participant and idea.author_hash == participant.hash):
        abort(404)
    return idea


def _own_idea_or_404(round_, idea_ref, participant) -> Idea:
    """The participant's own idea, else 404: "not yours" and "not there" look the same."""
    idea = _idea_or_404(round_, idea_ref, participant)
    if not (participant and idea.author_hash == participant.hash):
        abort(404)
    return idea


def _comment_or_404(round_, comment_ref, participant, *, own=False) -> IdeaComment:
    comment = services.find_comment(comment_ref) if services.valid_public_id(comment_ref) else None
    if comment is None or comment.round_id != round_.id or comment.status == "withdrawn":
        abort(404)
    is_own = bool(participant and comment.author_hash == participant.hash)
    if (comment.status == PENDING and not is_own) or (own and not is_own):
        abort(404)
    return comment


def _idea_view(round_, idea, participant, *, comment_form=None, status=200):
    now = utcnow()
    comments = services.comments_of(idea.id, participant)
    _ensure_submitter()
    response = current_app.make_response((render_template(
        "ideas/idea.html", round=round_, locale=_locale(), idea=idea, counts=services.shown_idea_counts(idea),
        my_vote=services.my_votes(participant).get(idea.id), comments=comments,
        mine=bool(participant and idea.author_hash == participant.hash),
        my_comments={c.id for c in comments if participant and c.author_hash == participant.hash},
        accepting=round_.accepting(now), comment_form=comment_form or forms.CommentForm()), status))
    if participation.cookie_state(round_.id) != "ok" and round_.state != CLOSED:
        participation.issue_cookie(response, round_)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:round_id>/ideat/<idea_ref>")
def idea_page(round_id: int, idea_ref: str):
    round_ = services.visible_round(round_id, actor=current_user, now=utcnow())
    participant = participation.current_participant(round_.id)
    return _idea_view(round_, _idea_or_404(round_, idea_ref, participant), participant)


@bp.route("/<int:round_id>/ideat/<idea_ref>/muokkaa", methods=["GET", "POST"])
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key, methods=["POST"])
def edit_idea(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _own_idea_or_404(round_, idea_ref, participant)
    form = forms.EditForm(data={"text": idea.text} if request.method == "GET" else None)
    form.text.label.text = _("Your idea")
    if form.validate_on_submit():
        try:
            services.edit_idea(idea.public_id, _participant_for_write(round_), form.text.data, now=now)
        except ValidationFailed as exc:
            form.text.errors = [str(exc)]
        else:
            if idea.status == VISIBLE:
                events.idea_changed(round_.id, idea)
            flash(_("Your idea was updated."), "success")
            return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id))
    return render_template("ideas/edit.html", round=round_, locale=_locale(), form=form, kind="idea",
                           delete_url=url_for("ideas.withdraw_idea", round_id=round_.id, idea_ref=idea.public_id),
                           back=url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id),
                           max_length=round_.max_length), 400 if form.errors else 200


def _confirmed() -> bool:
    return request.form.get("confirm") == "1"


def _confirm_page(*, title, text, quote, action, button, cancel, status=200):
    """The server-rendered "are you sure?" step before what cannot be undone (no JS needed)."""
    return render_template("ideas/confirm.html", title=title, text=text, quote=quote, action=action,
                           button=button, cancel=cancel), status


@bp.post("/<int:round_id>/ideat/<idea_ref>/poista")
def withdraw_idea(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _own_idea_or_404(round_, idea_ref, participant)
    if not _confirmed():
        return _confirm_page(
            title=_("Delete your idea?"), quote=idea.text,
            text=_("Deleting removes the text for good: it cannot be undone, and its votes and comments are no longer shown."),
            action=url_for("ideas.withdraw_idea", round_id=round_.id, idea_ref=idea.public_id),
            button=_("Delete your idea"), cancel=url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id))
    public_id = idea.public_id
    services.withdraw_idea(public_id, _participant_for_write(round_), now=now)
    events.idea_removed(round_.id, public_id)
    flash(_("Your idea was deleted."), "success")
    return redirect(url_for("ideas.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/ideat/<idea_ref>/kommentit")
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key)
@limiter.limit(A_WRITE, key_func=participation.address_rate_key)
def post_comment(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _idea_or_404(round_, idea_ref, participant)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    form = forms.CommentForm()
    if not form.validate_on_submit():
        return _idea_view(round_, idea, participant, comment_form=form, status=400)
    _honeypot(form)
    writer = _participant_for_write(round_)
    ok, result = attempt(lambda: services.post_comment(idea.public_id, writer, form.text.data, now=now),
                         once=True, next_url=_round_url(round_))
    if not ok:
        # The reason is flashed; the text typed stays in the form.
        if isinstance(result, ValidationFailed):
            form.text.errors = list(form.text.errors) + [str(result)]
        return _idea_view(round_, idea, participant, comment_form=form, status=result.status)
    if isinstance(result, Repeated):
        return redirect(result.url)
    if result.status == VISIBLE:
        events.comment_added(round_.id, idea.public_id)
        flash(_("Thank you! Your comment is now public."), "success")
    else:
        flash(_("Thank you! Your comment will be public once a moderator has approved it."), "success")
    return redirect(f"{back}#comment-{result.public_id}")


@bp.route("/<int:round_id>/kommentit/<comment_ref>/muokkaa", methods=["GET", "POST"])
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key, methods=["POST"])
def edit_comment(round_id: int, comment_ref: str):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    comment = _comment_or_404(round_, comment_ref, participant, own=True)
    form = forms.EditForm(data={"text": comment.text} if request.method == "GET" else None)
    form.text.label.text = _("Your comment")
    idea = services.find_idea(comment.idea_id)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    if form.validate_on_submit():
        try:
            services.edit_comment(comment.public_id, _participant_for_write(round_), form.text.data, now=now)
        except ValidationFailed as exc:
            form.text.errors = [str(exc)]
        else:
            flash(_("Your comment was updated."), "success")
            return redirect(back)
    return render_template("ideas/edit.html", round=round_, locale=_locale(), form=form, kind="comment",
                           delete_url=url_for("ideas.withdraw_comment", round_id=round_.id,
                                              comment_ref=comment.public_id),
                           back=back, max_length=services.MAX_COMMENT), 400 if form.errors else 200


@bp.post("/<int:round_id>/kommentit/<comment_ref>/poista")
def withdraw_comment(round_id: int, comment_ref: str):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    comment = _comment_or_404(round_, comment_ref, participant, own=True)
    idea = services.find_idea(comment.idea_id)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    if not _confirmed():
        return _confirm_page(
            title=_("Delete your comment?"), quote=comment.text,
            text=_("Deleting removes the text for good: it cannot be undone."),
            action=url_for("ideas.withdraw_comment", round_id=round_.id, comment_ref=comment.public_id),
            button=_("Delete your comment"), cancel=back)
    services.withdraw_comment(comment.public_id, _participant_for_write(round_), now=now)
    flash(_("Your comment was deleted."), "success")
    return redirect(back)


@bp.route("/<int:round_id>/ideat/<idea_ref>/ilmianna", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=participation.participant_rate_key, methods=["POST"])
def flag(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _idea_or_404(round_, idea_ref, participant)
    comment_ref = request.values.get("comment_id") or request.args.get("kommentti")
    comment = None
    if comment_ref:
        comment = _comment_or_404(round_, comment_ref, participant)
        if comment.idea_id != idea.id or comment.status != VISIBLE:
            abort(404)
    if idea.status != VISIBLE:
        abort(404)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    form = forms.FlagForm()
    if form.validate_on_submit():
        flagger = _participant_for_write(round_)
        ok, result = attempt(lambda: services.flag(idea.public_id, flagger, form.reason.data, form.detail.data,
                                                   now=now, comment_ref=comment.public_id if comment else None),
                             once=True, next_url=_round_url(round_))
        if ok:
            if not isinstance(result, Repeated):
                flash(_("Thank you. A moderator will look at it.") if result
                      else _("You have already reported this. A moderator will look at it."), "success")
            return redirect(back)
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
    ok, result = attempt(lambda: services.request_notification(round_.id, form.email.data, _locale(), now=now),
                         once=True, next_url=_round_url(round_))
    if ok and not isinstance(result, Repeated):
        flash(_("Thank you. We will e-mail you when the outcome is published and when the decision on it is recorded, and then delete your address.")
              if result else _("This address is already on the list: we will e-mail you once when the outcome is published."),
              "success")
    return redirect(url_for("ideas.round_page", round_id=round_.id), code=302 if ok else 303)


@bp.get("/<int:round_id>/nimettomyys")
def anonymity(round_id: int):
    round_ = services.visible_round(round_id, actor=current_user, now=utcnow())
    return render_template("ideas/anonymity.html", round=round_, locale=_locale())


@bp.get("/<int:round_id>/tulokset")
def public_results(round_id: int):
    now = utcnow()
    round_ = services.visible_round(round_id, actor=current_user, now=now)
    from . import live_views

    if round_.state != CLOSED and not access.can(current_user, rules.RESULTS):
        if round_.state == "open":
            return live_views.live_page(round_)   # live: shown counts and the published map
        abort(404, description=_("The results are shown here when the round has opened."))
    return render_template("ideas/results.html", round=round_, locale=_locale(), res=results.compute(round_.id),
                           staff_view=False, **live_views.map_context(round_))


@bp.get("/<int:round_id>/ideat.json")
def ideas_json(round_id: int):
    """The data the page can load: ideas (by public id, in public-id order) and the shown
    counts, never who wrote or voted what."""
    round_ = services.visible_round(round_id, actor=current_user, now=utcnow())
    counts = services.shown_counts(round_)
    out = []
    for idea in services.public_ideas(round_.id, None):
        c = counts.get(idea.id)
        out.append({"id": idea.public_id, "text": idea.text if idea.status == VISIBLE else "",
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
        "plain_summary": form.plain_summary.data or "",
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
    form.needs_publish_confirm = True
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
                    max_length=round_.max_length, publish=round_.state != "draft",
                    plain_summary=round_.plain_summary or "")
        form = forms.RoundForm(data=data)
    else:
        form = forms.RoundForm()
    form.needs_publish_confirm = round_.state == "draft"
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
                                    .order_by(Idea.public_id)))
    return render_template("ideas/staff_round.html", round=round_, locale=_locale(), ideas=ideas,
                           queue=services.queue(round_.id, actor=current_user, now=now),
                           counts=services.shown_counts(round_), comments=services.comment_counts(round_.id),
                           participants=services.participant_count(round_.id), hide_form=forms.HideForm(),
                           tag_form=forms.TagForm(), can_manage=access.can(current_user, rules.MANAGE),
                           flag_reasons=services.FLAG_REASONS, now=now)


@staff.post("/<int:round_id>/moderoi")
@staff_required(rules.MODERATE)
def moderate(round_id: int):
    round_ = services.get_round(round_id)
    kind = request.form.get("kind", "")
    ref = request.form.get("item_id", "")
    action = request.form.get("action", "")
    found = (services.find_idea(ref) if kind == "idea" else services.find_comment(ref)) \
        if services.valid_public_id(ref) else None
    if found is None or found.round_id != round_.id:
        abort(404)
    item = services.moderate(kind, ref, action, actor=current_user, now=utcnow(),
                             reason=request.form.get("reason"))
    if kind == "idea":
        if item.status == VISIBLE and action == "approve":
            events.idea_added(round_.id, item)
        else:
            events.idea_changed(round_.id, item)
    messages = {"approve": _("Approved and published."), "hide": _("Removed from view; the reason is shown publicly."),
                "restore": _("Restored."), "dismiss": _("Reports dismissed.")}
    flash(messages.get(action, _("Done.")), "success")
    return redirect(url_for("ideas_staff.detail", round_id=round_.id, _anchor=f"{kind}-{item.public_id}"))


@staff.post("/<int:round_id>/ideat/<idea_ref>/teemat")
@staff_required(rules.MODERATE)
def tags(round_id: int, idea_ref: str):
    round_ = services.get_round(round_id)
    found = services.find_idea(idea_ref) if services.valid_public_id(idea_ref) else None
    if found is None or found.round_id != round_.id:
        abort(404)
    form = forms.TagForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_l("Themes are too long."))
    idea = services.set_tags(idea_ref, (form.tags.data or "").split(","), actor=current_user, now=utcnow())
    flash(_("Themes saved."), "success")
    return redirect(url_for("ideas_staff.detail", round_id=round_.id, _anchor=f"idea-{idea.public_id}"))


@staff.post("/<int:round_id>/sulje")
@staff_required(rules.MANAGE)
def close(round_id: int):
    round_ = services.get_round(round_id)
    if not _confirmed():
        return _confirm_page(
            title=_("Close the round now?"), quote=round_.text("title", _locale()),
            text=_("Closing cannot be undone: nothing more can be written or voted, and the results are "
                   "published on the round's page at once."),
            action=url_for("ideas_staff.close", round_id=round_.id), button=_("Close the round now"),
            cancel=url_for("ideas_staff.detail", round_id=round_.id))
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

