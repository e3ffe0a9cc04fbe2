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
    for email in member_emails:
        services.add_member(raati.id, email, MEMBER, actor=admin, now=now)
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
    services.close_drafting(raati.id, actor=chair_account, now=now)
    services.set_state(raati.id, FINISHED, actor=admin, now=now)
    db.session.commit()
    return raati.id
