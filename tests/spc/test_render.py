"""Tests of the SVG renderer: the drawing is checked as XML, not as pixels.

Results are built by hand with the small builders below, so these tests do not
depend on the chart functions; the last tests draw real charts from the
shared A&E data when ``openqi.spc.charts`` is importable.

Expected colours are the SPC contract's "Colours" line (common cause #a6a6a6,
improvement #00b0f0, concern #e46c0a, neutral #490092, target #de1b1b) for the
points' fills; their outlines and shapes, and every mark's contrast, are
tests/spc/test_chart_contrast.py's. Other expected values are worked out by
hand in comments.
"""

from __future__ import annotations

import csv
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openqi.spc import COLOURS
from openqi.spc.render_chart import render_svg
from openqi.spc.render_funnel import render_funnel_svg
from openqi.spc.results import (
    ChartResult,
    Exclusion,
    FunnelResult,
    FunnelUnit,
    Phase,
    RunsAnalysis,
    Signal,
)

SVG = "{http://www.w3.org/2000/svg}"
GREY, BLUE, ORANGE, PURPLE, RED = "#a6a6a6", "#00b0f0", "#e46c0a", "#490092", "#de1b1b"


# ---------------------------------------------------------------------------
# Builders and helpers


def make_chart(
    values: Sequence[float | None],
    *,
    chart: str = "xmr",
    periods: Sequence[str] | None = None,
    signal: Sequence[str] | None = None,
    phase: Sequence[int] | None = None,
    centre: Sequence[float] | float | None = None,
    lower: Sequence[float] | float | None = None,
    upper: Sequence[float] | float | None = None,
    variation: str = "common_cause",
    assurance: str | None = None,
    improvement: str = "neither",
    target: float | None = None,
    signals: Sequence[Signal] = (),
    runs: RunsAnalysis | None = None,
    excluded: Sequence[int] = (),
    warnings: Sequence[str] = (),
) -> ChartResult:
    """A ChartResult with plain defaults: centre 10, limits 4 and 16."""
    n = len(values)
    v = np.array([math.nan if x is None else x for x in values], dtype=float)
    periods = (
        tuple(periods) if periods is not None else tuple(str(i + 1) for i in range(n))
    )

    def line(x: Sequence[float] | float | None, default: float) -> np.ndarray:
        if x is None:
            return np.full(n, default)
        if isinstance(x, (int, float)):
            return np.full(n, float(x))
        return np.asarray(x, dtype=float)

    phase_array = np.asarray(phase if phase is not None else [0] * n, dtype=np.int64)
    c, lo, hi = line(centre, 10.0), line(lower, 4.0), line(upper, 16.0)
    phases = []
    for k in sorted(set(phase_array.tolist())):
        idx = np.flatnonzero(phase_array == k)
        phases.append(
            Phase(
                index=k,
                start=int(idx[0]),
                end=int(idx[-1]),
                first_period=periods[idx[0]],
                centre=float(c[idx[0]]),
                mean_moving_range=None,
                n_points=len(idx),
                n_baseline=len(idx),
                runs=None,
            )
        )
    is_excluded = np.zeros(n, dtype=bool)
    is_excluded[list(excluded)] = True
    return ChartResult(
        chart=chart,
        options={},
        periods=periods,
        values=v,
        numerators=None,
        denominators=None,
        centre=c,
        lower=lo,
        upper=hi,
        near_lower=c - (c - lo) * 2 / 3,
        near_upper=c + (hi - c) * 2 / 3,
        phase=phase_array,
        rule=tuple("common_cause" if s == "common_cause" else "shift" for s in signal)
        if signal
        else ("common_cause",) * n,
        signal=tuple(signal) if signal else ("common_cause",) * n,
        variation=variation,
        assurance=assurance,
        improvement=improvement,
        target=target,
        phases=tuple(phases),
        signals=tuple(signals),
        runs=runs,
        warnings=tuple(warnings),
        excluded=tuple(Exclusion(periods[i], "excluded by the user") for i in excluded),
        is_excluded=is_excluded,
    )


