"""Read-only open-data API for published outcomes, described by OpenAPI 3.1 at
``/api/v1/openapi.json``.  Reads only through ``visibility.visible_outcomes``; the
documents are built by ``present`` (a key allowlist), CC BY 4.0."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from . import present, sources, visibility

bp = Blueprint("outcomes_api", __name__, url_prefix="/api/v1")
MAX_LIMIT = 100


@bp.after_request
def _open(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


def _int_arg(name, default, lo, hi):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        abort(400)
    return int(raw)


@bp.get("/outcomes")
def outcomes():
    year = _int_arg("year", None, 1900, 2999)
    kind = request.args.get("kind")
    status = request.args.get("status")
    if kind is not None and kind not in sources.KINDS:
        abort(400)
    if status is not None and status not in visibility.STATUS_FILTERS:
        abort(400)
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0, 10 ** 6)
    items = visibility.list_public(year=year, kind=kind, status=status, limit=limit, offset=offset)
    return jsonify({"count": visibility.count_public(year=year, kind=kind, status=status),
                    "limit": limit, "offset": offset,
                    "license": present.LICENSE,
                    "items": [present.summary_item(o) for o in items]})


@bp.get("/outcomes/<int:outcome_id>")
def outcome(outcome_id: int):
    return jsonify(present.as_json(visibility.get_public(outcome_id)))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config["SITE_URL"]))


def _nullable(schema: dict) -> dict:
    t = schema["type"]
    return {**schema, "type": [t, "null"] if isinstance(t, str) else [*t, "null"]}


STR = {"type": "string"}
INT = {"type": "integer", "minimum": 0}
DATETIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
STATUS = {"type": ["string", "null"], "enum": ["adopted", "partly", "not_adopted", "pending", None]}


# The language the outcome's own texts are written in (ISO 639-1).
LANG = {"type": "string", "enum": ["fi", "sv", "en"]}


def _obj(props: dict, required: list | None = None) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": props,
            "required": list(props) if required is None else required}


def openapi_document(server: str) -> dict:
    license_ = _obj({"name": STR, "url": STR})
    error = _obj({"error": STR, "detail": STR})
    summary = _obj({"id": INT, "url": STR, "api_url": STR, "kind": {"type": "string", "enum": list(sources.KINDS)},
                    "title": STR, "language": LANG, "published_at": DATETIME, "closed_at": _nullable(DATETIME),
                    "updated_at": DATETIME, "decision_recorded": {"type": "boolean"}})
    category = _obj({"value": STR, "label": STR, "count": _nullable(INT),
                     "share": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                     "population_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                     "suppressed": {"type": "boolean"}})
    outcome = _obj({
        "id": INT, "url": STR, "kind": {"type": "string", "enum": list(sources.KINDS)}, "title": STR,
        "language": LANG, "translations": {
            "type": "object", "propertyNames": LANG,
            "additionalProperties": _obj({"title": STR, "question": STR, "background": STR, "summary_markdown": STR})},
        "question": STR, "background": STR, "summary_markdown": STR,
        "opened_at": _nullable(DATETIME), "closed_at": _nullable(DATETIME), "published_at": DATETIME,
        "updated_at": DATETIME,
        "timeline": {"type": "array", "items": _obj({"kind": STR, "at": DATETIME, "label": STR})},
        "participation": {"type": "object", "additionalProperties": INT,
                          "propertyNames": {"enum": list(present.FIGURE_LABELS)}},
        "composition": {"type": "array", "items": _obj({"feature": STR, "label": STR,
                                                        "categories": {"type": "array", "items": category}})},
        "results": _obj({
            "top_ideas": {"type": "array", "items": _obj({"text": STR, "agree": INT, "disagree": INT, "pass": INT,
                                                           "themes": {"type": "array", "items": STR}})},
            "consensus": {"type": "array", "items": STR},
            "groups": {"type": "array", "items": _obj({"label": STR, "size": _nullable({"type": "integer", "minimum": 5}),
                                                        "distinctive": {"type": "array", "items": STR}})}}),
        "statement": {"oneOf": [{"type": "null"}, _obj({
            "sections": {"type": "array", "items": _obj({"title": STR, "text": STR})},
            "sha256": STR, "locked_at": _nullable(STR)})]},
        "decisions": {"type": "array", "items": _obj({"id": INT, "body": STR, "meeting_date": DATE, "item": STR,
                                                       "minutes_url": _nullable({"type": "string", "pattern": "^https?://"}),
                                                       "summary": STR, "translations": {
                                                           "type": "object", "propertyNames": LANG,
                                                           "additionalProperties": _obj({"body": STR, "summary": STR},
                                                                                        required=[])}})},
        "impacts": {"type": "array", "items": _obj({
            "point": STR, "text": STR, "status": STATUS, "reasoning": _nullable(STR),
            "decision_id": _nullable(INT),
            "translations": {"type": "object", "propertyNames": LANG,
                             "additionalProperties": _obj({"reasoning": STR})},
            "history": {"type": "array", "items": _obj({"status": STATUS, "reasoning": STR,
                                                         "decision_id": _nullable(INT), "recorded_at": DATETIME})}})},
        "plain_summary_fi": STR,
        "follow_ups": {"type": "array", "items": _obj({"date": DATE, "text": STR})},
        "attachments": {"type": "array", "items": _obj({"title": STR, "filename": STR, "content_type": STR,
                                                         "size": INT, "sha256": STR, "url": STR})},
        "changes": {"type": "array", "items": _obj({"at": DATETIME, "action": STR})},
        "license": {"$ref": "#/components/schemas/License"},
    })
    listing = _obj({"count": INT, "limit": INT, "offset": INT, "license": {"$ref": "#/components/schemas/License"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/OutcomeSummary"}}})

    def json_response(description, ref):
        return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "Kuulas outcomes open data", "version": "1.0.0",
                 "description": "Published outcomes of resident participation: what was asked, who took part "
                                "(aggregate, cells under 5 suppressed), what was said and decided, and how "
                                "participation affected the decisions.",
                 "license": {"name": "CC BY 4.0", "url": present.LICENSE["url"]}},
        "servers": [{"url": server.rstrip("/") + "/api/v1"}],
        "paths": {
            "/outcomes": {"get": {
                "operationId": "listOutcomes", "summary": "Published outcomes, newest first",
                "parameters": [
                    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1900, "maximum": 2999}},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(sources.KINDS)}},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(visibility.STATUS_FILTERS)}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                "responses": {"200": json_response("A page of outcomes", "#/components/schemas/OutcomeList"),
                              "400": json_response("Invalid parameter", "#/components/schemas/Error")}}},
            "/outcomes/{id}": {"get": {
                "operationId": "getOutcome", "summary": "One published outcome",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": json_response("The outcome", "#/components/schemas/Outcome"),
                              "404": json_response("No published outcome with this id", "#/components/schemas/Error")}}},
        },
        "components": {"schemas": {"License": license_, "Error": error, "OutcomeSummary": summary,
                                   "Outcome": outcome, "OutcomeList": listing}},
    }
