"""Human descriptions of the retention keys.  When ``kuulas.retention`` (the configured
periods) offers ``describe(key)``, its text wins; these are the defaults shown otherwise."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

DEFAULTS = {
    "accounts_inactive": _l("Until the account has not been used for three years, or while the staff member works for the county."),
    "panel_volunteers": _l("Those not selected: deleted after the panel closes, within the retention time told at registration. Withdrawal deletes at once."),
    "panel_members": _l("While the panel works and the consent is valid; then deleted."),
    "raati_messages": _l("A set time after the outcome has been published; the statement itself is public."),
    "raati_members": _l("A set time after the digiraati has ended."),
    "invitations": _l("Until the panel's draw has been completed and its retention time has passed."),
    "survey_participation": _l("Until the survey has closed and its results have been published."),
    "mail_outbox": _l("The text is deleted when the mail has been sent; the record of sending after 30 days."),
    "feedback_contact": _l("Until the feedback has been answered."),
    "follow_subscriptions": _l("Until you stop following, or the outcome is completed."),
    "access_log": _l("The time the county sets for the access log."),
    "data_requests": _l("The time the county sets for the record of requests."),
    "idea_content": _l("Until the outcome notification has been sent."),
}


def describe(key: str) -> str:
    try:
        from .. import retention  # written by the retention work (issue 18)
    except ImportError:
        retention = None
    fn = getattr(retention, "describe", None)
    if callable(fn):
        try:
            return str(fn(key))
        except Exception:   # noqa: BLE001 - the default text is always a safe answer
            pass
    return str(DEFAULTS.get(key, key))