def make_funnel(
    units: Sequence[tuple[str, float, float, str]],
    *,
    target: float = 0.1,
    phi: float | None = 2.5,
    tau2: float = 0.004,
    adjusted: bool = True,
    kind: str = "proportion",
) -> FunnelResult:
    """A FunnelResult; each unit is (name, numerator, denominator, outlier)."""
    grid = np.linspace(10, 1000, 50)
    # Binomial normal-approximation limits about the target, just for drawing.
    se = np.sqrt(target * (1 - target) / grid)
    built = []
    for name, num, den, outlier in units:
        s = math.sqrt(target * (1 - target) / den)
        built.append(
            FunnelUnit(
                unit=name,
                numerator=num,
                denominator=den,
                value=num / den,
                lower95=target - 1.96 * s,
                upper95=target + 1.96 * s,
                lower998=target - 3.09 * s,
                upper998=target + 3.09 * s,
                outlier=outlier,
            )
        )
    return FunnelResult(
        type=kind,
        target=target,
        phi=phi,
        tau2=tau2,
        adjusted=adjusted,
        limit="99.8",
        multiply=1.0,
        units=tuple(built),
        curve_denominator=grid,
        curve_lower95=np.clip(target - 1.96 * se, 0, 1),
        curve_upper95=np.clip(target + 1.96 * se, 0, 1),
        curve_lower998=np.clip(target - 3.09 * se, 0, 1),
        curve_upper998=np.clip(target + 3.09 * se, 0, 1),
    )


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def with_class(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [
        e for e in root.iter(f"{SVG}{tag}") if css in (e.get("class") or "").split()
    ]


def points_of(root: ET.Element) -> list[ET.Element]:
    """The drawn points, whatever their shape (circle or path), in order."""
    return [e for e in root.iter() if "point" in (e.get("class") or "").split()]


def desc_of(root: ET.Element) -> str:
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text
    return desc.text


def path_xs(d: str) -> list[float]:
    """The x coordinates a path visits (M, L and H commands)."""
    xs = []
    for command, args in re.findall(r"([MLHV])([^MLHV]+)", d):
        numbers = [float(t) for t in args.split()]
        if command in "ML":
            xs.append(numbers[0])
        elif command == "H":
            xs.append(numbers[0])
    return xs


TWELVE = [9.0, 11, 10, 12, 8, 10, 11, 9, 10, 13, 7, 10]


# ---------------------------------------------------------------------------
# Structure and accessibility


def test_svg_parses_and_is_labelled_by_its_title_and_desc() -> None:
    root = parse(render_svg(make_chart(TWELVE), title="Falls per 1,000 bed days"))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Falls per 1,000 bed days"
    assert root.get("viewBox") == "0 0 800 400"


def test_default_title_names_the_chart() -> None:
    root = parse(render_svg(make_chart(TWELVE, chart="p")))
    assert root.find(f"{SVG}title").text.startswith("P chart")


def test_text_is_escaped() -> None:
    nasty = 'A&E <type 1> "main" \x01site'
    root = parse(
        render_svg(
            make_chart(TWELVE[:3], periods=["<1>", "&2", '"3"']),
            title=nasty,
            y_label=nasty,
        )
    )
    # The control character is dropped (not allowed in XML 1.0); the rest survives.
    assert root.find(f"{SVG}title").text == 'A&E <type 1> "main" site'
    labels = [t.text for t in with_class(root, "text", "tick-label")]
    assert "&2" in labels


def test_ids_use_the_prefix_and_do_not_clash_between_charts() -> None:
    a = render_svg(make_chart(TWELVE), id_prefix="chart-a")
    b = render_svg(make_chart(TWELVE), id_prefix="chart-b")
    ids_a = [e.get("id") for e in parse(a).iter() if e.get("id")]
    ids_b = [e.get("id") for e in parse(b).iter() if e.get("id")]
    assert ids_a and all(i.startswith("chart-a") for i in ids_a)
    assert not set(ids_a) & set(ids_b)
    assert len(ids_a) == len(set(ids_a))
    funnel_ids = [
        e.get("id")
        for e in parse(
            render_funnel_svg(make_funnel([("A", 5, 100, "none")]), id_prefix="f1")
        ).iter()
        if e.get("id")
    ]
    assert all(i.startswith("f1") for i in funnel_ids) and "f1-plot" in funnel_ids


def test_default_ids_are_stable_and_differ_between_charts() -> None:
    first = parse(render_svg(make_chart(TWELVE))).get("id")
    again = parse(render_svg(make_chart(TWELVE))).get("id")
    other = parse(render_svg(make_chart([*TWELVE[:-1], 99.0]))).get("id")
    assert first == again
    assert first != other


@pytest.mark.parametrize("bad", ["1abc", "has space", "", "a<b"])
def test_invalid_id_prefix_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        render_svg(make_chart(TWELVE), id_prefix=bad)


def test_too_small_or_empty_is_refused() -> None:
    with pytest.raises(ValueError, match="height"):
        render_svg(make_chart(TWELVE), height=120)
    with pytest.raises(ValueError, match="width"):
        render_svg(make_chart(TWELVE), width=100)
    with pytest.raises(ValueError, match="at least one point"):
        render_svg(make_chart([]))


# ---------------------------------------------------------------------------
# Points, lines and gaps


def test_points_are_coloured_by_signal() -> None:
    signal = ["common_cause", "improvement", "concern", "neutral_high", "neutral_low"]
    root = parse(render_svg(make_chart([10, 11, 12, 13, 14], signal=signal)))
    points = points_of(root)
    # Contract colours: grey, blue, orange, and purple for both neutral signals.
    assert [p.get("fill") for p in points] == [GREY, BLUE, ORANGE, PURPLE, PURPLE]
    # Common cause a small circle; special cause a diamond, triangle or square.
    assert [p.tag.removeprefix(SVG) for p in points] == ["circle", *["path"] * 4]
    assert [p.get("class").split()[2] for p in points] == [
        "shape-circle",
        "shape-diamond",
        "shape-triangle",
        "shape-square",
        "shape-square",
    ]
    assert COLOURS["neutral"] == PURPLE and COLOURS["target"] == RED
    legend = with_class(root, "g", "legend")
    assert len(legend) == 1
    legend_text = " ".join(t.text for t in legend[0].iter(f"{SVG}text"))
    for word in ("Common cause", "Improvement", "Concern", "Special cause", "Mean"):
        assert word in legend_text


def test_missing_values_are_gaps_without_points() -> None:
    values: list[float | None] = [*TWELVE]
    values[4] = None
    values[5] = math.nan
    root = parse(render_svg(make_chart(values)))
    # 12 periods, 2 missing → 10 points, and the line splits into two pieces.
    assert len(points_of(root)) == 10
    assert len(with_class(root, "path", "data-line")) == 2
    assert "2 missing values (gaps in the line): 5, 6." in desc_of(root)


def test_excluded_points_are_hollow() -> None:
    root = parse(render_svg(make_chart(TWELVE, excluded=[3])))
    hollow = with_class(root, "circle", "excluded")
    assert len(hollow) == 1
    # White inside the common-cause grey's darker outline (4.61:1 on white).
    assert hollow[0].get("fill") == "#ffffff" and hollow[0].get("stroke") == "#757575"
    assert "Left out of the calculations: 4 (excluded by the user)." in desc_of(root)


def test_centre_solid_limits_dashed_near_lines_only_on_request() -> None:
    root = parse(render_svg(make_chart(TWELVE)))
    (centre,) = with_class(root, "path", "centre-line")
    assert centre.get("stroke-dasharray") is None
    limits = with_class(root, "path", "limit-line")
    assert len(limits) == 2 and all(p.get("stroke-dasharray") for p in limits)
    assert not with_class(root, "path", "near-line")
    shown = parse(render_svg(make_chart(TWELVE), show_near=True))
    assert len(with_class(shown, "path", "near-line")) == 2


def test_target_line_is_red_and_absent_without_target() -> None:
    root = parse(render_svg(make_chart(TWELVE, target=14.0)))
    (line,) = with_class(root, "line", "target-line")
    assert line.get("stroke") == RED
    assert "Target 14." in desc_of(root)
    assert not with_class(parse(render_svg(make_chart(TWELVE))), "line", "target-line")


def test_phases_have_their_own_lines_with_a_gap_and_a_marker() -> None:
    phase = [0] * 6 + [1] * 6
    result = make_chart(
        TWELVE,
        periods=[f"2024-{m:02d}" for m in range(1, 13)],
        phase=phase,
        centre=[10.0] * 6 + [12.0] * 6,
        lower=[4.0] * 6 + [8.0] * 6,
        upper=[16.0] * 6 + [16.0] * 6,
    )
    root = parse(render_svg(result))
    centres = with_class(root, "path", "centre-line")
    assert len(centres) == 2
    end_first = max(path_xs(centres[0].get("d")))
    start_second = min(path_xs(centres[1].get("d")))
    assert start_second - end_first > 1  # a visible gap at the break
    # The upper limit is 16 in both phases, yet it is still two segments.
    assert len(with_class(root, "path", "upper-limit")) == 2
    (marker,) = with_class(root, "g", "phase-break")
    assert marker.get("data-period") == "2024-07"
    marker_x = float(marker.find(f"{SVG}line").get("x1"))
    assert end_first < marker_x < start_second
    desc = desc_of(root)
    assert "2 phases; the latest (from 2024-07, 6 points) has a mean of 12" in desc
    assert "process limits 8 to 16" in desc


def test_limits_that_vary_by_point_are_steps() -> None:
    upper = [16.0, 15.0, 17.0, 16.5, 15.5, 16.0]
    root = parse(render_svg(make_chart(TWELVE[:6], chart="p", upper=upper)))
    (path,) = with_class(root, "path", "upper-limit")
    # Six different neighbouring values → five vertical steps.
    assert path.get("d").count("V") == 5
    assert "vary with the denominator" in desc_of(root)


# ---------------------------------------------------------------------------
# Axes


def test_y_ticks_are_round_numbers() -> None:
    root = parse(render_svg(make_chart([3.0, 50, 97], lower=math.nan, upper=math.nan)))
    labels = [t.text for t in with_class(root, "g", "y-axis")[0].iter(f"{SVG}text")]
    # Hand calculation: range 3..97 over about 6 intervals is 15.7 a step; the
    # next 1-2-5 number is 20, and 0 and 100 enclose the data.
    assert labels == ["0", "20", "40", "60", "80", "100"]


def test_y_ticks_show_thousands_and_decimals() -> None:
    big = parse(
        render_svg(
            make_chart(
                [12_100.0, 14_900], centre=13_000, lower=math.nan, upper=math.nan
            )
        )
    )
    labels = [t.text for t in with_class(big, "g", "y-axis")[0].iter(f"{SVG}text")]
    # Range 12,100..14,900: 2,800 / 6 = 467 a step → 500; 12,000 and 15,000 enclose it.
    assert labels == [
        "12,000",
        "12,500",
        "13,000",
        "13,500",
        "14,000",
        "14,500",
        "15,000",
    ]
    small = parse(
        render_svg(make_chart([0.12, 0.31], centre=0.2, lower=math.nan, upper=math.nan))
    )
    labels = [t.text for t in with_class(small, "g", "y-axis")[0].iter(f"{SVG}text")]
    # Range 0.12..0.31: 0.19 / 6 = 0.032 → step 0.05, two decimals.
    assert labels == ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]


