"""Public views of the idea rounds under ``/ideariihi``: the round and idea pages, taking
part (ideas, comments, votes, reports, the outcome notice) and the public results.  A view
validates its form and calls one service through ``kuulas.web.attempt`` (one transaction,
committed there); the services declare their broadcasts, sent after that commit.  The round
in the URL is the participant's round, so the services refuse another round's items."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import (abort, after_this_request, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from kuulas import access
from kuulas.clock import utcnow
from kuulas.errors import NotFound, ValidationFailed
from kuulas.extensions import limiter
from kuulas.web import Repeated, attempt

from . import common, forms, lifecycle, participating, participation, reading, results, rules, voting_web
from .models import CLOSED, HIDDEN, PENDING, VISIBLE, VOTE_VALUES, WITHDRAWN, Idea, IdeaComment
from .view_helpers import bp, confirm_page, confirmed, json_wanted, page_locale

PAGE_SIZE = 30
# No "newest" order: it would show the order (and so roughly the time) of posting.
SORTS = ("sekoitettu", "kannatetuimmat", "vahiten-aania")
DEFAULT_SORT = "sekoitettu"

P_WRITE = "6 per minute;40 per hour"         # ideas and comments per participant
A_WRITE = "120 per hour"


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
    shown = reading.shown_counts(round_)           # what everyone may see (batched)
    voted = reading.my_votes(participant)
    index = reading.idea_index(round_.id, participant)
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
    page_ideas = reading.ideas_by_id([r[0] for r in index[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]])
    accepting = round_.accepting(now)
    # A first-time visitor has no token yet (it is made at their first write): deal from
    # every visible idea, so nobody is told they have voted on everything before starting.
    # Dealing weighs by the live totals (inside only; nothing of them is shown).
    dealt = reading.next_idea(round_.id, participant, voted=voted, index=index) if accepting else None
    locale = page_locale()
    if idea_form is None:
        idea_form = forms.IdeaForm()
    idea_form.subtheme.choices = [SelectChoice("", _("No sub-theme"))] + [
        SelectChoice(str(n), label) for n, label in enumerate(round_.subtheme_labels(locale))]
    _ensure_submitter()
    response = current_app.make_response((render_template(
        "ideas/round.html", round=round_, locale=locale, ideas=page_ideas, counts=shown, voted=voted,
        mine={r[0] for r in index if r[2]},
        comments=reading.comment_counts(round_.id), dealt=dealt, accepting=accepting, now=now,
        idea_form=idea_form, notify_form=forms.NotifyForm(), page=page, pages=pages, sort=sort,
        total_visible=sum(1 for r in index if r[1] == VISIBLE),
        voted_count=len(voted)), status))
    if participation.cookie_state(round_.id) != "ok" and round_.state != CLOSED:
        participation.issue_cookie(response, round_)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:round_id>")
def round_page(round_id: int):
    round_ = common.visible_round(round_id, actor=current_user, now=utcnow())
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
def vote(round_id: int):
    participation.count_vote_or_refuse()
    now = utcnow()
    # The lean path (one SQL statement); None when the full path below must answer.
    _ok, lean = attempt(lambda: voting_web.cast(round_id, now, deal=json_wanted(), read_input=_vote_input),
                        raise_errors=True)
    if lean is None:
        return _vote_full(round_id, now)
    return _voted(round_id, *lean)


def _vote_full(round_id: int, now):
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    participant = _participant_for_write(round_)
    ref, raw_value, target = _vote_input()
    value = VOTE_VALUES.get(raw_value or "")
    if value is None or not ref:
        raise ValidationFailed(_l("Choose agree, disagree or pass."))
    if not common.valid_public_id(ref):
        raise NotFound(common.NO_IDEA)
    # One transaction: the vote and, for ideas.js, the next idea to offer.  No counts here
    # and no broadcast per vote: the count publisher sends batches.
    _ok, (public_id, nxt) = attempt(lambda: participating.vote_and_deal(ref, participant, value, now=now,
                                                                       deal=json_wanted()),
                                    raise_errors=True)
    return _voted(round_id, public_id, (nxt.public_id, nxt.text) if nxt else None, target)


def _voted(round_id: int, public_id: str, nxt, target):
    """The answer to a stored vote; ``nxt`` is the next idea's (public id, text) or None."""
    if json_wanted():
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
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    form = forms.IdeaForm()
    form.subtheme.choices = []
    if not form.validate_on_submit():
        if json_wanted():
            return jsonify({"ok": False, "error": " ".join(m for ms in form.errors.values() for m in ms)}), 400
        return _round_page(round_, idea_form=form, status=400)
    _honeypot(form)
    participant = _participant_for_write(round_)
    sub = form.subtheme.data
    subtheme = int(sub) if sub not in (None, "", "None") and str(sub).isdigit() and len(str(sub)) < 4 else None
    ok, result = attempt(lambda: participating.post_idea(round_.id, participant, form.text.data, now=now,
                                                    subtheme=subtheme),
                         once=True, next_url=_round_url(round_))
    if not ok:
        if json_wanted():
            return jsonify({"ok": False, "error": str(result)}), result.status
        if isinstance(result, ValidationFailed):
            form.text.errors = list(form.text.errors) + [str(result)]
        return _round_page(round_, idea_form=form, status=result.status)
    if isinstance(result, Repeated):
        return redirect(result.url)
    idea = result
    if idea.status == VISIBLE:
        flash(_("Thank you! Your idea is now public."), "success")
    else:
        flash(_("Thank you! Your idea will be public once a moderator has approved it."), "success")
    # To the round page, the idea named only in the fragment: browsers do not send it, so no
    # access log line ties the new idea's address to the exact moment it was written.
    return redirect(url_for("ideas.round_page", round_id=round_.id, _anchor=f"idea-{idea.public_id}"))


