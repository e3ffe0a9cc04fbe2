"""Real finished processes built through their own areas' services (no fakes)."""
from __future__ import annotations

from datetime import timedelta

from kuulas.extensions import db


def finished_raati(admin, now, member_emails=("raati.a@example.fi", "raati.b@example.fi")) -> int:
    """A finished digiraati with a locked two-section statement and members with e-mail."""
    from deliberation.raati import services
    from deliberation.raati.models import CHAIR, FINISHED, LIVE, MEMBER, SECRETARY

    raati = services.save_raati(None, {
        "title_fi": "Kotihoidon iltakäynnit", "question_fi": "Miten kotihoidon iltakäyntejä pitäisi kehittää?",
        "background_fi": "Hyvinvointialue valmistelee kotihoidon uudistusta."}, actor=admin, now=now)
    chair = services.add_member(raati.id, "puheenjohtaja@example.fi", CHAIR, actor=admin, now=now)
    secretary = services.add_member(raati.id, "sihteeri@example.fi", SECRETARY, actor=admin, now=now)
    jurors = [chair, secretary]
    for email in member_emails:
        jurors.append(services.add_member(raati.id, email, MEMBER, actor=admin, now=now))
    services.add_session(raati.id, "Aloitusistunto", now - timedelta(days=20), now - timedelta(days=20, hours=-3),
                         actor=admin, now=now - timedelta(days=30))
    services.set_state(raati.id, LIVE, actor=admin, now=now)
    db.session.commit()
    chair_account, writer = chair.account, secretary.account
    services.save_section(raati.id, None, "Iltakäynnit kaikille", "Raati suosittaa iltakäyntejä kaikille kotihoidon asiakkaille.",
                          actor=writer, now=now)
    services.save_section(raati.id, None, "Videopuhelut", "Videopuhelut tarjotaan lisänä, ei korvaajana.",
                          actor=writer, now=now)
    db.session.commit()
    for m in jurors:  # the members approve every section: locking needs a majority of them
        for s in services.sections(raati.id):
            services.review_section(raati.id, s.id, "approve", "", actor=m.account, now=now)
    services.close_drafting(raati.id, actor=chair_account, now=now)
    services.set_state(raati.id, FINISHED, actor=admin, now=now)
    db.session.commit()
    return raati.id


# --- a real finished idea round -----------------------------------------------------------

FORMULA_IDEA = '=HYPERLINK("http://evil.example","klikkaa")'
IDEA_TEXTS = {
    "formula": FORMULA_IDEA,
    "evening": "Iltakäynnit kotihoitoon, myös viikonloppuisin",
    "contact": "Omaisille selkeä yhteyshenkilö",
    "remote": "Etäkäynnit videolla lyhyisiin tarkistuksiin",
    "staff": "Lisää hoitajia ja vähemmän kirjaamista",
}
# What the round below must yield (checked by the tests against the outcome).
EXPECTED = {"participants": 16, "ideas": 5, "votes": 56, "comments": 2}


def finished_idea_round(app, preparer, *, notify_email="osallistuja@example.fi"):
    """Build an idea round the way residents use it and let the scheduler close it.

    Four anonymous browsers (test clients with their own cookies) write, vote and comment
    through the public pages, one of them leaves ``notify_email``; twelve more participants
    in two opposing camps vote through the ideas services (their per-round hashes made
    as the views make them).  The browsers cast fewer than three votes each, so only the
    camps are clustered: two opinion groups of six that agree on the same two ideas.  Returns ``(round_id, ideas_by_name, later_now)``."""
    from flask import current_app
    from sqlalchemy import select

    from kuulas.clock import utcnow
    from kuulas.scheduler import run_job
    from deliberation.ideas import anonymity, services
    from deliberation.ideas.models import Idea

    now = utcnow()
    round_ = services.create_round({
        "title": {"fi": "Kotihoidon kehittäminen", "sv": "Utveckling av hemvården", "en": "Developing home care"},
        "question": {"fi": "Miten kotihoitoa pitäisi kehittää?", "sv": "Hur borde hemvården utvecklas?",
                     "en": "How should home care be developed?"},
        "background": {"fi": "Hyvinvointialue uudistaa kotihoitoa.", "sv": "Välfärdsområdet förnyar hemvården."},
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7),
        "moderation": "post", "comments_enabled": True, "max_length": 300,
    }, actor=preparer, now=now, publish=True)
    db.session.commit()   # create_round flushes; the caller commits
    rid = round_.id
    closes_at = round_.closes_at

    def browser():
        c = app.test_client()
        assert c.get(f"/ideariihi/{rid}").status_code == 200   # issues the anonymous cookie
        return c

    a, b, c, d = (browser() for _ in range(4))
    for client, name in ((a, "formula"), (b, "evening"), (c, "contact")):
        r = client.post(f"/ideariihi/{rid}/ideat", data={"text": IDEA_TEXTS[name]})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
    ideas = {i.text: i.public_id for i in db.session.scalars(select(Idea).where(Idea.round_id == rid))}
    ids = {name: ideas[text] for name, text in IDEA_TEXTS.items() if text in ideas}
    assert set(ids) == {"formula", "evening", "contact"}, ideas

    def vote(client, name, value):
        r = client.post(f"/ideariihi/{rid}/aani", data={"idea_id": ids[name], "value": value})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]

    for client, name, value in ((a, "evening", "agree"), (a, "contact", "agree"),
                                (b, "formula", "disagree"), (b, "contact", "agree"),
                                (c, "formula", "pass"), (c, "evening", "agree"),
                                (d, "formula", "disagree"), (d, "evening", "agree")):
        vote(client, name, value)
    for client, name, text in ((d, "evening", "Tärkeä asia omaishoitajille."), (a, "contact", "Samaa mieltä.")):
        r = client.post(f"/ideariihi/{rid}/ideat/{ids[name]}/kommentit", data={"text": text})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
    r = d.post(f"/ideariihi/{rid}/ilmoitus", data={"email": notify_email})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]

    key = anonymity.round_key(current_app.config["SECRET_KEY"], rid)
    camp = [services.Participant(rid, anonymity.participant_hash(key, f"camp-{n}")) for n in range(12)]
    with app.test_request_context():
        ids["remote"] = services.post_idea(rid, camp[0], IDEA_TEXTS["remote"], now=utcnow()).public_id
        ids["staff"] = services.post_idea(rid, camp[6], IDEA_TEXTS["staff"], now=utcnow()).public_id
        for n, p in enumerate(camp):
            first = n < 6
            for name, value in (("evening", 1), ("contact", 1), ("remote", 1 if first else -1),
                                ("staff", -1 if first else 1)):
                services.vote(ids[name], p, value, now=utcnow())
        db.session.commit()   # the services leave the commit to their caller

    later = closes_at + timedelta(minutes=1)
    assert run_job(app, "ideas.rounds", later) == "opened 0, closed 1"
    db.session.expire_all()
    return rid, ids, later