def test_x_labels_are_thinned_and_turned_when_long() -> None:
    n = 120
    short = parse(render_svg(make_chart([10.0] * n)))
    count = len(with_class(short, "g", "x-axis")[0].findall(f"{SVG}text"))
    assert 6 <= count < n
    long_periods = [f"Week ending {i:03d} of the audit" for i in range(n)]
    turned = parse(render_svg(make_chart([10.0] * n, periods=long_periods)))
    texts = with_class(turned, "g", "x-axis")[0].findall(f"{SVG}text")
    assert 6 <= len(texts) < n
    assert all("rotate(-45" in t.get("transform") for t in texts)
    few = parse(render_svg(make_chart([1.0, 2, 3], periods=["Jan", "Feb", "Mar"])))
    texts = with_class(few, "g", "x-axis")[0].findall(f"{SVG}text")
    assert [t.text for t in texts] == ["Jan", "Feb", "Mar"]


# ---------------------------------------------------------------------------
# Icons


@pytest.mark.parametrize(
    ("variation", "fill", "letter"),
    [
        ("common_cause", GREY, None),
        ("improvement_high", BLUE, "H"),
        ("improvement_low", BLUE, "L"),
        ("concern_high", ORANGE, "H"),
        ("concern_low", ORANGE, "L"),
        ("neutral_high", PURPLE, "H"),
        ("neutral_low", PURPLE, "L"),
    ],
)
def test_variation_icon(variation: str, fill: str, letter: str | None) -> None:
    root = parse(render_svg(make_chart(TWELVE, variation=variation)))
    (icon,) = with_class(root, "g", "variation-icon")
    # The ring in the MDC colour (the drawing itself: tests/spc/test_mdc_icons.py).
    assert icon.find(f"{SVG}circle").get("stroke") == fill
    assert icon.find(f"{SVG}circle").get("fill") == "#ffffff"
    assert icon.find(f"{SVG}title").text.startswith("Variation: ")
    letters = [t.text for t in icon.findall(f"{SVG}text")]
    assert letters == ([letter] if letter else [])
    assert not with_class(root, "g", "assurance-icon")


