"""Permissions of the outcomes area.  Public pages need none: what the public may see
is decided by ``visibility.visible_outcomes`` alone."""
from kuulas import access
from kuulas.access import Role

MANAGE = "outcomes:outcome:manage"
METRICS = "outcomes:metrics:read"

access.register(MANAGE, {Role.PREPARER, Role.ADMINISTRATOR})
access.register(METRICS, {Role.PREPARER, Role.ADMINISTRATOR})
