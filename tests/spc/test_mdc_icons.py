"""The Making Data Count icons (openqi.spc.icons), checked as XML, not as pixels.

What an NHS analyst reads in the icons (NHS England, *Making Data Count:
Strengthening your decisions*, 2019, "Using summary icons"): the ring's colour
(common cause grey #a6a6a6, improvement blue #00b0f0, concern orange #e46c0a,
neither purple #490092; assurance pass blue, fail orange, hit and miss grey),
the letter (H or L for a special cause high or low, P or F for consistently
passing or failing the target), the run of dots (the last ones above or below
the rest) and, for hit and miss, the target line through a wavy process. The
letters and dots keep 3:1 on white (WCAG 2.2, 1.4.11) in a darker shade of the
same hue; the colours' ratios are worked out by WCAG's formula below.
"""

from __future__ import annotations

import doctest
import math
import re
import xml.etree.ElementTree as ET

import pytest

from openqi.spc import icons
from openqi.spc.icons import (
    ASSURANCE_CODES,
    VARIATION_CODES,
    assurance_icon,
    assurance_icon_svg,
    icon_symbols,
    variation_icon,
    variation_icon_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
GREY, BLUE, ORANGE, PURPLE, RED = "#a6a6a6", "#00b0f0", "#e46c0a", "#490092", "#de1b1b"
WHITE = "#ffffff"
RING_INSIDE = 14.0  # radius 17 less the ring's width of 3

VARIATIONS = [
    ("common_cause", GREY, None, None),
    ("improvement_high", BLUE, "H", "high"),
    ("improvement_low", BLUE, "L", "low"),
    ("concern_high", ORANGE, "H", "high"),
    ("concern_low", ORANGE, "L", "low"),
    ("neutral_high", PURPLE, "H", "high"),
    ("neutral_low", PURPLE, "L", "low"),
]
ASSURANCES = [
    ("consistent_pass", BLUE, "P", "consistently pass the target of 95"),
    ("consistent_fail", ORANGE, "F", "consistently fail the target of 95"),
    ("inconsistent", GREY, None, "not consistently hit or miss the target of 95"),
]


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#rrggbb`` colours
    (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio)."""

    def luminance(colour: str) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def ring_of(root: ET.Element) -> ET.Element:
    (ring,) = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "icon-ring"]
    return ring


def dots_of(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(f"{SVG}circle") if c.get("class") != "icon-ring"]


def letters_of(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}text"))


def test_the_worked_contrast_ratios() -> None:
    # By hand from WCAG's formula: white on black is 21:1; the MDC blue on white
    # is 2.48:1, under 3:1, which is why its letters are drawn darker.
    assert contrast(WHITE, "#000000") == pytest.approx(21.0)
    assert contrast(BLUE, WHITE) == pytest.approx(2.48, abs=0.01)


@pytest.mark.parametrize(("code", "colour", "letter", "side"), VARIATIONS)
def test_variation_icon_has_the_mdc_ring_letter_and_run(
    code: str, colour: str, letter: str | None, side: str | None
) -> None:
    root = parse(variation_icon_svg(code, size=40))
    ring = ring_of(root)
    assert (ring.get("stroke"), ring.get("fill")) == (colour, WHITE)
    assert [t.text for t in letters_of(root)] == ([letter] if letter else [])
    dots = dots_of(root)
    assert len(dots) == 6
    fills = [d.get("fill") for d in dots]
    heights = [float(d.get("cy")) for d in dots]
    if side is None:
        assert fills == [GREY] * 6
    else:
        # The first three in grey, the last three in the category's colour,
        # above the others (high: smaller y) or below them (low).
        assert fills == [GREY] * 3 + [colour] * 3
        if side == "high":
            assert max(heights[3:]) < min(heights[:3])
        else:
            assert min(heights[3:]) > max(heights[:3])
    # The dots are joined by a line, as on a chart.
    (run,) = [p for p in root.iter(f"{SVG}path") if p.get("class") == "icon-run"]
    assert len(re.findall(r"[ML]", run.get("d"))) == 6


@pytest.mark.parametrize(("code", "colour", "letter", "words"), ASSURANCES)
def test_assurance_icon_has_the_mdc_ring_and_letter_or_target(
    code: str, colour: str, letter: str | None, words: str
) -> None:
    root = parse(assurance_icon_svg(code, target=95.0))
    ring = ring_of(root)
    assert (ring.get("stroke"), ring.get("fill")) == (colour, WHITE)
    assert [t.text for t in letters_of(root)] == ([letter] if letter else [])
    assert words in root.find(f"{SVG}title").text
    paths = {p.get("class"): p for p in root.iter(f"{SVG}path")}
    if letter is None:
        # The red target line runs straight through the middle of the wave.
        target, process = paths["icon-target"], paths["icon-process"]
        assert target.get("stroke") == RED
        y = re.fullmatch(r"M([\d.]+) ([\d.]+)H([\d.]+)", target.get("d"))
        assert y is not None and float(y.group(2)) == 18.0
        assert process.get("d").startswith("M8 18q")  # starts on the target
        assert "q2.5 -8" in process.get("d")  # and rises above it, then falls below
    else:
        assert not paths


@pytest.mark.parametrize("code", VARIATION_CODES)
def test_variation_marks_read_at_3_to_1_on_white(code: str) -> None:
    root = parse(variation_icon_svg(code))
    for text in letters_of(root):
        assert contrast(text.get("fill"), WHITE) >= 3.0
    for dot in dots_of(root):
        assert contrast(dot.get("stroke"), WHITE) >= 3.0
    (run,) = [p for p in root.iter(f"{SVG}path") if p.get("class") == "icon-run"]
    assert contrast(run.get("stroke"), WHITE) >= 3.0


@pytest.mark.parametrize("code", ASSURANCE_CODES)
def test_assurance_marks_read_at_3_to_1_on_white(code: str) -> None:
    root = parse(assurance_icon_svg(code))
    for text in letters_of(root):
        assert contrast(text.get("fill"), WHITE) >= 3.0
    for path in root.iter(f"{SVG}path"):
        assert contrast(path.get("stroke"), WHITE) >= 3.0


@pytest.mark.parametrize("code", VARIATION_CODES)
def test_every_dot_stays_inside_the_ring(code: str) -> None:
    root = parse(variation_icon_svg(code))
    for dot in dots_of(root):
        reach = math.hypot(float(dot.get("cx")) - 18, float(dot.get("cy")) - 18)
        reach += float(dot.get("r")) + float(dot.get("stroke-width")) / 2
        assert reach <= RING_INSIDE + 0.01, (code, dot.attrib)


@pytest.mark.parametrize("size", [20, 40])
def test_a_standalone_icon_is_a_labelled_svg_of_its_size(size: int) -> None:
    svg = variation_icon_svg("concern_high", size=size)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == (str(size), str(size))
    assert root.get("viewBox") == "0 0 36 36"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title").text
    assert title == "Variation: special cause concern: the latest point is high"
    assert root.get("aria-label") == title


def test_the_callers_words_label_the_icon_and_are_escaped() -> None:
    root = parse(assurance_icon_svg("consistent_fail", 'Fails <the> "A&E" target'))
    assert root.find(f"{SVG}title").text == 'Assurance: Fails <the> "A&E" target'
    assert root.get("aria-label") == 'Assurance: Fails <the> "A&E" target'


def test_without_a_target_the_words_do_not_say_none() -> None:
    title = parse(assurance_icon_svg("consistent_pass")).find(f"{SVG}title").text
    assert "the target (the target lies" in title
    assert "none" not in title


@pytest.mark.parametrize("size", [0, 7, 401, 40.0])
def test_a_size_out_of_range_is_refused(size: object) -> None:
    with pytest.raises(ValueError, match="size from 8 to 400 pixels"):
        variation_icon_svg("common_cause", size=size)  # type: ignore[arg-type]  # a float size is what is refused


def test_chart_icons_are_groups_with_titles_at_the_given_centre() -> None:
    lines = variation_icon("neutral_low", 100.0, 40.0)
    group = parse(
        '<svg xmlns="http://www.w3.org/2000/svg">' + "".join(lines) + "</svg>"
    ).find(f"{SVG}g")
    assert group.get("class") == "icon variation-icon variation-neutral_low"
    assert group.find(f"{SVG}title").text.startswith(
        "Variation: special cause variation"
    )
    ring = ring_of(group)
    assert (ring.get("cx"), ring.get("cy"), ring.get("stroke")) == ("100", "40", PURPLE)
    lines = assurance_icon("inconsistent", 3.5, 60.0, 25.0)
    group = parse(
        '<svg xmlns="http://www.w3.org/2000/svg">' + "".join(lines) + "</svg>"
    ).find(f"{SVG}g")
    assert "target of 3.5" in group.find(f"{SVG}title").text
    assert (ring_of(group).get("cx"), ring_of(group).get("stroke")) == ("60", GREY)


def test_symbols_hold_every_icon_once_with_the_same_drawing() -> None:
    root = parse(icon_symbols())
    assert root.get("aria-hidden") == "true"
    symbols = {s.get("id"): s for s in root.iter(f"{SVG}symbol")}
    assert sorted(symbols) == sorted(
        [f"openqi-variation-{c}" for c in VARIATION_CODES]
        + [f"openqi-assurance-{c}" for c in ASSURANCE_CODES]
    )
    standalone = parse(variation_icon_svg("improvement_low"))
    symbol = symbols["openqi-variation-improvement_low"]
    assert [ET.tostring(e) for e in symbol] == [
        ET.tostring(e) for e in standalone if e.tag != f"{SVG}title"
    ]


def test_the_docstring_examples_run() -> None:
    assert doctest.testmod(icons, raise_on_error=True).attempted >= 2
