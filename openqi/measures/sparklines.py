"""Sparklines (small multiples) of measures, from their stored chart summaries:
the last points with their signals (``ChartSummary.sparkline``), drawn by
:mod:`openqi.spc.render_sparkline`; no chart is computed here."""

from __future__ import annotations

import functools
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
    rows = tuple(tuple(row) for row in points or ())
    return Markup(_drawn(name, rows, unit))


@functools.lru_cache(maxsize=4096)
def _drawn(name: str, rows: tuple[tuple[Any, ...], ...], unit: str) -> str:
    """Drawn once per distinct name, points and unit in each process: a list of
    fifty measures draws no sparkline again until one's points change (its
    summary's, computed when its data change), and the drawing is a pure
    function of what it is given."""
    return sparkline_svg(list(rows), label=sparkline_text(name, list(rows), unit))
