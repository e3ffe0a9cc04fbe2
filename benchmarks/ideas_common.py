"""Shared set-up for the idea-round benchmarks: a scratch PostgreSQL schema and a round."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

BASE = os.environ.get("KUULAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def scratch_schema():
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(BASE)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in BASE else "?"
    try:
        yield f"{BASE}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def make_round(app, now):
    from deliberation.ideas import services
    from kuulas.accounts import services as accounts

    preparer = accounts.create_staff(f"bench-{uuid.uuid4().hex[:6]}@example.fi", {"preparer"},
                                     password="benchmark password 123", actor=None, now=now)
    from kuulas.extensions import db

    round_ = services.create_round({
        "title": {"fi": "Kuormitustesti", "sv": "Belastningstest"},
        "question": {"fi": "Mitä ajattelet?", "sv": "Vad tycker du?"},
        "opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=1),
        "moderation": "post", "comments_enabled": True, "max_length": 500}, actor=preparer, now=now, publish=True)
    db.session.commit()   # create_round flushes; the caller commits
    return round_
