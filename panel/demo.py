"""Demo data: a recruiting Pirkanmaa-like resident panel with about 1,000 synthetic
volunteers, and a finished client panel whose draw is done and members accepted (the
digiraati demo enrols them).  Volunteers are synthetic; nobody is e-mailed."""
from __future__ import annotations

from datetime import timedelta

from kuulas.demo import seeder

from . import lifecycle

GENDER = [("female", 50.5, "Nainen", "Kvinna", "Woman"), ("male", 49.0, "Mies", "Man", "Man"),
          ("other", 0.5, "Muu", "Annat", "Other")]
AGE = [("18-29", 18.0, "18–29 v", "18–29 år", "18–29"), ("30-44", 24.0, "30–44 v", "30–44 år", "30–44"),
       ("45-59", 23.0, "45–59 v", "45–59 år", "45–59"), ("60-74", 23.0, "60–74 v", "60–74 år", "60–74"),
       ("75+", 12.0, "75 v tai yli", "75 år eller äldre", "75 or over")]
AREA = [("tampere", 42.0, "Tampere", "Tammerfors", "Tampere"),
        ("nokia", 6.5, "Nokia", "Nokia", "Nokia"),
        ("kangasala", 6.5, "Kangasala", "Kangasala", "Kangasala"),
        ("ylojarvi", 6.5, "Ylöjärvi", "Ylöjärvi", "Ylöjärvi"),
        ("lempaala", 4.5, "Lempäälä", "Lempäälä", "Lempäälä"),
        ("sastamala", 4.5, "Sastamala", "Sastamala", "Sastamala"),
        ("valkeakoski", 4.0, "Valkeakoski", "Valkeakoski", "Valkeakoski"),
        ("pirkkala", 4.0, "Pirkkala", "Birkala", "Pirkkala"),
        ("muu", 22.0, "Muu Pirkanmaan kunta", "Annan kommun i Birkaland", "Other municipality")]
TONGUE = [("fi", 92.5, "suomi", "finska", "Finnish"), ("sv", 0.5, "ruotsi", "svenska", "Swedish"),
          ("other", 7.0, "muu kieli", "annat språk", "other language")]
SERVICE = [("yes", 30.0, "Kyllä", "Ja", "Yes"), ("no", 70.0, "Ei", "Nej", "No")]

FEATURES = [("gender", "Sukupuoli", "Kön", "Gender", GENDER, False),
            ("age", "Ikäryhmä", "Åldersgrupp", "Age band", AGE, False),
            ("area", "Asuinkunta", "Hemkommun", "Municipality", AREA, False),
            ("tongue", "Äidinkieli", "Modersmål", "Mother tongue", TONGUE, False)]
# The pool skews older, female and towards Tampere, as real open calls do.
SKEW = {"gender": [62, 37, 1], "age": [8, 18, 24, 33, 17],
        "area": [50, 6, 6, 6, 4, 4, 4, 4, 16], "tongue": [93, 2, 5], "service": [40, 60]}


def _panel(name, desc, kind, size, opens, closes, features, now):
    from kuulas.extensions import db

    from .recruitment.models import Category, Feature, Panel

    panel = Panel(name_fi=name[0], name_sv=name[1], name_en=name[2], description_fi=desc[0],
                  description_sv=desc[1], description_en=desc[2], kind=kind, target_size=size,
                  recruitment_opens_at=opens, recruitment_closes_at=closes,
                  controller="Pirkanmaan hyvinvointialue, PL 272, 33101 Tampere",
                  retention_days=180, created_at=now, state=lifecycle.SCHEDULED)
    for position, (key, fi, sv, en, cats, sensitive) in enumerate(features):
        feature = Feature(key=key, label_fi=fi, label_sv=sv, label_en=en, sensitive=sensitive,
                          position=position)
        for cpos, (value, share, lfi, lsv, len_) in enumerate(cats):
            feature.categories.append(Category(value=value, population_share=share, label_fi=lfi,
                                               label_sv=lsv, label_en=len_, position=cpos))
        panel.features.append(feature)
    db.session.add(panel)
    db.session.flush()
    return panel


