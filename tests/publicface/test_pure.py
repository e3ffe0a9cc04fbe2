"""Pure parts of the public face: query parsing, LIKE escaping, snippets, the one-card-per-
process merge of the front page."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuulas import search
from kuulas.processes import PAST, ProcessCard, merge


@pytest.mark.parametrize("raw, code", [("", search.EMPTY), ("   ", search.EMPTY), (None, search.EMPTY),
                                       ("a", search.TOO_SHORT), ("% _ !", search.TOO_SHORT),
                                       ("x" * 201, search.TOO_LONG)])
def test_unsearchable_queries_say_why(raw, code):
    with pytest.raises(search.QueryError) as err:
        search.parse(raw, "fi")
    assert err.value.code == code


def test_parse_normalises_and_limits_terms():
    q = search.parse("  Kotihoito  ja KOTIHOITO a  Äitiys ", "sv")
    assert q.terms == ("kotihoito", "ja", "äitiys") and q.text == "Kotihoito ja KOTIHOITO a Äitiys"
    assert q.config == "swedish" and search.parse("ab", "xx").config == "simple"
    assert len(search.parse(" ".join(f"sana{i}" for i in range(20)), "fi").terms) == search.MAX_TERMS


def test_like_patterns_escape_wildcards():
    assert search._like("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_snippet_marks_matches_and_cuts_around_the_first():
    text = "Alku " + "täyte " * 60 + "Kotihoidon iltakäynnit lisääntyvät kotihoito " + "loppu " * 60
    parts = search.snippet(text, ("kotihoito",), width=80)
    marked = [t for t, hit in parts if hit]
    assert marked == ["Kotihoidon", "kotihoito"]
    assert parts[0] == ("… ", False) and parts[-1] == (" …", False)
    assert sum(len(t) for t, _hit in parts) < 140
    assert search.snippet("", ("x",)) == []
    assert search.snippet("ei osumaa", ("kotihoito",)) == [("ei osumaa", False)]


@given(st.text(max_size=300), st.lists(st.text(alphabet="abcäö", min_size=2, max_size=8), min_size=1, max_size=3))
def test_snippet_only_returns_text_from_the_source(text, terms):
    plain = " ".join(text.split())
    for segment, _hit in search.snippet(text, tuple(terms)):
        assert segment.strip("… ") in plain


def _card(title, key=None, outcome_of=None, url="/x", state="past", label="Closed"):
    return ProcessCard(kind="k", title=title, summary="", url=url, state=state, state_label=label,
                       key=key, outcome_of=outcome_of)


def test_merge_folds_an_outcome_into_its_process_once():
    cards = [_card("Round", key=("ideas", 1), url="/ideat/1"),
             _card("Raati", key=("raati", 1), url="/raati/1/esittely", state="open"),
             _card("Outcome of round", outcome_of=("ideas", 1), url="/tulokset/5", label="Decision recorded"),
             _card("Outcome of survey", outcome_of=("surveys", 3), url="/tulokset/6")]
    merged = merge(cards)
    assert [c.title for c in merged] == ["Round", "Raati", "Outcome of survey"]
    assert merged[0].outcome_url == "/tulokset/5" and merged[0].url == "/ideat/1"
    assert merged[0].state == PAST and merged[0].state_label == "Decision recorded"
    assert merged[1].outcome_url is None
    # Same-numbered processes of different kinds are not confused.
    assert merge([_card("Raati 1", key=("raati", 1)), _card("O", outcome_of=("ideas", 1))])[0].outcome_url is None
