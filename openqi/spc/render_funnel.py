"""SVG drawings of funnel plots in the NHS Making Data Count style.

:func:`render_funnel_svg` draws a :class:`~openqi.spc.results.FunnelResult` as
one self-contained, accessible ``<svg>`` element (``role="img"`` with a
``<title>`` and a ``<desc>`` naming every outlier), with the same colours and
drawing pieces as :func:`openqi.spc.render_chart.render_svg`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from openqi.spc._svg import (
    _AXIS,
    _CENTRE,
    _LIMIT,
    _LIMIT_DASH,
    _MUTED,
    _OUTLINES,
    _SHAPES,
    _TARGET_DASH,
    _TEXT,
    _WHITE,
    COLOURS,
    _axis_titles,
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
    _marker,
    _nice_ticks,
    _number,
    _open,
    _path,
    _plural,
    _prefix,
    _Scale,
    _sentence,
    _svg_open,
    _text,
    _text_width,
    _tick_label,
    _truncate,
    _y_axis,
)
from openqi.spc.results import FunnelResult

__all__ = ["render_funnel_svg"]

#: Points' sizes (the radius of a circle of the same area): outliers larger.
_POINT_SIZES = {"common_cause": 4.0, "improvement": 5.5, "concern": 5.5}


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
        Prefix of every ``id`` (see :func:`openqi.spc.render_chart.render_svg`).
    improvement : {"neither", "increase", "decrease"}
        Which way is better. With ``"neither"`` (the default) every outlier is
        drawn as a concern (orange triangle): without a direction, an outlier
        either way deserves a look. With a direction, outliers on the better
        side are drawn as improvement (blue diamond) and the others as concern.

    Returns
    -------
    str
        One ``<svg role="img">`` element with ``<title>``, ``<desc>`` (the
        number of units, the target, the limits and whether they were adjusted
        for over-dispersion, and every outlier), the units as points, the
        target line (red, dash-dot), the 95% limits dashed and the 99.8%
        limits solid, labels for the outliers and a ``<g class="legend">``.
        Units within the limits are grey circles; outliers are drawn larger,
        in the chart's improvement diamond or concern triangle, so that they
        are told apart without colour.

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

    def outlier_kind(outlier: str) -> str:
        """The signal kind whose colours and shape an outlier is drawn in."""
        if outlier not in ("high", "low"):
            return "common_cause"
        if better is None or outlier != better:
            return "concern"
        return "improvement"

    def point_legend(kind: str, label: str) -> _LegendItem:
        return _LegendItem(
            "point",
            COLOURS[kind],
            label,
            shape=_SHAPES[kind],
            outline=_OUTLINES[kind],
            size=_POINT_SIZES[kind],
        )

    legend = [point_legend("common_cause", "Within limits")]
    if better is None:
        legend.append(point_legend("concern", "Outlier"))
    else:
        legend.append(point_legend("improvement", "Outlier: better"))
        legend.append(point_legend("concern", "Outlier: worse"))
    legend += [
        _LegendItem("line", COLOURS["target"], "Target", _TARGET_DASH),
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
        out.append(_line(x, bottom_y, x, bottom_y + 4, _AXIS, class_="tick"))
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
                stroke_dasharray=_TARGET_DASH,
            )
        )

    out += _funnel_points(result, outlier_kind, to_x, to_y)
    out += _unit_labels(result, to_x, to_y, left, left + plot_width, top, bottom_y)
    out += _legend(legend_rows, 16, height - 1 - 18 * len(legend_rows))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _funnel_points(
    result: FunnelResult,
    kind_of: Callable[[str], str],
    to_x: _Scale,
    to_y: _Scale,
) -> list[str]:
    """The units as points; outliers are drawn last, so on top, in the shape
    and outline of the signal kind they stand for (see :data:`_SHAPES`)."""
    units = sorted(result.units, key=lambda u: u.outlier in ("high", "low"))
    out = [_open("g", class_="points")]
    for unit in units:
        if not (math.isfinite(unit.value) and math.isfinite(unit.denominator)):
            continue
        kind = kind_of(unit.outlier)
        tip = (
            f"{unit.unit}: {_number(unit.value)} (numerator {_number(unit.numerator)}, "
            f"denominator {_number(unit.denominator)})"
        )
        if unit.outlier in ("high", "low"):
            tip += f", {unit.outlier} outlier beyond the {result.limit}% limit"
        out.append(
            _marker(
                _SHAPES[kind],
                to_x(unit.denominator),
                to_y(unit.value),
                _POINT_SIZES[kind],
                COLOURS[kind],
                _OUTLINES[kind],
                "1.5",
                _el("title", _esc(tip)),
                class_=f"point outlier-{unit.outlier} shape-{_SHAPES[kind]}",
                fill_opacity="0.85",
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
