"""Readable names for the fields of an export (the JSON keeps the plain keys)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIELDS = {
    "email": _l("E-mail address"), "display_name": _l("Name"), "language": _l("Language"),
    "created_at": _l("Created"), "last_sign_in": _l("Last signed in"), "roles": _l("Roles"),
    "panel": _l("Panel"), "postal_code": _l("Postal code"), "address": _l("Address"),
    "state": _l("Status"), "channel": _l("Channel"), "registered_at": _l("Registered"),
    "consent_at": _l("Consent given"), "sensitive_consent_at": _l("Explicit consent given"),
    "confirmed_at": _l("Confirmed"), "consent_expires_at": _l("Consent valid until"),
    "answers": _l("Answers"), "service_use": _l("Services used"), "invited_at": _l("Invited"),
    "deadline": _l("Answer by"), "answered_at": _l("Answered"), "survey": _l("Survey"),
    "sent_at": _l("Sent"), "reminded_at": _l("Reminded"), "answered": _l("Answered"),
    "digiraati": _l("Digiraati"), "role": _l("Role"), "added_at": _l("Added"),
    "removed_at": _l("Left"), "kind": _l("Kind"), "at": _l("Time"), "text": _l("Text"),
    "hidden": _l("Hidden by a moderator"), "subject": _l("Subject"), "category": _l("Category"),
    "status": _l("Status"), "name": _l("Name"), "contact_email": _l("E-mail address"),
    "page": _l("Page"), "description": _l("Description"), "reply": _l("Reply"),
    "replied_at": _l("Replied"), "idea_round": _l("Idea round"), "feedback": _l("Feedback"),
    "received_at": _l("Received"), "unit": _l("Unit"), "manager_email": _l("Manager's e-mail address"),
}


def field_label(key: str) -> str:
    return str(FIELDS.get(key, key.replace("_", " ")))
