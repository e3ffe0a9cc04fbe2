"""Who may do what with surveys.  Registered on import (from ``panel.surveys.init_app``)."""
from __future__ import annotations

from kuulas import access
from kuulas.access import Role

MANAGE = "panel:survey:manage"        # build, schedule, send, close surveys
RESULTS = "panel:survey:results"      # weighted results and exports (never identities)
PUBLISH = "panel:survey:publish"      # publish the results as an outcome


def register_rules() -> None:
    access.register(MANAGE, {Role.PREPARER})
    access.register(RESULTS, {Role.PREPARER})
    access.register(PUBLISH, {Role.PREPARER})


register_rules()
