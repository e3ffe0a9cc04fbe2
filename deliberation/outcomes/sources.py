"""The outcome side's only view of the processes it closes.

An outcome names its source by ``source_kind`` ("ideas" or "raati") and ``source_id``;
this adapter turns the agreed api modules of those areas (``deliberation.ideas.api``,
``deliberation.raati.api``, ``panel.api``) into one shape, so models, pages and exports
never depend on the sources' internals.  A source whose api module is not installed
simply offers nothing.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

log = logging.getLogger(__name__)

IDEAS, RAATI, FEEDBACK, SURVEYS = "ideas", "raati", "feedback", "surveys"
KINDS = (IDEAS, RAATI, FEEDBACK, SURVEYS)
_MODULES = {IDEAS: "deliberation.ideas.api", RAATI: "deliberation.raati.api", FEEDBACK: "deliberation.feedback.api",
            "panel": "panel.api", SURVEYS: "panel.surveys.api"}


def _api(name: str):
    try:
        return importlib.import_module(_MODULES[name])
    except ModuleNotFoundError as exc:
        if exc.name and _MODULES[name].startswith(exc.name):
            return None
        raise


def available(kind: str) -> bool:
    return _api(kind) is not None


@dataclass
class SourceData:
    kind: str
    source_id: int
    title: str
    question: str
    background: str
    opens_at: datetime | None = None
    closed_at: datetime | None = None
    figures: dict = field(default_factory=dict)       # participants, ideas, votes, comments, sessions, members
    timeline: list = field(default_factory=list)      # [dict(kind, at, label)]
    composition: list = field(default_factory=list)   # panel.api.composition shape
    points: list = field(default_factory=list)        # [dict(key, text)]: what impacts are recorded against
    results: dict = field(default_factory=dict)       # top_ideas, consensus, groups
    statement: dict | None = None                     # sections, sha256, locked_at
    summary: str = ""


def finished(kind: str) -> list[dict]:
    api = _api(kind)
    if api is None:
        return []
    rows = {IDEAS: getattr(api, "finished_rounds", None), RAATI: getattr(api, "finished_raatis", None),
            FEEDBACK: getattr(api, "finished_items", None), SURVEYS: getattr(api, "finished_surveys", None)}[kind]()
    return [{"id": int(r["id"]), "title": str(r["title"])} for r in rows]


def _dt(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def load(kind: str, source_id: int, locale: str) -> SourceData | None:
    api = _api(kind)
    if api is None:
        return None
    if kind == IDEAS:
        d = api.round_outcome_data(source_id, locale)
        if not d:
            return None
        top = list(d.get("top_ideas") or [])
        data = SourceData(
            kind=kind, source_id=source_id, title=d.get("title") or "", question=d.get("question") or "",
            background=d.get("background") or "", opens_at=_dt(d.get("opens_at")), closed_at=_dt(d.get("closes_at")),
            figures={k: int(d.get(k) or 0) for k in ("participants", "ideas", "votes", "comments")},
            results={"top_ideas": [{"text": str(i.get("text", "")), "agree": int(i.get("agree") or 0),
                                    "disagree": int(i.get("disagree") or 0), "pass": int(i.get("pass_") or 0),
                                    "score": i.get("score"), "themes": list(i.get("themes") or [])}
                                   for i in top],
                     "consensus": [str(t) for t in d.get("consensus") or []],
                     "groups": [{"label": str(g.get("label", "")), "size": int(g.get("size") or 0),
                                 "distinctive": [str(t) for t in g.get("distinctive") or []]}
                                for g in d.get("groups") or []]},
            points=[{"key": f"idea-{n}", "text": str(i.get("text", ""))} for n, i in enumerate(top, 1)],
            # Not the round's own Markdown draft: it lists the top ideas, agreement and groups,
            # which the outcome shows from ``results`` (each once); see drafts._prefill_summary.
            summary="")
        data.timeline = [t for t in (
            {"kind": "opened", "at": data.opens_at, "label": ""},
            {"kind": "closed", "at": data.closed_at, "label": ""}) if t["at"]]
        return data
    if kind == SURVEYS:
        return _load_survey(api, source_id, locale)
    if kind == FEEDBACK:
        return _feedback(api, source_id, locale)
    d = api.raati_outcome_data(source_id, locale)
    if not d:
        return None
    sessions = list(d.get("sessions") or [])
    statement = d.get("statement")
    if statement:
        statement = {"sections": [{"title": str(s.get("title", "")), "text": str(s.get("text", ""))}
                                  for s in statement.get("sections") or []],
                     "sha256": str(statement.get("sha256") or ""), "locked_at": _dt(statement.get("locked_at")),
                     "approval": approval_record(statement.get("approval"))}
    data = SourceData(
        kind=kind, source_id=source_id, title=d.get("title") or "", question=d.get("question") or "",
        background=d.get("background") or "",
        figures={"members": int(d.get("members") or 0), "sessions": len(sessions)},
        statement=statement, summary=d.get("summary_markdown") or "")
    starts = [_dt(s.get("starts_at")) for s in sessions if s.get("starts_at")]
    data.opens_at = min(starts) if starts else None
    data.timeline = [{"kind": "session", "at": _dt(s.get("starts_at")), "label": str(s.get("title", ""))}
                     for s in sessions if s.get("starts_at")]
    if statement and statement.get("locked_at"):
        # Only a statement locked with the members' approval is "approved".
        approval = statement.get("approval") or {}
        kind = ("statement_override" if approval.get("override") else
                "statement" if approval.get("approved") else "statement_locked")
        data.timeline.append({"kind": kind, "at": statement["locked_at"], "label": ""})
        data.closed_at = statement["locked_at"]
    elif sessions:
        ends = [_dt(s.get("ends_at")) for s in sessions if s.get("ends_at")]
        data.closed_at = max(ends) if ends else None
    if statement:
        data.points = [{"key": f"section-{n}", "text": s["title"] or s["text"][:200]}
                       for n, s in enumerate(statement["sections"], 1)]
    panel_id = d.get("panel_id")
    panel_api = _api("panel")
    if panel_id and panel_api is not None:
        data.composition = composition_snapshot(panel_api, panel_id, d.get("member_account_ids") or None, locale)
    return data


TEXT_FIELDS = ("title", "question", "background", "summary")
LANGUAGES = ("fi", "sv", "en")


def carried_translations(kind: str, source_id: int, data: SourceData, language: str) -> dict:
    """The process's own texts in the languages other than ``language`` (the one ``data`` was
    loaded in), as the outcome's ``translations`` map: ``{"sv": {"title", "question", ...}}``.

    The sources' api modules fall back to Finnish where a text has no translation, so a
    text counts as translated into sv/en only where it differs from the Finnish one."""
    loaded = {language: data}

    def get(lang):
        if lang not in loaded:
            loaded[lang] = load(kind, source_id, lang)
        return loaded[lang]

    finnish = get("fi")
    out: dict = {}
    for lang in LANGUAGES:
        if lang == language:
            continue
        version = get(lang)
        if version is None:
            continue
        kept = {}
        for f in TEXT_FIELDS:
            value = (getattr(version, f) or "").strip()
            if value and (lang == "fi" or finnish is None or value != (getattr(finnish, f) or "").strip()):
                kept[f] = value
        if kept:
            out[lang] = kept
    return out


def _load_survey(api, source_id: int, locale: str) -> SourceData | None:
    """A panel survey: its published (frozen, suppressed, weighted) figures."""
    d = api.survey_outcome_data(source_id, locale)
    if not d:
        return None
    data = SourceData(
        kind=SURVEYS, source_id=source_id, title=d.get("title") or "", question=d.get("question") or "",
        background=d.get("background") or "", opens_at=_dt(d.get("opens_at")), closed_at=_dt(d.get("closes_at")),
        figures={"participants": int(d.get("respondents") or 0), "members": int(d.get("recipients") or 0)},
        points=[{"key": str(p["key"]), "text": str(p["text"])} for p in d.get("points") or []],
        results=dict(d.get("results") or {}), summary=d.get("summary_markdown") or "")
    # Respondents against the population, as the survey published it (already suppressed).
    data.composition = [{"feature": str(f["feature"]), "label": str(f["label"]),
                         "categories": [{"value": str(c["value"]), "label": str(c["label"]),
                                         "count": None if c.get("suppressed") else int(c.get("count") or 0),
                                         "share": None if c.get("suppressed") or c.get("share") is None
                                         else float(c["share"]),
                                         "population_share": None if c.get("population_share") is None
                                         else float(c["population_share"]),     # the survey's: 0..1
                                         "suppressed": bool(c.get("suppressed"))}
                                        for c in f.get("categories") or []]}
                        for f in d.get("composition") or []]
    data.timeline = [t for t in (
        {"kind": "survey_sent", "at": data.opens_at, "label": ""},
        {"kind": "survey_closed", "at": data.closed_at, "label": ""}) if t["at"]]
    return data


def approval_record(record) -> dict | None:
    """The digiraati's approval record at the lock, reduced to known keys and types."""
    if not isinstance(record, dict):
        return None
    return {"rule": str(record.get("rule") or ""), "members": int(record.get("members") or 0),
            "approved": bool(record.get("approved")), "override": str(record["override"]) if record.get("override") else None,
            "sections": [{"title": str(s.get("title", "")), "approvals": int(s.get("approvals") or 0),
                          "members": int(s.get("members") or 0), "needed": int(s.get("needed") or 0),
                          "met": bool(s.get("met"))} for s in record.get("sections") or []]}


