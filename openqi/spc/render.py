"""SVG drawings of SPC charts and funnel plots in the NHS Making Data Count style.

:func:`render_svg` draws a :class:`~openqi.spc.results.ChartResult` and
:func:`render_funnel_svg` a :class:`~openqi.spc.results.FunnelResult`. Both
return one self-contained ``<svg>`` element as text, built with the standard
library and NumPy only, so the web app, the CLI and a notebook draw the same
picture. Every drawing is accessible: ``role="img"`` with a ``<title>`` and a
``<desc>`` that says in words what the chart shows, so a screen-reader user
hears the verdict a sighted reader sees.

The colours are the Making Data Count ones fixed in the SPC contract
(:data:`COLOURS`). The variation and assurance icons are our own drawing of the
Making Data Count icon idea (NHS England, *Making Data Count: Getting
started*, 2019, "SPC icons"): a filled circle for variation, coloured by the
category, with H or L for a high or low latest point; a ring for assurance,
with P (consistently passing), F (consistently failing) or a wavy line
(inconsistent).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openqi.spc.results import ChartResult, FunnelResult

__all__ = ["COLOURS", "render_funnel_svg", "render_svg"]

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
_AXIS = "#aeb7bd"
_CENTRE = "#425563"
_LIMIT = "#768692"
_NEAR = "#aeb7bd"
_DATA_LINE = "#a6a6a6"
_WHITE = "#ffffff"
_ICON_R = 17.0
_LIMIT_DASH = "5 4"
_TARGET_DASH = "8 4"

_CHART_NAMES: dict[str, str] = {
    "xmr": "XmR (individuals) chart",
    "i": "XmR (individuals) chart",
    "run": "run chart",
    "p": "p chart (proportions)",
    "u": "u chart (rates)",
    "pp": "Laney p′ chart (proportions, adjusted for over-dispersion)",
    "up": "Laney u′ chart (rates, adjusted for over-dispersion)",
    "c": "c chart (counts)",
    "g": "g chart (opportunities between events)",
    "t": "t chart (time between events)",
    "mr": "moving range (mR) chart",
}

_NEITHER = "special cause variation, neither improvement nor concern"
_VARIATION_WORDS: dict[str, str] = {
    "common_cause": "common cause variation: no special cause at the latest point",
    "improvement_high": "special cause improvement: the latest point is high",
    "improvement_low": "special cause improvement: the latest point is low",
    "concern_high": "special cause concern: the latest point is high",
    "concern_low": "special cause concern: the latest point is low",
    "neutral_high": f"{_NEITHER}: the latest point is high",
    "neutral_low": f"{_NEITHER}: the latest point is low",
}

_ASSURANCE_WORDS: dict[str, str] = {
    "consistent_pass": (
        "the process will consistently pass the target of {target} "
        "(the target lies outside the process limits, so every expected value meets it)"
    ),
    "consistent_fail": (
        "the process will consistently fail the target of {target} "
        "(the target lies outside the process limits, so no expected value meets it)"
    ),
    "inconsistent": (
        "the process will not consistently hit or miss the target of {target} "
        "(the target lies between the process limits)"
    ),
}

_SIGNAL_WORDS: dict[str, str] = {
    "common_cause": "common cause",
    "improvement": "special cause improvement",
    "concern": "special cause concern",
    "neutral_high": "special cause, high",
    "neutral_low": "special cause, low",
}

_ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STRIDES = (1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 25, 50, 52, 100, 200, 250, 500, 1000)


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


@dataclass(frozen=True)
class _LegendItem:
    kind: str  # "point", "hollow" or "line"
    colour: str
    label: str
    dash: str | None = None
    width: float = 2.0

    @property
    def span(self) -> float:
        return 30 + _text_width(self.label, 11) + 14


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
                        stroke_width=item.width,
                        stroke_dasharray=item.dash,
                    )
                )
            else:
                fill = _WHITE if item.kind == "hollow" else item.colour
                out.append(
                    _el(
                        "circle",
                        cx=x + 11,
                        cy=y,
                        r="4",
                        fill=fill,
                        stroke=item.colour,
                        stroke_width="1.5",
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


# ---------------------------------------------------------------------------
# Icons


def _variation_icon(variation: str, cx: float, cy: float) -> list[str]:
    category, _, side = variation.partition("_")
    colour = {
        "improvement": COLOURS["improvement"],
        "concern": COLOURS["concern"],
        "neutral": COLOURS["neutral"],
    }.get(category, COLOURS["common_cause"])
    words = _VARIATION_WORDS.get(variation, variation.replace("_", " "))
    out = [
        _open("g", class_=f"icon variation-icon variation-{variation}"),
        _el("title", _esc(f"Variation: {words}")),
        _el("circle", cx=cx, cy=cy, r=_ICON_R, fill=colour),
    ]
    if side in ("high", "low"):
        out.append(
            _el(
                "text",
                "H" if side == "high" else "L",
                x=cx,
                y=cy + 6,
                text_anchor="middle",
                font_size="17",
                font_weight="bold",
                fill=_WHITE,
            )
        )
    else:
        # Common cause: a few points scattered about their mean.
        dots = [(-9.0, 2.0), (-4.5, -3.0), (0.0, 1.5), (4.5, -2.5), (9.0, 2.5)]
        points = " ".join(f"{_c(cx + dx)},{_c(cy + dy)}" for dx, dy in dots)
        out.append(
            _el(
                "polyline",
                points=points,
                fill="none",
                stroke=_WHITE,
                stroke_width="1.5",
            )
        )
        for dx, dy in dots:
            out.append(_el("circle", cx=cx + dx, cy=cy + dy, r="1.8", fill=_WHITE))
    out.append("</g>")
    return out


def _assurance_icon(
    assurance: str, target: float | None, cx: float, cy: float
) -> list[str]:
    colour = {
        "consistent_pass": COLOURS["improvement"],
        "consistent_fail": COLOURS["concern"],
    }.get(assurance, COLOURS["common_cause"])
    out = [
        _open("g", class_=f"icon assurance-icon assurance-{assurance}"),
        _el("title", _esc(f"Assurance: {_assurance_words(assurance, target)}")),
        _el(
            "circle",
            cx=cx,
            cy=cy,
            r=_ICON_R - 1.5,
            fill=_WHITE,
            stroke=colour,
            stroke_width="3",
        ),
    ]
    if assurance in ("consistent_pass", "consistent_fail"):
        out.append(
            _el(
                "text",
                "P" if assurance == "consistent_pass" else "F",
                x=cx,
                y=cy + 6,
                text_anchor="middle",
                font_size="17",
                font_weight="bold",
                fill=colour,
            )
        )
    else:
        # Inconsistent: a wavy process line crossing a dashed target.
        out.append(
            _line(
                cx - 10,
                cy,
                cx + 10,
                cy,
                COLOURS["target"],
                stroke_width="1.5",
                stroke_dasharray="3 2",
            )
        )
        out.append(
            _path(f"M{_c(cx - 10)} {_c(cy)} q2.5 -7 5 0 t5 0 t5 0 t5 0", colour, "2")
        )
    out.append("</g>")
    return out


def _assurance_words(assurance: str | None, target: float | None) -> str:
    if assurance is None:
        if target is None:
            return "no assurance icon, because no target was given"
        return (
            f"no assurance icon: the target of {_number(target)} needs an improvement "
            "direction (increase or decrease) to be judged"
        )
    template = _ASSURANCE_WORDS.get(assurance)
    if template is None:
        return assurance.replace("_", " ")
    return template.format(target="none" if target is None else _number(target))


# ---------------------------------------------------------------------------
# Control and run charts


def _signal_colour(signal: str) -> str:
    if signal in ("neutral_high", "neutral_low"):
        return COLOURS["neutral"]
    return COLOURS.get(signal, COLOURS["common_cause"])


def _centre_name(chart: str) -> str:
    if chart in ("run", "g"):
        return "median"
    if chart == "mr":
        return "mean moving range"
    return "mean"


def _chart_key(chart: str) -> str:
    key = chart.lower()
    return key.removesuffix("_chart")


def _phase_spans(phase: NDArray[np.int64], n: int) -> list[tuple[int, int]]:
    """Contiguous ``(start, end)`` index spans of one phase number each."""
    labels = np.asarray(phase) if len(phase) == n else np.zeros(n, dtype=np.int64)
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, n):
        if labels[i] != labels[i - 1]:
            spans.append((start, i - 1))
            start = i
    spans.append((start, n - 1))
    return spans


def _step_path(
    values: FloatArray, start: int, end: int, x_left: _Scale, to_y: _Scale
) -> str:
    """Path data for a per-point line over points ``start..end``, as steps.

    Each point's value spans its band; the ends are inset so that the lines of
    neighbouring phases stay apart. Non-finite values break the line.
    """
    band = x_left(1) - x_left(0)
    inset = min(band * 0.25, 4.0)
    parts: list[str] = []
    previous_y: float | None = None
    for i in range(start, end + 1):
        value = float(values[i])
        if not math.isfinite(value):
            previous_y = None
            continue
        y = to_y(value)
        x0 = x_left(i) + (inset if i == start else 0.0)
        x1 = x_left(i + 1) - (inset if i == end else 0.0)
        if previous_y is None:
            parts.append(f"M{_c(x0)} {_c(y)}")
        elif abs(y - previous_y) > 0.005:
            parts.append(f"V{_c(y)}")
        parts.append(f"H{_c(x1)}")
        previous_y = y
    return " ".join(parts)


def _x_label_plan(labels: Sequence[str], band: float) -> tuple[int, bool, list[str]]:
    """Points between x labels, whether to turn them 45°, and the texts."""
    n = len(labels)
    texts = [_truncate(label, 24) for label in labels]
    widest = max(_text_width(t, 11) for t in texts)

    def stride_for(space: float) -> int:
        for stride in _STRIDES:
            if stride * band >= space:
                return stride
        return max(1, math.ceil(space / band))

    horizontal = stride_for(widest + 10)
    if math.ceil(n / horizontal) >= min(n, 6):
        return horizontal, False, texts
    return stride_for(17), True, [_truncate(label, 16) for label in labels]


@dataclass(frozen=True)
class _Series:
    """A chart result's arrays as checked float arrays."""

    values: FloatArray
    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray
    excluded: NDArray[np.bool_]

    @classmethod
    def of(cls, result: ChartResult) -> _Series:
        n = len(result.periods)
        arrays = {}
        for name in ("values", "centre", "lower", "upper"):
            array = np.asarray(getattr(result, name), dtype=float)
            if array.shape != (n,):
                raise ValueError(
                    f"render_svg needs result.{name} with one entry per period ({n}); "
                    f"got shape {array.shape}"
                )
            arrays[name] = array
        near = []
        for name in ("near_lower", "near_upper"):
            array = np.asarray(getattr(result, name), dtype=float)
            near.append(array if array.shape == (n,) else np.full(n, np.nan))
        excluded = np.asarray(result.is_excluded, dtype=bool)
        if excluded.shape != (n,):
            excluded = np.zeros(n, dtype=bool)
        return cls(near_lower=near[0], near_upper=near[1], excluded=excluded, **arrays)


