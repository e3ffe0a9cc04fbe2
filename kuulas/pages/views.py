from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import processes
from ..clock import utcnow
from ..extensions import limiter
from ..web import attempt, confirmed, form_page, staff_required
from . import feedback, services
from .forms import FeedbackForm, FeedbackReplyForm, PageForm

bp = Blueprint("pages", __name__)


@bp.get("/")
def front():
    groups = processes.cards(utcnow(), str(get_locale()))
    return render_template("pages/front.html", groups=groups)


@bp.get("/haku")
@limiter.limit("60 per minute")
def search():
    """Search published processes and outcomes in the reader's language (``kuulas.search``)."""
    from .. import search as engine
    from ..extensions import db

    raw = request.args.get("q", "")
    locale = str(get_locale())
    hits, problem, query = [], None, None
    if "q" in request.args:
        try:
            query = engine.parse(raw, locale)
        except engine.QueryError as exc:
            problem = SEARCH_PROBLEMS[exc.code]
        else:
            hits = engine.run(query, db.engine.dialect.name)
    status = 400 if problem and raw.strip() else 200
    return render_template("pages/search.html", q=raw[:engine.MAX_LENGTH], hits=hits, problem=problem,
                           query=query, min_length=engine.MIN_LENGTH), status


SEARCH_PROBLEMS = {
    "empty": _l("Type one or more words to search for."),
    "too_short": _l("Type a word of at least two letters."),
    "too_long": _l("The search is too long: use at most 200 characters."),
}


@bp.get("/saavutettavuus")
def accessibility():
    return _legal("accessibility")


@bp.get("/tietosuoja")
def privacy():
    return _legal("privacy")


def _legal(slug: str):
    from ..sanitize import markdown, with_section_ids

    page = services.get_page(slug, str(get_locale()))
    body, sections = with_section_ids(markdown(page.body))
    # A long page (three sections or more) gets its "on this page" menu.
    return render_template("pages/legal.html", page=page, slug=slug, body=body,
                           on_this_page=sections if len(sections) >= 3 else [])


@bp.route("/hallinta/sivut/<slug>/<locale>", methods=["GET", "POST"])
@staff_required("site:pages:edit")
def edit(slug: str, locale: str):
    if slug not in services.SLUGS or locale not in current_app.config["LANGUAGES"]:
        abort(404)
    page = services.get_page(slug, locale)
    form = PageForm(obj=page)
    if form.validate_on_submit():
        ok, _page = attempt(lambda: services.save_page(slug, locale, form.title.data, form.body.data,
                                                       actor=current_user, now=utcnow()),
                            _("The page was saved."))
        if ok:
            return redirect(url_for("pages.edit", slug=slug, locale=locale))
    status = 400 if form.errors else 200
    return render_template("pages/edit.html", form=form, slug=slug, locale=locale,
                           slugs=services.SLUGS, stored=page.id is not None), status


@bp.route("/hallinta/sivut/<slug>/<locale>/palauta", methods=["GET", "POST"])
@staff_required("site:pages:edit")
def reset(slug: str, locale: str):
    """Delete the edited text and show the shipped default again: a confirmation step."""
    if slug not in services.SLUGS or locale not in current_app.config["LANGUAGES"]:
        abort(404)
    if confirmed():
        attempt(lambda: services.reset_page(slug, locale, actor=current_user,
                                                          now=utcnow()),
                              _("The edited text was deleted; the default text is shown again."))
        return redirect(url_for("pages.edit", slug=slug, locale=locale))
    page = services.get_page(slug, locale)
    return render_template("pages/reset_confirm.html", page=page, slug=slug, locale=locale,
                           slugs=services.SLUGS)


# --- accessibility feedback ---------------------------------------------------------------

@bp.route("/saavutettavuus/palaute", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def feedback_form():
    form = FeedbackForm()
    return form_page(
        form, lambda: feedback.submit(name=form.name.data or "", email=form.email.data,
                                      page=form.page.data or "", description=form.description.data,
                                      locale=str(get_locale()), now=utcnow()),
        success=None,
        next_url=lambda _item: url_for("pages.feedback_sent"),
        render=lambda status: (render_template("pages/feedback.html", form=form,
                                               reply_days=feedback.REPLY_DAYS), status))


@bp.get("/saavutettavuus/palaute/kiitos")
def feedback_sent():
    return render_template("pages/feedback_sent.html", reply_days=feedback.REPLY_DAYS)


@bp.get("/hallinta/saavutettavuuspalaute")
@staff_required(feedback.HANDLE)
def feedback_queue():
    now = utcnow()
    items = feedback.queue(actor=current_user, now=now)
    return render_template("pages/feedback_queue.html", items=items, now=now,
                           status=lambda item: feedback.status(item, now))


@bp.route("/hallinta/saavutettavuuspalaute/<int:feedback_id>", methods=["GET", "POST"])
@staff_required(feedback.HANDLE)
def feedback_item(feedback_id: int):
    now = utcnow()
    item = feedback.get(feedback_id, actor=current_user, now=now)
    form = FeedbackReplyForm()
    return form_page(
        form, lambda: feedback.reply(feedback_id, form.reply.data, actor=current_user, now=utcnow()),
        success=_("The reply was sent and the contact address deleted."),
        next_url=lambda _item: url_for("pages.feedback_queue"),
        render=lambda status: (render_template("pages/feedback_item.html", item=item, form=form,
                                               state=feedback.status(item, now)), status))


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from .. import staff_menu

    app.register_blueprint(bp)
    staff_menu.register(_l("Accessibility feedback"), "pages.feedback_queue", feedback.HANDLE,
                        order=95)
