"""An idea round's easy-to-read Finnish summary: entered on the staff form, shown on the
public page behind its own switch (a link without JavaScript), marked as Finnish."""
from __future__ import annotations

import re
from datetime import timedelta

from kuulas.clock import utcnow
from kuulas.extensions import db


def test_round_plain_summary_from_the_form_to_the_public_page(client, login, make_staff):
    preparer = make_staff("preparer")
    login(preparer)
    opens = (utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    data = {"title_fi": "Kotihoito", "title_sv": "Hemvård", "question_fi": "Mitä?", "question_sv": "Vad?",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "moderation": "post", "max_length": "500", "publish": "y", "confirm_publish": "y",
            "plain_summary": "Kerro ideasi kotihoidosta.\n\nVoit myös äänestää."}
    r = client.post("/hallinta/ideariihi/uusi", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    from deliberation.ideas.models import IdeaRound

    round_ = db.session.query(IdeaRound).one()
    assert round_.plain_summary == "Kerro ideasi kotihoidosta.\n\nVoit myös äänestää."
    edit = client.get(f"/hallinta/ideariihi/{round_.id}/muokkaa").get_data(as_text=True)
    assert "Voit myös äänestää." in edit
    public = client.get(f"/ideariihi/{round_.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Easy-to-read Finnish (selkokieli)" in public
    assert re.search(r'<section id="selkokieli"[^>]*lang="fi"[^>]*hidden>', public)
    opened = client.get(f"/ideariihi/{round_.id}?selko=1").get_data(as_text=True)
    assert "<p>Kerro ideasi kotihoidosta.</p><p>Voit myös äänestää.</p>" in opened
    assert not re.search(r'<section id="selkokieli"[^>]*hidden>', opened)