def render_svg(
    result: ChartResult,
    *,
    title: str | None = None,
    y_label: str | None = None,
    x_label: str | None = None,
    width: int = 800,
    height: int = 400,
    id_prefix: str | None = None,
    show_near: bool = False,
    annotations: Sequence[tuple[str, str]] = (),
) -> str:
    """Draw an SPC or run chart as an accessible SVG in the Making Data Count style.

    Parameters
    ----------
    result : ChartResult
        What a chart function (:func:`openqi.spc.charts.xmr`, ``p_chart`` …)
        returned.
    title : str, optional
        Shown at the top left and used as the SVG's ``<title>``; defaults to
        the chart's name ("XmR (individuals) chart").
    y_label, x_label : str, optional
        Axis titles (units belong here, e.g. "Attendances").
    width, height : int
        Size in pixels (also the ``viewBox``, so the drawing scales with CSS).
    id_prefix : str, optional
        Prefix of every ``id`` in the drawing, so that several charts can share
        a page. Defaults to ``openqi-`` and a short hash of the chart's data,
        stable from call to call; pass one when a page shows the same chart
        twice.
    show_near : bool
        Also draw the two-sigma "near" lines used by the two-of-three rule.
    annotations : sequence of (period, text)
        Notes on points ("new triage process started"): each is drawn as a
        numbered marker above its period, with the text as its tooltip and in
        the description.

    Returns
    -------
    str
        One ``<svg role="img" aria-labelledby="...">`` element. It holds a
        ``<title>`` and a ``<desc>`` (the chart type, the number of points and
        the period range, the latest phase's centre and limits, the variation
        and assurance icons in words, the runs analysis where there is one,
        missing and excluded points, and every signal's description), the
        marks, the icons and a ``<g class="legend">``.

    Raises
    ------
    ValueError
        If the result has no points, its arrays do not match its periods, the
        size is too small to draw in, or ``id_prefix`` is not a valid XML id.

    Notes
    -----
    What is drawn follows NHS England's *Making Data Count* guidance (2019)
    and its SPC tool:

    - points coloured by signal (:data:`COLOURS`: common cause grey,
      improvement blue, concern orange, neutral purple), joined by a grey
      line; a missing value is a gap in the line with no point, and a point
      left out of the calculations is drawn hollow;
    - the centre line solid (the median for run and g charts), the process
      limits dashed, the target red and dashed; each phase has its own
      segments, with a gap and a dotted marker where a new phase starts;
      limits that vary with the denominator (p, u, p′, u′) are drawn as steps;
    - the variation icon, and the assurance icon when the chart has one, at
      the top right.

    The y axis uses 1-2-5 ticks (Heckbert, "Nice numbers for graph labels",
    *Graphics Gems*, 1990); x labels are thinned so that they do not overlap,
    and turned 45° when they are long.

    Examples
    --------
    >>> from openqi.spc.charts import xmr
    >>> svg = render_svg(xmr([5, 7, 6, 8, 7, 9, 6, 7, 8, 7, 6, 8]), title="Falls")
    >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    True
    """
    _check_size("render_svg", width, height, 200)
    n = len(result.periods)
    if n == 0:
        raise ValueError("render_svg needs a result with at least one point; got none")
    chart = _chart_key(result.chart)
    chart_name = _CHART_NAMES.get(chart, f"{result.chart} chart")
    s = _Series.of(result)
    show_near = show_near and bool(np.isfinite(s.near_upper).any())
    target = result.target
    if target is not None and not math.isfinite(target):
        target = None
    prefix = _prefix(
        "render_svg", id_prefix, result.chart, result.periods, s.values.tobytes(), title
    )
    chart_title = (
        title if title is not None else chart_name[:1].upper() + chart_name[1:]
    )
    desc = _chart_description(result, chart, chart_name, s)
    index = {period: i for i, period in enumerate(result.periods)}
    for period, _text in annotations:
        if period not in index:
            raise ValueError(
                f"annotation period {period!r} is not one of the chart's periods; "
                "give a period exactly as it appears in the result"
            )
    if annotations:
        desc += " Notes: " + " ".join(
            f"{number}. {period}: {text}."
            for number, (period, text) in enumerate(annotations, start=1)
        )
    has_limits = bool(np.isfinite(s.lower).any() or np.isfinite(s.upper).any())

    # The legend comes first: its rows set the bottom margin.
    present = set(result.signal)
    legend = [_LegendItem("point", COLOURS["common_cause"], "Common cause")]
    if "improvement" in present:
        legend.append(_LegendItem("point", COLOURS["improvement"], "Improvement"))
    if "concern" in present:
        legend.append(_LegendItem("point", COLOURS["concern"], "Concern"))
    if present & {"neutral_high", "neutral_low"}:
        legend.append(_LegendItem("point", COLOURS["neutral"], "Special cause"))
    if s.excluded.any():
        legend.append(_LegendItem("hollow", COLOURS["common_cause"], "Excluded"))
    legend.append(
        _LegendItem("line", _CENTRE, _centre_name(chart).capitalize(), None, 1.5)
    )
    if has_limits:
        legend.append(_LegendItem("line", _LIMIT, "Process limits", _LIMIT_DASH, 1.5))
    if show_near:
        legend.append(_LegendItem("line", _NEAR, "Two-sigma lines", "2 3", 1.0))
    if target is not None:
        legend.append(_LegendItem("line", COLOURS["target"], "Target", _TARGET_DASH))

    # Layout.
    pool = _finite(s.values, s.centre, s.lower, s.upper)
    pool += [target] if target is not None else []
    pool += _finite(s.near_lower, s.near_upper) if show_near else []
    y_ticks, y_step = _nice_ticks(min(pool), max(pool)) if pool else _nice_ticks(0, 1)
    tick_width = max(_text_width(_tick_label(t, y_step), 11) for t in y_ticks)
    left = 16 + (22 if y_label else 0) + tick_width + 8
    top = 56.0
    plot_width = width - left - 20
    band = plot_width / n
    stride, rotate, x_texts = _x_label_plan(result.periods, band)
    widest = max(_text_width(x_texts[i], 11) for i in range(0, n, stride))
    x_axis_height = widest * 0.71 + 18 if rotate else 22.0
    legend_rows = _legend_rows(legend, width - 32)
    bottom = x_axis_height + (20 if x_label else 0) + 18 * len(legend_rows) + 10
    plot_height = height - top - bottom
    if plot_height < 60:
        raise ValueError(
            f"render_svg needs more height for this chart: {height} pixels leave "
            f"{plot_height:.0f} for the plot; pass "
            f"height={math.ceil(height + 60 - plot_height)} or more"
        )
    bottom_y = top + plot_height
    x_left = _Scale(0.0, float(n), left, left + plot_width)
    to_y = _Scale(y_ticks[0], y_ticks[-1], bottom_y, top)

    icons_width = (2 if result.assurance is not None else 1) * (2 * _ICON_R + 8)
    out = [_svg_open(prefix, width, height, f"openqi-chart chart-{chart}")]
    out += _heading(prefix, chart_title, desc, width, height, width - 40 - icons_width)
    out += _y_axis(y_ticks, y_step, to_y, left, left + plot_width)
    out.append(_line(left, bottom_y, left + plot_width, bottom_y, _AXIS, class_="axis"))
    out += _x_labels(x_texts, stride, rotate, x_left, bottom_y)
    out += _axis_titles(
        x_label,
        y_label,
        left,
        top,
        plot_width,
        plot_height,
        bottom_y + x_axis_height + 14,
    )
    spans = _phase_spans(result.phase, n)
    out += _phase_breaks(result, spans, x_left, top, bottom_y)
    out += _annotation_marks(annotations, index, x_left, top)

    # Centre and limit lines, per phase.
    lines: list[tuple[str, FloatArray, str, str, str | None]] = []
    if show_near:
        lines.append(("near-line lower-near", s.near_lower, _NEAR, "1", "2 3"))
        lines.append(("near-line upper-near", s.near_upper, _NEAR, "1", "2 3"))
    lines.append(("limit-line lower-limit", s.lower, _LIMIT, "1.5", _LIMIT_DASH))
    lines.append(("limit-line upper-limit", s.upper, _LIMIT, "1.5", _LIMIT_DASH))
    lines.append(("centre-line", s.centre, _CENTRE, "1.5", None))
    for css, array, colour, stroke_width, dash in lines:
        for start, end in spans:
            data = _step_path(array, start, end, x_left, to_y)
            if data:
                out.append(_path(data, colour, stroke_width, dash, class_=css))
    if target is not None:
        y = to_y(target)
        out.append(
            _line(
                left,
                y,
                left + plot_width,
                y,
                COLOURS["target"],
                class_="target-line",
                stroke_width="2",
                stroke_dasharray=_TARGET_DASH,
            )
        )
    out += _points(result, s, x_left, to_y, band)

    icon_y = 8 + _ICON_R
    icon_x = width - 10 - _ICON_R
    if result.assurance is not None:
        out += _assurance_icon(result.assurance, target, icon_x, icon_y)
        icon_x -= 2 * _ICON_R + 8
    out += _variation_icon(result.variation, icon_x, icon_y)
    out += _legend(legend_rows, 16, height - 1 - 18 * len(legend_rows))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _x_labels(
    texts: Sequence[str], stride: int, rotate: bool, x_left: _Scale, bottom_y: float
) -> list[str]:
    out = [_open("g", class_="x-axis", font_size="11")]
    for i in range(0, len(texts), stride):
        x = x_left(i + 0.5)
        out.append(_line(x, bottom_y, x, bottom_y + 4, _AXIS))
        if rotate:
            y = bottom_y + 12
            out.append(
                _text(
                    texts[i],
                    x,
                    y,
                    class_="tick-label",
                    text_anchor="end",
                    transform=f"rotate(-45 {_c(x)} {_c(y)})",
                    fill=_MUTED,
                )
            )
        else:
            out.append(
                _text(
                    texts[i],
                    x,
                    bottom_y + 17,
                    class_="tick-label",
                    text_anchor="middle",
                    fill=_MUTED,
                )
            )
    out.append("</g>")
    return out


