"""Sparklines (openqi/spc/render_sparkline.py): the last points drawn as the
chart draws them, with a text alternative that says what they show."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from openqi.spc._svg import COLOURS
from openqi.spc.render_sparkline import sparkline_svg, sparkline_text

SVG = "{http://www.w3.org/2000/svg}"

POINTS = [
    ["2024-01", 10, "common_cause"],
    ["2024-02", 12, "common_cause"],
    ["2024-03", None, "common_cause"],
    ["2024-04", 30, "improvement"],
    ["2024-05", 45, "concern"],
]


def _tree(points: list[list[object]], label: str = "Falls") -> ET.Element:
    return ET.fromstring(sparkline_svg(points, label=label))


def test_text_says_how_many_points_the_latest_and_its_signal() -> None:
    assert sparkline_text("Falls", POINTS) == (
        "Falls: last 4 points, latest 45 (May 2024), special cause concern; "
        "2 special cause points"
    )


def test_text_names_the_unit_and_a_common_cause_latest_point() -> None:
    text = sparkline_text("Waits", [["2024-03-04", 12.25, "common_cause"]], "minutes")
    assert (
        text == "Waits: last 1 point, latest 12.2 minutes (4 March 2024), common cause"
    )


def test_text_with_no_values_says_so() -> None:
    assert sparkline_text("Falls", []) == "Falls: no data yet"
    assert sparkline_text("Falls", [["2024-01", None, "common_cause"]]) == (
        "Falls: no data yet"
    )


def test_svg_is_named_by_its_text_alternative() -> None:
    label = sparkline_text("Falls & harm <ward>", POINTS)
    root = _tree(POINTS, label)
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == label


def test_special_cause_points_keep_the_charts_colours_and_shapes() -> None:
    root = _tree(POINTS)
    concern = root.find(f"{SVG}path[@class='openqi-spark-concern']")
    improvement = root.find(f"{SVG}path[@class='openqi-spark-improvement']")
    assert concern is not None and concern.get("fill") == COLOURS["concern"]
    assert improvement is not None and improvement.get("fill") == COLOURS["improvement"]
    # A triangle has three sides, a diamond four.
    assert concern.get("d", "").count("l") + concern.get("d", "").count("h") == 2
    assert improvement.get("d", "").count("l") == 3
    common = root.findall(f"{SVG}circle[@class='openqi-spark-common_cause']")
    assert [c.get("fill") for c in common] == [COLOURS["common_cause"]] * 2


def test_neutral_points_are_purple_squares() -> None:
    root = _tree([["2024-01", 1, "neutral_high"], ["2024-02", 2, "neutral_low"]])
    squares = root.findall(f"{SVG}path[@class='openqi-spark-neutral']")
    assert len(squares) == 2
    assert {s.get("fill") for s in squares} == {COLOURS["neutral"]}


def test_a_missing_value_breaks_the_line() -> None:
    root = _tree(POINTS)
    line = root.find(f"{SVG}path[@fill='none']")
    assert line is not None
    assert line.get("d", "").count("M") == 2


def test_nothing_to_draw_is_an_empty_named_drawing() -> None:
    root = _tree([], "Falls: no data yet")
    assert root.get("aria-label") == "Falls: no data yet"
    assert root.findall(f"{SVG}circle") == []


def test_one_value_and_a_flat_series_sit_in_the_middle() -> None:
    root = _tree([["2024-01", 5, "common_cause"], ["2024-02", 5, "common_cause"]])
    assert {c.get("cy") for c in root.findall(f"{SVG}circle")} == {"16"}
    single = _tree([["2024-01", 5, "common_cause"]])
    circle = single.find(f"{SVG}circle")
    assert circle is not None and circle.get("cx") == "60"


def test_bad_values_are_left_out_not_drawn() -> None:
    root = _tree([["a", "x", "common_cause"], ["b", float("nan"), "concern"], ["c", 3]])
    assert len(root.findall(f"{SVG}circle")) == 1
