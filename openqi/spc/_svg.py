"""The drawing pieces the SVG renderers share: colours, elements, axes and legends.

:mod:`openqi.spc.render_chart` and :mod:`openqi.spc.render_funnel` draw with
these, and :mod:`openqi.spc.icons` draws the Making Data Count icons. Text is
escaped for XML here, coordinates are written to two decimals, and the y axis
takes 1-2-5 ticks. The names other than :data:`COLOURS` are private to the
renderers: they may change without notice.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "_attrs",
    "_AXIS",
    "_axis_titles",
    "_c",
    "_CENTRE",
    "_check_size",
    "COLOURS",
    "_DATA_LINE",
    "_el",
    "_esc",
    "_finite",
    "FloatArray",
    "_FONT",
    "_GRID",
    "_heading",
    "_ICON_R",
    "_legend",
    "_legend_rows",
    "_LegendItem",
    "_marker",
    "_LIMIT",
    "_LIMIT_DASH",
    "_line",
    "_line_paths",
    "_list_text",
    "_MUTED",
    "_NEAR",
    "_NEAR_DASH",
    "_OUTLINES",
    "_nice_ticks",
    "_number",
    "_open",
    "_path",
    "_plural",
    "_prefix",
    "_Scale",
    "_sentence",
    "_shape_path",
    "_SHAPES",
    "_svg_open",
    "_TARGET_DASH",
    "_TEXT",
    "_text",
    "_text_width",
    "_tick_label",
    "_truncate",
    "_WHITE",
    "_y_axis",
]

FloatArray = NDArray[np.float64]

#: Making Data Count colours (NHS England, *Making Data Count* SPC tool, icon and
#: point colours; the SPC contract's "Colours" line). ``neutral`` is used for
#: both ``neutral_high`` and ``neutral_low`` points.
COLOURS: dict[str, str] = {
    "common_cause": "#a6a6a6",
    "improvement": "#00b0f0",
    "concern": "#e46c0a",
    "neutral": "#490092",
    "target": "#de1b1b",
}

_FONT = "Arial, Helvetica, sans-serif"
_TEXT = "#231f20"
_MUTED = "#4c6272"
_GRID = "#e8edee"
_WHITE = "#ffffff"
_ICON_R = 17.0

# Every mark that carries meaning has a contrast of at least 3:1 with the white
# background (WCAG 2.2, 1.4.11 Non-text Contrast; tests/spc/test_chart_contrast.py
# computes it): the ratio on white is given beside each colour. The light
# Making Data Count fills (grey 2.43:1, blue 2.48:1) stay, inside a darker
# outline of the same hue, and lines that share a colour differ in dash or width.
_AXIS = "#768692"  # 3.75:1; the x axis line and its ticks
_CENTRE = "#425563"  # 7.75:1; solid, 2 px
_LIMIT = "#768692"  # 3.75:1; dashed, 1.5 px
_NEAR = "#768692"  # 3.75:1; dotted, 1 px
_DATA_LINE = "#858585"  # 3.69:1; MDC's grey line, darkened
_LIMIT_DASH = "6 4"
_NEAR_DASH = "1.5 3"
_TARGET_DASH = "10 3 2 3"  # dash-dot, unlike the limits' dashes

#: Point outlines (3:1 or more on white, the same hue as the fill) and shapes,
#: by signal kind, so that a special-cause point is told apart without colour:
#: common cause a small circle, improvement a diamond, concern a triangle (the
#: warning sign), special cause in neither direction a square; a point left
#: out of the calculations is the same shape, hollow.
_OUTLINES: dict[str, str] = {
    "common_cause": "#757575",  # 4.61:1
    "improvement": "#0072a3",  # 5.34:1
    "concern": "#b35300",  # 5.06:1
    "neutral": "#490092",  # 12.36:1
}
_SHAPES: dict[str, str] = {
    "common_cause": "circle",
    "improvement": "diamond",
    "concern": "triangle",
    "neutral": "square",
}

_ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------------------
# Text, numbers and elements


def _esc(text: object) -> str:
    """Text made safe for XML content and quoted attributes."""
    clean = _BAD_XML_CHARS.sub("", str(text))
    return (
        clean.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _c(x: float) -> str:
    """A coordinate, to two decimals without trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attrs: dict[str, object]) -> str:
    """Attributes as text: ``class_`` is ``class``, other ``_`` become ``-``."""
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        key = "class" if name == "class_" else name.replace("_", "-")
        text = _c(value) if isinstance(value, float) else _esc(value)
        parts.append(f' {key}="{text}"')
    return "".join(parts)