def _phase_breaks(
    result: ChartResult,
    spans: Sequence[tuple[int, int]],
    x_left: _Scale,
    top: float,
    bottom_y: float,
) -> list[str]:
    out = []
    for number, (start, _end) in enumerate(spans[1:], start=2):
        x = x_left(start)
        period = result.periods[start]
        out += [
            _open("g", class_="phase-break", data_period=period),
            _el("title", _esc(f"Phase {number} starts at {period}")),
            _line(x, top, x, bottom_y, _MUTED, stroke_dasharray="2 3"),
            _el(
                "text",
                f"Phase {number}",
                x=x + 4,
                y=top + 11,
                font_size="10",
                fill=_MUTED,
            ),
            "</g>",
        ]
    return out


def _annotation_marks(
    annotations: Sequence[tuple[str, str]],
    index: Mapping[str, int],
    x_left: _Scale,
    top: float,
) -> list[str]:
    """A numbered marker above each annotated point, its text as the tooltip."""
    out = []
    for number, (period, text) in enumerate(annotations, start=1):
        x = x_left(index[period] + 0.5)
        out += [
            _open("g", class_="annotation", data_period=period),
            _el("title", _esc(f"Note {number}, {period}: {text}")),
            _el("circle", None, cx=_c(x), cy=_c(top + 9), r="8", fill=_CENTRE),
            _el(
                "text",
                str(number),
                x=_c(x),
                y=_c(top + 12.5),
                font_size="10",
                font_weight="bold",
                fill="#ffffff",
                text_anchor="middle",
            ),
            "</g>",
        ]
    return out


