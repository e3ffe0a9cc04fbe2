"""The kernel's chart drawing (kuulas.charts): well-formed, labelled, scalable SVG that
draws nothing for a hidden cell and writes every value as text; PNGs that open."""
from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree

from kuulas import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)      # raises on anything that is not well-formed XML


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def participation():
    return [charts.Group("18–39", [charts.Bar(0.30, "30 %", "primary"), charts.Bar(0.35, "35 %", "reference")],
                         note="gap -5.0 pp"),
            charts.Group("65+ <script>", [charts.Bar(None, "fewer than 5", "primary"),
                                          charts.Bar(0.25, "25 %", "reference")])]


def test_grouped_bars_are_labelled_scalable_svg():
    legend = charts.Legend([("primary", "Participants"), ("reference", "Population")])
    root = parse(charts.grouped_bars("who-1", "Age: participants compared", "Upper bar participants.",
                                     participation(), legend))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "who-1-title who-1-desc"
    assert root.find(f"{SVG}title").get("id") == "who-1-title"
    assert root.find(f"{SVG}title").text == "Age: participants compared"
    assert root.find(f"{SVG}desc").get("id") == "who-1-desc" and root.find(f"{SVG}desc").text == "Upper bar participants."
    assert root.get("viewBox").startswith("0 0 320 ") and root.get("width") == "100%"
    assert root.get("height") is None             # the height follows the width (viewBox)
    # Every value is written as text, the label escaped, the gap beside the label.
    words = texts(root)
    assert {"30 %", "35 %", "fewer than 5", "25 %", "gap -5.0 pp", "65+ <script>"} <= set(words)
    assert "<script>" not in charts.grouped_bars("x", "t", "d", participation())


def test_a_hidden_cell_draws_no_bar():
    root = parse(charts.grouped_bars("c", "t", "d", participation()))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "13"]
    # Three bars drawn for four series: the suppressed participants' bar is absent.
    assert len(bars) == 3
    assert sorted(int(b.get("width")) for b in bars) == sorted(
        [round(258 * 0.30), round(258 * 0.35), round(258 * 0.25)])


def test_series_differ_by_pattern_not_colour_alone():
    svg = charts.grouped_bars("p", "t", "d", participation(),
                              charts.Legend([("primary", "Participants"), ("reference", "Population")]))
    root = parse(svg)
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"p-p-reference"}          # the population is hatched, participants solid
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("height") == "13"}
    assert fills == {charts.STYLES["primary"][0], "url(#p-p-reference)"}


def test_stacked_bars_number_each_part_and_total():
    stacks = [charts.Stack("1. Iltakäynnit kaikille", [(65, "agree"), (4, "disagree"), (0, "pass")], "69 votes"),
              charts.Stack("2. " + "pitkä " * 30, [(30, "agree"), (20, "disagree"), (10, "pass")], "60 votes")]
    root = parse(charts.stacked_bars("votes", "Votes", "Agree, disagree, pass.", stacks,
                                     charts.Legend([("agree", "Agree"), ("disagree", "Disagree"), ("pass", "Pass")])))
    words = texts(root)
    assert {"65", "30", "20", "10", "69 votes", "60 votes", "Agree", "Disagree", "Pass"} <= set(words)
    assert "0" not in words                          # an empty part is not drawn
    assert any(w.startswith("2. pitkä") and w.endswith("…") and len(w) <= 48 for w in words)
    assert "1. Iltakäynnit kaikille" in words
    widths = [int(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("height") == "18"]
    assert max(widths) == round(258 * 65 / 69)       # the longest bar fills the span


def test_two_charts_on_one_page_have_distinct_ids():
    a = parse(charts.grouped_bars("a", "t", "d", participation()))
    b = parse(charts.grouped_bars("b", "t", "d", participation()))
    ids = lambda root: {e.get("id") for e in root.iter() if e.get("id")}   # noqa: E731
    assert not ids(a) & ids(b)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    # The image data inflates to exactly one filter byte plus RGB pixels per row.
    idat_len = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41:41 + idat_len])
    assert len(raw) == height * (1 + 3 * width)
    return width, height


def test_pngs_open_and_draw_the_bars():
    width, height = _png_size(charts.grouped_png(participation()))
    assert width == 360 and height > 20
    stacks = [charts.Stack("a", [(3, "agree"), (2, "disagree"), (1, "pass")])]
    assert _png_size(charts.stacked_png(stacks))[0] == 360
    canvas = charts.Canvas(10, 10)
    canvas.rect(0, 0, 10, 10, "#0b4f8a", "hatch")
    colours = {px for line in canvas.pixels for px in line}
    assert (11, 79, 138) in colours and len(colours) == 2       # stripes of a darker shade