def _volunteers(panel, n, rng, now, features, *, accounts_too=False, prefix="asukas"):
    from kuulas.accounts import services as accounts
    from kuulas.extensions import db

    from .recruitment.models import CONFIRMED, PAPER, WEB, Answer, Volunteer

    first = ["Aino", "Eero", "Helmi", "Juha", "Kaisa", "Lauri", "Maija", "Niko", "Oona", "Pekka",
             "Ritva", "Sami", "Tuula", "Ville", "Elsa", "Anders", "Leila", "Omar"]
    for i in range(n):
        email = f"{prefix}{panel.id}-{i:04d}@example.fi"
        account_id = None
        if accounts_too:
            account_id = accounts.resident_account(email, now=now, locale="fi").id
        v = Volunteer(panel_id=panel.id, account_id=account_id, email=email,
                      display_name=f"{rng.choice(first)} {chr(65 + i % 26)}.", locale="fi",
                      pseudonym=f"v{rng.getrandbits(40):010x}",   # from the demo seed: reproducible
                      channel=WEB if i % 10 else PAPER,
                      state=CONFIRMED, consent_at=now, created_at=now, confirmed_at=now)
        for key, _fi, _sv, _en, cats, sensitive in features:
            values = [c[0] for c in cats]
            value = rng.choices(values, weights=SKEW[key])[0]
            if rng.random() < 0.02 and key != "area":
                value = "undisclosed"
            v.answers.append(Answer(feature_key=key, value=value))
        db.session.add(v)
    db.session.flush()


@seeder(20, "panel")
def seed_panels(now, rng, out):
    from kuulas.accounts import services as accounts

    from .invitations import services as invitations
    from .invitations.models import Invitation
    from .recruitment.models import RECRUITING, RECRUITMENT_CLOSED
    from .selection import services as selection
    from kuulas.extensions import db
    from sqlalchemy import select

    panel = _panel(
        ("Pirkanmaan asukaspaneeli 2026", "Birkalands invånarpanel 2026",
         "Pirkanmaa resident panel 2026"),
        ("Etsimme noin 40 asukasta pohtimaan hyvinvointialueen palveluiden tulevaisuutta. "
         "Jäsenet arvotaan ilmoittautuneista niin, että paneeli vastaa väestöä.",
         "Vi söker cirka 40 invånare som funderar på välfärdsområdets framtida tjänster. "
         "Medlemmarna lottas bland de anmälda så att panelen motsvarar befolkningen.",
         "We are looking for about 40 residents to consider the future of the county's "
         "services. Members are drawn from the volunteers so that the panel mirrors the "
         "population."),
        "resident", 40, now - timedelta(days=10), now + timedelta(days=20), FEATURES, now)
    panel.state = RECRUITING
    _volunteers(panel, 1000, rng, now, FEATURES)
    out.append(f"panel: '{panel.name_fi}' recruiting with 1000 volunteers (/paneelit/{panel.id})")

    client_features = FEATURES[:3] + [("service", "Oletko käyttänyt sosiaali- tai terveyspalveluita "
                                       "viimeisen vuoden aikana?", "Har du använt social- eller "
                                       "hälsotjänster under det senaste året?", "Have you used "
                                       "social or health services in the past year?", SERVICE, True)]
    done = _panel(
        ("Asiakaspaneeli: omalääkärimalli", "Klientpanel: egenläkarmodellen",
         "Client panel: the personal doctor model"),
        ("Asiakaspaneeli arvioi omalääkärimallia. Jäsenet on arvottu ja kutsuttu.",
         "Klientpanelen bedömer egenläkarmodellen. Medlemmarna har lottats och bjudits in.",
         "The client panel assesses the personal doctor model. Members have been drawn and "
         "invited."),
        "client", 12, now - timedelta(days=60), now - timedelta(days=30), client_features, now)
    _volunteers(done, 150, rng, now, client_features, accounts_too=True, prefix="jasen")
    done.state = RECRUITMENT_CLOSED
    db.session.flush()
    preparer = accounts.find_by_email("valmistelija@example.fi")
    selection.prepare_draw(done.id, seed_source="Lotto 2026-05-02 (demo)", actor=preparer, now=now)
    selection.run_draw(done.id, seed_value="3 7 12 19 24 31 38", actor=preparer, now=now)
    # One invitee declines; the replacement draw (the same engine, keeping the others)
    # fills the seat, and everyone then accepts.
    first = db.session.scalars(select(Invitation).where(Invitation.panel_id == done.id)
                               .order_by(Invitation.pseudonym)).first()
    first.state, first.answered_at = lifecycle.I_DECLINED, now
    db.session.flush()
    draw = selection.replacement_draw(done.id, actor=preparer, now=now)
    relaxed = draw is not None and draw.state == lifecycle.D_BLOCKED
    if relaxed:
        # Some random pools cannot keep every quota without the decliner: do what staff
        # are offered, run it with the engine's smallest relaxation of the quotas.
        selection.replacement_draw(done.id, actor=preparer, now=now,
                                   quotas_csv=draw.report["relaxation"]["quotas_csv"])
    for inv in db.session.scalars(select(Invitation).where(Invitation.panel_id == done.id,
                                                           Invitation.state == lifecycle.I_PENDING)):
        inv.state, inv.answered_at = lifecycle.I_ACCEPTED, now
    db.session.flush()
    out.append(f"panel: '{done.name_fi}' drawn (one decline, one replacement draw"
               f"{' with quotas relaxed by the engine' if relaxed else ''}), "
               f"12 members accepted (/paneelit/{done.id}/arvonta)")


