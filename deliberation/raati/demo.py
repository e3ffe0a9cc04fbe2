"""Demo data: a live digiraati on the family-doctor model with members, roles, a session
today, phases, some chat and a statement draft; and one finished raati whose statement is
locked (the outcomes demo publishes it)."""
from __future__ import annotations

from datetime import timedelta

from kuulas.demo import seeder
from kuulas.extensions import db

FIRST = ["Aino", "Eero", "Helmi", "Ilkka", "Kaisa", "Lauri", "Minna", "Onni", "Päivi", "Risto",
         "Sanna", "Tuomas", "Ulla", "Veera"]


def _staff(email):
    from kuulas.accounts import services as accounts

    return accounts.find_by_email(email)


def _account_ids(now, rng, count: int, prefix: str) -> list[int]:
    from kuulas.accounts import services as accounts

    from . import services

    api = services.panel_api()
    ids: list[int] = []
    if api is not None and hasattr(api, "panels_with_members"):
        for panel in api.panels_with_members():
            for row in api.accepted_members(panel["id"]):
                ids.append(int(row["account_id"]))
            if len(ids) >= count:
                break
    while len(ids) < count:
        n = len(ids)
        acc = accounts.resident_account(f"{prefix}{n + 1}@example.fi", now=now,
                                        locale="sv" if n % 7 == 3 else "fi")
        ids.append(acc.id)
    return ids[:count]


@seeder(40, "raati")
def seed_raati(now, rng, out):
    from . import services, setup
    from .models import CHAIR, MEMBER, MODERATOR, SECRETARY

    admin = _staff("admin@example.fi")
    moderator = _staff("moderaattori@example.fi")
    live = services.save_raati(None, {
        "title_fi": "Omalääkärimalli Pirkanmaalla",
        "title_sv": "Egenläkarmodellen i Birkaland",
        "title_en": "The family doctor model in Pirkanmaa",
        "question_fi": "Miten omalääkärimalli pitäisi ottaa käyttöön Pirkanmaan terveysasemilla?",
        "question_sv": "Hur borde egenläkarmodellen införas vid hälsostationerna i Birkaland?",
        "question_en": "How should the family doctor model be introduced at Pirkanmaa's health centres?",
        "background_fi": "Hyvinvointialue valmistelee omalääkärimallia. Raati antaa kannanoton aluehallitukselle.",
        "background_sv": "Välfärdsområdet bereder en egenläkarmodell. Juryn ger ett ställningstagande till områdesstyrelsen.",
        "background_en": "The county is preparing a family doctor model; the jury gives a position statement to the executive board.",
    }, actor=admin, now=now)
    ids = _account_ids(now, rng, 12, "raati.jasen")
    members = []
    for i, account_id in enumerate(ids):
        role = CHAIR if i == 0 else SECRETARY if i == 1 else MEMBER
        m = services._ensure_member(live, account_id, role, now)
        m.display_name = f"{FIRST[i]} {chr(65 + i)}."
        members.append(m)
    if moderator is not None:
        mod = services._ensure_member(live, moderator.id, MODERATOR, now)
        mod.display_name = "Mirja (moderaattori)"
    start = now.replace(minute=0, second=0, microsecond=0)
    services.add_session(live.id, "1. istunto: perehdytys ja asiantuntijakuuleminen", start,
                         start + timedelta(hours=3), actor=admin, now=now)
    services.add_session(live.id, "2. istunto: kannanoton kirjoittaminen", start + timedelta(days=7),
                         start + timedelta(days=7, hours=3), actor=admin, now=now)
    for i, phase in enumerate(live.phases):
        phase.planned_start = start + timedelta(minutes=sum(p.planned_minutes for p in live.phases[:i]))
    db.session.flush()
    if moderator is not None:
        services.set_phase(live.id, live.phases[2].id, actor=moderator, now=now)
    lines = ["Hyvä, että samaa lääkäriä voisi tavata useammin.",
             "Miten malli toimii, jos lääkäri vaihtuu usein?",
             "Etävastaanotto sopisi minulle hyvin arkisin.",
             "Kiireettömään hoitoon pääsy on tärkeintä."]
    for i, text in enumerate(lines):
        services.post_message(live.id, text, actor=members[2 + i].account, now=now)
    services.ask_question(live.id, "Paljonko lisää lääkäreitä malli vaatii?", actor=members[4].account, now=now)
    services.save_section(live.id, None, "Hoidon jatkuvuus",
                          "Raati pitää hoidon jatkuvuutta omalääkärimallin tärkeimpänä tavoitteena.",
                          actor=members[1].account, now=now)
    setup.go_live(live, now)   # the one path (already live if the moderator started a phase)

    done = services.save_raati(None, {
        "title_fi": "Ikäihmisten kotihoito iltaisin",
        "title_sv": "Hemvård för äldre på kvällarna",
        "title_en": "Evening home care for older people",
        "question_fi": "Miten kotihoidon iltakäynnit tulisi järjestää?",
        "question_sv": "Hur borde hemvårdens kvällsbesök ordnas?",
        "question_en": "How should evening home-care visits be organised?",
    }, actor=admin, now=now - timedelta(days=40))
    old_ids = _account_ids(now, rng, 10, "raati.kotihoito")
    old_members = []
    for i, account_id in enumerate(old_ids):
        m = services._ensure_member(done, account_id, CHAIR if i == 0 else SECRETARY if i == 1 else MEMBER, now)
        m.display_name = f"{FIRST[-1 - i]} {chr(75 + i)}."
        old_members.append(m)
    services.add_session(done.id, "Istunto", now - timedelta(days=30), now - timedelta(days=30, hours=-3),
                         actor=admin, now=now - timedelta(days=35), invite=False)
    when = now - timedelta(days=28)
    for title, text in [("Iltakäyntien ajoitus", "Käynnit sovitaan asiakkaan kanssa vähintään viikoksi eteenpäin."),
                        ("Tuttu hoitaja", "Samat hoitajat käyvät saman asiakkaan luona aina kun mahdollista.")]:
        services.save_section(done.id, None, title, text, actor=old_members[1].account, now=when)
    for s in services.sections(done.id):
        for m in old_members[:6]:
            services.review_section(done.id, s.id, "approve", "", actor=m.account, now=when)
    services.close_drafting(done.id, actor=old_members[0].account, now=when)
    done.state, done.finished_at = "finished", now - timedelta(days=27)
    done.summary_markdown = "Raati kokoontui kerran ja hyväksyi kannanoton yksimielisesti."
    # The members were drawn from a demo panel: name it, so the outcome can show the
    # members against the population (small groups suppressed).
    api = services.panel_api()
    if api is not None and hasattr(api, "panels_with_members"):
        for panel in api.panels_with_members():
            drawn = {int(r["account_id"]) for r in api.accepted_members(panel["id"])}
            if set(old_ids) <= drawn:
                done.panel_id = panel["id"]
                break
    db.session.flush()
    out.append(f"raati: live room /raati/{live.id} (12 members, moderaattori@example.fi moderates), "
               f"finished /raati/{done.id} with a locked statement")