def _points(
    result: ChartResult, s: _Series, x_left: _Scale, to_y: _Scale, band: float
) -> list[str]:
    n = len(result.periods)
    xs = [x_left(i + 0.5) for i in range(n)]
    ys = [to_y(float(v)) if math.isfinite(v) else math.nan for v in s.values]
    out = [
        _path(data, _DATA_LINE, "1.5", class_="data-line", stroke_linejoin="round")
        for data in _line_paths(xs, ys)
    ]
    radius = min(4.5, max(2.0, band * 0.32))
    out.append(_open("g", class_="points"))
    for i in range(n):
        if not math.isfinite(ys[i]):
            continue
        signal = result.signal[i] if i < len(result.signal) else "common_cause"
        rule = result.rule[i] if i < len(result.rule) else "common_cause"
        colour = _signal_colour(signal)
        is_excluded = bool(s.excluded[i])
        tip = f"{result.periods[i]}: {_number(float(s.values[i]))}, "
        tip += _SIGNAL_WORDS.get(signal, signal.replace("_", " "))
        if rule != "common_cause":
            tip += f" ({rule.replace('_', ' ')})"
        if is_excluded:
            tip += ", left out of the calculations"
        out.append(
            _el(
                "circle",
                _el("title", _esc(tip)),
                class_=f"point signal-{signal}" + (" excluded" if is_excluded else ""),
                cx=xs[i],
                cy=ys[i],
                r=radius,
                fill=_WHITE if is_excluded else colour,
                stroke=colour,
                stroke_width="1.5",
            )
        )
    out.append("</g>")
    return out


