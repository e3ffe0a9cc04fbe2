"""Fixtures for the public face: published and unpublished processes and outcomes built
straight in the tables (their own areas test how they get there)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

NOW = datetime(2026, 5, 4, 9, 0)


@pytest.fixture
def world(app, make_staff):
    """An idea round with a published outcome and a decision, a finished raati with a
    published outcome, a draft round, a draft outcome and a Swedish-translated outcome."""
    from kuulas.extensions import db
    from deliberation.ideas.models import IdeaRound
    from deliberation.outcomes import services
    from deliberation.outcomes.models import ImpactRevision, Outcome, OutcomeDecision
    from deliberation.raati.models import Raati, RaatiSession

    staff = make_staff("preparer")
    closed = IdeaRound(state="closed", title={"fi": "Kotihoidon ideariihi", "sv": "Idérunda om hemvård"},
                       question={"fi": "Miten kotihoitoa kehitetään?", "sv": "Hur utvecklas hemvården?"},
                       background={}, opens_at=NOW - timedelta(days=40), closes_at=NOW - timedelta(days=20),
                       created_at=NOW - timedelta(days=50))
    draft = IdeaRound(state="draft", title={"fi": "Salainen luonnosriihi"}, question={"fi": "Kotihoito luonnos?"},
                      background={}, opens_at=NOW + timedelta(days=10), closes_at=NOW + timedelta(days=20),
                      created_at=NOW)
    raati = Raati(title_fi="Omalääkärimalli", title_sv="Egenläkarmodellen", question_fi="Miten omalääkärimalli otetaan käyttöön?",
                  question_sv="Hur införs egenläkarmodellen?", state="finished")
    db.session.add_all([closed, draft, raati])
    db.session.flush()
    db.session.add(RaatiSession(raati_id=raati.id, title="1. istunto", starts_at=NOW - timedelta(days=30),
                                ends_at=NOW - timedelta(days=30) + timedelta(hours=3), uid="pf-1@kuulas"))
    outcome = Outcome(source_kind="ideas", source_id=closed.id, title="Kotihoidon ideariihen tulos",
                      question="Miten kotihoitoa kehitetään?", summary="Ideoita kertyi paljon.",
                      translations={"sv": {"title": "Resultatet av idérundan om hemvård",
                                           "question": "Hur utvecklas hemvården?", "summary": "Många idéer."}},
                      points=[{"key": "idea-1", "text": "Iltakäynnit"}, {"key": "idea-2", "text": "Etähoito"}],
                      closed_at=NOW - timedelta(days=20), created_at=NOW, updated_at=NOW)
    raati_outcome = Outcome(source_kind="raati", source_id=raati.id, title="Omalääkärimallin raadin tulos",
                            question="Miten omalääkärimalli otetaan käyttöön?", summary="Raati antoi kannanoton.",
                            created_at=NOW, updated_at=NOW)
    unpublished = Outcome(source_kind="feedback", source_id=999, title="Luonnostulos kotihoidosta",
                          question="Kotihoito luonnos", created_at=NOW, updated_at=NOW)
    db.session.add_all([outcome, raati_outcome, unpublished])
    db.session.commit()
    services.publish(outcome.id, actor=staff, now=NOW)
    services.publish(raati_outcome.id, actor=staff, now=NOW)
    db.session.commit()
    decision = OutcomeDecision(outcome_id=outcome.id, body="Aluehallitus", meeting_date=date(2026, 4, 20),
                               summary="Aluehallitus päätti lisätä **iltakäyntejä** kaikille kotihoidon asiakkaille.\n\nLisäksi selvitetään etähoitoa.")
    db.session.add(decision)
    db.session.flush()
    db.session.add_all([
        ImpactRevision(outcome_id=outcome.id, decision_id=decision.id, point_key="idea-1", status="adopted",
                       reasoning="Toteutetaan.", recorded_at=NOW),
        ImpactRevision(outcome_id=outcome.id, decision_id=decision.id, point_key="idea-2", status="pending",
                       reasoning="Selvitetään.", recorded_at=NOW)])
    db.session.commit()

    class World:
        pass

    w = World()
    w.round, w.draft, w.raati = closed.id, draft.id, raati.id
    w.outcome, w.raati_outcome, w.unpublished = outcome.id, raati_outcome.id, unpublished.id
    w.staff = staff
    return w


@pytest.fixture
def raati(app, make_resident, make_staff, monkeypatch):
    """A live raati drawn from panel 7 (whose composition is faked at the panel api), six
    jurors, an expert, a session, a phase, a chat message and an unlocked statement."""
    import panel.api
    from kuulas.extensions import db
    from deliberation.raati.models import (Member, Message, Phase, Raati, RaatiSession, Section,
                                           SectionVersion)

    # Raw counts as the panel keeps them: 12 + 25 + 3 members; "health" is sensitive.
    def composition(panel_id, account_ids=None, *, locale=None, public=False):
        features = [{"feature": "age", "label": "Ikäryhmä", "categories": [
            {"value": "18-39", "label": "18–39 v", "population_share": 35.0, "count": 12},
            {"value": "40-64", "label": "40–64 v", "population_share": 40.0, "count": 25},
            {"value": "65+", "label": "65+ v", "population_share": 25.0, "count": 3}]}]
        if not public:
            features.append({"feature": "health", "label": "Terveydentila", "categories": [
                {"value": "x", "label": "Pitkäaikaissairas", "population_share": None, "count": 7}]})
        return features
    monkeypatch.setattr(panel.api, "composition", composition)

    r = Raati(title_fi="Omalääkärimalli", title_sv="Egenläkarmodellen", title_en="The own-doctor model",
              question_fi="Miten omalääkärimalli otetaan käyttöön?", question_sv="Hur införs egenläkarmodellen?",
              question_en="How should the own-doctor model be introduced?",
              background_fi="Taustamateriaali: [selvitys](https://example.fi/selvitys).", state="live", panel_id=7)
    db.session.add(r)
    db.session.flush()
    members = []
    for i in range(6):
        account = make_resident()
        members.append(Member(raati_id=r.id, account_id=account.id, role="chair" if i == 0 else "member",
                              display_name=f"Jäsen{i}"))
    expert = Member(raati_id=r.id, account_id=make_resident().id, role="expert", display_name="Dosentti Asiantuntija")
    db.session.add_all(members + [expert])
    db.session.add(RaatiSession(raati_id=r.id, title="Ensimmäinen istunto", starts_at=NOW, ends_at=NOW + timedelta(hours=3),
                                uid="pf-raati-1@kuulas"))
    db.session.add(Phase(raati_id=r.id, position=1, kind="hearing", planned_start=NOW, planned_minutes=45))
    db.session.flush()
    db.session.add(Message(raati_id=r.id, seq=1, member_id=members[1].id, body="SALAINEN CHATTIVIESTI",
                           created_at=NOW))
    section = Section(raati_id=r.id, position=1, title="Iltakäynnit", version=1)
    db.session.add(section)
    db.session.flush()
    db.session.add(SectionVersion(section_id=section.id, number=1, title="Iltakäynnit",
                                  text="Raati suosittaa iltakäyntejä.", member_id=members[0].id, created_at=NOW))
    db.session.commit()
    r.member_accounts = [m.account for m in members]
    return r


def in_locale(client, code):
    client.get(f"/kieli/{code}")
    return client
