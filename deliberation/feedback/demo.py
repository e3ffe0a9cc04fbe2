"""Demo data: three service units with handlers, three months of feedback (some answered and
shown publicly), and a decided development item that the outcomes demo publishes."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kuulas.demo import seeder
from kuulas.extensions import db

from . import lifecycle as lc
from . import services

UNITS = [
    ({"fi": "Hervannan terveysasema", "sv": "Hervanta hälsostation", "en": "Hervanta health centre"}, "health"),
    ({"fi": "Kotihoito, Tampereen keskusta", "sv": "Hemvården, Tammerfors centrum",
      "en": "Home care, Tampere city centre"}, "elderly"),
    ({"fi": "Perheneuvola Kaleva", "sv": "Familjerådgivningen Kaleva", "en": "Kaleva family counselling"}, "family"),
]
TEXTS = [
    (5, lc.PRAISE, "Lääkäri kuunteli ja selitti asiat selkeästi. Kiitos!"),
    (4, lc.PRAISE, "Ystävällinen vastaanotto ja pääsin ajallaan sisään."),
    (2, lc.COMPLAINT, "Puhelinjonossa odotin yli 40 minuuttia ennen kuin pääsin puhumaan."),
    (1, lc.COMPLAINT, "Takaisinsoittoa ei tullut luvattuna päivänä."),
    (2, lc.IDEA, "Takaisinsoittopalvelu pitäisi saada toimimaan myös iltapäivisin."),
    (3, None, "Odotustilassa oli kylmä ja istumapaikkoja liian vähän."),
    (4, lc.IDEA, "Ajanvaraus verkossa olisi helpompi kuin soittaminen."),
    (5, None, "Hoitaja oli todella asiantunteva."),
    (3, lc.IDEA, "Opasteet aulassa ovat hankalia lukea, isompi teksti auttaisi."),
    (4, None, "Bra bemötande, men väntetiden i telefon var lång."),
    (5, lc.PRAISE, "Great service and staff who speak English."),
]


@seeder(45, "feedback")
def seed_feedback(now, rng, out):
    from kuulas.accounts.models import Account

    preparer = db.session.scalar(select(Account).where(Account.email == "valmistelija@example.fi"))
    moderator = db.session.scalar(select(Account).where(Account.email == "moderaattori@example.fi"))
    if preparer is None or moderator is None:
        return
    units = [services.create_unit(services.UnitData(name=name, area=area, target_days=14,
                                                    manager_email="esihenkilo@example.fi",
                                                    handler_ids=(moderator.id,)),
                                  actor=preparer, now=now - timedelta(days=120)) for name, area in UNITS]
    phone_theme = []
    for unit in units:
        for n in range(rng.randint(18, 28)):
            rating, kind, text = rng.choice(TEXTS)
            when = now - timedelta(days=rng.randint(0, 85), hours=rng.randint(0, 23))
            given = services.give(unit, rating=rating, text=text if rng.random() < 0.8 else "", kind=kind,
                                  contact=None, locale="fi", channel=rng.choice(["web", "web", "kiosk"]), now=when)
            feedback = given.feedback
            age = (now - when).days
            if age > 20 and rng.random() < 0.8:
                services.take(feedback.id, actor=moderator, now=when + timedelta(days=1))
                reply = "Kiitos palautteesta. Olemme käsitelleet asian tiimissä."
                answered_at = when + timedelta(days=rng.randint(2, 18))
                services.answer(feedback.id, reply, public=rating >= 3 or rng.random() < 0.3,
                                actor=moderator, now=answered_at)
                if rng.random() < 0.5:
                    services.close(feedback.id, actor=moderator, now=answered_at + timedelta(days=1))
            if "Puhelin" in text or "Takaisin" in text:
                services.set_tags(feedback.id, ["puhelinpalvelu"], actor=moderator, now=when)
                if unit is units[0]:
                    phone_theme.append(feedback.id)
    if len(phone_theme) >= 3:
        item = services.create_item(
            title={"fi": "Puhelinpalvelun jonotusajat", "sv": "Kötiderna i telefontjänsten",
                   "en": "Waiting times in the phone service"},
            description={"fi": "Asiakkaat kertoivat pitkistä jonoista ja takaisinsoitoista, jotka eivät toteutuneet."},
            theme="puhelinpalvelu", unit_id=units[0].id, feedback_ids=phone_theme[:6], actor=moderator,
            now=now - timedelta(days=30))
        services.decide(item.id, decision={"fi": "Takaisinsoittopalvelu laajennetaan iltapäiviin ja jonotustilanne "
                                                 "näytetään verkkosivuilla."},
                        decided_on=(now - timedelta(days=25)).date(),
                        change={"fi": "Takaisinsoitot toimivat nyt klo 8–16, ja jonon pituus näkyy verkossa."},
                        changed_on=(now - timedelta(days=10)).date(), actor=preparer, now=now - timedelta(days=20))
    out.append(f"feedback: {len(units)} service units, e.g. /palaute/{units[0].slug}")
