"""Panel data through the one retention table (kuulas.retention), frozen clock: volunteers,
members, invitation links and survey recipients older than their period go, newer stay,
and each purge is logged as a count."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kuulas import audit
from kuulas.clock import utcnow
from kuulas.extensions import db
from kuulas.scheduler import run_job
from panel import retention, selection  # noqa: F401
from panel.invitations.models import ACCEPTED, Invitation
from panel.recruitment import services as recruitment
from panel.recruitment.models import Panel, Volunteer
from tests.panel.helpers import add_volunteers, make_panel


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _logged(key):
    db.session.expire_all()
    return [line.detail["count"] for line in db.session.scalars(
        select(audit.AuditEvent).where(audit.AuditEvent.action == f"system.retention.{key}"))]


def _drawn_panel(client, staff, now):
    from panel.selection import services as draw
    from tests.panel.test_selection import _links

    panel = make_panel(staff, size=4, now=now, retention_days=365)
    rows = [{"gender": "female" if i % 2 else "male", "age": "young" if i % 3 else "old"} for i in range(12)]
    add_volunteers(panel, rows, now=now)
    recruitment.close_recruitment_now(panel.id, actor=staff, now=now)
    draw.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    draw.run_draw(panel.id, seed_value="42", actor=staff, now=now)
    db.session.commit()
    links = _links()
    assert client.post(links[0], data={"answer": "accept"}).status_code == 302
    assert client.post(links[1], data={"answer": "decline", "confirm": "yes"}).status_code == 302
    return panel


def test_panel_data_goes_in_its_time(app, client, make_staff):
    staff = make_staff("preparer")
    now = utcnow()
    panel = _drawn_panel(client, staff, now)
    retention.close_panel(panel.id, actor=staff, now=now)
    db.session.commit()
    assert _count(Volunteer) == 12

    # The county's panel_volunteers period (180 days) is shorter than the panel's own 365.
    result = run_job(app, "retention.purge", now + timedelta(days=179))
    assert result["panel_volunteers"] == 0 and _count(Volunteer) == 12
    result = run_job(app, "retention.purge", now + timedelta(days=181))
    assert result["panel_volunteers"] == 1 and _logged("panel_volunteers") == [1]
    assert _count(Volunteer) == 1                       # the accepted member stays
    assert db.session.get(Panel, panel.id).aggregate["total"] == 12

    # The declined invitation lost its person with the volunteer; the pending ones (deadline
    # passed) and the accepted one keep their pseudonyms.
    assert _count(Invitation) == 4
    assert _count(Invitation, Invitation.state == ACCEPTED, Invitation.volunteer_id.is_not(None)) == 1

    # panel_members: two years after closing, the member goes too.
    assert run_job(app, "retention.purge", now + timedelta(days=729))["panel_members"] == 0
    assert _count(Volunteer) == 1
    assert run_job(app, "retention.purge", now + timedelta(days=731))["panel_members"] == 1
    assert _count(Volunteer) == 0 and _logged("panel_members") == [1]
    assert _count(Invitation, Invitation.volunteer_id.is_not(None)) == 0
    assert _count(Invitation) == 4                      # the draw record (pseudonyms) stays


def test_declined_invitation_links_go_on_an_open_panel(app, client, make_staff):
    staff = make_staff("preparer")
    now = utcnow()
    _drawn_panel(client, staff, now)
    linked = _count(Invitation, Invitation.volunteer_id.is_not(None))
    assert linked == 4
    # Not closed: only the invitations period applies (declined at `now`, pending deadline +7d).
    assert run_job(app, "retention.purge", now + timedelta(days=729))["invitations"] == 0
    result = run_job(app, "retention.purge", now + timedelta(days=731))
    assert result["invitations"] == 1                  # the declined one; pending deadlines later
    assert _count(Invitation, Invitation.state == "declined", Invitation.volunteer_id.is_not(None)) == 0
    assert _count(Invitation, Invitation.state == ACCEPTED, Invitation.volunteer_id.is_not(None)) == 1
    result = run_job(app, "retention.purge", now + timedelta(days=740))
    assert result["invitations"] == 2 and _logged("invitations") == [1, 2]
    assert _count(Invitation, Invitation.volunteer_id.is_not(None)) == 1   # the accepted member


def test_survey_recipients_go_a_year_after_the_survey_closed(app, make_staff):
    from panel.surveys import services as surveys
    from panel.surveys.models import Recipient, Survey
    from tests.panel.surveys.helpers import NOW, join, send, standing_panel, survey

    staff = make_staff("preparer")
    panel = standing_panel(staff)
    for n in range(3):
        join(panel, n)
    old, new = survey(staff, panel), survey(staff, panel)
    for s in (old, new):
        send(staff, s)
    surveys.close(old.id, actor=staff, now=NOW + timedelta(days=1))
    surveys.close(new.id, actor=staff, now=NOW + timedelta(days=3))
    db.session.commit()
    assert _count(Recipient) == 6
    result = run_job(app, "retention.purge", NOW + timedelta(days=1 + 365, hours=1))
    assert result["survey_participation"] == 3 and _logged("survey_participation") == [3]
    assert _count(Recipient, Recipient.survey_id == old.id) == 0
    assert _count(Recipient, Recipient.survey_id == new.id) == 3
    assert db.session.get(Survey, old.id).recipient_count == 3     # the figure stays
