"""The charts are readable without colour: WCAG 2.2 success criterion 1.4.11.

1.4.11 Non-text Contrast (https://www.w3.org/TR/WCAG22/#non-text-contrast) asks
for a contrast ratio of at least 3:1 between a graphical object needed to
understand the content and the colours next to it. These tests draw charts of
every kind that show every mark, parse the SVG with ``xml.etree`` and compute
each drawn mark's contrast with the background it sits on, from the colours in
the markup. They also check that the kinds of point differ in shape, not just
colour (1.4.1 Use of Color, https://www.w3.org/TR/WCAG22/#use-of-color), and
that the lines that share a colour differ in their dashes.

What is checked, and what is left out (and why):

- every ``circle``, ``ellipse``, ``path``, ``polygon``, ``polyline``, ``line``
  and ``rect`` that is drawn: the points, the data line, the centre, limit,
  two-sigma and target lines, the funnel's limit curves, the axis line and its
  ticks, the phase-break and annotation markers and the legend's swatches;
- left out: the background ``rect`` itself (it is what the marks are measured
  against), shapes inside ``<defs>`` (the funnel's clip path: never painted),
  and the horizontal grid lines (``class="grid"``): they only help the eye
  along to the y axis's labelled ticks, and no value or signal is read from
  them (Understanding 1.4.11 counts such decoration as not required for
  understanding);
- left out: the Making Data Count variation and assurance icons
  (``g.icon``): they are drawn by ``openqi.spc.icons`` in the MDC icon colours,
  and each one's meaning is in its ``<title>`` and in the chart's ``<desc>``;
- text is 1.4.3's business (4.5:1), not this test's.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from openqi.spc.charts import p_chart, run_chart, xmr
from openqi.spc.funnel import funnel
from openqi.spc.render_chart import render_svg
from openqi.spc.render_funnel import render_funnel_svg

SVG = "{http://www.w3.org/2000/svg}"
MARK_TAGS = {"circle", "ellipse", "path", "polygon", "polyline", "line", "rect"}
MINIMUM = 3.0

# ---------------------------------------------------------------------------
# WCAG 2.x colour arithmetic


def channel(value: int) -> float:
    """One sRGB channel (0-255) made linear, as WCAG 2.x's relative luminance
    defines it (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance). WCAG
    quotes the threshold 0.03928 from an older sRGB draft; 0.04045 is the
    standard's, and the two agree for every 8-bit value."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    """L = 0.2126 R + 0.7152 G + 0.0722 B, on linear channels."""
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """(L1 + 0.05) / (L2 + 0.05), L1 the lighter
    (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` or ``#rgb``; anything else fails the test rather than being
    skipped, so that a new way of writing colours cannot slip past it."""
    text = colour.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    assert re.fullmatch(r"#[0-9a-f]{6}", text), f"unparsed colour {colour!r}"
    return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))


def over(
    colour: tuple[int, int, int], alpha: float, background: tuple[int, int, int]
) -> tuple[int, int, int]:
    """A translucent colour as it shows on the background (source-over)."""
    return (
        round(alpha * colour[0] + (1 - alpha) * background[0]),
        round(alpha * colour[1] + (1 - alpha) * background[1]),
        round(alpha * colour[2] + (1 - alpha) * background[2]),
    )


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        # Known values: black on white is 21:1 and #767676 is the lightest grey
        # with 4.5:1; the rest are the figures issue 17 quoted for the old marks.
        ("#000000", 21.0),
        ("#767676", 4.54),
        ("#00b0f0", 2.48),
        ("#a6a6a6", 2.43),
        ("#aeb7bd", 2.04),
    ],
)
def test_contrast_arithmetic_matches_known_ratios(colour: str, expected: float) -> None:
    assert round(contrast(rgb(colour), rgb("#fff")), 2) == expected


# ---------------------------------------------------------------------------
# The charts: every kind of mark, every kind of point

