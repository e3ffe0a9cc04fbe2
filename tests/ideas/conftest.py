"""Fixtures for the idea rounds: a round made through the service, and participants as
separate test clients (each with its own cookie jar)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kuulas.clock import utcnow


def round_data(**overrides):
    now = utcnow()
    data = {
        "title": {"fi": "Tulevaisuuden kotihoito", "sv": "Framtidens hemvård", "en": "Home care of the future"},
        "question": {"fi": "Millaisena näet tulevaisuuden kotihoidon?", "sv": "Hur ser du på framtidens hemvård?",
                     "en": "How do you see the home care of the future?"},
        "background": {"fi": "Taustaa **kotihoidosta**."},
        "subthemes": [{"fi": "Digipalvelut", "sv": "Digitala tjänster", "en": "Digital services"}],
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=7),
        "moderation": "post", "comments_enabled": True, "max_length": 300,
    }
    data.update(overrides)
    return data


@pytest.fixture
def preparer(make_staff):
    return make_staff("preparer")


@pytest.fixture
def moderator(make_staff):
    return make_staff("moderator")


@pytest.fixture
def make_round(app, preparer):
    from deliberation.ideas import services

    def factory(publish=True, **overrides):
        from kuulas.extensions import db

        round_ = services.create_round(round_data(**overrides), actor=preparer, now=utcnow(), publish=publish)
        db.session.commit()   # the service flushes; its caller owns the transaction
        return round_
    return factory


@pytest.fixture
def open_round(make_round):
    return make_round()


@pytest.fixture
def participant_client(app):
    """Factory: a new anonymous browser (own cookies) that has loaded the round page."""
    def make(round_id, addr="203.0.113.7", agent="TestPhone/1.0"):
        c = app.test_client()
        c.environ_base.update({"REMOTE_ADDR": addr, "HTTP_USER_AGENT": agent})
        r = c.get(f"/ideariihi/{round_id}")
        assert r.status_code == 200, r.get_data(as_text=True)[:300]
        return c
    return make
