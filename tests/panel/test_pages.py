"""Every panel page renders for the role that may see it (and only for it)."""
from __future__ import annotations

import pytest

from .helpers import make_panel


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_staff_and_public_pages_render(app, client, login, make_staff, lang):
    staff = make_staff("preparer")
    panel = make_panel(staff)
    client.set_cookie("kuulas_lang", lang)
    for url in (f"/paneelit/{panel.id}", f"/paneelit/{panel.id}/arvonta", "/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/hallinta/paneelit/{panel.id}").status_code == 302  # sign in first
    login(staff)
    for suffix in ("", "/taustamuuttujat", "/pooli", "/arvonta", "/kutsut", "/jasenet"):
        response = client.get(f"/hallinta/paneelit/{panel.id}{suffix}")
        assert response.status_code == 200, (suffix, response.get_data(as_text=True)[:300])
    assert client.get("/hallinta/paneelit").status_code == 200
    assert client.get("/hallinta/paneelit/uusi").status_code == 200


def test_moderator_sees_roster_only(app, client, login, make_staff):
    panel = make_panel(make_staff("preparer"))
    login(make_staff("moderator"))
    assert client.get(f"/hallinta/paneelit/{panel.id}/jasenet").status_code == 200
    for suffix in ("", "/pooli", "/arvonta", "/kutsut"):
        assert client.get(f"/hallinta/paneelit/{panel.id}{suffix}").status_code == 403


def test_staff_edit_panel_keeps_input_on_error(app, client, login, make_staff):
    from datetime import timedelta

    from kuulas.clock import utcnow
    from kuulas.extensions import db
    from panel.recruitment.models import Panel

    staff = make_staff("preparer")
    panel = make_panel(staff, open_now=False)
    login(staff)
    now = utcnow()
    form = {"name_fi": "Uusi nimi", "name_sv": "Nytt namn", "description_fi": "Kuvaus", "description_sv": "Beskrivning",
            "kind": "resident", "target_size": "12", "controller": "Hyvinvointialue", "retention_days": "30",
            "invitation_days": "7", "recruitment_opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "recruitment_closes_at": (now + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")}
    bad = client.post(f"/hallinta/paneelit/{panel.id}", data=dict(form, target_size="1"))
    assert bad.status_code == 400 and 'value="Uusi nimi"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Panel, panel.id).name_fi == "Testipaneeli"
    assert client.post(f"/hallinta/paneelit/{panel.id}", data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Panel, panel.id)
    assert (saved.name_fi, saved.target_size) == ("Uusi nimi", 12)
