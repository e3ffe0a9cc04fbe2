"""Build a standing panel with members, services and a survey, the way staff would."""
from __future__ import annotations

from datetime import datetime, timedelta

from kuulas.extensions import db
from panel.clients.models import Service, ServiceUse
from panel.recruitment import services as recruitment
from panel.surveys import services

from ..helpers import make_panel

NOW = datetime(2026, 3, 2, 9, 0)


def standing_panel(staff, now=NOW):
    return make_panel(staff, now=now, standing=True, consent_months=24, recruitment_closes_at=None)


def join(panel, n, *, gender="female", age="young", sensitive=False, now=NOW):
    volunteer, token = recruitment.register(
        panel.id, email=f"member{n}@example.fi", display_name=f"Jäsen {n}",
        answers={"gender": gender, "age": age}, consent=True, sensitive_consent=sensitive, now=now)
    recruitment.confirm(token, now=now)
    db.session.commit()
    return volunteer


def add_service(key="home_care"):
    service = Service(key=key, name_fi="Kotihoito", name_sv="Hemvård", name_en="Home care")
    db.session.add(service)
    db.session.commit()
    return service


def uses(volunteer, service):
    db.session.add(ServiceUse(volunteer_id=volunteer.id, service_id=service.id))
    db.session.commit()


def survey(staff, panel, *, audience="panel", service_keys=(), now=NOW, questions=True):
    s = services.create_survey(panel.id, titles={"fi": "Kotihoidon kysely", "sv": "Enkät", "en": "Home care survey"},
                               intros={"fi": "Kerro kokemuksesi."}, audience=audience,
                               service_keys=list(service_keys), weighting=["gender", "age"], actor=staff, now=now)
    if questions:
        services.add_question(s.id, kind="single", texts={"fi": "Oletko tyytyväinen?", "en": "Are you satisfied?"},
                              options=services.parse_options("Kyllä\nEi\nEn osaa sanoa", "Ja\nNej\nVet ej",
                                                             "Yes\nNo\nCannot say"),
                              required=True, actor=staff, now=now)
        services.add_question(s.id, kind="scale", texts={"fi": "Hoitajat ehtivät kuunnella."}, actor=staff, now=now)
        services.add_question(s.id, kind="number", texts={"fi": "Montako käyntiä viikossa?"}, min_value=0,
                              max_value=50, actor=staff, now=now)
        services.add_question(s.id, kind="text", texts={"fi": "Mitä muuttaisit?"}, actor=staff, now=now)
        services.add_question(s.id, kind="multiple", texts={"fi": "Mitä palveluja käytät?"},
                              options=services.parse_options("Kotihoito\nAteriapalvelu\nTurvapuhelin"),
                              actor=staff, now=now)
    db.session.commit()
    return s


def send(staff, s, *, now=NOW, days=7):
    services.schedule(s.id, opens_at=None, closes_at=now + timedelta(days=days), actor=staff, now=now)
    db.session.commit()
    return s


def token_for(app, s, volunteer):
    from panel.surveys import tokens

    return tokens.member_token(tokens.survey_key(app.secret_key, s.id), volunteer.id)