def _el(tag: str, text: str | None = None, /, **attrs: object) -> str:
    """One element; ``text`` (already escaped or markup) as its content."""
    if text is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{text}</{tag}>"


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs: object
) -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, **attrs)


def _text(content: str, x: float | str, y: float | str, **attrs: object) -> str:
    """A ``<text>`` element; ``content`` is plain text, escaped here."""
    return _el("text", _esc(content), x=x, y=y, **attrs)


def _path(
    d: str, stroke: str, width: str, dash: str | None = None, **attrs: object
) -> str:
    """An unfilled ``<path>``; ``dash`` is its ``stroke-dasharray``."""
    return _el(
        "path",
        d=d,
        fill="none",
        stroke=stroke,
        stroke_width=width,
        stroke_dasharray=dash,
        **attrs,
    )


def _open(tag: str, **attrs: object) -> str:
    return f"<{tag}{_attrs(attrs)}>"


def _number(x: float) -> str:
    """A value for prose: four significant figures, thousands separated."""
    if not math.isfinite(x):
        return "none"
    if x == 0:
        return "0"
    decimals = min(6, max(0, 3 - math.floor(math.log10(abs(x)))))
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_width(text: str, size: float) -> float:
    """A rough width in pixels of ``text`` in Arial at ``size`` px."""
    return len(text) * size * 0.53


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _list_text(items: Sequence[str], limit: int = 12) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def _nice_ticks(lo: float, hi: float, count: int = 6) -> tuple[list[float], float]:
    """Round tick values covering ``[lo, hi]`` with a 1-2-5 step.

    The step is the smallest of 1, 2, 5 (or 10) times a power of ten giving
    at most about ``count`` intervals (Heckbert, "Nice numbers for graph
    labels", *Graphics Gems*, 1990); the first and last ticks enclose the data.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo < 1e-12 * max(1.0, abs(lo), abs(hi)):
        pad = abs(lo) * 0.1 if lo != 0 else 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(1, count)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = 10.0 * magnitude
    for multiple in (1.0, 2.0, 5.0):
        if multiple * magnitude >= raw * (1 - 1e-9):
            step = multiple * magnitude
            break
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [k * step for k in range(first, last + 1)], step


def _tick_label(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def _finite(*arrays: Iterable[float] | FloatArray | None) -> list[float]:
    out: list[float] = []
    for array in arrays:
        if array is None:
            continue
        values = np.asarray(array, dtype=float).ravel()
        out.extend(float(v) for v in values[np.isfinite(values)])
    return out


def _check_size(function: str, width: int, height: int, min_height: int) -> None:
    if not isinstance(width, int) or width < 320:
        raise ValueError(f"{function} needs width of 320 pixels or more; got {width!r}")
    if not isinstance(height, int) or height < min_height:
        raise ValueError(
            f"{function} needs height of {min_height} pixels or more; got {height!r}"
        )


def _prefix(function: str, id_prefix: str | None, *parts: object) -> str:
    """The id prefix: the caller's, or a short hash of what is drawn."""
    if id_prefix is not None:
        if not isinstance(id_prefix, str) or not _ID_PATTERN.match(id_prefix):
            raise ValueError(
                f"{function} needs id_prefix to be a valid XML id (a letter or _, "
                f"then letters, digits, '_', '-' or '.'); got {id_prefix!r}"
            )
        return id_prefix
    digest = hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:10]
    return f"openqi-{digest}"


