"""Outcome fixtures.  ``make_outcome`` stores an outcome whose figures and summary a
preparer entered by hand (no source process needed); tests of the real sources use the
ideas/raati services instead."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

NOW = datetime(2026, 5, 4, 9, 0)

COMPOSITION = [
    {"feature": "age", "label": "Ikäryhmä", "categories": [
        {"value": "18-39", "label": "18–39", "population_share": 0.35, "count": 12, "share": 0.3},
        {"value": "40-64", "label": "40–64", "population_share": 0.4, "count": 25, "share": 0.625},
        {"value": "65+", "label": "65+", "population_share": 0.25, "count": 3, "share": 0.075},
    ]},
]


@pytest.fixture
def preparer(make_staff):
    return make_staff("preparer")


@pytest.fixture
def make_outcome(app, preparer):
    from kuulas.extensions import db
    from deliberation.outcomes.models import Outcome

    counter = {"n": 0}

    def make(kind="raati", summary="Raati suositti **lisää** kotihoidon iltakäyntejä.", composition=COMPOSITION,
             points=None, title="Kotihoidon tulevaisuus"):
        counter["n"] += 1
        o = Outcome(source_kind=kind, source_id=1000 + counter["n"], title=title,
                    question="Miten kotihoitoa pitäisi kehittää?", background="Taustaa.",
                    summary=summary, figures={"members": 40, "sessions": 3},
                    timeline=[{"kind": "session", "at": (NOW - timedelta(days=30)).isoformat(), "label": "Aloitus"}],
                    composition=composition,
                    points=points if points is not None else [
                        {"key": "section-1", "text": "Iltakäynnit kaikille"},
                        {"key": "section-2", "text": "Digitaalinen asiointi"}],
                    results={}, statement={"sections": [{"title": "Iltakäynnit kaikille", "text": "Lisää iltakäyntejä."},
                                                        {"title": "Digitaalinen asiointi", "text": "Videopuhelut."}],
                                           "sha256": "ab" * 32, "locked_at": (NOW - timedelta(days=10)).isoformat()},
                    closed_at=NOW - timedelta(days=10), created_at=NOW, updated_at=NOW,
                    created_by_id=preparer.id)
        db.session.add(o)
        db.session.commit()
        return o
    return make


class _Caller:
    """The area's services as their callers use them (a view, the job runner, the CLI):
    each call is one transaction, committed when it returns (which runs the effects it
    declared) and rolled back when it raises.  The services themselves never commit."""

    def __init__(self, *modules):
        self._modules = modules

    def __getattr__(self, name):
        from kuulas import effects

        fn = next(getattr(m, name) for m in self._modules if hasattr(m, name))
        if not callable(fn):
            return fn

        def call(*args, **kwargs):
            with effects.transaction():
                return fn(*args, **kwargs)
        return call


def _caller():
    from deliberation.outcomes import dashboard, decisions, drafts, publication, visibility

    return _Caller(drafts, publication, decisions, visibility, dashboard)


services = _caller()
