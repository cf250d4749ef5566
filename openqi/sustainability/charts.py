"""The sustainability pages' drawings, on the server as SVG (no script), each
with a <title> and <desc>; the pages put a table of the same numbers beside them.

Marks are NHS blue (6.3:1 on white) and the secondary text grey (6.1:1), so each
has at least 3:1 contrast with the background (WCAG 2.2 1.4.11).
"""

from __future__ import annotations

import datetime
from html import escape

from markupsafe import Markup

from .scoring import HIGHEST, LOWEST, FactorScore

DATA = "#005eb8"
AXIS = "#4c6272"
GRID = "#e8edee"
FONT = 'font-family="Frutiger W01, Arial, Helvetica, sans-serif"'


def spread_svg(factors: tuple[FactorScore, ...], chart_id: str) -> Markup:
    """Each factor's range of ratings (a bar from lowest to highest) and its
    median (a dot), on the 1–5 scale."""
    label_w, plot_w, row_h, top = 210, 240, 26, 24
    height = top + row_h * len(factors) + 8
    width = label_w + plot_w + 16

    def x(value: float) -> float:
        return label_w + (value - LOWEST) / (HIGHEST - LOWEST) * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="sustain-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">The team\'s ratings of each factor</title>',
        f'<desc id="{chart_id}-desc">For each factor, a bar from the lowest to the '
        "highest rating on a scale of 1 to 5, and a dot at the median. The table "
        "that follows gives the same numbers.</desc>",
    ]
    for value in range(LOWEST, HIGHEST + 1):
        parts.append(
            f'<line x1="{x(value):.1f}" y1="{top - 6}" x2="{x(value):.1f}" '
            f'y2="{height - 8}" stroke="{GRID}"/>'
            f'<text x="{x(value):.1f}" y="{top - 10}" text-anchor="middle" '
            f'font-size="11" fill="{AXIS}" {FONT}>{value}</text>'
        )
    for i, f in enumerate(factors):
        y = top + row_h * i + row_h / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#212b32" {FONT}>{escape(f.title)}</text>'
        )
        if f.median is None or f.lowest is None or f.highest is None:
            parts.append(
                f'<text x="{x(LOWEST):.1f}" y="{y + 4:.1f}" font-size="11" '
                f'fill="{AXIS}" {FONT}>not rated</text>'
            )
            continue
        parts.append(
            f'<line x1="{x(f.lowest):.1f}" y1="{y:.1f}" x2="{x(f.highest):.1f}" '
            f'y2="{y:.1f}" stroke="{AXIS}" stroke-width="4" stroke-linecap="round"/>'
            f'<circle cx="{x(f.median):.1f}" cy="{y:.1f}" r="6" fill="{DATA}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def history_svg(points: list[tuple[datetime.date, float]], chart_id: str) -> Markup:
    """The score out of 100 at each check, as a small line."""
    width, height, left, right, top, bottom = 320, 140, 36, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    count = len(points)

    def x(i: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="sustain-chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">Score over repeated checks</title>',
        f'<desc id="{chart_id}-desc">The score out of 100 at each of {count} checks, '
        "oldest first; the table gives the same numbers.</desc>",
    ]
    for value in (0, 50, 100):
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="{AXIS}" {FONT}>{value}</text>'
        )
    coords = [(x(i), y(score)) for i, (_, score) in enumerate(points)]
    if len(coords) > 1:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{DATA}" stroke-width="2"/>'
        )
    for cx, cy in coords:
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{DATA}"/>')
    if points:
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="11" fill="{AXIS}" {FONT}>{points[0][0]:%b %Y}</text>'
        )
        if count > 1:
            parts.append(
                f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="11" fill="{AXIS}" {FONT}>{points[-1][0]:%b %Y}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
