"""Panel set-up and recruitment services, by intent: plain functions behind the staff
views, the public sign-up, the CLI and the scheduled jobs.  They never touch ``request``
or ``current_user`` and never commit; they check access first and write nothing unless
everything is valid.

- ``setup``: the panel, its features, categories and population shares; ready or not.
- ``schedule``: publishing, opening and closing recruitment, unconfirmed registrations.
- ``signup``: the public sign-up and its confirmation link, one's own answers.
- ``volunteers``: paper and phone recruits, the pool as staff see it, duplicates.
- withdrawing one's registration is ``panel.pool.withdraw`` (it frees the invitation).

This module gathers their public names for callers that want "the recruitment services".
"""
from __future__ import annotations

from ..pool import registration_of, withdraw  # noqa: F401
from .schedule import (close_due_recruitments, close_recruitment_now,  # noqa: F401
                       delete_unconfirmed, open_due_recruitments, publish)
from .setup import (KEY_RE, PANEL_FIELDS, SHARE_TOLERANCE, VALUE_RE,  # noqa: F401
                    check_ready, create_panel, delete_feature, get_panel, import_shares,
                    parse_categories, read_csv, save_feature, update_panel)
from .signup import (CONFIRM_LIFETIME, PURPOSE_CONFIRM, AlreadyRegistered,  # noqa: F401
                     RecruitmentClosed, check_answers, confirm, household_key, new_pseudonym,
                     register, update_registration)
from .volunteers import (POOL_MARGIN, UNDER_PP, import_volunteers, pool_counts,  # noqa: F401
                         pool_total, pool_view, set_excluded, suspected_duplicates)
