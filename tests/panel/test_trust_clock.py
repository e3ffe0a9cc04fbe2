"""Panel trust (audit issue, item 10): every time-bound action is checked against the clock,
while the scheduler has not yet flipped the state."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kuulas import tokens
from kuulas.clock import utcnow
from kuulas.extensions import db
from panel.recruitment import services
from panel.recruitment.models import Volunteer

from .helpers import ANSWERS, add_volunteers, make_panel

# The application's clock stands still: "an hour ago" and "closed by the clock" are exact.
pytestmark = pytest.mark.usefixtures("clock")


def _late_panel(staff):
    """A panel whose recruitment closed an hour ago by the clock, while the scheduler has
    not yet flipped its state (it still says recruiting)."""
    start = utcnow() - timedelta(days=10, hours=1)
    panel = make_panel(staff, now=start)
    db.session.refresh(panel)
    assert panel.state == "recruiting" and panel.recruitment_closes_at < utcnow()
    return panel, start


# --- item 10: every time-bound action checks the clock ---------------------------------

def test_answers_cannot_change_after_closing_time_before_the_job_runs(app, client, login, make_staff):
    from kuulas.accounts.models import Account

    panel, start = _late_panel(make_staff("preparer"))
    v, _t = services.register(panel.id, email="late@example.fi", display_name="L", answers=ANSWERS,
                              consent=True, now=start + timedelta(hours=2), channel="paper",
                              confirmed=True)
    db.session.commit()
    with pytest.raises(services.RecruitmentClosed):
        services.update_registration(panel.id, display_name="L", answers={"gender": "female", "age": "old"},
                                     sensitive_consent=False, actor=db.session.get(Account, v.account_id),
                                     now=panel.recruitment_closes_at)
    db.session.rollback()
    login(db.session.get(Account, v.account_id))
    page = client.get(f"/paneelit/{panel.id}/oma").get_data(as_text=True)
    assert "Save my answers" not in page and "Tallenna vastaukseni" not in page
    response = client.post(f"/paneelit/{panel.id}/oma", data={"display_name": "L", "f_gender": "female",
                                                              "f_age": "old"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).values()["gender"] == "male"


def test_confirmation_link_after_closing_time_is_refused(app, client, make_staff):
    from kuulas.accounts import services as accounts

    panel, start = _late_panel(make_staff("preparer"))
    v, token = services.register(panel.id, email="slow@example.fi", display_name="S", answers=ANSWERS,
                                 consent=True, now=utcnow() - timedelta(days=1, hours=2))
    db.session.commit()
    with pytest.raises(services.RecruitmentClosed):
        services.confirm(token, now=panel.recruitment_closes_at + timedelta(seconds=1))
    db.session.rollback()
    response = client.post(f"/paneelit/vahvista/{token}", data={})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Volunteer, v.id).state == "pending"
    # Before the closing time the same link works.
    assert services.confirm(token, now=panel.recruitment_closes_at - timedelta(minutes=1)).state == "confirmed"


def test_recruit_page_says_closed_by_the_clock(app, client, make_staff):
    panel, _start = _late_panel(make_staff("preparer"))
    client.set_cookie("kuulas_lang", "en")
    page = client.get(f"/paneelit/{panel.id}").get_data(as_text=True)
    assert "Registration has closed." in page and "Recruitment closed" in page


def test_draw_can_be_prepared_once_the_clock_closed_recruitment(app, make_staff):
    from panel.selection import services as selection

    staff = make_staff("preparer")
    panel, start = _late_panel(staff)
    add_volunteers(panel, [{"gender": g, "age": a} for g in ("male", "female")
                           for a in ("young", "old")] * 3, now=start + timedelta(hours=1))
    draw = selection.prepare_draw(panel.id, seed_source="Lotto", actor=staff, now=utcnow())
    assert draw.pool_hash and panel.state == "recruitment_closed"


def test_invitation_answer_after_deadline_before_the_expiry_job(app, make_staff):
    from panel.invitations import services as invitations
    from panel.invitations.models import Invitation
    from panel.selection import services as selection

    staff = make_staff("preparer")
    panel = make_panel(staff)
    add_volunteers(panel, [{"gender": g, "age": a} for g in ("male", "female")
                           for a in ("young", "old")] * 3)
    now = utcnow()
    services.close_recruitment_now(panel.id, actor=staff, now=now)
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="1", actor=staff, now=now)
    db.session.commit()
    invitation = db.session.scalars(select(Invitation)).first()
    import secrets

    token = secrets.token_urlsafe(8)
    invitation.token_hash = tokens.digest(token)
    db.session.commit()
    with pytest.raises(invitations.LinkExpired):
        invitations.answer(token, accept=True, now=invitation.deadline + timedelta(seconds=1))



def test_panel_can_be_closed_once_the_clock_ended_recruitment(app, make_staff):
    from panel import retention

    staff = make_staff("preparer")
    panel, _start = _late_panel(staff)
    assert retention.close_panel(panel.id, actor=staff, now=utcnow()).state == "closed"
