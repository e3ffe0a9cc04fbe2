"""Functions other areas may call (digiraati set-up, outcome pages, panel surveys).

Plain functions over the database; call them inside an application context.  None of
them returns demographics of an identifiable person: ``composition`` gives counts only,
and by default (``public=True``) leaves out sensitive features and passes every count
through :func:`kuulas.disclosure.public_group`, the one rule for a group's public counts.
"""
from __future__ import annotations

from sqlalchemy import select

from kuulas import disclosure
from kuulas.extensions import db

from .invitations.models import ACCEPTED, Invitation
from .recruitment.models import CLOSED, UNDISCLOSED, Answer, Panel, Volunteer

SMALL_CELL = disclosure.MIN_CELL


def accepted_members(panel_id: int) -> list[dict]:
    """Members who accepted their invitation: ``[{"account_id", "display_name"}]``,
    sorted by display name.  Used by the digiraati set-up to enrol jurors."""
    rows = db.session.execute(
        select(Volunteer.account_id, Volunteer.display_name)
        .join(Invitation, Invitation.volunteer_id == Volunteer.id)
        .where(Invitation.panel_id == panel_id, Invitation.state == ACCEPTED,
               Volunteer.account_id.is_not(None))
        .order_by(Volunteer.display_name, Volunteer.id)).all()
    return [{"account_id": account_id, "display_name": name} for account_id, name in rows]


def panels_with_members() -> list[dict]:
    """Panels with at least one accepted member: ``[{"id", "name"}]`` (name in the
    current language when a request is active, else Finnish)."""
    ids = db.session.scalars(select(Invitation.panel_id).where(Invitation.state == ACCEPTED)
                             .distinct()).all()
    if not ids:
        return []
    locale = _current_locale()
    panels = db.session.scalars(select(Panel).where(Panel.id.in_(ids)).order_by(Panel.id)).all()
    return [{"id": p.id, "name": p.name(locale)} for p in panels]


def composition(panel_id: int, account_ids=None, *, locale: str | None = None,
                public: bool = True) -> list[dict]:
    """Accepted members (or the given ``account_ids`` among the panel's volunteers) per
    category against population shares::

        [{"feature", "label", "categories": [{"value", "label", "population_share",
                                              "count", "share"}]}]

    ``population_share`` and ``share`` are percentages.  Safe by default: the public view
    of :func:`kuulas.disclosure.public_group` (no sensitive feature; hidden counts and shares
    ``None``, shown as "fewer than 5").  Only staff-side code passes ``public=False``."""
    panel = db.session.get(Panel, panel_id)
    if panel is None:
        return []
    locale = locale or _current_locale()
    query = select(Volunteer.id).where(Volunteer.panel_id == panel_id)
    if account_ids is None:
        query = query.join(Invitation, Invitation.volunteer_id == Volunteer.id).where(
            Invitation.state == ACCEPTED)
    else:
        query = query.where(Volunteer.account_id.in_(list(account_ids)))
    member_ids = list(db.session.scalars(query))
    answers = db.session.execute(select(Answer.feature_key, Answer.value)
                                 .where(Answer.volunteer_id.in_(member_ids))).all() if member_ids else []
    counts: dict[tuple[str, str], int] = {}
    for key, value in answers:
        counts[(key, value)] = counts.get((key, value), 0) + 1
    total = len(member_ids)
    out = []
    for feature in panel.features:
        cats = [{"value": c.value, "label": c.label(locale), "population_share": c.population_share,
                 "count": counts.get((feature.key, c.value), 0)} for c in feature.categories]
        if counts.get((feature.key, UNDISCLOSED), 0):
            cats.append({"value": UNDISCLOSED, "label": _undisclosed_label(),
                         "population_share": None,
                         "count": counts.get((feature.key, UNDISCLOSED), 0)})
        if public:
            # The one public-safe rule of a group: sensitive features left out, small cells
            # and their complements hidden, a feature of fewer than 5 members hidden entirely.
            shown = disclosure.public_group([{"feature": feature.key, "sensitive": feature.sensitive,
                                              "categories": cats}])
            if not shown:
                continue   # special-category data is never public, not even as counts
            for cat, row in zip(cats, shown[0]["rows"]):
                cat["count"] = row.count
                cat["share"] = None if row.share is None else round(100.0 * row.share, 1)
        else:
            for cat in cats:
                cat["share"] = round(100.0 * cat["count"] / total, 1) if total else 0.0
        out.append({"feature": feature.key, "label": feature.label(locale), "categories": cats})
    return out


def member_recipients(panel_id: int) -> list[tuple[str, str]]:
    """``(email, locale)`` of accepted members, for notifying them of outcomes."""
    rows = db.session.execute(
        select(Volunteer.email, Volunteer.locale)
        .join(Invitation, Invitation.volunteer_id == Volunteer.id)
        .where(Invitation.panel_id == panel_id, Invitation.state == ACCEPTED)
        .order_by(Volunteer.id)).all()
    return [(email, locale or "fi") for email, locale in rows]


def _current_locale() -> str:
    from kuulas.i18n import reader_locale

    return reader_locale()


def _undisclosed_label() -> str:
    from flask_babel import gettext

    return gettext("Prefer not to say")
