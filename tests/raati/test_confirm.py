"""What cannot be undone asks first (a server-rendered step that works without JavaScript),
and a removed member can be restored for a while."""
from __future__ import annotations

from datetime import timedelta

from kuulas.clock import utcnow


def test_member_removal_asks_first_and_can_be_undone(room, app, login):
    from deliberation.raati import services
    from deliberation.raati.models import Member
    from kuulas.extensions import db

    staff = app.test_client()
    login(room.staff, staff)
    mid = room.person("b").member.id
    url = f"/hallinta/raati/{room.id}/jasen/{mid}/poista"
    page = staff.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="confirm"' in html and "B" in html
    assert staff.post(url).status_code == 200  # a bare POST (an old one-tap form) only asks
    db.session.expire_all()
    assert db.session.get(Member, mid).removed_at is None
    show = staff.get(f"/hallinta/raati/{room.id}").get_data(as_text=True)
    assert f'action="{url}"' not in show  # the list links to the confirmation step
    assert staff.post(url, data={"confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, mid).removed_at is not None
    show = staff.get(f"/hallinta/raati/{room.id}").get_data(as_text=True)
    restore = f"/hallinta/raati/{room.id}/jasen/{mid}/palauta"
    assert f'action="{restore}"' in show
    assert staff.post(restore).status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, mid).removed_at is None
    assert room.socket("b").is_connected("/raati")
    # after the undo window the removal stands (staff add the member again by e-mail)
    services.staff_remove(room.id, mid, actor=room.staff, now=utcnow() - timedelta(hours=1))
    db.session.commit()
    assert staff.post(restore).status_code == 409
    show = staff.get(f"/hallinta/raati/{room.id}").get_data(as_text=True)
    assert f'action="{restore}"' not in show


def test_double_submits_of_create_forms_create_once(app, client, make_staff, login):
    """A double click or a reloaded POST on a staff create form saves once (the forms go
    through kuulas.web.form_page and its idempotent submissions)."""
    from sqlalchemy import func, select

    from deliberation.raati.models import ExpertInvite, Member, Phase, Raati, RaatiSession
    from kuulas.extensions import db

    login(make_staff("preparer"))
    new = {"title_fi": "Kotihoito", "question_fi": "Miten?"}
    first, second = client.post("/hallinta/raati/uusi", data=new), client.post("/hallinta/raati/uusi", data=new)
    assert first.status_code == second.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Raati)) == 1
    rid = db.session.scalar(select(Raati.id))
    posts = [
        (f"/hallinta/raati/{rid}/istunnot", {"session-title": "Ilta", "session-starts_at": "2031-05-02T17:00",
                                             "session-ends_at": "2031-05-02T19:00"}),
        (f"/hallinta/raati/{rid}/vaiheet", {"phase-kind": "discussion", "phase-minutes": "20"}),
        (f"/hallinta/raati/{rid}/asiantuntija", {"expert-email": "asiantuntija@example.fi"}),
        (f"/hallinta/raati/{rid}/jasenet", {"member-email": "jasen@example.fi", "member-role": "member"}),
    ]
    for url, data in posts:
        for _ in range(2):
            r = client.post(url, data=data)
            assert r.status_code == 302, (url, r.status_code)
    count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    assert count(RaatiSession, RaatiSession.raati_id == rid) == 1
    assert count(Phase, Phase.raati_id == rid) == 6  # the default five and one added
    assert count(ExpertInvite) == 1
    assert count(Member, Member.raati_id == rid) == 2
