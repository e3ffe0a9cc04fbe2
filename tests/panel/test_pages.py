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
