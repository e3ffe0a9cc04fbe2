"""Public outcome pages (no account needed), downloads and the Atom feed.  Every
handler reads through ``visibility.visible_outcomes`` (via get_public/list_public)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from . import cache, exports, present, sources, visibility

bp = Blueprint("outcomes", __name__)

EXPORTS = {
    ("outcome", "docx"), ("outcome", "pdf"), ("statement", "docx"), ("statement", "pdf"),
    ("outcome", "json"), ("results", "csv"), ("results", "xlsx"),
}


def _filters():
    year = request.args.get("vuosi", "")
    kind = request.args.get("tyyppi", "")
    status = request.args.get("tila", "")
    year = int(year) if year.isdigit() and 1900 < int(year) < 3000 else None
    kind = kind if kind in sources.KINDS else None
    status = status if status in visibility.STATUS_FILTERS else None
    return year, kind, status


@bp.get("/tulokset")
def index():
    year, kind, status = _filters()

    def render():
        items = visibility.list_public(year=year, kind=kind, status=status)
        return render_template("outcomes/index.html", items=items, years=visibility.public_years(),
                               year=year, kind=kind, status=status, kinds=present.KIND_LABELS)
    return cache.respond(cache.stamp("list", visibility.public_stamp), render)


@bp.get("/tulokset/<int:outcome_id>")
def show(outcome_id: int):
    revision = cache.stamp(("outcome", outcome_id), lambda: visibility.public_revision(outcome_id))
    if revision is None:
        abort(404)

    def render():
        outcome = visibility.get_public(outcome_id)
        return render_template("outcomes/show.html", preview=False, **present.view(outcome))
    return cache.respond((outcome_id, revision), render)


@bp.get("/tulokset/<int:outcome_id>/liitteet/<int:attachment_id>")
def attachment(outcome_id: int, attachment_id: int):
    return send_attachment(visibility.public_attachment(outcome_id, attachment_id))


def send_attachment(att):
    response = Response(att.data, mimetype=att.content_type)
    response.headers["Content-Disposition"] = _disposition(att.filename)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@bp.get("/tulokset/<int:outcome_id>/lataa/<name>.<fmt>")
def download(outcome_id: int, name: str, fmt: str):
    return export_response(visibility.get_public(outcome_id), name, fmt)


def export_response(outcome, name: str, fmt: str):
    if (name, fmt) not in EXPORTS or (name == "results" and outcome.source_kind != "ideas"):
        abort(404)
    stem = f"tulos-{outcome.id}" if name != "statement" else f"lausuma-{outcome.id}"
    if fmt == "json":
        from flask import jsonify

        response = jsonify(present.as_json(outcome))
    elif fmt == "pdf":
        response = Response(exports.pdf(outcome, name), mimetype="application/pdf")
    elif fmt == "docx":
        response = Response(exports.docx(outcome, name), mimetype=exports.DOCX_TYPE)
    elif fmt == "csv":
        response = Response(exports.results_csv(outcome), mimetype="text/csv; charset=utf-8")
    else:
        response = Response(exports.results_xlsx(outcome), mimetype=exports.XLSX_TYPE)
    if name == "results":
        stem = f"tulokset-{outcome.id}"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@bp.get("/tulokset/syote.atom")
def feed():
    """The Atom feed in one language by URL (``?lang=sv``; without it, the reader's): feed
    readers send no language cookie, so each language has its own address."""
    lang = request.args.get("lang")
    if lang is not None:
        if lang not in current_app.config["LANGUAGES"]:
            abort(404)
        from flask import g
        from flask_babel import refresh

        g.force_lang = lang
        refresh()

    def render():
        items = visibility.list_public(limit=50)
        updated = max((o.updated_at for o in items), default=None)
        return render_template("outcomes/feed.xml", items=items, updated=updated,
                               site_url=current_app.config["SITE_URL"],
                               feed_title=_("Outcomes of participation – %(org)s",
                                            org=current_app.config["ORGANISATION_NAME"]),
                               kinds=present.KIND_LABELS, entry_summary=present.feed_summary,
                               feed_lang=lang)
    return cache.respond(("feed", cache.stamp("list", visibility.public_stamp)), render, mimetype="application/atom+xml; charset=utf-8")
