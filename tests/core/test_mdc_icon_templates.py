"""The pages' Making Data Count icons are openqi.spc.icons' drawing, not a copy:
the macros in measures/_icons.html and portfolio/_portfolio_macros.html write
what openqi/core/icons.py gets from the SPC core, with the page's words."""

import xml.etree.ElementTree as ET

import pytest
from django.template import engines
from markupsafe import Markup

from openqi.spc.icons import (
    ASSURANCE_CODES,
    VARIATION_CODES,
    assurance_icon_svg,
    icon_symbols,
    variation_icon_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def render(source: str, **context: object) -> str:
    return engines["jinja2"].env.from_string(source).render(context)


@pytest.mark.parametrize("code", VARIATION_CODES)
def test_measures_variation_macro_draws_the_core_icon(code: str) -> None:
    html = render(
        '{% from "measures/_icons.html" import variation_icon %}'
        "{{ variation_icon(code, words, size=40) }}",
        code=code,
        words="Some words",
    )
    assert html == variation_icon_svg(code, "Some words", 40)


@pytest.mark.parametrize("code", ASSURANCE_CODES)
def test_measures_assurance_macro_draws_the_core_icon(code: str) -> None:
    html = render(
        '{% from "measures/_icons.html" import assurance_icon %}'
        "{{ assurance_icon(code, words) }}",
        code=code,
        words="Fails the target",
    )
    assert html == assurance_icon_svg(code, "Fails the target", 32)


def test_no_code_draws_nothing() -> None:
    html = render(
        '{% from "measures/_icons.html" import variation_icon, assurance_icon %}'
        '{{ variation_icon(none, "x") }}{{ assurance_icon("", "x") }}'
    )
    assert html == ""


def test_words_from_the_page_are_escaped_once() -> None:
    html = render(
        '{% from "measures/_icons.html" import variation_icon %}'
        '{{ variation_icon("concern_high", words) }}',
        words=Markup("A &amp; E <i>high</i>").striptags(),
    )
    title = ET.fromstring(html).find(f"{SVG}title").text
    assert title == "Variation: A & E high"
    html = render(
        '{% from "measures/_icons.html" import variation_icon %}'
        '{{ variation_icon("concern_high", words) }}',
        words=Markup("A &amp; E"),
    )
    assert ET.fromstring(html).find(f"{SVG}title").text == "Variation: A & E"


def test_without_words_the_icon_says_its_own() -> None:
    html = render(
        '{% from "measures/_icons.html" import variation_icon %}'
        '{{ variation_icon("common_cause", missing) }}'
    )
    assert ET.fromstring(html).get("aria-label") == (
        "Variation: common cause variation: no special cause at the latest point"
    )


def test_portfolio_symbols_are_the_core_symbols() -> None:
    html = render(
        '{% from "portfolio/_portfolio_macros.html" import icon_symbols %}'
        "{{ icon_symbols() }}"
    )
    assert html == icon_symbols()
    ids = {s.get("id") for s in ET.fromstring(html).iter(f"{SVG}symbol")}
    uses = render(
        '{% from "portfolio/_portfolio_macros.html" import variation_icon, '
        "assurance_icon %}"
        '{{ variation_icon("neutral_low", "Falls") }}'
        '{{ assurance_icon("inconsistent", "Falls") }}'
    )
    for href in ("#openqi-variation-neutral_low", "#openqi-assurance-inconsistent"):
        assert f'href="{href}"' in uses
        assert href[1:] in ids