@pytest.mark.parametrize(
    ("assurance", "colour", "letter", "words"),
    [
        ("consistent_pass", BLUE, "P", "consistently pass the target of 3"),
        ("consistent_fail", ORANGE, "F", "consistently fail the target of 3"),
        ("inconsistent", GREY, None, "not consistently hit or miss the target of 3"),
    ],
)
def test_assurance_icon(
    assurance: str, colour: str, letter: str | None, words: str
) -> None:
    result = make_chart(TWELVE, assurance=assurance, target=3.0, improvement="increase")
    root = parse(render_svg(result))
    (icon,) = with_class(root, "g", "assurance-icon")
    assert icon.find(f"{SVG}circle").get("stroke") == colour
    assert [t.text for t in icon.findall(f"{SVG}text")] == ([letter] if letter else [])
    if letter is None:
        assert with_class(icon, "path", "icon-process")  # the wavy line
        assert with_class(icon, "path", "icon-target")  # through it, the target
    assert words in icon.find(f"{SVG}title").text
    assert words in desc_of(root)


def test_no_assurance_icon_without_assurance() -> None:
    root = parse(render_svg(make_chart(TWELVE, target=3.0)))
    assert not with_class(root, "g", "assurance-icon")
    assert "no assurance icon" in desc_of(root)