def _idea_or_404(round_, idea_ref, participant) -> Idea:
    idea = common.find_idea(idea_ref) if common.valid_public_id(idea_ref) else None
    if idea is None or idea.round_id != round_.id or idea.status == WITHDRAWN:
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
    comment = common.find_comment(comment_ref) if common.valid_public_id(comment_ref) else None
    if comment is None or comment.round_id != round_.id or comment.status == WITHDRAWN:
        abort(404)
    is_own = bool(participant and comment.author_hash == participant.hash)
    if (comment.status == PENDING and not is_own) or (own and not is_own):
        abort(404)
    return comment


def _kept_input(form, error) -> int:
    """After a refused edit: the text typed stays in the form, an invalid one is marked on
    the field (the reason is flashed too); the page comes back with the error's status."""
    if isinstance(error, ValidationFailed):
        form.text.errors = list(form.text.errors) + [str(error)]
    return error.status


def _idea_view(round_, idea, participant, *, comment_form=None, status=200):
    now = utcnow()
    comments = reading.comments_of(idea.id, participant)
    _ensure_submitter()
    response = current_app.make_response((render_template(
        "ideas/idea.html", round=round_, locale=page_locale(), idea=idea, counts=reading.shown_idea_counts(idea),
        my_vote=reading.my_votes(participant).get(idea.id), comments=comments,
        mine=bool(participant and idea.author_hash == participant.hash),
        my_comments={c.id for c in comments if participant and c.author_hash == participant.hash},
        accepting=round_.accepting(now), comment_form=comment_form or forms.CommentForm()), status))
    if participation.cookie_state(round_.id) != "ok" and round_.state != CLOSED:
        participation.issue_cookie(response, round_)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:round_id>/ideat/<idea_ref>")
def idea_page(round_id: int, idea_ref: str):
    round_ = common.visible_round(round_id, actor=current_user, now=utcnow())
    participant = participation.current_participant(round_.id)
    return _idea_view(round_, _idea_or_404(round_, idea_ref, participant), participant)


