"""Demo: a closed survey of the standing panel's home-care and family-doctor clients with
answers, weighted figures and frozen (published) results; the outcomes seeder (order 50)
then publishes it as an outcome with a decision."""
from __future__ import annotations

from datetime import timedelta

from kuulas.demo import seeder


@seeder(27, "panel surveys")
def seed_surveys(now, rng, out):
    from sqlalchemy import select

    from kuulas.accounts import services as accounts
    from kuulas.errors import KuulasError
    from kuulas.extensions import db

    from ..recruitment.models import Panel
    from . import answering, report, sending, services, tokens

    preparer = accounts.find_by_email("valmistelija@example.fi")
    panel = db.session.scalar(select(Panel).where(Panel.standing.is_(True)).order_by(Panel.id))
    if preparer is None or panel is None:
        return
    sent = now - timedelta(days=30)
    s = services.create_survey(
        panel.id, titles={"fi": "Terveysaseman ajanvaraus", "sv": "Tidsbokning på hälsostationen",
                          "en": "Booking at the health centre"},
        intros={"fi": "Kerro, miten ajanvaraus on onnistunut viimeisen vuoden aikana.",
                "sv": "Berätta hur tidsbokningen har fungerat under det senaste året.",
                "en": "Tell us how booking has worked during the past year."},
        audience="client_group", service_keys=["family_doctor", "home_care"],
        weighting=[f.key for f in panel.features if not f.sensitive][:2], actor=preparer, now=sent)
    q1 = services.add_question(s.id, kind="single", required=True, actor=preparer, now=sent,
                               texts={"fi": "Miten ajan varaaminen onnistui?", "sv": "Hur gick tidsbokningen?",
                                      "en": "How did booking go?"},
                               options=services.parse_options("Helposti\nVaivalloisesti\nEi onnistunut",
                                                              "Lätt\nBesvärligt\nLyckades inte",
                                                              "Easily\nWith trouble\nIt failed"))
    q2 = services.add_question(s.id, kind="scale", actor=preparer, now=sent,
                               texts={"fi": "Sain ajan riittävän nopeasti.", "sv": "Jag fick en tid tillräckligt snabbt.",
                                      "en": "I got an appointment quickly enough."})
    q3 = services.add_question(s.id, kind="multiple", actor=preparer, now=sent,
                               texts={"fi": "Miten varasit ajan?", "sv": "Hur bokade du tiden?",
                                      "en": "How did you book?"},
                               options=services.parse_options("Puhelimella\nVerkossa\nPaikan päällä",
                                                              "Per telefon\nPå nätet\nPå plats",
                                                              "By phone\nOnline\nIn person"))
    q4 = services.add_question(s.id, kind="number", min_value=0, max_value=90, actor=preparer, now=sent,
                               texts={"fi": "Montako päivää odotit aikaa?", "sv": "Hur många dagar väntade du?",
                                      "en": "How many days did you wait?"})
    q5 = services.add_question(s.id, kind="text", actor=preparer, now=sent,
                               texts={"fi": "Mitä muuttaisit?", "sv": "Vad skulle du ändra?", "en": "What would you change?"})
    try:
        services.schedule(s.id, opens_at=None, closes_at=now - timedelta(days=2), actor=preparer, now=sent)
    except KuulasError:     # no client in the demo pool: keep the draft
        out.append(f"panel: survey draft (/hallinta/kyselyt/{s.id})")
        return
    key = tokens.survey_key(_secret(), s.id)
    from .models import Recipient

    ids = list(db.session.scalars(select(Recipient.volunteer_id).where(Recipient.survey_id == s.id)))
    texts = ["Takaisinsoittoa odotin kaksi päivää.", "Verkkoajanvaraus toimii hyvin.", "Lisää aikoja iltaan.",
             "Soittakaa minulle 040 123 4567", ""]
    answered = 0
    for vid in ids:
        if rng.random() > 0.55:
            continue
        token = tokens.member_token(key, vid)
        easy = rng.random()
        form = {f"q{q1.id}": ["1" if easy < 0.5 else ("2" if easy < 0.85 else "3")],
                f"q{q2.id}": [str(rng.choice([1, 2, 2, 3, 4, 4, 5]))],
                f"q{q3.id}": rng.sample(["1", "2", "3"], rng.randint(1, 2)),
                f"q{q4.id}": [str(rng.randint(0, 30))],
                f"q{q5.id}": [rng.choice(texts)]}
        answering.save(s.id, token, form, submit=True, now=sent + timedelta(days=rng.randint(0, 20)))
        answered += 1
    sending.close_survey(s, now=now - timedelta(days=2))
    db.session.flush()
    try:
        report.freeze(s, now=now - timedelta(days=1))
    except KuulasError:     # fewer than 5 answered: the survey stays closed
        pass
    out.append(f"panel: survey '{s.title_fi}' sent to {len(ids)} clients, {answered} answered, "
               f"weighted results (/hallinta/kyselyt/{s.id}/tulokset)")


def _secret():
    from flask import current_app

    return current_app.secret_key