# ---------------------------------------------------------------------------
# The description


def test_desc_says_what_the_chart_shows() -> None:
    signals = (
        Signal(
            rule="outside_limits",
            signal="improvement",
            side="high",
            phase=0,
            start=11,
            end=11,
            n_points=1,
            first_period="2024-12",
            last_period="2024-12",
            description="1 point above the upper limit in 2024-12: special cause "
            "improvement (outside limits).",
        ),
        Signal(
            rule="shift",
            signal="improvement",
            side="high",
            phase=0,
            start=4,
            end=11,
            n_points=8,
            first_period="2024-05",
            last_period="2024-12",
            description="8 points above the mean from 2024-05 to 2024-12",
        ),
    )
    result = make_chart(
        [*TWELVE[:-1], 20.0],
        periods=[f"2024-{m:02d}" for m in range(1, 13)],
        variation="improvement_high",
        assurance="inconsistent",
        improvement="increase",
        target=12.0,
        signals=signals,
        warnings=("The chart has 12 points; limits are provisional.",),
    )
    desc = desc_of(parse(render_svg(result)))
    assert desc.startswith(
        "XmR (individuals) chart of 12 points from 2024-01 to 2024-12."
    )
    assert "a mean of 10 and process limits 4 to 16." in desc
    assert "Variation: special cause improvement: the latest point is high." in desc
    assert (
        "Assurance: the process will not consistently hit or miss the target of 12"
        in desc
    )
    assert "1 point above the upper limit in 2024-12" in desc
    assert "8 points above the mean from 2024-05 to 2024-12" in desc
    assert "Signals (2)" in desc
    assert "limits are provisional" in desc


def test_run_chart_has_a_median_and_the_runs_analysis_in_words() -> None:
    runs = RunsAnalysis(
        phase=0,
        useful=20,
        longest_run=9,
        longest_run_max=7,
        crossings=4,
        crossings_min=6,
        is_long_run=True,
        is_few_crossings=True,
    )
    result = make_chart(
        [5.0] * 10 + [7.0] * 10,
        chart="run",
        centre=6.0,
        lower=math.nan,
        upper=math.nan,
        runs=runs,
    )
    root = parse(render_svg(result))
    assert not with_class(root, "path", "limit-line")
    assert len(with_class(root, "path", "centre-line")) == 1
    desc = desc_of(root)
    assert "Run chart of 20 points" in desc
    assert "a median of 6 and no process limits" in desc
    assert "longest run 9 (a run longer than 7 would signal)" in desc
    assert "4 crossings of the median (fewer than 6 would signal)" in desc
    assert "signal of non-random variation" in desc
    legend = " ".join(
        t.text for t in with_class(root, "g", "legend")[0].iter(f"{SVG}text")
    )
    assert "Median" in legend and "Process limits" not in legend


