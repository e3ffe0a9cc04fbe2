"""Fixtures for following: a published outcome with two points, made and published
through the outcomes services, and helpers that read the follow mails from the outbox."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

# A Monday, 10.00 in Helsinki: the weekly digest slot (Monday 7.00) has begun.
MONDAY = datetime(2026, 12, 7, 8, 0)
BEFORE = MONDAY - timedelta(days=3)           # the Friday before


@pytest.fixture
def preparer(make_staff):
    return make_staff("preparer")


@pytest.fixture
def published_outcome(app, preparer):
    from kuulas.extensions import db
    from deliberation.outcomes import services
    from deliberation.outcomes.models import Outcome

    o = Outcome(source_kind="raati", source_id=4242, title="Kotihoidon tulevaisuus",
                question="Miten kotihoitoa pitäisi kehittää?", summary="Raati suositti iltakäyntejä.",
                translations={"sv": {"title": "Hemvårdens framtid", "summary": "Juryn föreslog kvällsbesök."},
                              "en": {"title": "The future of home care", "summary": "Evening visits."}},
                figures={"members": 40}, timeline=[], composition=[], results={},
                points=[{"key": "section-1", "text": "Iltakäynnit kaikille"},
                        {"key": "section-2", "text": "Digitaalinen asiointi"}],
                created_at=BEFORE - timedelta(days=30), updated_at=BEFORE - timedelta(days=30),
                created_by_id=preparer.id)
    db.session.add(o)
    db.session.commit()
    services.publish(o.id, actor=preparer, now=BEFORE - timedelta(days=20))
    db.session.commit()
    return db.session.get(Outcome, o.id)


def follow_mails(to: str | None = None):
    from sqlalchemy import select

    from kuulas.extensions import db
    from kuulas.mail.models import OutboxMail

    query = select(OutboxMail).where(OutboxMail.category == "follow").order_by(OutboxMail.id)
    if to:
        query = query.where(OutboxMail.recipient == to)
    return list(db.session.scalars(query))


def link(mail, part: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(part) + r"\S+", mail.body_text)
    assert match, f"no {part} link in: {mail.body_text!r}"
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
