"""The public face through the test client: Results in the menu, the front page listing a
process once with what was decided, outcome cards with the decision, the search page."""
from __future__ import annotations

import re

import pytest

from .conftest import in_locale


@pytest.mark.parametrize("code, label", [("fi", "Tulokset"), ("sv", "Resultat"), ("en", "Results")])
def test_results_in_main_menu_in_every_language(app, client, code, label):
    html = in_locale(client, code).get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="main-nav.*?</nav>', html, re.S).group(0)
    assert f'<a href="/tulokset">{label}</a>' in nav
    assert 'href="/tulokset"' in html.split("</header>", 1)[1]   # the front page links to the index too


def test_front_page_lists_a_process_once_with_its_outcome_and_decision(app, client, world):
    html = in_locale(client, "fi").get("/").get_data(as_text=True)
    # The idea round and its outcome make one card, whose title leads to the outcome.
    assert html.count("Kotihoidon ideariihi") == 1
    assert "Kotihoidon ideariihen tulos" not in html
    card = re.search(r'<li class="card">(?:(?!</li>).)*Kotihoidon ideariihi.*?</li>', html, re.S).group(0)
    assert f'href="/tulokset/{world.outcome}"' in card
    assert "Aluehallitus päätti lisätä iltakäyntejä kaikille kotihoidon asiakkaille." in card
    assert "Lisäksi selvitetään" not in card          # first paragraph only
    assert "**" not in card
    # The finished raati with its outcome: one card, linking to the public raati page.
    assert html.count("Omalääkärimalli") == 1
    assert f'/raati/{world.raati}/esittely' in html
    assert "Salainen luonnosriihi" not in html and "Luonnostulos" not in html


def test_results_index_card_shows_what_was_decided(app, client, world):
    html = in_locale(client, "fi").get("/tulokset").get_data(as_text=True)
    assert "Päätettiin:" in html and "Aluehallitus päätti lisätä iltakäyntejä" in html
    assert "1 kohta: toteutetaan" in html and "1 kohta: kesken" in html
    html = in_locale(client, "sv").get("/tulokset").get_data(as_text=True)
    assert "Beslut:" in html and "1 punkt:" in html


def test_decision_summary_is_pure_and_prefers_the_readers_language(app, world):
    from kuulas.extensions import db
    from deliberation.outcomes.decided import decision_summary, shorten
    from deliberation.outcomes.models import Outcome

    o = db.session.get(Outcome, world.outcome)
    ds = decision_summary(o, "fi")
    assert ds.text.startswith("Aluehallitus päätti lisätä iltakäyntejä") and ds.lang == "fi"
    assert ds.body == "Aluehallitus" and ds.decisions == 1
    assert ds.statuses == {"adopted": 1, "pending": 1}
    o.decisions[0].translations = {"sv": {"summary": "Regionstyrelsen beslöt om kvällsbesök."}}
    sv = decision_summary(o, "sv")
    assert (sv.text, sv.lang) == ("Regionstyrelsen beslöt om kvällsbesök.", "sv")
    assert decision_summary(db.session.get(Outcome, world.raati_outcome), "fi") is None
    long = "sana " * 100
    assert len(shorten(long, 50)) <= 50 and shorten(long, 50).endswith("…")
    assert shorten("[linkki](https://example.fi) ja *korostus*") == "linkki ja korostus"


def test_search_finds_published_items_in_the_readers_language(app, client, world):
    html = in_locale(client, "fi").get("/haku?q=kotihoito").get_data(as_text=True)
    assert "Kotihoidon ideariihen tulos" in html                  # the outcome stands for its round
    assert html.count(f'href="/ideat/{world.round}"') == 0
    assert "<mark>kotihoitoa</mark>" in html                     # the snippet marks the inflected form
    assert "Salainen luonnosriihi" not in html and "Luonnostulos" not in html
    # Swedish: the Swedish texts are searched, not the Finnish ones where a translation exists.
    sv = in_locale(client, "sv")
    html = sv.get("/haku?q=hemvården").get_data(as_text=True)
    assert "Resultatet av idérundan om hemvård" in html
    html = sv.get("/haku?q=kotihoitoa").get_data(as_text=True)
    assert "Resultatet av idérundan" not in html and "0 träffar" in html
    html = sv.get("/haku?q=egenläkarmodellen").get_data(as_text=True)
    assert "Egenläkarmodellen" in html and f"/raati/{world.raati}/esittely" in html
    assert "Omalääkärimallin raadin tulos" not in html   # its outcome has no Swedish text
    html = in_locale(client, "fi").get("/haku?q=hemvården").get_data(as_text=True)
    assert "0 tulosta" in html


@pytest.mark.parametrize("q, status, message", [
    ("", 200, "Kirjoita yksi tai useampi hakusana."),
    ("   ", 200, "Kirjoita yksi tai useampi hakusana."),
    ("a", 400, "Kirjoita vähintään kahden kirjaimen sana."),
    ("% _", 400, "Kirjoita vähintään kahden kirjaimen sana."),
    ("x" * 201, 400, "Haku on liian pitkä"),
])
def test_bad_queries_get_a_clear_message(app, client, world, q, status, message):
    response = in_locale(client, "fi").get("/haku", query_string={"q": q})
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_like_wildcards_are_literal_on_sqlite(app, client, world):
    html = in_locale(client, "fi").get("/haku?q=kotihoi_o").get_data(as_text=True)
    assert "0 tulosta" in html


@pytest.mark.parametrize("path, code, first", [("/tietosuoja", "fi", "Rekisterinpitäjä"),
                                               ("/saavutettavuus", "en", "Compliance status")])
def test_long_legal_pages_get_an_on_this_page_menu(app, client, path, code, first):
    html = in_locale(client, code).get(path).get_data(as_text=True)
    menu = re.search(r'<nav class="on-this-page" id="on-this-page".*?</nav>', html, re.S).group(0)
    assert f'<a href="#section-1">{first}</a>' in menu
    assert f'<h2 id="section-1">{first}</h2>' in html
    assert 'href="#on-this-page"' in html.split("</nav>", 3)[-1]       # the way back to it


def test_section_ids_take_only_the_text_of_a_heading():
    from markupsafe import Markup

    from kuulas.sanitize import with_section_ids

    html, sections = with_section_ids(Markup("<h2>A &amp; <em>B</em></h2><p>x</p><h2>C</h2>"))
    assert sections == [("section-1", "A & B"), ("section-2", "C")]
    assert '<h2 id="section-1">A &amp; <em>B</em></h2>' in html
