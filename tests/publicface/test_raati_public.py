"""The public page of a digiraati: question, composition with small cells suppressed (the
outcome page's rule), agenda, expert material, and the statement with its approval record
only once locked; never the room's chat; the room itself stays members-only."""
from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import NOW, in_locale


def _lock(r):
    from kuulas.extensions import db

    r.statement_sha256 = "ab" * 32
    r.drafting_closed_at = NOW + timedelta(days=1)
    r.lock_record = {"rule": "majority", "members": 6, "approved": True, "override": None,
                     "sections": [{"title": "Iltakäynnit", "approvals": 5, "members": 6, "needed": 4, "met": True}]}
    r.state = "finished"
    db.session.commit()


def test_public_page_shows_question_composition_agenda_and_material(app, client, raati):
    response = in_locale(client, "fi").get(f"/raati/{raati.id}/esittely")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Miten omalääkärimalli otetaan käyttöön?" in html
    assert "6 jäsentä." in html                              # the chair and members; not the expert
    # Composition: 3 is under 5, so it is hidden with its complement (12), 25 shown.
    assert "18–39 v" in html and "65+ v" in html
    assert ">25<" in html and ">3<" not in html and ">12<" not in html
    assert "alle 5" in html
    assert "Terveydentila" not in html and "Pitkäaikaissairas" not in html   # sensitive: never public
    assert "Ensimmäinen istunto" in html and "Asiantuntijakuuleminen" in html and "45 minuuttia" in html
    assert "Dosentti Asiantuntija" in html and 'href="https://example.fi/selvitys"' in html
    assert "SALAINEN CHATTIVIESTI" not in html and "Jäsen1" not in html
    assert "Julkilausuma" not in html and "Raati suosittaa" not in html      # not locked yet
    assert 'class="table-scroll" role="region" tabindex="0"' in html
    assert 'id="on-this-page"' in html
    assert f'href="/raati/{raati.id}"' not in html           # the public gets no room link


def test_statement_with_approval_record_only_when_locked(app, client, raati):
    _lock(raati)
    html = in_locale(client, "fi").get(f"/raati/{raati.id}/esittely").get_data(as_text=True)
    assert "Julkilausuma" in html and "Raati suosittaa iltakäyntejä." in html
    assert "Hyväksyntätiedot" in html and "ab" * 32 in html
    assert "Iltakäynnit: hyväksyjiä 5 / 6 jäsentä (tarvittiin 4)" in html
    assert "SALAINEN CHATTIVIESTI" not in html


@pytest.mark.parametrize("code, title, question", [
    ("sv", "Egenläkarmodellen", "Hur införs egenläkarmodellen?"),
    ("en", "The own-doctor model", "How should the own-doctor model be introduced?")])
def test_public_page_in_the_readers_language(app, client, raati, code, title, question):
    html = in_locale(client, code).get(f"/raati/{raati.id}/esittely").get_data(as_text=True)
    assert title in html and question in html
    assert ("Vilka deltog" if code == "sv" else "Who took part") in html


def test_room_stays_members_only_and_members_get_a_link(app, client, raati, login):
    anonymous = client.get(f"/raati/{raati.id}", follow_redirects=False)
    assert anonymous.status_code == 302 and f"next=/raati/{raati.id}" in anonymous.headers["Location"].replace("%2F", "/")
    login(raati.member_accounts[1])
    html = client.get(f"/raati/{raati.id}/esittely").get_data(as_text=True)
    assert f'href="/raati/{raati.id}"' in html


def test_draft_raati_without_sessions_is_not_public(app, client):
    from kuulas.extensions import db
    from deliberation.raati.models import Raati

    r = Raati(title_fi="Luonnosraati", question_fi="?", state="draft")
    db.session.add(r)
    db.session.commit()
    assert client.get(f"/raati/{r.id}/esittely").status_code == 404
    assert client.get("/raati/99999/esittely").status_code == 404


def test_front_page_card_links_to_the_public_page(app, client, raati):
    html = in_locale(client, "fi").get("/").get_data(as_text=True)
    assert f'href="/raati/{raati.id}/esittely"' in html