@pytest.mark.parametrize(
    ("chart", "words"),
    [
        ("xmr", "XmR (individuals) chart"),
        ("run", "Run chart"),
        ("p", "P chart (proportions)"),
        ("u", "U chart (rates)"),
        ("pp", "Laney p′ chart"),
        ("up", "Laney u′ chart"),
        ("c", "C chart (counts)"),
        ("g", "G chart"),
        ("t", "T chart"),
        ("mr", "Moving range (mR) chart"),
    ],
)
def test_every_chart_type_draws(chart: str, words: str) -> None:
    varying = [16.0 + 0.1 * i for i in range(12)]
    lower = math.nan if chart == "run" else (0.0 if chart in ("g", "mr") else 4.0)
    upper = (
        math.nan
        if chart == "run"
        else (varying if chart in ("p", "u", "pp", "up") else 16)
    )
    root = parse(render_svg(make_chart(TWELVE, chart=chart, lower=lower, upper=upper)))
    assert desc_of(root).startswith(words)
    assert len(points_of(root)) == 12
    centre = {"run": "median", "g": "median", "mr": "mean moving range"}.get(
        chart, "mean"
    )
    assert f"a {centre} of 10" in desc_of(root)


# ---------------------------------------------------------------------------
# Funnel plots

FUNNEL_UNITS = [
    ("Ward A", 10, 100, "none"),
    ("Ward B", 40, 200, "high"),
    ("Ward <C>", 5, 400, "low"),
    ("Ward D", 80, 800, "none"),
]


def test_funnel_parses_and_describes_outliers() -> None:
    root = parse(render_funnel_svg(make_funnel(FUNNEL_UNITS), title="Falls by ward"))
    assert root.get("role") == "img"
    desc = desc_of(root)
    assert desc.startswith("Funnel plot of 4 units: proportions")
    assert "adjusted for over-dispersion (φ = 2.5, τ² = 0.004)" in desc
    assert (
        "2 outliers beyond the 99.8% limits: Ward B (high, 0.2), Ward <C> (low, 0.0125)"
        in desc
    )
    labels = [t.text for t in with_class(root, "text", "unit-label")]
    assert sorted(labels) == ["Ward <C>", "Ward B"]
    (target,) = with_class(root, "line", "target-line")
    assert target.get("stroke") == RED
    dashed = with_class(root, "path", "limit-95")
    solid = with_class(root, "path", "limit-998")
    assert len(dashed) == 2 and all(p.get("stroke-dasharray") for p in dashed)
    assert len(solid) == 2 and all(p.get("stroke-dasharray") is None for p in solid)


def fills_by_outlier(svg: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for point in points_of(parse(svg)):
        kind = point.get("class").split()[1]
        out.setdefault(kind, set()).add(point.get("fill"))
    return out


def test_funnel_outliers_are_orange_without_a_direction() -> None:
    fills = fills_by_outlier(render_funnel_svg(make_funnel(FUNNEL_UNITS)))
    assert fills == {
        "outlier-none": {GREY},
        "outlier-high": {ORANGE},
        "outlier-low": {ORANGE},
    }


@pytest.mark.parametrize(
    ("improvement", "high", "low"),
    [("increase", BLUE, ORANGE), ("decrease", ORANGE, BLUE)],
)
def test_funnel_outliers_follow_the_improvement_direction(
    improvement: str, high: str, low: str
) -> None:
    svg = render_funnel_svg(make_funnel(FUNNEL_UNITS), improvement=improvement)
    fills = fills_by_outlier(svg)
    assert fills["outlier-high"] == {high} and fills["outlier-low"] == {low}
    assert "better" in desc_of(parse(svg))


def test_funnel_says_when_limits_were_not_adjusted() -> None:
    low_phi = make_funnel(FUNNEL_UNITS, phi=0.8, tau2=0.0, adjusted=False)
    assert "φ = 0.8 is not above 1, so the unadjusted limits are used" in desc_of(
        parse(render_funnel_svg(low_phi))
    )
    off = make_funnel(FUNNEL_UNITS, phi=None, tau2=0.0, adjusted=False)
    assert "not adjusted for over-dispersion (it was not estimated)" in desc_of(
        parse(render_funnel_svg(off))
    )
    calm = make_funnel([("A", 10, 100, "none")])
    assert "No unit lies beyond the 99.8% limits." in desc_of(
        parse(render_funnel_svg(calm))
    )


def test_funnel_x_axis_starts_at_zero_with_round_ticks() -> None:
    root = parse(render_funnel_svg(make_funnel(FUNNEL_UNITS)))
    labels = [t.text for t in with_class(root, "g", "x-axis")[0].iter(f"{SVG}text")]
    # Hand calculation: 0..840 (largest denominator 800 plus 5%) / 6 = 140 a
    # step → 200; ticks 0 to 1,000.
    assert labels == ["0", "200", "400", "600", "800", "1,000"]


def test_funnel_refuses_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="improvement"):
        render_funnel_svg(make_funnel(FUNNEL_UNITS), improvement="up")


