"""A vote, idea or comment in flight when the round closes is either in before the close or
refused with a translated message, never stored after it (SQLite; the same on PostgreSQL in
test_postgres.py)."""
from __future__ import annotations

import pytest

from tests.ideas import race


@pytest.mark.parametrize("kind", ["vote", "vote-full", "idea", "comment"])
def test_write_held_before_insert_is_refused_once_the_round_closed(app, open_round, preparer,
                                                                   participant_client, kind, monkeypatch):
    race.full_path_only(monkeypatch, kind)
    r, before, after = race.close_while_insert_is_pending(app, open_round, preparer, participant_client, kind)
    assert r.status_code == race.REFUSED[kind], r.get_data(as_text=True)[:500]
    assert "Kierros on päättynyt" in r.get_data(as_text=True)
    assert after == before


@pytest.mark.parametrize("kind", ["vote", "vote-full", "idea"])
def test_write_held_before_commit_is_in_before_the_close(app, open_round, preparer, participant_client, kind,
                                                         monkeypatch):
    race.full_path_only(monkeypatch, kind)
    r, before, after = race.close_while_commit_is_pending(app, open_round, preparer, participant_client, kind)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert after == before + 1
