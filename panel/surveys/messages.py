"""Translated texts for the reason keys of the pure modules (lifecycle, weighting)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

REASONS = {
    "edit_after_scheduling": _l("A scheduled or sent survey can no longer be edited. Cancel the schedule first."),
    "already_scheduled": _l("The survey is already scheduled or sent."),
    "not_scheduled": _l("The survey is not scheduled."),
    "not_draft_or_scheduled": _l("Only a draft or a scheduled survey can be sent."),
    "not_open": _l("The survey is not open."),
    "closed": _l("This survey has closed, so answers can no longer be given or changed."),
    "not_yet_open": _l("This survey is not open yet."),
    "results_after_close": _l("Results are shown once the survey has closed, so nobody can watch answers arrive."),
    "publish_after_close": _l("Only a closed survey can be published."),
    "already_published": _l("The results are already published."),
    "delete_only_draft": _l("Only a draft can be deleted."),
    "not_allowed": _l("This is not possible in the survey's current state."),
}

STATE_LABELS = {
    "draft": _l("Draft"), "scheduled": _l("Scheduled"), "open": _l("Open"),
    "closed": _l("Closed"), "published": _l("Results published"),
}

KIND_LABELS = {
    "single": _l("Single choice"), "multiple": _l("Multiple choice"),
    "scale": _l("Agreement scale 1-5"), "number": _l("Number"), "text": _l("Free text"),
}

SCALE_LABELS = {
    "1": _l("Strongly disagree"), "2": _l("Disagree"), "3": _l("Neither agree nor disagree"),
    "4": _l("Agree"), "5": _l("Strongly agree"),
}

WEIGHTING = {
    "shares_sum": _l("The population shares of %(feature)s sum to %(total)s %%, not 100 %%. Correct them on the panel's features page."),
    "bad_share": _l("The population share of %(value)s in %(feature)s is not between 0 and 100 %%."),
    "zero_share": _l("%(value)s in %(feature)s has respondents but a population share of 0 %%."),
    "empty_cell": _l("Nobody who answered is in %(value)s of %(feature)s, which has a population share of %(share)s."),
    "no_convergence": _l("Weighting did not converge after %(iterations)s rounds. The shares are shown unweighted."),
    "unknown_value": _l("A respondent has a value of %(feature)s that the population shares do not include."),
    "missing_feature": _l("A respondent has no value for %(feature)s."),
    "no_respondents": _l("Nobody has answered, so there is nothing to weight."),
    "no_margins": _l("No population shares were chosen for weighting."),
    "bad_trim": _l("The weight trimming limits are not valid."),
}

REDACTED = {
    "identity_code": _l("something that looked like a personal identity code"),
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
}


def reason(key: str | None) -> str:
    return str(REASONS.get(key or "", REASONS["not_allowed"])) if key else ""


def weighting_error(code: str, params: dict) -> str:
    text = WEIGHTING.get(code)
    if text is None:
        return str(_l("The responses could not be weighted."))
    try:
        return str(text) % {k: v for k, v in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(_l("The responses could not be weighted."))