# ---------------------------------------------------------------------------
# Shared drawing pieces


@dataclass(frozen=True)
class _Scale:
    """A linear map from data to pixels."""

    d0: float
    d1: float
    p0: float
    p1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.p0 + self.p1) / 2
        return self.p0 + (value - self.d0) * (self.p1 - self.p0) / (self.d1 - self.d0)

    def many(self, values: FloatArray) -> list[float]:
        """The map of every value, as Python floats: the same arithmetic as
        calling the scale on each, in one NumPy pass."""
        if self.d1 == self.d0:
            return [(self.p0 + self.p1) / 2] * len(values)
        mapped = self.p0 + (values - self.d0) * (self.p1 - self.p0) / (
            self.d1 - self.d0
        )
        return cast("list[float]", mapped.tolist())


def _shape_path(shape: str, size: float) -> tuple[float, float, str]:
    """A marker's outline as path data relative to its first point.

    Returns ``(dx, dy, rest)``: the path starts at the centre plus ``(dx, dy)``
    and ``rest`` (relative commands) draws the closed outline, so a page of
    points writes the same ``rest`` for every point of a kind. ``size`` is the
    radius of a circle of the same area: a diamond's half-diagonal is
    √(π/2)·size, a square's half-side √π/2·size and an equilateral triangle's
    circumradius √(4π/(3√3))·size, with its centroid on the value.
    """
    if shape == "diamond":
        d = size * math.sqrt(math.pi / 2)
        return 0.0, -d, f"l{_c(d)} {_c(d)}l{_c(-d)} {_c(d)}l{_c(-d)} {_c(-d)}z"
    if shape == "square":
        h = size * math.sqrt(math.pi) / 2
        return -h, -h, f"h{_c(2 * h)}v{_c(2 * h)}h{_c(-2 * h)}z"
    if shape == "triangle":
        r = size * math.sqrt(4 * math.pi / (3 * math.sqrt(3)))
        half = r * math.sqrt(3) / 2
        return 0.0, -r, f"l{_c(half)} {_c(1.5 * r)}h{_c(-2 * half)}z"
    raise ValueError(f"unknown marker shape {shape!r}")


def _marker(
    shape: str,
    x: float,
    y: float,
    size: float,
    fill: str,
    stroke: str,
    stroke_width: str,
    content: str | None = None,
    **attrs: object,
) -> str:
    """One point marker: a ``<circle>`` of radius ``size``, or a ``<path>`` of
    a diamond, square or triangle of the same area (see :func:`_shape_path`)."""
    if shape == "circle":
        return _el(
            "circle",
            content,
            **attrs,
            cx=x,
            cy=y,
            r=size,
            fill=fill,
            stroke=stroke,
            stroke_width=stroke_width,
        )
    dx, dy, rest = _shape_path(shape, size)
    return _el(
        "path",
        content,
        **attrs,
        d=f"M{_c(x + dx)} {_c(y + dy)}{rest}",
        fill=fill,
        stroke=stroke,
        stroke_width=stroke_width,
        stroke_linejoin="round",
    )


@dataclass(frozen=True)
class _LegendItem:
    """A legend entry: a point marker or a line swatch, drawn as on the chart."""

    kind: str  # "point" or "line"
    colour: str  # a point's fill, a line's stroke
    label: str
    dash: str | None = None
    width: float = 2.0
    shape: str = "circle"
    outline: str | None = None  # a point's stroke (its colour when None)
    size: float = 4.0

    @property
    def span(self) -> float:
        return 30 + _text_width(self.label, 11) + 18


def _legend_rows(items: Sequence[_LegendItem], room: float) -> list[list[_LegendItem]]:
    rows: list[list[_LegendItem]] = [[]]
    used = 0.0
    for item in items:
        if rows[-1] and used + item.span > room:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += item.span
    return rows if rows[0] else []


