"""Panel trust (audit issue, item 11): look-alike addresses flagged to staff before the
draw; a frozen pool takes no change."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kuulas.clock import utcnow
from kuulas.errors import Conflict
from kuulas.extensions import db
from panel.recruitment import services
from panel.recruitment.models import Volunteer

from .helpers import ANSWERS, add_volunteers, make_panel


# --- item 11: look-alike addresses flagged to staff before the draw ---------------------

@pytest.mark.parametrize("a,b", [
    ("matti@example.fi", "matti+2@example.fi"),            # plus addressing
    ("matti@example.fi", "MATTI@Example.FI"),              # case
    ("matti.virtanen@gmail.com", "mattivirtanen@gmail.com"),   # dots at Gmail
    ("matti@gmail.com", "matti@googlemail.com"),           # alias domain
    ("matti@example.fi", "m\u0430tti@example.fi"),         # Cyrillic а
    ("matti@example.fi", "\uff4d\uff41\uff54\uff54\uff49@example.fi"),   # fullwidth
])
def test_comparison_key_matches_look_alikes(a, b):
    from panel.recruitment.duplicates import comparison_key

    assert comparison_key(a) == comparison_key(b)


def test_comparison_key_keeps_different_people_apart():
    from panel.recruitment.duplicates import comparison_key

    assert comparison_key("matti@example.fi") != comparison_key("maija@example.fi")
    # Dots matter outside Gmail.
    assert comparison_key("m.atti@example.fi") != comparison_key("matti@example.fi")


def test_staff_review_and_exclude_a_duplicate_before_the_freeze(app, client, login, make_staff):
    from panel.selection import services as selection

    staff = make_staff("preparer")
    panel = make_panel(staff)
    now = utcnow()
    for email in ("matti@example.fi", "matti+2@example.fi", "maija@example.fi"):
        services.register(panel.id, email=email, display_name="M", answers=ANSWERS, consent=True,
                          now=now, channel="paper", confirmed=True)
    add_volunteers(panel, [{"gender": g, "age": a} for g in ("male", "female")
                           for a in ("young", "old")])
    db.session.commit()
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    pool = client.get(f"/hallinta/paneelit/{panel.id}/pooli").get_data(as_text=True)
    assert "1 pair of registrations may be the same person" in pool
    page = client.get(f"/hallinta/paneelit/{panel.id}/kaksoiskirjautumiset").get_data(as_text=True)
    assert "matti+2@example.fi" in page and "maija@example.fi" not in page
    # Never public.
    assert "matti+2" not in client.get(f"/paneelit/{panel.id}").get_data(as_text=True)
    duplicate = db.session.scalar(select(Volunteer).where(Volunteer.email == "matti+2@example.fi"))
    assert client.post(f"/hallinta/paneelit/{panel.id}/kaksoiskirjautumiset",
                       data={"volunteer": duplicate.id, "action": "exclude"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, duplicate.id).state == "excluded"
    services.close_recruitment_now(panel.id, actor=staff, now=now)
    draw = selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    db.session.commit()
    assert duplicate.pseudonym not in draw.people_csv
    # After the freeze the pool can no longer change.
    with pytest.raises(Conflict):
        services.set_excluded(panel.id, duplicate.id, exclude=False, actor=staff, now=now)
    db.session.rollback()
    moderator = make_staff("moderator")
    login(moderator)
    assert client.get(f"/hallinta/paneelit/{panel.id}/kaksoiskirjautumiset").status_code == 403



def test_no_import_into_a_frozen_pool(app, make_staff):
    from panel.selection import services as selection

    staff = make_staff("preparer")
    panel = make_panel(staff)
    add_volunteers(panel, [{"gender": g, "age": a} for g in ("male", "female") for a in ("young", "old")])
    services.close_recruitment_now(panel.id, actor=staff, now=utcnow())
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=utcnow())
    with pytest.raises(Conflict):
        services.import_volunteers(panel.id, "email,display_name,gender,age\nz@example.fi,Z,male,old\n",
                                   actor=staff, now=utcnow())
