"""Staff set-up over HTTP, invitations with iCalendar, reminders, expert links, the API."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kuulas.clock import utcnow


def _raati(client):
    r = client.post("/hallinta/raati/uusi", data={"title_fi": "Kotihoito", "question_fi": "Miten?"})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_staff_sets_up_members_sessions_and_invitations(app, client, make_staff, login):
    from icalendar import Calendar

    from kuulas.mail.models import OutboxMail

    login(make_staff("preparer"))
    rid = _raati(client)
    assert client.post(f"/hallinta/raati/{rid}/jasenet", data={"member-email": "x", "member-role": "member"}).status_code == 400
    for email in ("a@example.fi", "b@example.fi"):
        r = client.post(f"/hallinta/raati/{rid}/jasenet", data={"member-email": email, "member-role": "member"})
        assert r.status_code == 302
    r = client.post(f"/hallinta/raati/{rid}/istunnot", data={
        "session-title": "Ilta", "session-starts_at": "2030-05-02T17:00", "session-ends_at": "2030-05-02T16:00"})
    assert r.status_code == 400
    r = client.post(f"/hallinta/raati/{rid}/istunnot", data={
        "session-title": "Ilta; 1, osa", "session-starts_at": "2030-05-02T17:00", "session-ends_at": "2030-05-02T20:00"})
    assert r.status_code == 302
    from kuulas.extensions import db

    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.category == "raati")).all()
    assert sorted(m.recipient for m in mails) == ["a@example.fi", "b@example.fi"]
    att = mails[0].attachments[0]
    assert att.filename.endswith(".ics") and b"\r\n" in att.data
    cal = Calendar.from_ical(att.data)
    ev = next(c for c in cal.walk("VEVENT"))
    assert str(ev["uid"]).startswith(f"raati-{rid}-") and ev.get("dtstamp")
    assert ev["dtstart"].to_ical() == b"20300502T140000Z"  # 17:00 Helsinki summer time
    assert "Ilta\\; 1\\, osa" in att.data.decode()
    assert "Ilta; 1, osa" in mails[0].subject


def test_reminders_are_sent_once(app, make_staff):
    from deliberation.raati import services
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail
    from kuulas.scheduler import run_job

    now = utcnow()
    staff = make_staff("preparer")
    raati = services.save_raati(None, {"title_fi": "T", "question_fi": "Q"}, actor=staff, now=now)
    services.add_member(raati.id, "m@example.fi", actor=staff, now=now)
    services.add_session(raati.id, "S", now + timedelta(hours=20), now + timedelta(hours=22),
                         actor=staff, now=now, invite=False)
    db.session.commit()
    assert run_job(app, "raati.reminders", now) == 1
    assert run_job(app, "raati.reminders", now + timedelta(minutes=5)) == 0
    count = db.session.scalar(select(db.func.count()).select_from(OutboxMail).where(OutboxMail.recipient == "m@example.fi"))
    assert count == 1


def test_expert_one_time_link(app, client, make_staff):
    from deliberation.raati import services
    from kuulas.extensions import db

    now = utcnow()
    staff = make_staff("preparer")
    raati = services.save_raati(None, {"title_fi": "T", "question_fi": "Q"}, actor=staff, now=now)
    token = services.invite_expert(raati.id, "expert@example.fi", actor=staff, now=now)
    db.session.commit()
    assert client.get(f"/raati/asiantuntija/{token}").status_code == 200
    r = client.post(f"/raati/asiantuntija/{token}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/raati/{raati.id}")
    assert client.get(f"/raati/{raati.id}").status_code == 302  # to the display-name step
    assert client.get(f"/raati/{raati.id}/nimi").status_code == 200
    other = app.test_client()
    assert other.post(f"/raati/asiantuntija/{token}").status_code == 410
    assert other.get("/raati/asiantuntija/nonsense").status_code == 404


def test_room_page_for_members_only(room, app, make_resident, login):
    p = room.person("a")
    page = p.client.get(f"/raati/{room.id}")
    assert page.status_code == 200 and "socket.io.min.js" in page.get_data(as_text=True)
    outsider = login(make_resident(), app.test_client())
    assert outsider.get(f"/raati/{room.id}").status_code == 403
    assert app.test_client().get(f"/raati/{room.id}").status_code == 302
    assert outsider.get(f"/raati/{room.id}/poytakirja").status_code == 403


def test_display_name_must_be_unique(room):
    p = room.person("a")
    # Too short for the form: refused before the service runs.
    assert p.client.post(f"/raati/{room.id}/nimi", data={"display_name": "b"}).status_code == 400
    # Another member's name in other letter case: the service refuses it, nothing is saved.
    r = p.client.post(f"/raati/{room.id}/nimi", data={"display_name": "chair"})
    assert r.status_code == 409
    assert "käyttää jo tätä nimeä" in r.get_data(as_text=True)
    assert room.person("a").member.display_name == "A"


def test_api_for_outcomes(room):
    from deliberation.raati import api, services
    from kuulas.extensions import db

    assert api.finished_raatis() == []
    services.set_state(room.id, "finished", actor=room.staff, now=utcnow())
    db.session.commit()
    assert api.finished_raatis()[0]["id"] == room.id
    data = api.raati_outcome_data(room.id, "sv")
    assert data["members"] == 5 and data["statement"] is None and data["title"] == "Omalääkärimalli"
    assert len(api.member_recipients(room.id)) == 6


def test_staff_pages_render_and_phase_added(app, client, make_staff, login):
    login(make_staff("moderator"))
    rid = _raati(client)
    page = client.get(f"/hallinta/raati/{rid}")
    assert page.status_code == 200 and "Perehdytys" in page.get_data(as_text=True)
    assert client.get("/hallinta/raati/").status_code == 200
    r = client.post(f"/hallinta/raati/{rid}/vaiheet", data={"phase-kind": "discussion", "phase-minutes": "0"})
    assert r.status_code == 400
    r = client.post(f"/hallinta/raati/{rid}/vaiheet", data={"phase-kind": "discussion", "phase-minutes": "20"})
    assert r.status_code == 302
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    assert len(db.session.get(Raati, rid).phases) == 6


def test_residents_cannot_reach_staff_pages(room):
    assert room.person("a").client.get("/hallinta/raati/").status_code == 403


def test_agenda_edit_move_and_remove_reach_open_rooms(room, app, client, login):
    """Staff change the agenda; members already in the room get it as one ``agenda`` event."""
    from deliberation.raati import services
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    from .conftest import emit, received

    def order():
        db.session.expire_all()
        return [p.id for p in db.session.get(Raati, room.id).phases]

    login(room.staff, client)
    base = f"/hallinta/raati/{room.id}/vaiheet"
    default = order()  # a new raati starts with the five standard phases
    assert client.post(base, data={"phase-kind": "discussion", "phase-minutes": "40"}).status_code == 302
    ids = order()
    assert len(ids) == len(default) + 1
    added = ids[-1]
    sc = room.socket("a")
    sc.get_received("/raati")

    page = client.get(f"{base}/{added}")
    assert page.status_code == 200 and 'value="40"' in page.get_data(as_text=True)
    bad = client.post(f"{base}/{added}", data={"phase-kind": "hearing", "phase-minutes": "9999"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    r = client.post(f"{base}/{added}", data={"phase-kind": "hearing", "phase-minutes": "45",
                                              "phase-planned_start": "2030-05-02T17:30"})
    assert r.status_code == 302
    db.session.expire_all()
    phase = db.session.get(Raati, room.id).phases[-1]
    assert phase.planned_minutes == 45 and phase.planned_start.isoformat() == "2030-05-02T14:30:00"
    agenda = [e for e in received(sc) if e["kind"] == "agenda"]
    assert agenda[-1]["data"]["phases"][-1] == {"id": added, "kind": "hearing", "minutes": 45}

    assert client.post(f"{base}/{added}/ylos").status_code == 302
    assert client.post(f"{base}/{ids[0]}/ylos").status_code == 409  # the first cannot move earlier
    assert client.post(f"{base}/{added}/alas").status_code == 302
    assert client.post(f"{base}/{added}/alas").status_code == 409  # nor the last later
    assert client.post(f"{base}/{added}/ylos").status_code == 302
    moved = ids[:-2] + [added, ids[-2]]
    assert order() == moved
    assert [p["id"] for p in received(sc)[-1]["data"]["phases"]] == moved

    # A phase that has been held stays; one that has not can go.
    assert emit(room.socket("mod"), "phase", {"id": ids[0]})["ok"]
    assert client.post(f"{base}/{ids[0]}/poista").status_code == 409
    assert client.post(f"{base}/{added}/poista").status_code == 302
    db.session.expire_all()
    phases = db.session.get(Raati, room.id).phases
    assert [(p.id, p.position) for p in phases] == [(pid, i) for i, pid in enumerate(default)]
    events = [e for e in received(sc) if e["kind"] == "agenda"]
    assert [p["id"] for p in events[-1]["data"]["phases"]] == default
    # The room still moves through the edited agenda.
    assert emit(room.socket("mod"), "phase", {"id": default[1]})["ok"]
    assert services.get_raati(room.id).current_phase_id == default[1]
    # Residents cannot touch the agenda.
    assert room.person("a").client.post(f"{base}/{default[2]}/poista").status_code == 403


def test_untranslated_texts_are_marked_finnish(room, app):
    """A Swedish page showing the Finnish fallback marks it lang="fi" (WCAG 3.1.2), on the room
    page and the front-page card; a text that has a translation carries that language."""
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    raati = db.session.get(Raati, room.id)
    raati.title_sv, raati.state = "Egen läkare", "live"
    db.session.commit()
    p = room.person("a")
    p.client.get("/kieli/sv")
    html = p.client.get(f"/raati/{room.id}").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert '<h1 lang="sv">Egen läkare</h1>' in html
    assert '<p class="lead" lang="fi">Miten?</p>' in html
    front = p.client.get("/").get_data(as_text=True)
    assert f'href="/raati/{room.id}/esittely" lang="sv">Egen läkare</a>' in front   # the public page
    assert '<p lang="fi">Miten?</p>' in front


def test_session_changed_and_cancelled_updates_members_calendars(app, client, make_staff, login):
    """A moved session mails every invited member the same UID with a higher SEQUENCE and is
    reminded of again; a cancelled one mails METHOD:CANCEL; bad input changes nothing."""
    from icalendar import Calendar

    from deliberation.raati.models import RaatiSession
    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    login(make_staff("preparer"))
    rid = _raati(client)
    for email in ("a@example.fi", "b@example.fi"):
        client.post(f"/hallinta/raati/{rid}/jasenet", data={"member-email": email, "member-role": "member"})
    client.post(f"/hallinta/raati/{rid}/istunnot", data={
        "session-title": "Ilta", "session-starts_at": "2030-05-02T17:00", "session-ends_at": "2030-05-02T20:00"})
    session = db.session.scalars(db.select(RaatiSession).where(RaatiSession.raati_id == rid)).one()
    sid, uid = session.id, session.uid
    session.reminder_sent_at = session.invitations_sent_at
    db.session.commit()

    def mails():
        return db.session.scalars(db.select(OutboxMail).where(OutboxMail.category == "raati")
                                  .order_by(OutboxMail.id)).all()
    before = len(mails())
    page = client.get(f"/hallinta/raati/{rid}/istunnot/{sid}")
    assert page.status_code == 200 and 'value="2030-05-02T17:00"' in page.get_data(as_text=True)
    bad = client.post(f"/hallinta/raati/{rid}/istunnot/{sid}", data={
        "session-title": "Ilta", "session-starts_at": "2030-05-02T18:00", "session-ends_at": "2030-05-02T17:00"})
    assert bad.status_code == 400 and len(mails()) == before
    db.session.expire_all()
    assert db.session.get(RaatiSession, sid).starts_at.isoformat() == "2030-05-02T14:00:00"

    r = client.post(f"/hallinta/raati/{rid}/istunnot/{sid}", data={
        "session-title": "Ilta", "session-starts_at": "2030-05-03T18:00", "session-ends_at": "2030-05-03T21:00"})
    assert r.status_code == 302
    changed = mails()[before:]
    assert sorted(m.recipient for m in changed) == ["a@example.fi", "b@example.fi"]
    assert "3.5.2030" in changed[0].body_text and "2.5.2030" in changed[0].body_text  # new, earlier time
    event = Calendar.from_ical(changed[0].attachments[0].data).walk("VEVENT")[0]
    assert str(event["uid"]) == uid and int(event["sequence"]) == 1
    assert event["dtstart"].to_ical() == b"20300503T150000Z"
    db.session.expire_all()
    assert db.session.get(RaatiSession, sid).reminder_sent_at is None  # moved: remind again

    r = client.post(f"/hallinta/raati/{rid}/istunnot/{sid}/peru")  # not confirmed: asks first
    assert r.status_code == 200 and 'name="confirm"' in r.get_data(as_text=True) and len(mails()) == before + 2
    r = client.post(f"/hallinta/raati/{rid}/istunnot/{sid}/peru", data={"confirm": "1"})
    assert r.status_code == 302
    cancelled = mails()[before + 2:]
    assert len(cancelled) == 2 and "text/calendar; method=CANCEL" in cancelled[0].attachments[0].content_type
    cal = Calendar.from_ical(cancelled[0].attachments[0].data)
    event = cal.walk("VEVENT")[0]
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == uid and int(event["sequence"]) == 2
    db.session.expire_all()
    assert db.session.get(RaatiSession, sid) is None
    assert client.post(f"/hallinta/raati/{rid}/istunnot/{sid}/peru").status_code == 404


def test_staff_edit_raati_texts(app, client, make_staff, login):
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    login(make_staff("preparer"))
    rid = _raati(client)
    bad = client.post(f"/hallinta/raati/{rid}", data={"edit-title_fi": "", "edit-question_fi": "Uusi kysymys?"})
    assert bad.status_code == 400 and "Uusi kysymys?" in bad.get_data(as_text=True)  # input kept
    db.session.expire_all()
    assert db.session.get(Raati, rid).question_fi == "Miten?"
    ok = client.post(f"/hallinta/raati/{rid}", data={"edit-title_fi": "Kotihoito 2027", "edit-title_sv": "Hemvård 2027",
                                                     "edit-question_fi": "Miten nyt?"})
    assert ok.status_code == 302
    db.session.expire_all()
    raati = db.session.get(Raati, rid)
    assert (raati.title_fi, raati.title_sv, raati.question_fi) == ("Kotihoito 2027", "Hemvård 2027", "Miten nyt?")
