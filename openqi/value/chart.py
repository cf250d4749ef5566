"""The programme page's chart: cumulative benefits (low, central and high) against
the cumulative investment by financial year, drawn on the server as SVG (no
script) with a <title> and <desc>; the page puts a table of the same figures
beside it. Lines differ by dash as well as colour, and the legend names each."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from markupsafe import Markup

from .returns import ProgrammeReturn

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 84, 44, 16, 76
BACKGROUND = "#ffffff"
#: NHS red (5.9:1 on white), NHS blue (6.3:1), the secondary text grey (6.1:1).
INVESTMENT = "#d5281b"
CENTRAL = "#005eb8"
RANGE = "#4c6272"
AXIS = "#4c6272"
GRID = "#e8edee"
FONT = 'font-family="Frutiger W01, Arial, Helvetica, sans-serif"'


def pounds(value: Decimal | float) -> str:
    """£1,234,567 (whole pounds)."""
    amount = Decimal(value).quantize(Decimal(1))
    return f"-£{-amount:,}" if amount < 0 else f"£{amount:,}"


def number(value: Decimal) -> str:
    """12,345 or 12,345.5: thousands grouped, no trailing zeros."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1000.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * power
        while top < value:
            top += step * power
        if top >= value:
            return float(top)
    return value  # pragma: no cover


def return_svg(result: ProgrammeReturn, chart_id: str = "return-chart") -> Markup:
    rows = result.rows
    count = len(rows)
    values = [float(r.cumulative_investment) for r in rows]
    for name in ("low", "central", "high"):
        values += [float(r.cumulative_benefits[name]) for r in rows]
    top = _nice_top(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: float) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    if rows:
        first, last = rows[0].label, rows[-1].label
        central = result.scenario("central")
        desc = (
            f"By the end of {last}, {pounds(rows[-1].cumulative_investment)} invested "
            f"and {pounds(rows[-1].cumulative_benefits['central'])} of realised benefits "
            f"(low {pounds(rows[-1].cumulative_benefits['low'])}, high "
            f"{pounds(rows[-1].cumulative_benefits['high'])})."
        )
        if central.threshold:
            desc += (
                f" Realised benefits reach the investment in {central.threshold.label}, "
                f"at {pounds(central.threshold.amount)}."
            )
        else:
            desc += " Realised benefits have not yet reached the investment."
        title = f"Cumulative benefits and investment, {first} to {last}"
    else:
        title, desc = "Cumulative benefits and investment", "Nothing recorded yet."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="openqi-return-chart" '
        f'width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT} '
        f'font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
    ]
    for step in range(5):
        tick = top * step / 4
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
            f'stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" '
            f'fill="{AXIS}">{pounds(tick)}</text>'
        )
    base = y(0)
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base:.1f}" stroke="{AXIS}"/>'
        f'<line x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" y2="{base:.1f}" '
        f'stroke="{AXIS}"/>'
    )
    for i, row in enumerate(rows):
        parts.append(
            f'<text x="{x(i):.1f}" y="{base + 16:.1f}" text-anchor="middle" '
            f'fill="{AXIS}">{row.label}</text>'
        )
    lines = [
        (
            "investment",
            "Investment",
            INVESTMENT,
            "8 4",
            2.5,
            [r.cumulative_investment for r in rows],
        ),
        (
            "central",
            "Central (realised)",
            CENTRAL,
            "",
            2.5,
            [r.cumulative_benefits["central"] for r in rows],
        ),
        ("low", "Low", RANGE, "2 3", 1.5, [r.cumulative_benefits["low"] for r in rows]),
        (
            "high",
            "High (with expected)",
            RANGE,
            "5 2 1 2",
            1.5,
            [r.cumulative_benefits["high"] for r in rows],
        ),
    ]
    legend_x = LEFT
    legend_y = HEIGHT - 16
    for name, label, colour, dashes, width, points in lines:
        dash = f' stroke-dasharray="{dashes}"' if dashes else ""
        if rows:
            coords = " ".join(
                f"{x(i):.1f},{y(float(v)):.1f}" for i, v in enumerate(points)
            )
            parts.append(
                f'<polyline class="line-{name}" points="{coords}" fill="none" '
                f'stroke="{colour}" stroke-width="{width}"{dash}/>'
            )
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 24}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="{width}"{dash}/>'
            f'<text x="{legend_x + 30}" y="{legend_y}" fill="{AXIS}">{label}</text>'
        )
        legend_x += 40 + 7 * len(label)
    threshold = result.scenario("central").threshold if rows else None
    if threshold is not None:
        tx, ty = x(max(threshold.position - 1, 0)), y(float(threshold.amount))
        parts.append(
            f'<circle class="threshold" cx="{tx:.1f}" cy="{ty:.1f}" r="5" '
            f'fill="{BACKGROUND}" stroke="{CENTRAL}" stroke-width="2.5"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped or a number