@bp.route("/<int:round_id>/ideat/<idea_ref>/muokkaa", methods=["GET", "POST"])
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key, methods=["POST"])
def edit_idea(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _own_idea_or_404(round_, idea_ref, participant)
    form = forms.EditForm(data={"text": idea.text} if request.method == "GET" else None)
    form.text.label.text = _("Your idea")
    status = 200
    if form.validate_on_submit():
        ok, result = attempt(lambda: participating.edit_idea(idea.public_id, _participant_for_write(round_),
                                                             form.text.data, now=now),
                             _("Your idea was updated."))
        if ok:
            return redirect(url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id))
        status = _kept_input(form, result)
    elif form.errors:
        status = 400
    return render_template("ideas/edit.html", round=round_, locale=page_locale(), form=form, kind="idea",
                           delete_url=url_for("ideas.withdraw_idea", round_id=round_.id, idea_ref=idea.public_id),
                           back=url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id),
                           max_length=round_.max_length), status


@bp.post("/<int:round_id>/ideat/<idea_ref>/poista")
def withdraw_idea(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _own_idea_or_404(round_, idea_ref, participant)
    if not confirmed():
        return confirm_page(
            title=_("Delete your idea?"), quote=idea.text,
            text=_("Deleting removes the text for good: it cannot be undone, and its votes and comments are no longer shown."),
            action=url_for("ideas.withdraw_idea", round_id=round_.id, idea_ref=idea.public_id),
            button=_("Delete your idea"), cancel=url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id))
    attempt(lambda: participating.withdraw_idea(idea.public_id, _participant_for_write(round_), now=now),
            _("Your idea was deleted."), raise_errors=True)
    return redirect(url_for("ideas.round_page", round_id=round_.id))


@bp.post("/<int:round_id>/ideat/<idea_ref>/kommentit")
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key)
@limiter.limit(A_WRITE, key_func=participation.address_rate_key)
def post_comment(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    idea = _idea_or_404(round_, idea_ref, participant)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    form = forms.CommentForm()
    if not form.validate_on_submit():
        return _idea_view(round_, idea, participant, comment_form=form, status=400)
    _honeypot(form)
    writer = _participant_for_write(round_)
    ok, result = attempt(lambda: participating.post_comment(idea.public_id, writer, form.text.data, now=now),
                         once=True, next_url=_round_url(round_))
    if not ok:
        # The reason is flashed; the text typed stays in the form.
        if isinstance(result, ValidationFailed):
            form.text.errors = list(form.text.errors) + [str(result)]
        return _idea_view(round_, idea, participant, comment_form=form, status=result.status)
    if isinstance(result, Repeated):
        return redirect(result.url)
    if result.status == VISIBLE:
        flash(_("Thank you! Your comment is now public."), "success")
    else:
        flash(_("Thank you! Your comment will be public once a moderator has approved it."), "success")
    return redirect(f"{back}#comment-{result.public_id}")


@bp.route("/<int:round_id>/kommentit/<comment_ref>/muokkaa", methods=["GET", "POST"])
@limiter.limit(P_WRITE, key_func=participation.participant_rate_key, methods=["POST"])
def edit_comment(round_id: int, comment_ref: str):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    comment = _comment_or_404(round_, comment_ref, participant, own=True)
    form = forms.EditForm(data={"text": comment.text} if request.method == "GET" else None)
    form.text.label.text = _("Your comment")
    idea = common.find_idea(comment.idea_id)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    status = 200
    if form.validate_on_submit():
        ok, result = attempt(lambda: participating.edit_comment(comment.public_id, _participant_for_write(round_),
                                                                form.text.data, now=now),
                             _("Your comment was updated."))
        if ok:
            return redirect(back)
        status = _kept_input(form, result)
    elif form.errors:
        status = 400
    return render_template("ideas/edit.html", round=round_, locale=page_locale(), form=form, kind="comment",
                           delete_url=url_for("ideas.withdraw_comment", round_id=round_.id,
                                              comment_ref=comment.public_id),
                           back=back, max_length=common.MAX_COMMENT), status


@bp.post("/<int:round_id>/kommentit/<comment_ref>/poista")
def withdraw_comment(round_id: int, comment_ref: str):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    participant = participation.current_participant(round_.id)
    comment = _comment_or_404(round_, comment_ref, participant, own=True)
    idea = common.find_idea(comment.idea_id)
    back = url_for("ideas.idea_page", round_id=round_.id, idea_ref=idea.public_id)
    if not confirmed():
        return confirm_page(
            title=_("Delete your comment?"), quote=comment.text,
            text=_("Deleting removes the text for good: it cannot be undone."),
            action=url_for("ideas.withdraw_comment", round_id=round_.id, comment_ref=comment.public_id),
            button=_("Delete your comment"), cancel=back)
    attempt(lambda: participating.withdraw_comment(comment.public_id, _participant_for_write(round_), now=now),
            _("Your comment was deleted."), raise_errors=True)
    return redirect(back)


@bp.route("/<int:round_id>/ideat/<idea_ref>/ilmianna", methods=["GET", "POST"])
@limiter.limit("20 per hour", key_func=participation.participant_rate_key, methods=["POST"])
def flag(round_id: int, idea_ref: str):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
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
        ok, result = attempt(lambda: participating.flag(idea.public_id, flagger, form.reason.data, form.detail.data,
                                                   now=now, comment_ref=comment.public_id if comment else None),
                             once=True, next_url=_round_url(round_))
        if ok:
            if not isinstance(result, Repeated):
                flash(_("Thank you. A moderator will look at it.") if result
                      else _("You have already reported this. A moderator will look at it."), "success")
            return redirect(back)
    return render_template("ideas/flag.html", round=round_, locale=page_locale(), idea=idea, comment=comment,
                           form=form, accepting=round_.accepting(now)), 400 if form.errors else 200


@bp.post("/<int:round_id>/ilmoitus")
@limiter.limit("10 per hour", key_func=participation.address_rate_key)
def notify(round_id: int):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    form = forms.NotifyForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_l("Enter an e-mail address such as name@example.fi."))
    ok, result = attempt(lambda: participating.request_notification(round_.id, form.email.data, page_locale(), now=now),
                         once=True, next_url=_round_url(round_))
    if ok and not isinstance(result, Repeated):
        flash(_("Thank you. We will e-mail you when the outcome is published and when the decision on it is recorded, and then delete your address.")
              if result else _("This address is already on the list: we will e-mail you once when the outcome is published."),
              "success")
    return redirect(url_for("ideas.round_page", round_id=round_.id), code=302 if ok else 303)