def _legend(rows: list[list[_LegendItem]], x0: float, y0: float) -> list[str]:
    out = [_open("g", class_="legend", font_size="11")]
    for r, row in enumerate(rows):
        x = x0
        y = y0 + r * 18
        for item in row:
            if item.kind == "line":
                out.append(
                    _line(
                        x,
                        y,
                        x + 22,
                        y,
                        item.colour,
                        class_="legend-line",
                        stroke_width=item.width,
                        stroke_dasharray=item.dash,
                    )
                )
            else:
                out.append(
                    _marker(
                        item.shape,
                        x + 11,
                        y,
                        item.size,
                        item.colour,
                        item.outline or item.colour,
                        "1.5",
                        class_="legend-point",
                    )
                )
            out.append(_text(item.label, x + 28, y + 4, fill=_TEXT))
            x += item.span
    out.append("</g>")
    return out


def _y_axis(
    ticks: Sequence[float], step: float, to_y: _Scale, left: float, right: float
) -> list[str]:
    out = [_open("g", class_="y-axis", font_size="11")]
    for tick in ticks:
        y = to_y(tick)
        out.append(_line(left, y, right, y, _GRID, class_="grid"))
        out.append(
            _text(
                _tick_label(tick, step),
                left - 6,
                y + 4,
                class_="tick-label",
                text_anchor="end",
                fill=_MUTED,
            )
        )
    out.append("</g>")
    return out


def _axis_titles(
    x_label: str | None,
    y_label: str | None,
    left: float,
    top: float,
    plot_width: float,
    plot_height: float,
    x_title_y: float,
) -> list[str]:
    out = []
    if y_label:
        cy = top + plot_height / 2
        out.append(
            _text(
                y_label,
                "16",
                cy,
                class_="axis-title",
                dy="0.35em",
                text_anchor="middle",
                transform=f"rotate(-90 16 {_c(cy)})",
                fill=_TEXT,
            )
        )
    if x_label:
        out.append(
            _text(
                x_label,
                left + plot_width / 2,
                x_title_y,
                class_="axis-title",
                text_anchor="middle",
                fill=_TEXT,
            )
        )
    return out


def _line_paths(xs: Sequence[float], ys: Sequence[float]) -> list[str]:
    """Path data for a line through the points, broken wherever y is not finite."""
    paths: list[str] = []
    current: list[str] = []
    for x, y in zip(xs, ys, strict=True):
        if math.isfinite(y):
            current.append(f"{'L' if current else 'M'}{_c(x)} {_c(y)}")
        elif current:
            paths.append(" ".join(current))
            current = []
    if current:
        paths.append(" ".join(current))
    return paths


def _svg_open(prefix: str, width: int, height: int, css: str) -> str:
    return _open(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        role="img",
        aria_labelledby=f"{prefix}-title {prefix}-desc",
        width=str(width),
        height=str(height),
        viewBox=f"0 0 {width} {height}",
        font_family=_FONT,
        font_size="12",
        class_=css,
        id=prefix,
    )


def _heading(
    prefix: str, title: str, desc: str, width: int, height: int, room: float
) -> list[str]:
    """``<title>``, ``<desc>``, a white background and the visible title."""
    size = 15.0
    while _text_width(title, size) > room and size > 11:
        size -= 1
    visible = _truncate(title, max(8, int(room / (size * 0.56))))
    return [
        _el("title", _esc(title), id=f"{prefix}-title"),
        _el("desc", _esc(desc), id=f"{prefix}-desc"),
        _el("rect", x="0", y="0", width=str(width), height=str(height), fill=_WHITE),
        _text(
            visible,
            "16",
            "26",
            class_="chart-title",
            font_size=size,
            font_weight="bold",
            fill=_TEXT,
            aria_hidden="true",
        ),
    ]