# ---------------------------------------------------------------------------
# Real charts from the shared data (when the chart functions are available)


def rjz_type1(shared_data: Path) -> tuple[list[str], list[float], list[float]]:
    with (shared_data / "ae_attendances.csv").open(newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["org_code"] == "RJZ" and r["type"] == "1"
        ]
    rows.sort(key=lambda r: r["period"])
    return (
        [r["period"] for r in rows],
        [float(r["attendances"]) for r in rows],
        [float(r["breaches"]) for r in rows],
    )


@pytest.mark.parametrize("kind", ["xmr", "p", "run"])
def test_real_charts_draw(shared_data: Path, kind: str) -> None:
    charts: Any = pytest.importorskip("openqi.spc.charts")
    periods, attendances, breaches = rjz_type1(shared_data)
    # NHSRdatasets: RJZ type 1 has all 36 months, April 2016 to March 2019.
    assert len(periods) == 36
    if kind == "xmr":
        result = charts.xmr(attendances, periods, improvement="increase", target=15000)
    elif kind == "p":
        result = charts.p_chart(
            breaches, attendances, periods, multiply=100, improvement="decrease"
        )
    else:
        result = charts.run_chart(attendances, periods)
    root = parse(render_svg(result, title="RJZ type 1", id_prefix=f"rjz-{kind}"))
    points = points_of(root)
    assert len(points) == 36
    palette = {GREY, BLUE, ORANGE, PURPLE}
    assert {p.get("fill") for p in points} <= palette
    for point, signal in zip(points, result.signal, strict=True):
        expected = PURPLE if signal.startswith("neutral") else COLOURS[signal]
        assert point.get("fill") == expected
    desc = desc_of(root)
    assert "36 points from 2016-04-01 to 2019-03-01" in desc
    for signal in result.signals:
        assert signal.description.strip().rstrip(".") in desc
    if kind == "run":
        assert "Runs analysis" in desc
        assert not with_class(root, "path", "limit-line")
    if kind == "xmr":
        assert with_class(root, "g", "assurance-icon")


def test_real_funnel_draws(shared_data: Path) -> None:
    funnel_module: Any = pytest.importorskip("openqi.spc.funnel")
    with (shared_data / "ae_attendances.csv").open(newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if r["period"] == "2019-03-01"
            and r["type"] == "1"
            and float(r["attendances"]) > 0
        ]
    result = funnel_module.funnel(
        [float(r["breaches"]) for r in rows],
        [float(r["attendances"]) for r in rows],
        [r["org_code"] for r in rows],
    )
    root = parse(render_funnel_svg(result, improvement="decrease"))
    assert len(points_of(root)) == len(rows)
    desc = desc_of(root)
    for unit in result.units:
        if unit.outlier != "none":
            assert unit.unit in desc


def test_annotations_are_numbered_marks_with_their_text() -> None:
    from openqi.spc.charts import xmr

    periods = [f"2024-{m:02d}" for m in range(1, 13)]
    result = xmr([5, 7, 6, 8, 7, 9, 6, 7, 8, 7, 6, 8], periods)
    root = parse(
        render_svg(
            result, annotations=[("2024-03", "New triage"), ("2024-09", "Extra nurse")]
        )
    )
    marks = with_class(root, "g", "annotation")
    assert [g.get("data-period") for g in marks] == ["2024-03", "2024-09"]
    title = marks[0].find(f"{SVG}title")
    assert title is not None and title.text == "Note 1, 2024-03: New triage"
    assert "Notes: 1. 2024-03: New triage. 2. 2024-09: Extra nurse." in desc_of(root)


def test_annotation_on_an_unknown_period_is_refused() -> None:
    from openqi.spc.charts import xmr

    result = xmr([5, 7, 6], ["a", "b", "c"])
    with pytest.raises(ValueError, match="annotation period 'z' is not one of"):
        render_svg(result, annotations=[("z", "note")])
