"""The room's client-side clock gets the server's time pattern and zone; staff can give a
digiraati an easy-to-read Finnish summary."""
from __future__ import annotations

import html as htmllib
import json
import re

from kuulas.clock import utcnow


def test_room_page_carries_the_locale_time_pattern(room):
    person = room.person("a")
    person.client.set_cookie("kuulas_lang", "sv")
    page = person.client.get(f"/raati/{room.id}").get_data(as_text=True)
    raw = re.search(r'id="raati-room"[^>]*data-time-format="([^"]+)"', page).group(1)
    assert json.loads(htmllib.unescape(raw)) == {"locale": "sv", "tz": "Europe/Helsinki", "time": "H.mm",
                                                 "joiner": "{date} kl. {time}", "decimal": ","}


def test_staff_save_a_plain_language_summary(app, make_staff):
    from deliberation.raati import services
    from kuulas.extensions import db

    preparer = make_staff("preparer")
    raati = services.save_raati(None, {"title_fi": "Raati", "question_fi": "Miten?",
                                       "plain_summary": "  Raati miettii, miten hoito paranee.  "},
                                actor=preparer, now=utcnow())
    db.session.commit()
    assert raati.plain_summary == "Raati miettii, miten hoito paranee."
    services.save_raati(raati.id, {"title_fi": "Raati", "question_fi": "Miten?"}, actor=preparer, now=utcnow())
    assert raati.plain_summary == "Raati miettii, miten hoito paranee."   # a form without the field keeps it


def test_room_shows_the_plain_language_summary_behind_its_switch(room):
    from deliberation.raati.models import Raati
    from kuulas.extensions import db

    db.session.get(Raati, room.id).plain_summary = "Raati miettii omalääkäriä."
    db.session.commit()
    page = room.person("a").client.get(f"/raati/{room.id}").get_data(as_text=True)
    assert re.search(r'<section id="selkokieli"[^>]*lang="fi"[^>]*hidden>', page)
    assert "<p>Raati miettii omalääkäriä.</p>" in page
