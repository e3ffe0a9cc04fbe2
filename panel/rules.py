"""Who may do what in the panel area.  Registered on import (from ``init_app``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kuulas import access
from kuulas.access import Decision, Role

MANAGE = "panel:panel:manage"          # set up panels, features, quotas, import volunteers
POOL_VIEW = "panel:pool:view"          # aggregate pool counts (never identities)
DRAW_RUN = "panel:draw:run"            # prepare and run draws, send invitations
ROSTER_VIEW = "panel:roster:view"      # display names of accepted members (no demographics)
OWN_REGISTRATION = "panel:registration:manage"
SERVICES_MANAGE = "panel:services:manage"      # the service catalogue (client groups)
POOL_INVITE = "panel:pool:invite"              # draw groups and idea-round invitations
MEMBERSHIP_LEAVE = "panel:membership:leave"    # the member themself, or a preparer


def _own_registration(actor, volunteer, now) -> Decision:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Decision(False, _l("Please sign in first."))
    if volunteer is None or volunteer.account_id != actor.id:
        return Decision(False, _l("This registration belongs to someone else."))
    return Decision(True)


def _leave(actor, volunteer, now) -> Decision:
    if access.roles_of(actor) & {Role.PREPARER, Role.ADMINISTRATOR}:
        return Decision(True)
    return _own_registration(actor, volunteer, now)


def register_rules() -> None:
    access.register(MANAGE, {Role.PREPARER})
    access.register(POOL_VIEW, {Role.PREPARER})
    access.register(DRAW_RUN, {Role.PREPARER})
    access.register(ROSTER_VIEW, {Role.PREPARER, Role.MODERATOR})
    access.register(OWN_REGISTRATION, _own_registration)
    access.register(SERVICES_MANAGE, {Role.PREPARER})
    access.register(POOL_INVITE, {Role.PREPARER})
    access.register(MEMBERSHIP_LEAVE, _leave)


register_rules()