@bp.get("/<int:round_id>/nimettomyys")
def anonymity(round_id: int):
    round_ = common.visible_round(round_id, actor=current_user, now=utcnow())
    return render_template("ideas/anonymity.html", round=round_, locale=page_locale())


@bp.get("/<int:round_id>/tulokset")
def public_results(round_id: int):
    now = utcnow()
    round_ = common.visible_round(round_id, actor=current_user, now=now)
    from . import live_views

    if round_.state != CLOSED and not access.can(current_user, rules.RESULTS):
        if lifecycle.allows(round_.state, lifecycle.POST_IDEA):
            return live_views.live_page(round_)   # live: shown counts and the published map
        abort(404, description=_("The results are shown here when the round has opened."))
    return render_template("ideas/results.html", round=round_, locale=page_locale(), res=results.compute(round_.id),
                           staff_view=False, **live_views.map_context(round_))


@bp.get("/<int:round_id>/ideat.json")
def ideas_json(round_id: int):
    """The data the page can load: ideas (by public id, in public-id order) and the shown
    counts, never who wrote or voted what."""
    round_ = common.visible_round(round_id, actor=current_user, now=utcnow())
    counts = reading.shown_counts(round_)
    out = []
    for idea in reading.public_ideas(round_.id, None):
        c = counts.get(idea.id)
        out.append({"id": idea.public_id, "text": idea.text if idea.status == VISIBLE else "",
                    "removed_reason": idea.hidden_reason if idea.status == HIDDEN else None,
                    "status": idea.status, "written": idea.created_at.date().isoformat(),
                    "agree": c.agree if c else 0, "disagree": c.disagree if c else 0, "pass": c.pass_ if c else 0})
    return jsonify({"round": round_.id, "state": round_.state, "ideas": out})
