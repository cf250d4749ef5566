"""SVG drawings of SPC and run charts in the NHS Making Data Count style.

:func:`render_svg` draws a :class:`~openqi.spc.results.ChartResult` as one
self-contained ``<svg>`` element, built with the standard library and NumPy
only, so the web app, the CLI and a notebook draw the same picture. Every
drawing is accessible: ``role="img"`` with a ``<title>`` and a ``<desc>`` that
says in words what the chart shows, so a screen-reader user hears the verdict a
sighted reader sees. The colours are the Making Data Count ones fixed in the
SPC contract (:data:`openqi.spc.COLOURS`); the icons come from
:mod:`openqi.spc.icons`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openqi.spc._svg import (
    _AXIS,
    _CENTRE,
    _DATA_LINE,
    _ICON_R,
    _LIMIT,
    _LIMIT_DASH,
    _MUTED,
    _NEAR,
    _NEAR_DASH,
    _OUTLINES,
    _SHAPES,
    _TARGET_DASH,
    _WHITE,
    COLOURS,
    FloatArray,
    _axis_titles,
    _c,
    _check_size,
    _el,
    _esc,
    _finite,
    _heading,
    _legend,
    _legend_rows,
    _LegendItem,
    _line,
    _line_paths,
    _list_text,
    _nice_ticks,
    _number,
    _open,
    _path,
    _plural,
    _prefix,
    _Scale,
    _sentence,
    _shape_path,
    _svg_open,
    _text,
    _text_width,
    _tick_label,
    _truncate,
    _y_axis,
)
from openqi.spc.icons import (
    assurance_icon,
    assurance_words,
    variation_icon,
    variation_words,
)
from openqi.spc.results import ChartResult

__all__ = ["render_svg"]

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

_SIGNAL_WORDS: dict[str, str] = {
    "common_cause": "common cause",
    "improvement": "special cause improvement",
    "concern": "special cause concern",
    "neutral_high": "special cause, high",
    "neutral_low": "special cause, low",
}

_STRIDES = (1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 25, 50, 52, 100, 200, 250, 500, 1000)


def _signal_kind(signal: str) -> str:
    """The key of a point's fill, outline and shape: neutral_high and
    neutral_low are both "neutral"; anything unknown is common cause."""
    if signal in ("neutral_high", "neutral_low"):
        return "neutral"
    return signal if signal in _SHAPES else "common_cause"


def _point_legend(kind: str, label: str, *, hollow: bool = False) -> _LegendItem:
    """A legend entry drawn as the chart draws a point of that kind."""
    return _LegendItem(
        "point",
        _WHITE if hollow else COLOURS[kind],
        label,
        shape=_SHAPES[kind],
        outline=_OUTLINES[kind],
        size=3.5 if kind == "common_cause" else 5.0,
    )


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
    for i in (np.flatnonzero(labels[1:n] != labels[: n - 1]) + 1).tolist():
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
    span = values[start : end + 1]
    finite = np.isfinite(span).tolist()
    ys = to_y.many(span)
    lefts = x_left.many(np.arange(start, end + 2, dtype=float))
    for k, i in enumerate(range(start, end + 1)):
        if not finite[k]:
            previous_y = None
            continue
        y = ys[k]
        x0 = lefts[k] + (inset if i == start else 0.0)
        x1 = lefts[k + 1] - (inset if i == end else 0.0)
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
    - so that the chart reads without colour (WCAG 2.2, 1.4.1 and 1.4.11),
      each point has a darker outline of its hue (3:1 or more on white, as
      every mark that carries meaning has), and the kinds differ in shape:
      common cause a small circle, and larger, improvement a diamond, concern
      a triangle, special cause in neither direction a square; the legend
      shows the same shapes;
    - the centre line solid (the median for run and g charts), the process
      limits dashed, the two-sigma lines dotted, the target red and dash-dot;
      each phase has its own segments, with a gap and a dotted marker where a
      new phase starts; limits that vary with the denominator (p, u, p′, u′)
      are drawn as steps;
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
    for period, _note in annotations:
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
    legend = [_point_legend("common_cause", "Common cause")]
    if "improvement" in present:
        legend.append(_point_legend("improvement", "Improvement"))
    if "concern" in present:
        legend.append(_point_legend("concern", "Concern"))
    if present & {"neutral_high", "neutral_low"}:
        legend.append(_point_legend("neutral", "Special cause"))
    if s.excluded.any():
        legend.append(_point_legend("common_cause", "Excluded", hollow=True))
    legend.append(
        _LegendItem("line", _CENTRE, _centre_name(chart).capitalize(), None, 2.0)
    )
    if has_limits:
        legend.append(_LegendItem("line", _LIMIT, "Process limits", _LIMIT_DASH, 1.5))
    if show_near:
        legend.append(_LegendItem("line", _NEAR, "Two-sigma lines", _NEAR_DASH, 1.0))
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
        lines.append(("near-line lower-near", s.near_lower, _NEAR, "1", _NEAR_DASH))
        lines.append(("near-line upper-near", s.near_upper, _NEAR, "1", _NEAR_DASH))
    lines.append(("limit-line lower-limit", s.lower, _LIMIT, "1.5", _LIMIT_DASH))
    lines.append(("limit-line upper-limit", s.upper, _LIMIT, "1.5", _LIMIT_DASH))
    lines.append(("centre-line", s.centre, _CENTRE, "2", None))
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
        out += assurance_icon(result.assurance, target, icon_x, icon_y)
        icon_x -= 2 * _ICON_R + 8
    out += variation_icon(result.variation, icon_x, icon_y)
    out += _legend(legend_rows, 16, height - 1 - 18 * len(legend_rows))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _x_labels(
    texts: Sequence[str], stride: int, rotate: bool, x_left: _Scale, bottom_y: float
) -> list[str]:
    out = [_open("g", class_="x-axis", font_size="11")]
    for i in range(0, len(texts), stride):
        x = x_left(i + 0.5)
        out.append(_line(x, bottom_y, x, bottom_y + 4, _AXIS, class_="tick"))
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


def _point_look(
    signal: str, is_excluded: bool, small: float, large: float
) -> tuple[str, str, str, str, float, float]:
    """How a point of one signal is written, but for its position and tooltip.

    Returns the text before x, between x and y, after y (up to the opening
    ``<title>``), the closing text, and the offset of the written position from
    the point's centre: the markup :func:`_marker` writes, with the text that
    depends only on the signal and exclusion escaped once per kind.
    """
    kind = _signal_kind(signal)
    shape = _SHAPES[kind]
    css = f"point signal-{signal} shape-{shape}" + (" excluded" if is_excluded else "")
    fill = _WHITE if is_excluded else COLOURS[kind]
    paint = f' fill="{_esc(fill)}" stroke="{_esc(_OUTLINES[kind])}" stroke-width="1.5"'
    if shape == "circle":
        return (
            f'<circle class="{_esc(css)}" cx="',
            '" cy="',
            f'" r="{_c(small)}"{paint}><title>',
            "</title></circle>",
            0.0,
            0.0,
        )
    dx, dy, rest = _shape_path(shape, large)
    return (
        f'<path class="{_esc(css)}" d="M',
        " ",
        f'{rest}"{paint} stroke-linejoin="round"><title>',
        "</title></path>",
        dx,
        dy,
    )


def _points(
    result: ChartResult, s: _Series, x_left: _Scale, to_y: _Scale, band: float
) -> list[str]:
    n = len(result.periods)
    xs = x_left.many(np.arange(n, dtype=float) + 0.5)
    values = s.values.tolist()  # Python floats: indexing NumPy per point is slow
    excluded = s.excluded.tolist()
    ys = [
        y if math.isfinite(v) else math.nan
        for v, y in zip(values, to_y.many(s.values), strict=True)
    ]
    out = [
        _path(data, _DATA_LINE, "1.5", class_="data-line", stroke_linejoin="round")
        for data in _line_paths(xs, ys)
    ]
    # Common cause a small circle; special cause larger, in its own shape.
    small = min(3.5, max(2.0, band * 0.3))
    large = min(5.0, max(3.5, band * 0.45))
    looks: dict[tuple[str, bool], tuple[str, str, str, str, float, float]] = {}
    out.append(_open("g", class_="points"))
    for i in range(n):
        y = ys[i]
        if not math.isfinite(y):
            continue
        signal = result.signal[i] if i < len(result.signal) else "common_cause"
        rule = result.rule[i] if i < len(result.rule) else "common_cause"
        is_excluded = bool(excluded[i])
        tip = f"{result.periods[i]}: {_number(values[i])}, "
        tip += _SIGNAL_WORDS.get(signal, signal.replace("_", " "))
        if rule != "common_cause":
            tip += f" ({rule.replace('_', ' ')})"
        if is_excluded:
            tip += ", left out of the calculations"
        look = looks.get((signal, is_excluded))
        if look is None:
            look = _point_look(signal, is_excluded, small, large)
            looks[(signal, is_excluded)] = look
        before, between, after, close, dx, dy = look
        out.append(
            f"{before}{_c(xs[i] + dx)}{between}{_c(y + dy)}{after}{_esc(tip)}{close}"
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
    words = variation_words(result.variation)
    sentences.append(f"Variation: {words}.")
    sentences.append(f"Assurance: {assurance_words(result.assurance, result.target)}.")
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