def _feedback(api, item_id: int, locale: str) -> SourceData | None:
    """A decided development item: the feedback gathered into it (counts only, never the
    writers), the decision and the change in the service."""
    d = api.item_outcome_data(item_id, locale)
    if not d:
        return None
    data = SourceData(
        kind=FEEDBACK, source_id=item_id, title=d.get("title") or "", question=d.get("question") or "",
        background=d.get("background") or "", opens_at=_dt(d.get("first_received")),
        closed_at=_dt(d.get("decided_at")),
        figures={"feedback": int(d.get("feedback_count") or 0)},
        results={"mean_rating": d.get("mean_rating"), "kinds": dict(d.get("kinds") or {})},
        points=[{"key": "change", "text": (d.get("change") or d.get("decision") or d.get("title") or "")[:500]}],
        summary=d.get("summary_markdown") or "")
    data.timeline = [t for t in (
        {"kind": "first_feedback", "at": data.opens_at, "label": ""},
        {"kind": "decided", "at": _dt(d.get("decided_at")), "label": ""},
        {"kind": "changed", "at": _dt(d.get("changed_at")), "label": ""}) if t["at"]]
    return data


def _share(value):
    """panel.api gives percentages (0-100, documented there); outcomes keep shares 0..1.
    Always divided: a small category (0.5 % of the population) is not a 50 % share."""
    if value is None:
        return None
    return float(value) / 100.0


