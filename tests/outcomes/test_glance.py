"""The outcome's top section (asked, took part, said, decided, impact) with its charts on
every kind of outcome, each detail shown once, and the same charts in the PDF and DOCX."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest

from kuulas.extensions import db
from deliberation.outcomes import present

from deliberation.outcomes.models import Outcome

from .conftest import NOW, services

TOP = [{"text": f"Idea number {n}: longer evening visits in home care", "agree": 40 - n, "disagree": n,
        "pass": 2, "themes": []} for n in range(1, 8)]
RESULTS = {"top_ideas": TOP, "consensus": ["Idea number 2: longer evening visits in home care"],
           "groups": [{"label": "A", "size": 9, "distinctive": ["Idea number 3: longer evening visits in home care"]},
                      {"label": "B", "size": 7, "distinctive": ["Idea number 4: longer evening visits in home care"]}]}
SURVEY_COMPOSITION = [{"feature": "age", "label": "Ikäryhmä", "categories": [
    {"value": "18-39", "label": "18–39 v", "count": 20, "share": 0.5, "population_share": 0.35, "suppressed": False},
    {"value": "40-64", "label": "40–64 v", "count": None, "share": None, "population_share": 0.4, "suppressed": True},
    {"value": "65+", "label": "65+ v", "count": None, "share": None, "population_share": 0.25, "suppressed": True}]}]
SECTIONS = ("asked", "who", "said", "decided", "impact")


def outside_charts(html: str) -> str:
    return re.sub(r"<svg.*?</svg>", "", html, flags=re.S)


def publish(o, preparer, impacts=None):
    services.publish(o.id, actor=preparer, now=NOW)
    services.record_decision(o.id, body="Aluehallitus", meeting_date="2026-05-20", item="§ 7",
                             impacts=impacts or {}, actor=preparer, now=NOW)
    return db.session.get(Outcome, o.id)


def make(make_outcome, kind, **kw):
    o = make_outcome(kind=kind, **kw)
    if kind != "raati":
        o.statement = None
    if kind == "ideas":
        o.results = RESULTS
        o.figures = {"participants": 16, "ideas": 7, "votes": 300}
        o.points = [{"key": f"idea-{n}", "text": i["text"]} for n, i in enumerate(TOP, 1)]
        o.composition = []
    db.session.commit()
    return o


def top_section(html: str) -> str:
    return html[html.index('<div class="glance">'):html.index('<section id="background"')]


@pytest.mark.parametrize("kind", ["ideas", "raati", "feedback", "surveys"])
def test_every_kind_has_the_top_section_with_charts(client, make_outcome, preparer, kind):
    composition = SURVEY_COMPOSITION if kind == "surveys" else None
    kw = {"composition": composition} if composition else {}
    o = make(make_outcome, kind, **kw)
    first = o.points[0]["key"]
    o = publish(o, preparer, {first: ("adopted", "Otetaan käyttöön.")})
    html = client.get(f"/tulokset/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    top = top_section(html)
    for ident in SECTIONS:
        assert re.search(rf'<section id="{ident}" aria-labelledby="{ident}-heading"[^>]*>\s*<h2 id="{ident}-heading">',
                         top), ident
    assert html.index('id="asked"') < html.index('id="who"') < html.index('id="said"') \
        < html.index('id="decided"') < html.index('id="impact"') < html.index('id="background"')
    # Impact per point: one of the points adopted, the rest not yet assessed.
    assert 'id="impact-chart"' in top and "Impact of participation on" in top
    assert re.search(r"<th scope=\"row\">Adopted</th><td>1</td>", top)
    if kind in ("raati", "surveys"):
        assert 'id="took-part-1"' in top and "Ikäryhmä: participants compared with the population" in top
    if kind == "ideas":
        assert 'id="votes"' in top and "Votes on the 5 ideas with the most support" in top
        assert "The idea round was anonymous" in top
    svgs = re.findall(r"<svg.*?</svg>", top, flags=re.S)
    assert svgs                                                # the impact chart at least
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg


def test_idea_outcome_shows_each_detail_once(client, make_outcome, preparer):
    o = make(make_outcome, "ideas", summary="Osallistujat toivoivat lisää iltakäyntejä.")
    o = publish(o, preparer, {"idea-1": ("adopted", "Otetaan käyttöön.")})
    html = client.get(f"/tulokset/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    text = outside_charts(html)
    # The top idea: once in the votes table (the chart's text equivalent) and once as the
    # impact point it became; never again in a summary or a second results table.
    assert text.count(TOP[0]["text"]) == 2
    assert text.count(TOP[6]["text"]) == 1                     # only in the table (the chart shows 5)
    assert text.count(RESULTS["consensus"][0]) == 2            # the table and "broad agreement"
    assert text.count("Opinion groups") == 1 and text.count("Broad agreement</h3>") == 1
    assert text.count("Ideas with the most support</caption>") == 1
    # The chart draws the same top ideas' votes.
    votes = re.search(r'<svg[^>]*id="votes".*?</svg>', html, flags=re.S).group(0)
    assert ">39<" in votes and ">35<" in votes and ">5<" in votes and "Idea number 6" not in votes


def test_prefilled_summary_is_not_repeated(app, client, preparer):
    """A long summary (a survey's) is split: its opening in the top section, the rest with
    the details, each part once."""
    lead, rest = present.split_summary("Intro line.\n\n" + "## 1. Question\n\n" + "- a: 50 %\n" * 80)
    assert lead == "Intro line." and rest.startswith("## 1. Question") and "Intro line." not in rest
    assert present.split_summary("Short.") == ("Short.", "")


def test_survey_composition_keeps_the_sources_suppression(client, make_outcome, preparer):
    o = publish(make(make_outcome, "surveys", composition=SURVEY_COMPOSITION), preparer)
    html = client.get(f"/tulokset/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chart = re.search(r'<svg[^>]*id="took-part-1".*?</svg>', html, flags=re.S).group(0)
    assert "50 %" in chart and "35 %" in chart and chart.count("fewer than 5") == 2
    assert "gap +15.0 pp" in chart
    # Two participants' bars are hidden: 1 drawn + 3 population bars.
    assert len(re.findall(r'<rect x="0" y="\d+" width="\d+" height="13"', chart)) == 4
    doc = client.get(f"/api/v1/outcomes/{o.id}").get_json()
    assert [c["count"] for c in doc["composition"][0]["categories"]] == [20, None, None]


def test_small_cells_stay_out_of_the_chart(client, make_outcome, preparer):
    """The raati fixture has 12 / 25 / 3 members: 3 is hidden and 12 with it."""
    o = publish(make(make_outcome, "raati"), preparer)
    html = client.get(f"/tulokset/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chart = re.search(r'<svg[^>]*id="took-part-1".*?</svg>', html, flags=re.S).group(0)
    assert chart.count("fewer than 5") == 2 and re.search(r">6[23] %<", chart)   # 25 of 40
    assert not re.search(r">[78] %<", chart) and ">30 %<" not in chart      # 3/40 and 12/40 never drawn
    assert len(re.findall(r'<rect x="0" y="\d+" width="\d+" height="13"', chart)) == 4   # 1 + 3 population


def test_pdf_and_docx_carry_the_charts(client, make_outcome, preparer, tmp_path):
    from docx import Document
    from docx.oxml.ns import qn

    o = make(make_outcome, "ideas")
    o.composition = SURVEY_COMPOSITION
    db.session.commit()
    o = publish(o, preparer, {"idea-1": ("adopted", "Otetaan käyttöön.")})
    r = client.get(f"/tulokset/{o.id}/lataa/outcome.docx", headers={"Accept-Language": "en"})
    doc = Document(io.BytesIO(r.data))
    pictures = list(doc.element.body.iter(qn("wp:docPr")))
    alts = [p.get("descr") for p in pictures]
    assert len(pictures) == 3 and len(doc.inline_shapes) == 3
    assert alts[0].startswith("Ikäryhmä: participants compared with the population. For each group")
    assert alts[1].startswith("Votes on the 5 ideas with the most support.")
    assert alts[2].startswith("Impact of participation on 7 points.")
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    assert paragraphs.count("Opinion groups") == 1
    r = client.get(f"/tulokset/{o.id}/lataa/outcome.pdf", headers={"Accept-Language": "en"})
    assert r.data.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "o.pdf"
    path.write_bytes(r.data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info and "pdfuaid:part" in meta
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    for title in ("Ikäryhmä: participants compared with the population",
                  "Votes on the 5 ideas with the most support", "Impact of participation on 7 points"):
        assert title in text
    assert text.count("Opinion groups") == 1
    # Each chart is a tagged figure (WeasyPrint gives it the SVG's <title> as its Alt).
    struct = subprocess.run(["pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True).stdout
    assert struct.count("Figure") == 3


def test_a_feature_hidden_entirely_draws_no_chart(client, make_outcome, preparer):
    tiny = [{"feature": "age", "label": "Ikäryhmä", "categories": [
        {"value": "a", "label": "18–39", "count": 2, "population_share": 0.5},
        {"value": "b", "label": "40+", "count": 3, "population_share": 0.5}]}]
    o = publish(make(make_outcome, "raati", composition=tiny), preparer)
    html = client.get(f"/tulokset/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="took-part-1"' not in html and "so none is shown" in html
    assert "<td>2</td>" not in html and "<td>3</td>" not in html