def _limits_text(s: _Series, start: int, end: int) -> str | None:
    """Words for the process limits of one phase, or None when it has none."""
    lo = s.lower[start : end + 1]
    hi = s.upper[start : end + 1]
    lo_finite = lo[np.isfinite(lo)]
    hi_finite = hi[np.isfinite(hi)]
    if lo_finite.size == 0 and hi_finite.size == 0:
        return None

    def constant(a: FloatArray) -> bool:
        return a.size > 0 and bool(np.allclose(a, a[0], rtol=1e-9, atol=0.0))

    if constant(lo_finite) and constant(hi_finite):
        low, high = _number(float(lo_finite[0])), _number(float(hi_finite[0]))
        return f"process limits {low} to {high}"
    if lo_finite.size == 0:
        if constant(hi_finite):
            return f"an upper process limit of {_number(float(hi_finite[0]))}"
        low, high = _number(float(hi_finite.min())), _number(float(hi_finite.max()))
        return f"an upper process limit varying from {low} to {high}"
    both = np.flatnonzero(np.isfinite(lo) & np.isfinite(hi))
    if both.size == 0:
        return "process limits that vary from point to point"
    last = int(both[-1])
    return (
        "process limits that vary with the denominator (at the phase's last point "
        f"{_number(float(lo[last]))} to {_number(float(hi[last]))})"
    )


