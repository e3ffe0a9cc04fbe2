"""Pure modules: kuulas.redact, survey lifecycle, tokens, results."""
from __future__ import annotations

import random

import pytest

from kuulas.redact import EMAIL, HETU, PHONE, mask
from panel.surveys import lifecycle, results, tokens


@pytest.mark.parametrize("text,kinds", [
    ("hetuni on 131052-308T", {HETU}),
    ("uusi muoto 010594Y9032", {HETU}),
    ("soita 040 123 4567", {PHONE}),
    ("+358401234567 tai 09-123 4567", {PHONE}),
    ("maija.m@example.fi", {EMAIL}),
    ("131052-308T ja 0401234567 ja a@b.fi", {HETU, EMAIL, PHONE}),
])
def test_free_text_identifiers_are_masked(text, kinds):
    """The kernel's masking (kuulas.redact), as survey answers use it."""
    out = mask(text)
    assert set(out.found) == kinds
    for needle in ("131052-308T", "010594Y9032", "123 4567", "401234567", "@example.fi", "a@b.fi"):
        assert needle not in out.text


@pytest.mark.parametrize("text", [
    "Vuonna 2023 kävin 12 kertaa, odotin 45 min.",
    "Postinumero 33100 Tampere",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert mask(text).text == text and not mask(text).found


def test_lifecycle_says_what_each_state_allows():
    assert lifecycle.allows("draft", "edit") and not lifecycle.allows("open", "edit")
    assert lifecycle.why_not("open", "edit") == "edit_after_scheduling"
    assert lifecycle.why_not("closed", "answer") == "closed"
    assert lifecycle.why_not("draft", "answer") == "not_yet_open"
    assert lifecycle.why_not("open", "results") == "results_after_close"
    assert lifecycle.why_not("published", "publish") == "already_published"
    assert lifecycle.target("draft", "open") == "open"
    assert lifecycle.target("closed", "close") is None
    for state in lifecycle.STATES:
        assert state in lifecycle.ALLOWED


def test_tokens_are_derived_per_survey_and_member():
    k1, k2 = tokens.survey_key("secret", 1), tokens.survey_key("secret", 2)
    t = tokens.member_token(k1, 7)
    assert t == tokens.member_token(tokens.survey_key("secret", 1), 7)
    assert t != tokens.member_token(k2, 7) and t != tokens.member_token(k1, 8)
    assert t != tokens.member_token(tokens.survey_key("other", 1), 7)
    assert tokens.find_member(k1, t, [5, 6, 7, 8]) == 7
    assert tokens.find_member(k1, t, [5, 6]) is None
    assert tokens.find_member(k1, "../../etc", [7]) is None
    assert tokens.response_key(k1, t) != tokens.response_key(k2, t)
    assert len(tokens.random_key()) == 64


POP = {"gender": {"female": 50.0, "male": 50.0}}


def _responses(n_f, n_m, answer_f="1", answer_m="2"):
    return ([({"gender": "female"}, {"1": answer_f}) for _ in range(n_f)]
            + [({"gender": "male"}, {"1": answer_m}) for _ in range(n_m)])


def test_weighting_moves_shares_to_the_population():
    res = results.compute([results.QuestionSpec(1, "single", ("1", "2"))], _responses(30, 10), POP, 80)
    rows = {r["value"]: r for r in res["questions"][0]["rows"]}
    assert rows["1"]["unweighted"] == 0.75 and rows["1"]["weighted"] == pytest.approx(0.5, abs=1e-6)
    assert rows["1"]["ci_low"] < 0.5 < rows["1"]["ci_high"]
    assert res["weighting"]["ok"] and res["weighting"]["design_effect"] > 1
    assert res["rate"] == 0.5
    comp = {r["value"]: r for r in res["composition"][0]["rows"]}
    assert comp["female"]["share"] == 0.75 and comp["female"]["weighted_share"] == pytest.approx(0.5)


def test_small_cells_are_suppressed_with_a_partner():
    res = results.compute([results.QuestionSpec(1, "single", ("1", "2", "3"))],
                          _responses(20, 3, "1", "3") + _responses(10, 0, "2"), POP, 40)
    rows = {r["value"]: r for r in res["questions"][0]["rows"]}
    assert rows["3"]["suppressed"] and rows["3"]["count"] is None and rows["3"]["weighted"] is None
    # A lone hidden cell gets a partner, so it cannot be derived from the total.
    assert rows["2"]["suppressed"]
    assert not rows["1"]["suppressed"]


def test_fewer_than_five_respondents_show_nothing():
    res = results.compute([results.QuestionSpec(1, "single", ("1", "2"))], _responses(2, 2), POP, 10)
    assert res["respondents"] is None and res["rate"] is None and res["questions"][0]["rows"] == []


def test_bad_population_shares_are_reported_and_shares_stay_unweighted():
    res = results.compute([results.QuestionSpec(1, "single", ("1", "2"))], _responses(30, 10),
                          {"gender": {"female": 50.0, "male": 40.0}}, 80)
    assert res["weighting"]["error"]["code"] == "shares_sum"
    row = res["questions"][0]["rows"][0]
    assert row["weighted"] == row["unweighted"]


def test_empty_population_cell_is_reported_not_dropped():
    pop = {"gender": {"female": 45.0, "male": 45.0, "other": 10.0}}
    res = results.compute([results.QuestionSpec(1, "single", ("1", "2"))], _responses(30, 10), pop, 80)
    assert res["weighting"]["empty_cells"] == [{"feature": "gender", "value": "other", "share": 0.1}]
    other = next(r for r in res["composition"][0]["rows"] if r["value"] == "other")
    assert other["empty"] and other["count"] == 0


def test_results_of_every_kind():
    rng = random.Random(3)
    specs = [results.QuestionSpec(1, "multiple", ("a", "b")), results.QuestionSpec(2, "scale"),
             results.QuestionSpec(3, "number"), results.QuestionSpec(4, "text")]
    rs = [({"gender": rng.choice(["female", "male"])},
           {"1": rng.sample(["a", "b"], rng.randint(1, 2)), "2": rng.randint(1, 5), "3": rng.randint(0, 9), "4": "ok"})
          for _ in range(60)]
    res = results.compute(specs, rs, POP, 100)
    multi = res["questions"][0]["rows"]
    assert sum(r["unweighted"] for r in multi) >= 1.0
    assert res["questions"][1]["mean"]["n"] == 60 and len(res["questions"][1]["rows"]) == 5
    assert res["questions"][2]["mean"]["ci_low"] <= res["questions"][2]["mean"]["weighted_mean"]
    assert res["questions"][3]["texts"] == 60


def test_raking_that_cannot_converge_is_reported_and_shares_stay_unweighted():
    # Every woman is young and every man old, but the population has 50 % women and 30 % young.
    rs = ([({"gender": "female", "age": "young"}, {"1": "1"}) for _ in range(20)]
          + [({"gender": "male", "age": "old"}, {"1": "2"}) for _ in range(20)])
    pop = {"gender": {"female": 50.0, "male": 50.0}, "age": {"young": 30.0, "old": 70.0}}
    res = results.compute([results.QuestionSpec(1, "single", ("1", "2"))], rs, pop, 40)
    assert res["weighting"]["error"]["code"] == "no_convergence" and not res["weighting"]["ok"]
    row = res["questions"][0]["rows"][0]
    assert row["weighted"] == row["unweighted"] == 0.5
