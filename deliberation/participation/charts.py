"""Charts of the indicators: accessible SVG for pages and the PDF, a small PNG for the DOCX
(drawn with the kernel's :class:`kuulas.charts.Canvas`).

Pure: no Flask; the caller passes translated texts.  Every chart has a text alternative, and
the same numbers are always also in a table next to it.
"""
from __future__ import annotations

from html import escape

from kuulas.charts import Canvas

BAR = "#1d5fa8"
PAST = "#8fb1d9"
TARGET = "#b3261e"


def bars_svg(title: str, history: list[tuple[int, float | None]], target: float | None, *,
             fmt=lambda v: f"{v:g}", width: int = 320) -> str:
    """Horizontal bars for the years in ``history`` with a dashed target line."""
    values = [v for _y, v in history if v is not None]
    top = max(values + ([target] if target is not None else []) + [0]) or 1
    row, left, right = 26, 46, 70
    height = row * len(history) + 10
    span = width - left - right
    desc = "; ".join(f"{y}: {fmt(v) if v is not None else '–'}" for y, v in history)
    if target is not None:
        desc += f"; target {fmt(target)}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="pm-chart" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}: {escape(desc)}">']
    for n, (year, value) in enumerate(history):
        y = 5 + n * row
        parts.append(f'<text x="0" y="{y + 16}" font-size="12">{year}</text>')
        if value is not None:
            w = max(1, round(span * value / top))
            colour = BAR if n == len(history) - 1 else PAST
            parts.append(f'<rect x="{left}" y="{y + 4}" width="{w}" height="16" fill="{colour}"/>')
            parts.append(f'<text x="{left + w + 4}" y="{y + 16}" font-size="12">{escape(fmt(value))}</text>')
    if target is not None:
        x = left + round(span * target / top)
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="{TARGET}" stroke-width="2" '
                     f'stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)


def bars_png(history: list[tuple[int, float | None]], target: float | None, *, width: int = 360,
             row: int = 28) -> bytes:
    """The same bars as a PNG (no text: the DOCX puts the numbers in a table beside it)."""
    values = [v for _y, v in history if v is not None]
    top = max(values + ([target] if target is not None else []) + [0]) or 1
    height = row * len(history) + 8
    canvas = Canvas(width, height)
    span = width - 10
    for n, (_year, value) in enumerate(history):
        if value is not None:
            canvas.rect(0, 4 + n * row, max(1, round(span * value / top)), 4 + n * row + 18,
                        BAR if n == len(history) - 1 else PAST)
    if target is not None:
        x = round(span * target / top)
        for yy in range(0, height, 6):
            canvas.rect(x, yy, x + 2, yy + 3, TARGET)
    return canvas.png()
