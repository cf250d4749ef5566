"""Sparklines (small multiples) of measures, from their stored chart summaries:
the last points with their signals (``ChartSummary.sparkline``), drawn by
:mod:`openqi.spc.render_sparkline`; no chart is computed here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from openqi.spc.render_sparkline import sparkline_svg, sparkline_text

__all__ = ["sparkline"]


def sparkline(
    name: str, points: Sequence[Sequence[Any]] | None, unit: str = ""
) -> Markup:
    """The SVG of a measure's last points, named by their text alternative
    ("Falls: last 24 points, latest 45 (March 2024), special cause concern")."""
    rows = list(points or [])
    return Markup(sparkline_svg(rows, label=sparkline_text(name, rows, unit)))