# --- a standing county panel with a service catalogue ---------------------------------------

CATALOGUE = [
    ("family_doctor", "health", "Omalääkäri ja terveysasema", "Egenläkare och hälsostation",
     "Family doctor and health centre", 45),
    ("oral_health", "health", "Suun terveydenhuolto", "Mun- och tandvård", "Oral health care", 35),
    ("mental_health", "health", "Mielenterveyspalvelut", "Mentalvårdstjänster",
     "Mental-health services", 10),
    ("home_care", "elderly", "Kotihoito", "Hemvård", "Home care", 6),
    ("child_welfare", "family", "Lastensuojelu", "Barnskydd", "Child welfare", 4),
    ("family_services", "family", "Neuvola ja perhepalvelut", "Rådgivning och familjetjänster",
     "Maternity, child health and family services", 15),
    ("social_work", "social", "Aikuissosiaalityö", "Socialt arbete för vuxna",
     "Social work for adults", 5),
    ("disability", "disability", "Vammaispalvelut", "Handikappservice", "Disability services", 4),
]


@seeder(25, "standing panel")
def seed_standing_panel(now, rng, out):
    from kuulas.accounts import services as accounts
    from kuulas.extensions import db
    from sqlalchemy import select

    from .clients.models import Service, ServiceUse
    from .pool import add_months
    from .recruitment.models import RECRUITING, Volunteer
    from .standing import services as standing

    services = {}
    for position, (key, area, fi, sv, en, _share) in enumerate(CATALOGUE):
        service = db.session.scalar(select(Service).where(Service.key == key))
        if service is None:
            service = Service(key=key, area=area, name_fi=fi, name_sv=sv, name_en=en,
                              position=position, created_at=now)
            db.session.add(service)
        services[key] = service
    db.session.flush()

    panel = _panel(
        ("Pirkanmaan jatkuva asukas- ja asiakaspaneeli", "Birkalands fortlöpande invånar- och "
         "klientpanel", "Pirkanmaa standing resident and client panel"),
        ("Liity hyvinvointialueen pysyvään paneeliin: kysymme sinulta silloin tällöin kyselyillä, "
         "kutsumme ideariiheen ja arvomme jäsenistä digiraateja ja asiakasraateja.",
         "Gå med i välfärdsområdets permanenta panel: vi frågar dig ibland med enkäter, bjuder in "
         "dig till idésmedjor och lottar digiråd och klientjuryer bland medlemmarna.",
         "Join the county's standing panel: now and then we ask you in surveys, invite you to idea "
         "rounds and draw digiraati and client juries from the members."),
        "resident", 24, now - timedelta(days=400), None, FEATURES, now)
    panel.standing, panel.consent_months, panel.state = True, 24, RECRUITING
    _volunteers(panel, 300, rng, now, FEATURES, accounts_too=True, prefix="pooli")
    members = db.session.scalars(select(Volunteer).where(Volunteer.panel_id == panel.id)
                                 .order_by(Volunteer.id)).all()
    declared = 0
    for i, member in enumerate(members):
        joined = now - timedelta(days=rng.randrange(0, 725))   # some in the renewal window
        member.consent_at = member.confirmed_at = member.created_at = joined
        member.consent_expires_at = add_months(joined, panel.consent_months)
        member.locale = "sv" if i % 20 == 0 else ("en" if i % 33 == 0 else "fi")
        if rng.random() < 0.6:      # the separate consent for service-use data
            member.sensitive_consent_at = joined
            for key, _area, _fi, _sv, _en, share in CATALOGUE:
                if rng.random() * 100 < share:
                    db.session.add(ServiceUse(volunteer_id=member.id,
                                              service_id=services[key].id, created_at=joined))
                    declared += 1
    db.session.flush()
    preparer = accounts.find_by_email("valmistelija@example.fi")
    out.append(f"panel: standing '{panel.name_fi}' with {len(members)} members, "
               f"{len(CATALOGUE)} services, {declared} declared service uses "
               f"(/hallinta/paneelit/{panel.id}/jasenisto)")
    if preparer is not None:
        eligible = len(standing.pool.members(panel.id, now=now, service_keys=["family_doctor"]))
        if eligible >= 30:
            group = standing.create_draw_group(
                panel.id, name_fi="Asiakasraati: terveysaseman ajanvaraus",
                name_sv="Klientjury: tidsbokning på hälsostationen",
                name_en="Client jury: booking at the health centre", target_size=12,
                client_group="family_doctor", actor=preparer, now=now)
            out.append(f"panel: client jury group drawn from the standing pool "
                       f"({eligible} eligible) (/hallinta/paneelit/{group.id}/arvonta)")
