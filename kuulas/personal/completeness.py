"""Which tables look like they hold personal data, judged by their column names, and the
explicit list of tables that do not although a column name suggests it.  Used by the test
that fails when a model with a personal column is missing from the map."""
from __future__ import annotations

import re

PERSONAL_COLUMN = re.compile(
    r"(email|display_name|^name$|phone|address|birth|(^|_)ip(_|$)|contact|postal_code|recipient"
    r"|account_id|member_id|volunteer_id|handler_id|actor_id|_by_id$|^set_by$|^created_by$"
    r"|ssn|hetu|identity)")

# Table name -> why it is not personal data although a column name matches.
NOT_PERSONAL = {
    "idea_tag": "name is a moderator's tag for an anonymous idea",
    "job_lease": "name is a scheduled job's name",
    "panel": "asks_address is a setting of the panel, not an address",
}


def personal_columns(table) -> list[str]:
    return [c.name for c in table.columns if PERSONAL_COLUMN.search(c.name)]
