"""The capability page's trend charts: one small line chart per level, drawn on
the server as SVG (no script), each with a <title> and <desc>; the page puts a
table of the same numbers beside them.

Every mark has at least 3:1 contrast with the white background (WCAG 2.2
1.4.11; tests/capability/test_capability_coverage_charts.py measures them as
tests/spc/test_chart_contrast.py does the SPC charts'); the target is told from
the data by its dashes as well as its colour, and the legend names both.
"""

from __future__ import annotations

import datetime
import math
from html import escape

from markupsafe import Markup

from .coverage import Cell, LevelInfo

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 14, 58
BACKGROUND = "#ffffff"
#: NHS blue (6.3:1 on white), NHS red (5.9:1) and the secondary text grey (6.1:1).
DATA = "#005eb8"
TARGET = "#d5281b"
AXIS = "#4c6272"
GRID = "#e8edee"
FONT = 'font-family="Frutiger W01, Arial, Helvetica, sans-serif"'


def _nice_top(value: int) -> int:
    """A round number at or above ``value`` for the top of the y axis."""
    if value <= 4:
        return 4
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 2.5, 5, 10):
        top = math.ceil(value / (step * power)) * step * power
        if top >= value:
            return int(top)
    return value  # pragma: no cover - the loop always returns


def _month(day: datetime.date) -> str:
    return f"{day:%b %Y}"


def trend_svg(
    level: LevelInfo,
    months: tuple[datetime.date, ...],
    points: tuple[int, ...],
    cell: Cell,
    chart_id: str,
) -> Markup:
    """One level's people over the months, with its organisation-wide target."""
    need = cell.goal.need if cell.goal else None
    top = _nice_top(max([*points, need or 0, 1]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(points)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    name = escape(level.name)
    first, last = months[0], months[-1]
    title = f"{name}: people at this level, {_month(first)} to {_month(last)}"
    desc = (
        f"{points[0]:,} people in {first:%B %Y}, {points[-1]:,} in {last:%B %Y}."
        if points
        else "No months to show."
    )
    if cell.goal is not None:
        desc += (
            f" The organisation's target ({escape(cell.goal.describe)}, due "
            f"{cell.goal.due_on.day} {cell.goal.due_on:%B %Y}) needs "
            f"{cell.goal.need:,} people."
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="openqi-coverage-chart" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} '
        f'font-size="12">',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">{desc}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
    ]
    for tick in (0, top // 2, top):
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{ty:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<line class="tick" x1="{LEFT - 4}" y1="{ty:.1f}" x2="{LEFT}" '
            f'y2="{ty:.1f}" stroke="{AXIS}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" '
            f'fill="{AXIS}">{tick:,}</text>'
        )
    base = y(0)
    parts.append(
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base:.1f}" '
        f'stroke="{AXIS}"/>'
    )
    parts.append(
        f'<line class="axis" x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{base:.1f}" stroke="{AXIS}"/>'
    )
    for i, anchor in ((0, "start"), (count - 1, "end")):
        if count:
            parts.append(
                f'<line class="tick" x1="{x(i):.1f}" y1="{base:.1f}" x2="{x(i):.1f}" '
                f'y2="{base + 4:.1f}" stroke="{AXIS}"/>'
            )
            parts.append(
                f'<text x="{x(i):.1f}" y="{base + 16:.1f}" text-anchor="{anchor}" '
                f'fill="{AXIS}">{_month(months[i])}</text>'
            )
    if need is not None:
        parts.append(
            f'<line class="target-line" x1="{LEFT}" y1="{y(need):.1f}" '
            f'x2="{WIDTH - RIGHT}" y2="{y(need):.1f}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    if count:
        line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points))
        parts.append(
            f'<polyline class="data-line" points="{line}" fill="none" '
            f'stroke="{DATA}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle class="point" cx="{x(count - 1):.1f}" cy="{y(points[-1]):.1f}" '
            f'r="3.5" fill="{DATA}"/>'
        )
    legend_y = HEIGHT - 14
    parts.append(
        f'<line class="legend-line" x1="{LEFT}" y1="{legend_y - 4}" '
        f'x2="{LEFT + 20}" y2="{legend_y - 4}" stroke="{DATA}" stroke-width="2"/>'
    )
    parts.append(f'<text x="{LEFT + 26}" y="{legend_y}" fill="{AXIS}">People</text>')
    if need is not None:
        lx = LEFT + 90
        parts.append(
            f'<line class="legend-target" x1="{lx}" y1="{legend_y - 4}" '
            f'x2="{lx + 20}" y2="{legend_y - 4}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{lx + 26}" y="{legend_y}" fill="{AXIS}">Target: {need:,}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above
