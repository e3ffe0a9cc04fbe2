"""One shape for every area's "staff work record": the columns that say which staff member
created, handled or changed something.  The same purpose, basis and retention everywhere,
so the areas only name the table."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from . import registry


def staff_trail(area: str, model, columns: tuple[str, ...], linked: tuple = ()) -> None:
    registry.register(registry.PersonalData(
        area=area, model=model, columns=columns, linked=linked,
        title=_l("Staff work records"),
        about=_l("Staff"),
        purpose=_l("Recording which staff member created, handled or changed something, for "
                   "accountability and information security."),
        basis=_l("GDPR art. 6(1)(c): Information Management Act 906/2019 and Act on the Openness of "
                 "Government Activities 621/1999."),
        retention="accounts_inactive", key=f"{area}.{model.__name__}"))