def _chart_description(
    result: ChartResult, chart: str, chart_name: str, s: _Series
) -> str:
    n = len(result.periods)
    periods = result.periods
    missing = [periods[i] for i in range(n) if not math.isfinite(s.values[i])]
    name = chart_name[:1].upper() + chart_name[1:]
    with_values = f" ({n - len(missing)} with a value)" if missing else ""
    sentences = [
        f"{name} of {_plural(n, 'point')} from {periods[0]} to {periods[-1]}"
        f"{with_values}."
    ]
    spans = _phase_spans(result.phase, n)
    start, end = spans[-1]
    centre = s.centre[start : end + 1]
    centre = centre[np.isfinite(centre)]
    centre_name = _centre_name(chart)
    centre_text = (
        f"a {centre_name} of {_number(float(centre[-1]))}"
        if centre.size
        else f"no {centre_name} (no values)"
    )
    limits = _limits_text(s, start, end)
    if len(spans) > 1:
        where = (
            f"The chart has {len(spans)} phases; the latest (from {periods[start]}, "
            f"{_plural(end - start + 1, 'point')}) has"
        )
    else:
        where = "The chart has"
    sentences.append(
        f"{where} {centre_text}"
        + (f" and {limits}." if limits else " and no process limits.")
    )
    if len(spans) > 1:
        breaks = [periods[b] for b, _ in spans[1:]]
        sentences.append(f"New phases start at {_list_text(breaks)}.")
    if result.target is not None and math.isfinite(result.target):
        sentences.append(f"Target {_number(result.target)}.")
    words = _VARIATION_WORDS.get(result.variation, result.variation.replace("_", " "))
    sentences.append(f"Variation: {words}.")
    sentences.append(f"Assurance: {_assurance_words(result.assurance, result.target)}.")
    if result.runs is not None:
        sentences.append(_runs_text(result, chart))
    if result.signals:
        described = [sig.description.strip().rstrip(".") for sig in result.signals]
        sentences.append(f"Signals ({len(described)}): " + "; ".join(described) + ".")
    else:
        sentences.append("No special cause signals.")
    if missing:
        sentences.append(
            f"{_plural(len(missing), 'missing value')} (gaps in the line): "
            f"{_list_text(missing)}."
        )
    missing_set = set(missing)
    left_out = [f"{e.period} ({e.reason})" for e in result.excluded]
    left_out = [
        text
        for text, e in zip(left_out, result.excluded, strict=True)
        if e.period not in missing_set
    ]
    if not left_out and s.excluded.any():
        left_out = [periods[i] for i in np.flatnonzero(s.excluded)]
    if left_out:
        sentences.append(f"Left out of the calculations: {_list_text(left_out)}.")
    if result.warnings:
        sentences.append("Warnings: " + " ".join(_sentence(w) for w in result.warnings))
    return " ".join(sentences)


def _runs_text(result: ChartResult, chart: str) -> str:
    runs = result.runs
    if runs is None:
        return ""
    line = _centre_name(chart) if chart != "mr" else "centre line"
    verdicts = []
    if runs.is_long_run:
        verdicts.append("the longest run is longer than chance allows")
    if runs.is_few_crossings:
        verdicts.append(f"the data cross the {line} less often than chance allows")
    verdict = (
        "a signal of non-random variation: " + " and ".join(verdicts)
        if verdicts
        else "no signal of non-random variation"
    )
    n_phases = len(set(np.asarray(result.phase).tolist()))
    which = f" of phase {runs.phase + 1}" if n_phases > 1 else ""
    return (
        f"Runs analysis (Anhøj rules){which} over {_plural(runs.useful, 'useful point')}: "
        f"longest run {runs.longest_run} (a run longer than {runs.longest_run_max} "
        f"would signal), {runs.crossings} crossings of the {line} (fewer than "
        f"{runs.crossings_min} would signal): {verdict}."
    )


# ---------------------------------------------------------------------------
# Funnel plots


