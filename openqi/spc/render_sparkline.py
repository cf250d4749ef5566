"""Sparklines: a measure's last points as a small SVG, drawn the way its chart
draws them.

The points are plain values (a chart summary's ``[label, value, signal]``
triples). Common-cause points are small grey circles; a special-cause point
keeps the chart's colour and shape (improvement a blue diamond, concern an
orange triangle, special cause in neither direction a purple square), so the
signals are told apart without colour. Every sparkline carries its text
alternative (:func:`sparkline_text`) as its accessible name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ._svg import (
    _DATA_LINE,
    _OUTLINES,
    _SHAPES,
    COLOURS,
    _c,
    _el,
    _esc,
    _marker,
)
from .explain import SIGNAL_WORDS, period_words

__all__ = ["sparkline_svg", "sparkline_text"]

#: Drawn size in CSS pixels.
WIDTH = 120
HEIGHT = 32
#: Room kept round the points for the markers.
_PAD = 4.0
_DOT = 1.6
_MARK = 3.2


def _kind(signal: str) -> str:
    if signal in ("neutral_high", "neutral_low"):
        return "neutral"
    return signal if signal in _SHAPES else "common_cause"


def _value(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


def _points(points: Sequence[Sequence[Any]]) -> list[tuple[str, float | None, str]]:
    out = []
    for point in points:
        label = str(point[0]) if len(point) > 0 else ""
        value = _value(point[1]) if len(point) > 1 else None
        signal = str(point[2]) if len(point) > 2 else "common_cause"
        out.append((label, value, signal))
    return out


def sparkline_text(name: str, points: Sequence[Sequence[Any]], unit: str = "") -> str:
    """The sparkline in words: "Falls: last 12 points, latest 45 (March 2024),
    special cause concern; 3 special cause points"; "Falls: no data yet" when
    there is nothing to draw.

    ``points`` are ``[period label, value or None, signal]`` each; ``unit`` is
    written after the latest value (``%``, ``minutes``).
    """
    rows = _points(points)
    shown = [row for row in rows if row[1] is not None]
    if not shown:
        return f"{name}: no data yet"
    label, value, signal = shown[-1]
    assert value is not None  # shown holds values only
    count = len(shown)
    text = f"{name}: last {count} point{'' if count == 1 else 's'}, latest "
    text += _number(value) + (f" {unit}" if unit else "")
    text += f" ({period_words(label)}), "
    text += SIGNAL_WORDS.get(signal, "common cause")
    special = sum(1 for row in shown if _kind(row[2]) != "common_cause")
    if special:
        text += f"; {special} special cause point{'' if special == 1 else 's'}"
    return text


def sparkline_svg(
    points: Sequence[Sequence[Any]],
    *,
    label: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """A small SVG of ``points`` (``[period label, value or None, signal]`` each,
    oldest first) named by ``label`` (its text alternative, see
    :func:`sparkline_text`).

    A line joins the points with values (a gap where a value is missing); each
    point is marked by its signal as the full chart marks it. With no value to
    draw the drawing is empty but still named.

    >>> svg = sparkline_svg([["2024-01", 3, "common_cause"],
    ...                      ["2024-02", 9, "concern"]], label="Falls")
    >>> svg.startswith("<svg") and 'aria-label="Falls"' in svg
    True
    """
    rows = _points(points)
    values = [v for _, v, _ in rows if v is not None]
    parts = [_el("title", _esc(label))]
    if values:
        low, high = min(values), max(values)
        n = len(rows)
        room_x = width - 2 * _PAD
        room_y = height - 2 * _PAD

        def x_at(i: int) -> float:
            return _PAD + (room_x * i / (n - 1) if n > 1 else room_x / 2)

        def y_at(v: float) -> float:
            if high == low:
                return height / 2
            return _PAD + room_y * (high - v) / (high - low)

        runs: list[str] = []
        run: list[str] = []
        for i, (_, v, _) in enumerate(rows):
            if v is None:
                if len(run) > 1:
                    runs.append("M" + "L".join(run))
                run = []
                continue
            run.append(f"{_c(x_at(i))} {_c(y_at(v))}")
        if len(run) > 1:
            runs.append("M" + "L".join(run))
        if runs:
            parts.append(
                _el(
                    "path",
                    d="".join(runs),
                    fill="none",
                    stroke=_DATA_LINE,
                    stroke_width="1.2",
                    stroke_linejoin="round",
                )
            )
        for i, (_, v, signal) in enumerate(rows):
            if v is None:
                continue
            kind = _kind(signal)
            parts.append(
                _marker(
                    _SHAPES[kind],
                    x_at(i),
                    y_at(v),
                    _DOT if kind == "common_cause" else _MARK,
                    COLOURS[kind],
                    _OUTLINES[kind],
                    "0.8",
                    class_=f"openqi-spark-{kind}",
                )
            )
    attrs = (
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_esc(label)}"'
        f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' class="openqi-sparkline" focusable="false"'
    )
    return f"<svg {attrs}>{''.join(parts)}</svg>"
