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