PERIODS = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
#: Month 10 is far above the rest, month 14 far below, the last six a shift up.
VALUES = [20, 22, 21, 19, 23, 20, 21, 22, 20, 35, 21, 19, 20, 6, 21]
VALUES += [22, 20, 21, 25, 26, 27, 28, 27, 26]


def xmr_svg(improvement: str) -> str:
    result = xmr(
        VALUES,
        PERIODS,
        improvement=improvement,
        target=None if improvement == "neither" else 24,
        exclude=["2023-04"],
        rebase=["2024-01"],
    )
    return render_svg(
        result,
        title=f"Improvement: {improvement}",
        y_label="Patients",
        x_label="Month",
        show_near=True,
        annotations=[("2023-06", "New rota")],
    )


def p_svg() -> str:
    denominators = [300 + 17 * (i % 7) for i in range(24)]
    rates = [0.2 + 0.02 * ((i * 5) % 3 - 1) for i in range(24)]
    rates[8] = 0.32  # far above the limits: concern, as lower is better
    numerators = [round(r * d) for r, d in zip(rates, denominators, strict=True)]
    result = p_chart(
        numerators,
        denominators,
        PERIODS,
        multiply=100,
        improvement="decrease",
        target=18,
    )
    return render_svg(result, title="Breaches", y_label="%")


def run_svg() -> str:
    return render_svg(run_chart(VALUES, PERIODS), title="Run chart")


#: About 10%, with Ward C far above and Ward J far below.
FUNNEL = (
    [10, 13, 60, 31, 19, 42, 24, 9, 35, 4],
    [100, 120, 150, 300, 200, 400, 250, 90, 350, 300],
    [f"Ward {c}" for c in "ABCDEFGHIJ"],
)


def funnel_svg(improvement: str) -> str:
    result = funnel(*FUNNEL, overdispersion=False)
    return render_funnel_svg(result, improvement=improvement)


CHARTS = {
    "xmr increase": lambda: xmr_svg("increase"),
    "xmr decrease": lambda: xmr_svg("decrease"),
    "xmr neither": lambda: xmr_svg("neither"),
    "p": p_svg,
    "run": run_svg,
    "funnel neither": lambda: funnel_svg("neither"),
    "funnel increase": lambda: funnel_svg("increase"),
}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def walk(
    element: ET.Element, ancestors: tuple[ET.Element, ...] = ()
) -> Iterator[tuple[ET.Element, tuple[ET.Element, ...]]]:
    yield element, ancestors
    for child in element:
        yield from walk(child, (*ancestors, element))


def background_of(root: ET.Element) -> tuple[int, int, int]:
    """The one background: the full-size rect drawn first. Any other filled
    rect would be a plot area that marks sit on, and this test would need to
    measure the marks inside it against that instead: so there must be none."""
    rects = [
        e
        for e, up in walk(root)
        if e.tag == f"{SVG}rect" and not any(a.tag == f"{SVG}defs" for a in up)
    ]
    assert len(rects) == 1, "a second rect: measure the marks on it against it"
    (rect,) = rects
    width, height = root.get("width"), root.get("height")
    assert (rect.get("x"), rect.get("y")) == ("0", "0")
    assert (rect.get("width"), rect.get("height")) == (width, height)
    return rgb(rect.get("fill") or "")


def marks(root: ET.Element) -> Iterator[tuple[ET.Element, tuple[ET.Element, ...]]]:
    """Every drawn mark that carries meaning (see the module's docstring)."""
    drawn = [(e, up) for e, up in walk(root) if e.tag.removeprefix(SVG) in MARK_TAGS]
    for element, up in drawn[1:]:  # the first is the background
        if any(a.tag == f"{SVG}defs" for a in up):
            continue
        if "grid" in classes(element):
            continue
        if any("icon" in classes(a) for a in up):
            continue
        yield element, up


