"""Accessible charts drawn on the server: SVG for pages and PDFs, a small PNG for DOCX.

Pure: imports neither Flask nor SQLAlchemy, does no I/O.  The caller passes every text
already translated and formatted (numbers, percentages); nothing here knows a language.

Every SVG is ``role="img"`` labelled by its ``<title>`` and ``<desc>``, scales with its
``viewBox`` (readable from 320 px up), writes each value next to its bar and tells series
apart by pattern as well as colour (WCAG 1.4.1), with bar colours of at least 3:1 on white
(1.4.11).  The caller always shows the same numbers as text too (a table or a list).
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from html import escape

WIDTH = 320
# name -> (fill, pattern): "solid", "hatch" (diagonal stripes) or "dots"; every fill is
# at least 3:1 against white and carries white text at 4.5:1 (patterns only darken it).
STYLES = {
    "primary": ("#0b4f8a", "solid"),
    "reference": ("#8a5a00", "hatch"),
    "agree": ("#176c2d", "solid"),
    "disagree": ("#b00020", "hatch"),
    "pass": ("#595959", "dots"),
    "adopted": ("#176c2d", "solid"),
    "partly": ("#0b4f8a", "hatch"),
    "not_adopted": ("#b00020", "dots"),
    "pending": ("#5b4300", "hatch"),
}
INK = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    """One bar of a group: ``fraction`` of the full width (None: not drawn, e.g. a
    suppressed cell), ``text`` written after it, ``style`` a key of STYLES."""
    fraction: float | None
    text: str
    style: str = "primary"


@dataclass(frozen=True)
class Group:
    label: str
    bars: list[Bar]
    note: str = ""          # e.g. the gap, written at the right end of the label's line


@dataclass(frozen=True)
class Stack:
    """One stacked bar: ``parts`` are (count, style); ``text`` is written after it."""
    label: str
    parts: list[tuple[int, str]]
    text: str = ""


@dataclass
class Legend:
    items: list[tuple[str, str]] = field(default_factory=list)    # (style, label)


def clip(text: str, limit: int = 48) -> str:
    """Shorten a long label for drawing (the full text is in the table beside the chart)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _fraction(value: float | None) -> float | None:
    if value is None:
        return None
    return max(0.0, min(1.0, float(value)))


def _defs(ident: str, styles: set[str]) -> str:
    out = []
    for name in sorted(styles):
        fill, kind = STYLES[name]
        pid = f"{ident}-p-{name}"
        if kind == "hatch":
            out.append(f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
                       f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{fill}"/>'
                       f'<rect width="2" height="6" fill="#000000" fill-opacity="0.35"/></pattern>')
        elif kind == "dots":
            out.append(f'<pattern id="{pid}" width="5" height="5" patternUnits="userSpaceOnUse">'
                       f'<rect width="5" height="5" fill="{fill}"/>'
                       f'<circle cx="2.5" cy="2.5" r="1.1" fill="#000000" fill-opacity="0.45"/></pattern>')
    return f"<defs>{''.join(out)}</defs>" if out else ""


def _paint(ident: str, style: str) -> str:
    fill, kind = STYLES[style]
    return fill if kind == "solid" else f"url(#{ident}-p-{style})"


def _open(ident: str, title: str, desc: str, height: int, styles: set[str]) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="kchart" id="{ident}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" focusable="false" '
            f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
            f'<title id="{ident}-title">{escape(title)}</title>',
            f'<desc id="{ident}-desc">{escape(desc)}</desc>', _defs(ident, styles)]


def _legend(ident: str, legend: Legend | None, y: int) -> list[str]:
    if not legend or not legend.items:
        return []
    parts, x = [], 0
    for style, label in legend.items:
        width = 22 + 7 * len(label)
        if x and x + width > WIDTH:
            x, y = 0, y + 18
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="12" fill="{_paint(ident, style)}" '
                     f'stroke="{INK}" stroke-width="0.5"/>'
                     f'<text x="{x + 18}" y="{y + 10}" fill="{INK}">{escape(label)}</text>')
        x += width + 8
    return parts


def _legend_height(legend: Legend | None) -> int:
    if not legend or not legend.items:
        return 0
    rows, x = 1, 0
    for _style, label in legend.items:
        width = 22 + 7 * len(label)
        if x and x + width > WIDTH:
            rows, x = rows + 1, 0
        x += width + 8
    return rows * 18 + 4


TEXT_ROOM = 62     # space kept right of the longest bar for its value


