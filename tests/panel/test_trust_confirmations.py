"""Panel trust (audit issue, items 14, 18 and 19): confirmations before what cannot be
undone, a decline undoable, the not-drawn told in their language, user text isolated."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kuulas import tokens
from kuulas.clock import utcnow
from kuulas.extensions import db
from panel.recruitment import services
from panel.recruitment.models import Volunteer

from .helpers import add_volunteers, make_panel, text


# --- item 18: confirm what cannot be undone; a decline can be undone ---------------------

def _drawn_panel(staff, n=12, locales=("fi",)):
    from panel.selection import services as selection

    panel = make_panel(staff)
    now = utcnow()
    for i in range(n):
        services.register(panel.id, email=f"d{i}@example.fi", display_name=f"D{i}",
                          answers={"gender": "female" if i % 2 else "male",
                                   "age": "young" if i % 3 else "old"},
                          consent=True, now=now, channel="paper", confirmed=True,
                          locale=locales[i % len(locales)])
    services.close_recruitment_now(panel.id, actor=staff, now=now)
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="5", actor=staff, now=now)
    db.session.commit()
    return panel, now


def _invitation_link(invitation):
    """Give an invitation a known token (the real one was only e-mailed)."""
    import secrets

    from panel.invitations import services as invitations

    token = secrets.token_urlsafe(16)
    invitation.token_hash = tokens.digest(token)
    db.session.commit()
    return f"/paneelit/kutsu/{token}"


def test_decline_asks_for_confirmation_and_can_be_undone_until_replaced(app, client, make_staff):
    from kuulas import scheduler
    from panel.invitations.models import Invitation
    from panel.selection.models import Draw

    panel, now = _drawn_panel(make_staff("preparer"))
    invitation = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    link = _invitation_link(invitation)
    client.set_cookie("kuulas_lang", "en")
    page = client.post(link, data={"answer": "decline"})
    assert page.status_code == 200 and "Decline the invitation?" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).state == "pending"
    assert client.post(link, data={"answer": "decline", "confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).state == "declined"
    declined_page = client.get(link).get_data(as_text=True)
    assert "Take my decline back" in declined_page
    assert declined_page.count("Thank you for letting us know") == 1   # one status line
    assert client.post(link, data={"answer": "undo"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).state == "pending"
    # Declined again: the job waits out the undo window, then fills the seat; no undo after.
    assert client.post(link, data={"answer": "decline", "confirm": "yes"}).status_code == 302
    scheduler.run_job(app, "panel.invitations", utcnow() + timedelta(hours=1))
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1
    scheduler.run_job(app, "panel.invitations", utcnow() + timedelta(hours=25))
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 2
    assert "Take my decline back" not in client.get(link).get_data(as_text=True)
    assert client.post(link, data={"answer": "undo"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).state == "declined"


@pytest.mark.parametrize("action", ["julkaise", "sulje-rekrytointi"])
def test_staff_state_changes_need_a_confirmation_step(app, client, login, make_staff, action):
    from panel.recruitment.models import Panel

    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=(action != "julkaise"))
    before = panel.state
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    page = client.post(f"/hallinta/paneelit/{panel.id}/tila/{action}")
    assert page.status_code == 200 and "Please confirm" in page.get_data(as_text=True)
    assert 'name="confirm" value="yes"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).state == before
    assert client.post(f"/hallinta/paneelit/{panel.id}/tila/{action}",
                       data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).state != before


def test_run_draw_needs_confirmation(app, client, login, make_staff):
    from panel.selection import services as selection
    from panel.selection.models import Draw

    staff = make_staff("preparer")
    panel = make_panel(staff)
    add_volunteers(panel, [{"gender": g, "age": a} for g in ("male", "female") for a in ("young", "old")] * 2)
    services.close_recruitment_now(panel.id, actor=staff, now=utcnow())
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=utcnow())
    db.session.commit()
    login(staff)
    page = client.post(f"/hallinta/paneelit/{panel.id}/arvonta", data={"run-seed_value": "9"})
    assert page.status_code == 200
    assert db.session.scalar(select(Draw.state)) == "prepared"


# --- item 19: the volunteers not drawn are told, in their language ----------------------

def test_not_selected_get_a_mail_in_their_language_and_their_page_says_so(app, client, login, make_staff):
    from kuulas.accounts.models import Account
    from kuulas.mail.models import OutboxMail
    from panel.selection.models import Draw

    panel, _now = _drawn_panel(make_staff("preparer"), locales=("fi", "sv", "en"))
    draw = db.session.scalar(select(Draw))
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.category == "panel_not_selected")).all()
    assert len(mails) == 12 - len(draw.selected)
    volunteers = {v.email: v for v in db.session.scalars(select(Volunteer))}
    subjects = {"fi": "Arvonta on tehty", "sv": "Lottningen har gjorts", "en": "The draw has been made"}
    for mail in mails:
        v = volunteers[mail.recipient]
        assert v.pseudonym not in draw.selected
        assert mail.subject.startswith(subjects[v.locale]), (v.locale, mail.subject)
    loser = volunteers[mails[0].recipient]
    login(db.session.get(Account, loser.account_id))
    client.set_cookie("kuulas_lang", "en")
    page = client.get(f"/paneelit/{panel.id}/oma").get_data(as_text=True)
    assert "you were not selected" in page
    assert page.count("The draw has been made") == 1
    assert loser.pseudonym in page    # and the data to check their own row


# --- item 14: user text isolated from the page's direction -----------------------------

def test_names_and_panel_texts_are_isolated(app, client, login, make_staff):
    from panel.invitations.models import Invitation

    staff = make_staff("preparer")
    panel, _now = _drawn_panel(staff)
    invitation = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    link = _invitation_link(invitation)
    assert client.post(link, data={"answer": "accept", "display_name": "שרה כהן"}).status_code == 302
    login(staff)
    roster = client.get(f"/hallinta/paneelit/{panel.id}/jasenet").get_data(as_text=True)
    assert '<li dir="auto">שרה כהן</li>' in roster
    assert "<bdi>Testipaneeli</bdi>" in roster
    public = client.get(f"/paneelit/{panel.id}").get_data(as_text=True)
    assert '<h1 dir="auto">' in public and '<div class="prose" dir="auto">' in public



def test_staff_replacement_confirmation_warns_of_declines_still_undoable(app, client, login, make_staff):
    from panel.invitations.models import Invitation
    from panel.selection.models import Draw

    staff = make_staff("preparer")
    panel, _now = _drawn_panel(staff)
    invitation = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    link = _invitation_link(invitation)
    assert client.post(link, data={"answer": "decline", "confirm": "yes"}).status_code == 302
    login(staff)
    client.set_cookie("kuulas_lang", "en")
    page = client.post(f"/hallinta/paneelit/{panel.id}/korvaava-arvonta")
    assert page.status_code == 200
    assert "1 decline is less than 24 hours old" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1