def render_funnel_svg(
    result: FunnelResult,
    *,
    title: str | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    width: int = 800,
    height: int = 450,
    id_prefix: str | None = None,
    improvement: str = "neither",
) -> str:
    """Draw a funnel plot as an accessible SVG.

    Parameters
    ----------
    result : FunnelResult
        What :func:`openqi.spc.funnel.funnel` returned.
    title : str, optional
        Shown at the top left and used as the ``<title>``; defaults to
        "Funnel plot".
    x_label, y_label : str, optional
        Axis titles; by default "Denominator" and "Proportion" ("Percentage"
        or "Rate per K" with a multiplier), or "Expected" and "Ratio (observed
        / expected)" for ratios.
    width, height : int
        Size in pixels.
    id_prefix : str, optional
        Prefix of every ``id`` (see :func:`render_svg`).
    improvement : {"neither", "increase", "decrease"}
        Which way is better. With ``"neither"`` (the default) every outlier is
        drawn in the concern colour: without a direction, an outlier either
        way deserves a look. With a direction, outliers on the better side are
        drawn in the improvement colour and the others in the concern colour.

    Returns
    -------
    str
        One ``<svg role="img">`` element with ``<title>``, ``<desc>`` (the
        number of units, the target, the limits and whether they were adjusted
        for over-dispersion, and every outlier), the units as points, the
        target line, the 95% limits dashed and the 99.8% limits solid, labels
        for the outliers and a ``<g class="legend">``.

    Raises
    ------
    ValueError
        If the result has no units, ``improvement`` is not one of the three
        words, the size is too small, or ``id_prefix`` is not a valid XML id.

    Notes
    -----
    The x axis is the denominator (patients, or expected events for a ratio)
    and the y axis the value, as in Spiegelhalter, "Funnel plots for comparing
    institutional performance", *Statistics in Medicine* 24 (2005), 1185–1202,
    and R's FunnelPlotR. The limits are drawn from ``result.curve_*``; a unit
    is an outlier as ``result.units[i].outlier`` says (judged against
    ``result.limit``).

    Examples
    --------
    >>> from openqi.spc.funnel import funnel
    >>> r = funnel([5, 9, 30], [100, 120, 150], ["A", "B", "C"])
    >>> "<desc" in render_funnel_svg(r)
    True
    """
    _check_size("render_funnel_svg", width, height, 220)
    if improvement not in ("neither", "increase", "decrease"):
        raise ValueError(
            "render_funnel_svg needs improvement to be 'increase', 'decrease' or "
            f"'neither'; got {improvement!r}"
        )
    units = result.units
    if not units:
        raise ValueError("render_funnel_svg needs a result with at least one unit")
    is_ratio = result.type == "ratio"
    if x_label is None:
        x_label = "Expected" if is_ratio else "Denominator"
    if y_label is None:
        if is_ratio:
            y_label = "Ratio (observed / expected)"
        elif result.multiply == 100:
            y_label = "Percentage"
        elif result.multiply != 1:
            y_label = f"Rate per {_number(result.multiply)}"
        else:
            y_label = "Proportion"
    prefix = _prefix(
        "render_funnel_svg",
        id_prefix,
        result.type,
        tuple((u.unit, u.numerator, u.denominator) for u in units),
        title,
    )
    chart_title = title if title is not None else "Funnel plot"
    better = {"increase": "high", "decrease": "low"}.get(improvement)

    def outlier_colour(outlier: str) -> str:
        if outlier not in ("high", "low"):
            return COLOURS["common_cause"]
        if better is None or outlier != better:
            return COLOURS["concern"]
        return COLOURS["improvement"]

    legend = [_LegendItem("point", COLOURS["common_cause"], "Within limits")]
    if better is None:
        legend.append(_LegendItem("point", COLOURS["concern"], "Outlier"))
    else:
        legend.append(_LegendItem("point", COLOURS["improvement"], "Outlier: better"))
        legend.append(_LegendItem("point", COLOURS["concern"], "Outlier: worse"))
    legend += [
        _LegendItem("line", COLOURS["target"], "Target"),
        _LegendItem("line", _LIMIT, "95% limits", _LIMIT_DASH, 1.5),
        _LegendItem("line", _CENTRE, "99.8% limits", None, 1.5),
    ]

    denominators = np.array([u.denominator for u in units], dtype=float)
    values = np.array([u.value for u in units], dtype=float)
    x_max = float(np.nanmax(denominators)) if np.isfinite(denominators).any() else 1.0
    x_ticks, x_step = _nice_ticks(0.0, x_max * 1.05)
    y_pool = _finite(
        values,
        [result.target],
        [u.lower998 for u in units],
        [u.upper998 for u in units],
    )
    y_lo, y_hi = (min(y_pool), max(y_pool)) if y_pool else (0.0, 1.0)
    pad = (y_hi - y_lo) * 0.05
    y_ticks, y_step = _nice_ticks(y_lo - pad, y_hi + pad)
    if y_lo >= 0:
        y_ticks = [t for t in y_ticks if t > -1e-12]

    tick_width = max(_text_width(_tick_label(t, y_step), 11) for t in y_ticks)
    left = 16 + 22 + tick_width + 8
    top = 48.0
    legend_rows = _legend_rows(legend, width - 32)
    bottom = 22 + 20 + 18 * len(legend_rows) + 10
    plot_width = width - left - 24
    plot_height = height - top - bottom
    if plot_height < 60:
        raise ValueError(
            f"render_funnel_svg needs more height: {height} pixels leave "
            f"{plot_height:.0f} for the plot; pass "
            f"height={math.ceil(height + 60 - plot_height)} or more"
        )
    bottom_y = top + plot_height
    to_x = _Scale(x_ticks[0], x_ticks[-1], left, left + plot_width)
    to_y = _Scale(y_ticks[0], y_ticks[-1], bottom_y, top)

    out = [_svg_open(prefix, width, height, f"openqi-funnel funnel-{result.type}")]
    out += _heading(
        prefix,
        chart_title,
        _funnel_description(result, better),
        width,
        height,
        width - 32,
    )
    out.append(
        _el(
            "defs",
            _el(
                "clipPath",
                _el("rect", x=left, y=top, width=plot_width, height=plot_height),
                id=f"{prefix}-plot",
            ),
        )
    )
    out += _y_axis(y_ticks, y_step, to_y, left, left + plot_width)
    out.append(_line(left, bottom_y, left + plot_width, bottom_y, _AXIS, class_="axis"))
    out.append(_open("g", class_="x-axis", font_size="11"))
    for tick in x_ticks:
        x = to_x(tick)
        out.append(_line(x, bottom_y, x, bottom_y + 4, _AXIS))
        out.append(
            _text(
                _tick_label(tick, x_step),
                x,
                bottom_y + 17,
                class_="tick-label",
                text_anchor="middle",
                fill=_MUTED,
            )
        )
    out.append("</g>")
    out += _axis_titles(
        x_label, y_label, left, top, plot_width, plot_height, bottom_y + 36
    )
    out += _funnel_curves(result, to_x, to_y, x_ticks[-1], prefix)
    if math.isfinite(result.target):
        y = to_y(result.target)
        out.append(
            _line(
                left,
                y,
                left + plot_width,
                y,
                COLOURS["target"],
                class_="target-line",
                stroke_width="2",
            )
        )

    out += _funnel_points(result, outlier_colour, to_x, to_y)
    out += _unit_labels(result, to_x, to_y, left, left + plot_width, top, bottom_y)
    out += _legend(legend_rows, 16, height - 1 - 18 * len(legend_rows))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _funnel_points(
    result: FunnelResult,
    colour_of: Callable[[str], str],
    to_x: _Scale,
    to_y: _Scale,
) -> list[str]:
    """The units as points; outliers are drawn last, so on top."""
    units = sorted(result.units, key=lambda u: u.outlier in ("high", "low"))
    out = [_open("g", class_="points")]
    for unit in units:
        if not (math.isfinite(unit.value) and math.isfinite(unit.denominator)):
            continue
        colour = colour_of(unit.outlier)
        tip = (
            f"{unit.unit}: {_number(unit.value)} (numerator {_number(unit.numerator)}, "
            f"denominator {_number(unit.denominator)})"
        )
        if unit.outlier in ("high", "low"):
            tip += f", {unit.outlier} outlier beyond the {result.limit}% limit"
        out.append(
            _el(
                "circle",
                _el("title", _esc(tip)),
                class_=f"point outlier-{unit.outlier}",
                cx=to_x(unit.denominator),
                cy=to_y(unit.value),
                r="4.5",
                fill=colour,
                fill_opacity="0.85",
                stroke=colour,
            )
        )
    out.append("</g>")
    return out