def inherited(element: ET.Element, up: tuple[ET.Element, ...], name: str) -> str | None:
    for node in (element, *reversed(up)):
        if node.get(name) is not None:
            return node.get(name)
    return None


def paint(
    element: ET.Element, up: tuple[ET.Element, ...], background: tuple[int, int, int]
) -> tuple[str, tuple[int, int, int]]:
    """What shows of a mark: its stroke where it has one, else its fill, with
    any opacity composited over the background."""
    stroke = inherited(element, up, "stroke")
    width = float(inherited(element, up, "stroke-width") or "1")
    opacity = float(inherited(element, up, "opacity") or "1")
    if stroke not in (None, "none") and width > 0:
        alpha = opacity * float(inherited(element, up, "stroke-opacity") or "1")
        return f"stroke {stroke}", over(rgb(stroke), alpha, background)
    fill = inherited(element, up, "fill") or "#000000"  # SVG's default fill
    assert fill != "none", f"a mark with neither stroke nor fill: {element.attrib}"
    alpha = opacity * float(inherited(element, up, "fill-opacity") or "1")
    return f"fill {fill}", over(rgb(fill), alpha, background)


def name(element: ET.Element, up: tuple[ET.Element, ...]) -> str:
    group = next((a.get("class") for a in reversed(up) if a.get("class")), "")
    return (
        f"<{element.tag.removeprefix(SVG)} class={element.get('class')!r}> in {group!r}"
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_every_mark_has_3_to_1_against_its_background(chart: str) -> None:
    root = parse(CHARTS[chart]())
    background = background_of(root)
    seen: set[str] = set()
    failures = []
    for element, up in marks(root):
        seen |= classes(element).union(*(classes(a) for a in up))
        what, colour = paint(element, up, background)
        ratio = contrast(colour, background)
        if ratio < MINIMUM:
            failures.append(f"{name(element, up)}: {what} is {ratio:.2f}:1")
    assert not failures, "\n".join(failures)
    # The test saw the marks it is about, so that it cannot pass on an empty chart.
    expected = {"point", "data-line", "centre-line", "axis", "tick", "legend-point"}
    expected |= {"legend-line"}
    if chart.startswith("xmr"):
        expected |= {"limit-line", "near-line", "phase-break", "annotation"}
        expected |= {"excluded"}
    if chart.startswith("xmr") and chart != "xmr neither" or chart == "p":
        expected |= {"target-line"}
    if chart.startswith("funnel"):
        expected = (expected - {"data-line", "centre-line"}) | {"limit-95"}
        expected |= {"limit-998", "target-line"}
    assert expected <= seen


# ---------------------------------------------------------------------------
# Told apart without colour


def shape(element: ET.Element) -> tuple[str, ...]:
    """A point's shape whatever its position and size: the element kind, and a
    path's relative outline scaled to its largest step."""
    tag = element.tag.removeprefix(SVG)
    if tag != "path":
        return (tag,)
    d = element.get("d") or ""
    match = re.fullmatch(r"M\s*[-\d.]+[ ,]+[-\d.]+(.*)", d.strip())
    assert match, f"a point's path does not start with one move: {d!r}"
    rest = match.group(1)
    numbers = [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?", rest)]
    scale = max(abs(x) for x in numbers)
    commands = re.sub(r"-?\d+(?:\.\d+)?", "", rest).replace(" ", "")
    return (tag, commands, *(f"{x / scale:.1f}" for x in numbers))


def point_shapes(root: ET.Element) -> dict[str, set[tuple[str, ...]]]:
    """Each chart point's kind (its signal, neutral_high and _low as one) and
    the shapes drawn for it."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for element in root.iter():
        css = classes(element)
        if "point" not in css:
            continue
        (signal,) = [c.removeprefix("signal-") for c in css if c.startswith("signal-")]
        kind = "neutral" if signal.startswith("neutral") else signal
        found.setdefault(kind, set()).add(shape(element))
    return found


def test_kinds_of_point_differ_in_shape() -> None:
    drawn: dict[str, set[tuple[str, ...]]] = {}
    for improvement in ("increase", "decrease", "neither"):
        root = parse(xmr_svg(improvement))
        for kind, shapes in point_shapes(root).items():
            drawn.setdefault(kind, set()).update(shapes)
    # The charts above show every kind of point, both sides.
    assert set(drawn) == {"common_cause", "improvement", "concern", "neutral"}
    for kind, shapes in drawn.items():
        assert len(shapes) == 1, f"{kind} points drawn in {len(shapes)} shapes"
    for a, b in itertools.combinations(drawn, 2):
        assert drawn[a] != drawn[b], f"{a} and {b} points share a shape"


def test_excluded_points_are_hollow_and_keep_their_shape() -> None:
    root = parse(xmr_svg("increase"))
    (hollow,) = [e for e in root.iter() if {"point", "excluded"} <= classes(e)]
    assert hollow.get("fill") == "#ffffff"
    assert shape(hollow) == ("circle",)


def legend_shapes(root: ET.Element) -> dict[str, tuple[str, ...]]:
    (legend,) = [g for g in root.iter(f"{SVG}g") if "legend" in classes(g)]
    children = list(legend)
    return {
        (label.text or ""): shape(swatch)
        for swatch, label in itertools.pairwise(children)
        if "legend-point" in classes(swatch)
    }


@pytest.mark.parametrize("improvement", ["increase", "neither"])
def test_the_legend_shows_the_shapes_the_chart_draws(improvement: str) -> None:
    root = parse(xmr_svg(improvement))
    legend = legend_shapes(root)
    points = {kind: shapes.pop() for kind, shapes in point_shapes(root).items()}
    assert legend["Common cause"] == points["common_cause"]
    if improvement == "increase":
        assert legend["Improvement"] == points["improvement"]
        assert legend["Concern"] == points["concern"]
    else:
        assert legend["Special cause"] == points["neutral"]
    assert legend["Excluded"] == points["common_cause"]


def test_funnel_outliers_differ_in_shape_and_match_the_legend() -> None:
    root = parse(funnel_svg("increase"))
    found: dict[str, set[tuple[str, ...]]] = {}
    for element in root.iter():
        css = classes(element)
        if "point" in css:
            (outlier,) = [c for c in css if c.startswith("outlier-")]
            found.setdefault(outlier, set()).add(shape(element))
    assert set(found) == {"outlier-none", "outlier-high", "outlier-low"}
    assert all(len(shapes) == 1 for shapes in found.values())
    none, high, low = (found[f"outlier-{k}"].pop() for k in ("none", "high", "low"))
    assert len({none, high, low}) == 3
    legend = legend_shapes(root)
    assert legend["Within limits"] == none
    assert legend["Outlier: better"] == high  # higher is better here
    assert legend["Outlier: worse"] == low


def dashes(root: ET.Element, css: str) -> set[tuple[str | None, str | None]]:
    return {
        (e.get("stroke-dasharray"), e.get("stroke-width"))
        for e in root.iter()
        if css in classes(e)
    }


def test_lines_of_one_colour_family_differ_in_dashes() -> None:
    root = parse(xmr_svg("increase"))
    lines = {
        css: dashes(root, css)
        for css in ("centre-line", "limit-line", "near-line", "target-line")
    }
    for css, styles in lines.items():
        assert len(styles) == 1, f"{css} drawn {len(styles)} ways"
    patterns = {css: next(iter(styles))[0] for css, styles in lines.items()}
    assert len(set(patterns.values())) == 4, patterns
    funnel_root = parse(funnel_svg("neither"))
    funnel_patterns = {
        css: {dash for dash, _ in dashes(funnel_root, css)}
        for css in ("limit-95", "limit-998", "target-line")
    }
    assert all(len(p) == 1 for p in funnel_patterns.values())
    assert len({p.pop() for p in funnel_patterns.values()}) == 3
