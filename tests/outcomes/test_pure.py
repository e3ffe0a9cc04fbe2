"""Pure logic: suppression and representativeness, input checks,
impact history and the IOOI indicators."""
from datetime import datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from deliberation.outcomes import figures, history, metrics, safety
from kuulas import disclosure


def cats(*counts, pops=None):
    pops = pops or [1 / len(counts)] * len(counts)
    return [{"value": str(i), "label": f"c{i}", "count": n, "population_share": p}
            for i, (n, p) in enumerate(zip(counts, pops))]


def test_small_cells_are_hidden_and_a_lone_one_gets_a_partner():
    rows = disclosure.suppress(cats(12, 25, 3))
    assert [r.suppressed for r in rows] == [True, False, True]   # 3 hidden, 12 (next smallest) too
    assert all(r.count is None and r.share is None for r in rows if r.suppressed)
    rows = disclosure.suppress(cats(10, 2, 4, 30))
    assert [r.suppressed for r in rows] == [False, True, True, False]
    assert disclosure.suppress(cats(0, 10, 10))[0].suppressed is False  # zero reveals nobody


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8))
def test_no_public_cell_under_five_and_no_single_hidden_cell(counts):
    rows = disclosure.suppress(cats(*counts))
    assert all(r.count is None or r.count == 0 or r.count >= disclosure.MIN_CELL for r in rows)
    hidden = sum(r.suppressed for r in rows)
    nonzero = sum(1 for n in counts if n > 0)
    if hidden == 1:                     # a lone hidden cell only when nothing else is non-zero
        assert nonzero == 1


def test_total_variation_distance():
    assert figures.total_variation_distance([0.5, 0.5], [0.5, 0.5]) == 0
    assert figures.total_variation_distance([1, 0], [0, 1]) == 1
    assert figures.feature_tvd(cats(30, 10, pops=[0.5, 0.5])) == pytest.approx(0.25)
    assert figures.feature_tvd(cats(0, 0)) is None
    with pytest.raises(ValueError):
        figures.total_variation_distance([1], [0.5, 0.5])


def test_gap_in_percentage_points():
    row = disclosure.suppress(cats(30, 10, pops=[0.5, 0.5]))[0]
    assert row.gap_pp == 25.0


@pytest.mark.parametrize("url,ok", [
    ("https://example.fi/poytakirja/1", True), ("http://example.fi", True),
    ("javascript:alert(1)", False), ("ftp://example.fi/x", False), ("example.fi/x", False),
    ("https://", False), ("https://user:pw@example.fi/", False), ("https://exa mple.fi", False),
    ("data:text/html,x", False), ("HTTPS://EXAMPLE.FI", True), ("", False), (None, False),
])
def test_minutes_links(url, ok):
    assert (safety.safe_http_url(url) is not None) is ok


def test_attachment_type_is_judged_by_content():
    assert safety.sniff_type("a.pdf", b"%PDF-1.7 ...") == "application/pdf"
    assert safety.sniff_type("a.pdf", b"<svg onload=alert(1)>") is None
    assert safety.sniff_type("a.svg", b"<svg/>") is None
    assert safety.sniff_type("a.html", b"<html>") is None
    assert safety.sniff_type("a.png", b"%PDF-") is None
    assert safety.sniff_type("a.txt", b"\xff\xfe") is None
    assert safety.sniff_type("a.docx", b"PK\x03\x04xx").endswith("wordprocessingml.document")
    assert safety.safe_filename("../../etc/<svg onload=x>.pdf") == "svg onload=x.pdf"
    assert safety.safe_filename("  ") == "liite"


T = datetime(2026, 1, 1)


def test_history_keeps_every_revision_and_folds_to_latest():
    revs = [history.Revision("p1", "pending", "Valmistellaan", T, 1, 1),
            history.Revision("p2", "adopted", "Hyvä", T, 1, 2),
            history.Revision("p1", "partly", "Kokeilu", T + timedelta(days=30), 2, 3)]
    state = history.current(list(reversed(revs)))
    assert state["p1"].status == "partly" and state["p1"].revisions == 2 and state["p1"].changed_status
    assert state["p1"].first_recorded_at == T and state["p1"].updated_at == T + timedelta(days=30)
    assert state["p2"].status == "adopted" and not state["p2"].changed_status
    assert history.tally(state) == {"adopted": 1, "partly": 1, "not_adopted": 0, "pending": 0}
    assert not history.is_change(state["p2"], "adopted", "Hyvä", 1)
    assert history.is_change(state["p2"], "adopted", "Hyvä, toteutettu", 1)
    with pytest.raises(ValueError):
        history.current([history.Revision("p", "maybe", "x", T)])


def test_iooi_indicators():
    recs = [
        {"kind": "ideas", "published": True, "participants": 100, "ideas": 40, "tvd": None, "impact_recorded": True,
         "closed_at": T, "published_at": T + timedelta(days=10), "points_assessed": 4, "points_adopted": 3},
        {"kind": "ideas", "published": False, "participants": 50, "ideas": 10, "tvd": None},
        {"kind": "raati", "published": True, "participants": 40, "ideas": None, "tvd": 0.12, "impact_recorded": False,
         "closed_at": T, "published_at": T + timedelta(days=30)},
    ]
    m = metrics.indicators(recs)
    assert m["processes_run"] == 3 and m["processes_by_kind"] == {"ideas": 2, "raati": 1}
    assert m["ideas_per_round_median"] == 25 and m["participants_total"] == 190
    assert m["share_with_impact"] == 0.5 and m["share_points_adopted"] == 0.75
    assert m["median_days_close_to_publication"] == 20.0 and m["tvd_median"] == 0.12
    assert metrics.indicators([])["share_with_impact"] is None