def _unit_labels(
    result: FunnelResult,
    to_x: _Scale,
    to_y: _Scale,
    left: float,
    right: float,
    top: float,
    bottom: float,
) -> list[str]:
    """Names beside outliers, the most extreme first, skipping any that would
    overlap a name already placed (every outlier is named in the ``<desc>``
    and in its point's tooltip)."""
    outliers = [
        u
        for u in result.units
        if u.outlier in ("high", "low")
        and math.isfinite(u.value)
        and math.isfinite(u.denominator)
    ]
    outliers.sort(key=lambda u: -abs(u.value - result.target))
    placed: list[tuple[float, float, float, float]] = []
    out: list[str] = []
    for unit in outliers:
        x, y = to_x(unit.denominator), to_y(unit.value)
        text = _truncate(unit.unit, 28)
        text_width = _text_width(text, 10)
        for anchor, x0 in (("start", x + 7), ("end", x - 7 - text_width)):
            box = (x0 - 1, y - 6, x0 + text_width + 1, y + 6)
            inside = box[0] >= left and box[2] <= right + 20 and box[1] >= top - 8
            inside = inside and box[3] <= bottom + 4
            clear = all(
                box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3]
                for b in placed
            )
            if inside and clear:
                placed.append(box)
                out.append(
                    _text(
                        text,
                        x + 7 if anchor == "start" else x - 7,
                        y + 3.5,
                        class_="unit-label",
                        text_anchor=anchor,
                        font_size="10",
                        fill=_TEXT,
                        stroke=_WHITE,
                        stroke_width="3",
                        paint_order="stroke",
                    )
                )
                break
    if not out:
        return []
    return [_open("g", class_="unit-labels"), *out, "</g>"]


def _funnel_curves(
    result: FunnelResult, to_x: _Scale, to_y: _Scale, x_max: float, prefix: str
) -> list[str]:
    curve_x = np.asarray(result.curve_denominator, dtype=float)
    keep = np.isfinite(curve_x) & (curve_x > 0) & (curve_x <= x_max)
    xs = [to_x(float(v)) for v in curve_x[keep]]
    # Keep coordinates finite and near the plot; the clip path hides the rest.
    y_min = to_y.p1 - (to_y.p0 - to_y.p1)
    y_max = to_y.p0 + (to_y.p0 - to_y.p1)
    out = [_open("g", class_="limits", clip_path=f"url(#{prefix}-plot)")]
    for css, curve, colour, dash in (
        ("limit-95 lower", result.curve_lower95, _LIMIT, _LIMIT_DASH),
        ("limit-95 upper", result.curve_upper95, _LIMIT, _LIMIT_DASH),
        ("limit-998 lower", result.curve_lower998, _CENTRE, None),
        ("limit-998 upper", result.curve_upper998, _CENTRE, None),
    ):
        curve_y = np.asarray(curve, dtype=float)
        if curve_y.shape != curve_x.shape:
            raise ValueError(
                "render_funnel_svg needs every curve_* array as long as "
                f"curve_denominator; got {curve_y.shape} and {curve_x.shape}"
            )
        ys = [
            min(max(to_y(float(v)), y_min), y_max) if math.isfinite(v) else math.nan
            for v in curve_y[keep]
        ]
        for data in _line_paths(xs, ys):
            out.append(_path(data, colour, "1.5", dash, class_=css))
    out.append("</g>")
    return out


def _funnel_description(result: FunnelResult, better: str | None) -> str:
    units = result.units
    kind = "indirectly standardised ratios" if result.type == "ratio" else "proportions"
    pooled = " (the pooled proportion)" if result.type != "ratio" else ""
    sentences = [
        f"Funnel plot of {_plural(len(units), 'unit')}: {kind} against their "
        "denominators.",
        f"Target {_number(result.target)}{pooled}.",
    ]
    if result.adjusted:
        figures = "" if result.phi is None else f" (φ = {result.phi:.3g}"
        if figures and math.isfinite(result.tau2):
            figures += f", τ² = {result.tau2:.3g}"
        adjusted = "adjusted for over-dispersion" + (f"{figures})" if figures else "")
    elif result.phi is None:
        adjusted = "not adjusted for over-dispersion (it was not estimated)"
    else:
        adjusted = (
            f"not adjusted for over-dispersion: φ = {result.phi:.3g} is not above 1, "
            "so the unadjusted limits are used"
        )
    sentences.append(f"Control limits at 95% (dashed) and 99.8% (solid), {adjusted}.")
    outliers = [u for u in units if u.outlier in ("high", "low")]
    if outliers:

        def words(side: str) -> str:
            if better is None:
                return side
            return f"{side}, {'better' if side == better else 'worse'}"

        listed = [
            f"{u.unit} ({words(u.outlier)}, {_number(u.value)})" for u in outliers
        ]
        sentences.append(
            f"{_plural(len(outliers), 'outlier')} beyond the {result.limit}% limits: "
            f"{_list_text(listed, 30)}."
        )
    else:
        sentences.append(f"No unit lies beyond the {result.limit}% limits.")
    if result.warnings:
        sentences.append("Warnings: " + " ".join(_sentence(w) for w in result.warnings))
    return " ".join(sentences)
