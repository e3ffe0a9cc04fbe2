"""A resident with something in every area: a panel registration that was drawn and
invited, a digiraati membership with messages and a share in the locked statement, an
address left for an idea round's outcome and a feedback answer, and mail waiting."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from kuulas.clock import utcnow

EMAIL = "tuuli.testaaja@example.fi"
NAME = "Tuuli Testaaja"
RAATI_NAME = "Tuuli T."


@dataclass
class World:
    account: object
    raati_id: int
    member_id: int
    panel_id: int
    chair: object
    secretary: object
    staff: object


def _statement_state(raati_id):
    from sqlalchemy import select

    from deliberation.raati.models import Raati, Section, SectionVersion
    from kuulas.extensions import db

    raati = db.session.get(Raati, raati_id)
    versions = db.session.execute(select(SectionVersion.section_id, SectionVersion.number, SectionVersion.text,
                                         SectionVersion.member_id)
                                  .join(Section, Section.id == SectionVersion.section_id)
                                  .where(Section.raati_id == raati_id).order_by(SectionVersion.id)).all()
    return raati.statement_sha256, raati.lock_record, [tuple(v) for v in versions]


@pytest.fixture
def statement_state():
    return _statement_state


@pytest.fixture
def world(app, make_staff, make_resident):
    from deliberation.raati import services as raati_services
    from deliberation.raati.models import Message, Raati, Section, SectionVersion
    from kuulas.extensions import db
    from kuulas.mail import services as mail
    from panel.recruitment import services as recruitment
    from panel.selection import services as selection
    from tests.panel.helpers import add_volunteers, make_panel

    now = utcnow()
    staff = make_staff("administrator")
    resident = make_resident(EMAIL)
    resident.display_name = NAME
    # A panel: the resident registers, the draw invites everyone (size == pool).
    panel = make_panel(staff, size=4)
    recruitment.register(panel.id, email=EMAIL, display_name=NAME,
                         answers={"gender": "female", "age": "old"}, consent=True, now=now,
                         channel="paper", confirmed=True, postal_code="33100", address="Hämeenkatu 1")
    add_volunteers(panel, [{"gender": "male", "age": "young"}, {"gender": "female", "age": "young"},
                           {"gender": "male", "age": "old"}])
    recruitment.close_recruitment_now(panel.id, actor=staff, now=now)
    db.session.commit()
    selection.prepare_draw(panel.id, seed_source="x", actor=staff, now=now)
    selection.run_draw(panel.id, seed_value="42", actor=staff, now=now)
    db.session.commit()
    # A digiraati: the resident is a member with messages and wrote a statement section.
    raati = raati_services.save_raati(None, {"title_fi": "Omalääkärimalli", "question_fi": "Miten?"},
                                      actor=staff, now=now)
    chair, secretary = make_resident("pj@example.fi"), make_resident("siht@example.fi")
    member = raati_services._ensure_member(raati, resident.id, "member", now)
    member.display_name = RAATI_NAME
    for acc, role, name in ((chair, "chair", "Puheenjohtaja"), (secretary, "secretary", "Sihteeri")):
        raati_services._ensure_member(raati, acc.id, role, now).display_name = name
    db.session.flush()
    for body in ("Omalääkäri auttaisi pitkäaikaissairaita", "Jatkuvuus on tärkeintä"):
        event = raati_services.append(raati.id, "message", member.id,
                                      {"body": body, "name": member.display_name, "role": member.role}, now)
        db.session.add(Message(raati_id=raati.id, seq=event.seq, member_id=member.id, body=body, created_at=now))
    section = Section(raati_id=raati.id, position=1, title="Suositus", version=1)
    db.session.add(section)
    db.session.flush()
    db.session.add(SectionVersion(section_id=section.id, number=1, title="Suositus",
                                  text="Jokaiselle oma lääkäri.", member_id=member.id, created_at=now))
    raati_row = db.session.get(Raati, raati.id)
    raati_row.statement_sha256 = "a" * 64
    raati_row.lock_record = {"rule": "majority", "members": 3}
    raati_row.drafting_closed_at = now
    mail.queue(EMAIL, "Tervetuloa", "Hei", category="raati", now=now)
    db.session.commit()
    return World(resident, raati.id, member.id, panel.id, chair, secretary, staff)


@pytest.fixture
def dump_tables():
    def dump() -> str:
        from sqlalchemy import select

        from kuulas.extensions import db

        db.session.expire_all()
        out = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                out.append(f"{table.name}: {tuple(row)!r}")
        return "\n".join(out)
    return dump
