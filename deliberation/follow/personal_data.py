"""Personal data of following, for the personal-data map (``kuulas.personal``, issue #18).

Not imported on this branch (the map arrives with the privacy branch); the integrator adds
to ``deliberation/follow/__init__.py``'s ``init_app``, at its end:

    from .personal_data import register_all as register_personal_data

    register_personal_data()

``follow`` rows only point at their address (``linked``); ``public_change`` names public
things only and is not personal data."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kuulas.personal import registry

from .models import Follow, FollowAddress
from .personal import erase_for, export_for


def export(subject):
    return export_for(subject.email)


def erase(subject, now) -> int:
    return erase_for(subject.email)


def register_all() -> None:
    registry.register(registry.PersonalData(
        area="follow", model=FollowAddress, linked=(Follow,), columns=("email", "locale"),
        title=_l("Following by e-mail"),
        about=_l("People who follow an idea round, a digiraati or an outcome by e-mail"),
        purpose=_l("Sending a weekly e-mail of what changed in what you follow, after you confirmed "
                   "the address; the address is deleted when you stop following everything."),
        basis=_l("GDPR art. 6(1)(a): consent."),
        retention="follow_subscriptions", export=export, erase=erase, stage=70))