def composition_snapshot(panel_api, panel_id, account_ids, locale) -> list[dict]:
    """Counts per category for the features that may be shown publicly (sensitive ones,
    such as service use, are left out entirely).  Exact counts are kept so staff metrics
    can compute representativeness; every public view suppresses cells under 5."""
    public_keys = {f["feature"] for f in panel_api.composition(panel_id, account_ids, locale=locale, public=True)}
    out = []
    for f in panel_api.composition(panel_id, account_ids, locale=locale, public=False):
        if f["feature"] not in public_keys:
            continue
        out.append({"feature": str(f["feature"]), "label": str(f["label"]),
                    "categories": [{"value": str(c["value"]), "label": str(c["label"]),
                                    "count": int(c.get("count") or 0),
                                    "population_share": _share(c.get("population_share"))}
                                   for c in f.get("categories") or []]})
    return out


def recipients(kind: str, source_id: int, *, include_requested: bool) -> list[tuple[str, str]]:
    """Who is told about the outcome: raati members (and the members of the panel they were
    drawn from), or idea-round participants who asked to be notified (``include_requested``:
    those addresses are kept only until the first notification)."""
    found: list[tuple[str, str]] = []
    api = _api(kind)
    if api is None:
        return []
    if kind == IDEAS:
        if include_requested:
            found += list(api.notify_recipients(source_id))
    elif kind == SURVEYS:
        found += list(api.member_recipients(source_id))
    elif kind == FEEDBACK:
        pass   # feedback is anonymous: its writers' answer addresses are gone once answered
    else:
        found += list(api.member_recipients(source_id))
        panel_api = _api("panel")
        data = api.raati_outcome_data(source_id, "fi") or {}
        if panel_api is not None and data.get("panel_id"):
            found += list(panel_api.member_recipients(data["panel_id"]))
    seen, out = set(), []
    for email, locale in found:
        key = (email or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append((email.strip(), locale if locale in ("fi", "sv", "en") else "fi"))
    return out


def forget_requested(kind: str, source_id: int) -> int:
    api = _api(kind)
    if kind == IDEAS and api is not None:
        return int(api.forget_notify_recipients(source_id) or 0)
    return 0


def export_table(kind: str, source_id: int, fmt: str) -> bytes | None:
    """The finished idea round's own CSV (semicolon-separated, UTF-8 with BOM) or XLSX
    export, neutralised again by the caller.  None when there is no such finished round
    (e.g. it was deleted): the caller then exports the outcome's own snapshot."""
    api = _api(kind)
    if kind != IDEAS or api is None:
        return None
    if int(source_id) not in {int(r["id"]) for r in api.finished_rounds()}:
        return None
    return api.export_csv(source_id) if fmt == "csv" else api.export_xlsx(source_id)