def grouped_bars(ident: str, title: str, desc: str, groups: list[Group], legend: Legend | None = None) -> str:
    """Horizontal bars in groups: a label line (and an optional note line), then one bar
    per series with its value written after it.  Participation against the population is
    two bars per group with the gap as the note."""
    bar_h, gap = 13, 3
    styles = {b.style for g in groups for b in g.bars} | {s for s, _l in (legend.items if legend else [])}
    lh = _legend_height(legend)
    parts_body, y = [], lh
    span = WIDTH - TEXT_ROOM
    for g in groups:
        # The note (e.g. the gap) stands at the right end of the label's line.
        limit = 48 if not g.note else max(12, 46 - len(g.note))
        parts_body.append(f'<text x="0" y="{y + 12}" fill="{INK}" font-weight="bold">{escape(clip(g.label, limit))}</text>')
        if g.note:
            parts_body.append(f'<text x="{WIDTH}" y="{y + 12}" fill="{INK}" text-anchor="end">{escape(g.note)}</text>')
        y += 16
        for b in g.bars:
            frac = _fraction(b.fraction)
            w = 0 if frac is None else max(1, round(span * frac)) if frac > 0 else 0
            if w:
                parts_body.append(f'<rect x="0" y="{y}" width="{w}" height="{bar_h}" '
                                  f'fill="{_paint(ident, b.style)}"/>')
            parts_body.append(f'<text x="{w + 4}" y="{y + 10.5}" fill="{INK}">{escape(b.text)}</text>')
            y += bar_h + gap
        y += 8
    height = max(y, 20)
    return "".join(_open(ident, title, desc, height, styles) + _legend(ident, legend, 0) + parts_body + ["</svg>"])


def stacked_bars(ident: str, title: str, desc: str, stacks: list[Stack], legend: Legend | None = None,
                 *, scale: int | None = None) -> str:
    """One stacked horizontal bar per row (e.g. agree / disagree / pass per idea), each
    part numbered inside when it is wide enough; ``scale`` is the count of a full bar
    (default: the largest total)."""
    bar_h = 18
    styles = {s for st in stacks for _n, s in st.parts} | {s for s, _l in (legend.items if legend else [])}
    top = scale or max([sum(n for n, _s in st.parts) for st in stacks] + [1])
    lh = _legend_height(legend)
    body, y = [], lh
    span = WIDTH - TEXT_ROOM
    for st in stacks:
        body.append(f'<text x="0" y="{y + 12}" fill="{INK}">{escape(clip(st.label))}</text>')
        y += 16
        x = 0
        for count, style in st.parts:
            if count <= 0:
                continue
            w = max(1, round(span * count / top))
            body.append(f'<rect x="{x}" y="{y}" width="{w}" height="{bar_h}" fill="{_paint(ident, style)}" '
                        f'stroke="#ffffff" stroke-width="1"/>')
            label = str(count)
            if w >= 8 * len(label) + 6:
                body.append(f'<text x="{x + w / 2:g}" y="{y + 13}" fill="#ffffff" font-weight="bold" '
                            f'text-anchor="middle">{escape(label)}</text>')
            x += w
        if st.text:
            body.append(f'<text x="{x + 4}" y="{y + 13}" fill="{INK}">{escape(st.text)}</text>')
        y += bar_h + 10
    height = max(y, 20)
    return "".join(_open(ident, title, desc, height, styles) + _legend(ident, legend, 0) + body + ["</svg>"])


# --- PNG (for DOCX, where the numbers stand in a table beside the picture) ----------------

def _rgb(hexcolour: str) -> tuple[int, int, int]:
    return tuple(int(hexcolour[i:i + 2], 16) for i in (1, 3, 5))


class Canvas:
    """A tiny RGB raster with filled rectangles, enough for bar charts."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.pixels = [[(255, 255, 255)] * width for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, colour, pattern: str = "solid") -> None:
        colour = _rgb(colour) if isinstance(colour, str) else colour
        light = tuple(round(c * 0.62) for c in colour)     # the pattern darkens, as in the SVG
        for yy in range(max(0, y0), min(self.height, y1)):
            line = self.pixels[yy]
            for xx in range(max(0, x0), min(self.width, x1)):
                if pattern == "hatch" and (xx + yy) % 6 < 2:
                    line[xx] = light
                elif pattern == "dots" and xx % 5 == 2 and yy % 5 == 2:
                    line[xx] = light
                else:
                    line[xx] = colour

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(c for px in line for c in px) for line in self.pixels)

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def grouped_png(groups: list[Group], *, width: int = 360) -> bytes:
    bar_h, row = 12, 15
    height = sum(6 + row * len(g.bars) for g in groups) + 6
    canvas = Canvas(width, max(height, 8))
    y = 6
    for g in groups:
        for b in g.bars:
            frac = _fraction(b.fraction)
            if frac:
                fill, kind = STYLES[b.style]
                canvas.rect(0, y, max(1, round((width - 4) * frac)), y + bar_h, fill, kind)
            y += row
        y += 6
    return canvas.png()


def stacked_png(stacks: list[Stack], *, width: int = 360, scale: int | None = None) -> bytes:
    bar_h, row = 16, 22
    top = scale or max([sum(n for n, _s in st.parts) for st in stacks] + [1])
    canvas = Canvas(width, max(row * len(stacks) + 6, 8))
    for n, st in enumerate(stacks):
        x, y = 0, 4 + n * row
        for count, style in st.parts:
            if count <= 0:
                continue
            w = max(1, round((width - 4) * count / top))
            fill, kind = STYLES[style]
            canvas.rect(x, y, x + w - 1, y + bar_h, fill, kind)
            x += w
    return canvas.png()
