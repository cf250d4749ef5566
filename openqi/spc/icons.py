"""The Making Data Count variation and assurance icons, drawn as SVG, and their words.

Our own drawing of the icons NHS England's Making Data Count programme uses to
summarise an SPC chart (NHS England and NHS Improvement, *Making Data Count:
Strengthening your decisions*, 2019, "Using summary icons"; the same set is
described in *Making Data Count: Getting started*, 2019), with the programme's
colours (:data:`openqi.spc.COLOURS`; also those of the NHS-R Community's
NHSRplotthedots package, ``ptd_spc_colours()``). Every icon is a white disc in a
ring of its category's colour:

- **variation**, read from the latest point: common cause is a grey ring round
  a grey run of dots joined by a line that wanders about its mean; special
  cause is a ring in the category's colour (improvement blue, concern orange,
  neither improvement nor concern purple) with the letter H or L and the same
  run, whose last three dots, in the category's colour, lie above the others
  (high) or below them (low);
- **assurance**, read from the target and the process limits: consistently
  passing is a blue ring with P, consistently failing an orange ring with F, and
  hit and miss a grey ring with the red target line running through a wavy grey
  process line.

The MDC colours are kept for the rings and the run's dots; the marks read
from them carry a darker shade of the same hue where the MDC colour alone is
under 3:1 on white (WCAG 2.2, 1.4.11): the letters, the grey dots and line, and
the outline of each coloured dot (the chart points' outlines,
``openqi.spc._svg._OUTLINES``). Each icon carries a ``<title>`` that says the same
in words, and :func:`variation_words` and :func:`assurance_words` give those
words for a chart's description and the page beside the icon.

:func:`variation_icon` and :func:`assurance_icon` draw an icon into a chart;
:func:`variation_icon_svg`, :func:`assurance_icon_svg` and :func:`icon_symbols`
draw the same icons as a small ``<svg>`` of their own, or as ``<symbol>`` s
for a page that shows many of them.
"""

from __future__ import annotations

from functools import cache

from openqi.spc._svg import (
    _FONT,
    _ICON_R,
    _OUTLINES,
    _WHITE,
    COLOURS,
    _c,
    _el,
    _esc,
    _number,
    _open,
    _path,
)

__all__ = [
    "ASSURANCE_CODES",
    "assurance_icon",
    "assurance_icon_svg",
    "assurance_words",
    "icon_symbols",
    "VARIATION_CODES",
    "variation_icon",
    "variation_icon_svg",
    "variation_words",
]

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

#: The icons drawn, in the order a key lists them.
VARIATION_CODES: tuple[str, ...] = tuple(_VARIATION_WORDS)
ASSURANCE_CODES: tuple[str, ...] = tuple(_ASSURANCE_WORDS)

# The geometry, in pixels from the icon's centre, for an icon of radius
# _ICON_R (17): a ring 3 wide whose inside edge is 14 from the centre; marks
# stay inside that edge.
_RING_WIDTH = 3.0
_DOT_R = 1.9
_DOT_STROKE = 0.8
_RUN_X = (-9.0, -5.4, -1.8, 1.8, 5.4, 9.0)
# The run's heights (y grows downwards): common cause wanders about the middle;
# a special-cause run keeps its first three dots together and moves its last
# three up (high) or down (low), below the letter.
_RUN_Y: dict[str, tuple[float, ...]] = {
    "common": (1.5, -2.5, 1.0, -1.5, 2.5, -1.0),
    "high": (6.0, 4.6, 6.4, 2.4, 1.2, 1.8),
    "low": (2.4, 1.0, 2.8, 6.6, 7.8, 7.2),
}
_SIGNAL_DOTS = 3  # the last dots of a special-cause run, in the category's colour
_LETTER_SIZE = 13.0
_LETTER_Y = -2.6  # the baseline of H or L; P and F sit in the middle
_PASS_FAIL_SIZE = 18.0
_PASS_FAIL_Y = 6.4
_PLAIN_VIEW = 2 * (_ICON_R + 1)  # a standalone icon's viewBox: 1 px round the ring


def _category(variation: str) -> tuple[str, str]:
    """``("concern", "high")`` from ``"concern_high"``; anything unknown is common cause."""
    category, _, side = variation.partition("_")
    if category in ("improvement", "concern", "neutral") and side in ("high", "low"):
        return category, side
    return "common_cause", ""


def _ring(cx: float, cy: float, colour: str) -> str:
    return _el(
        "circle",
        class_="icon-ring",
        cx=cx,
        cy=cy,
        r=_ICON_R - _RING_WIDTH / 2,
        fill=_WHITE,
        stroke=colour,
        stroke_width=_c(_RING_WIDTH),
    )


def _letter(letter: str, cx: float, y: float, size: float, colour: str) -> str:
    return _el(
        "text",
        letter,
        class_="icon-letter",
        x=cx,
        y=y,
        text_anchor="middle",
        font_family=_FONT,
        font_size=_c(size),
        font_weight="bold",
        fill=colour,
    )


def _dot(x: float, y: float, fill: str, stroke: str) -> str:
    return _el(
        "circle",
        cx=x,
        cy=y,
        r=_DOT_R,
        fill=fill,
        stroke=stroke,
        stroke_width=_c(_DOT_STROKE),
    )


def _variation_marks(variation: str, cx: float, cy: float) -> list[str]:
    """The ring, letter and run of a variation icon centred on ``(cx, cy)``."""
    category, side = _category(variation)
    heights = _RUN_Y[side or "common"]
    points = [(cx + dx, cy + dy) for dx, dy in zip(_RUN_X, heights, strict=True)]
    grey, grey_dark = COLOURS["common_cause"], _OUTLINES["common_cause"]
    out = [_ring(cx, cy, COLOURS[category])]
    if side:
        letter = "H" if side == "high" else "L"
        out.append(
            _letter(letter, cx, cy + _LETTER_Y, _LETTER_SIZE, _OUTLINES[category])
        )
    line = "".join(
        f"{'M' if i == 0 else 'L'}{_c(x)} {_c(y)}" for i, (x, y) in enumerate(points)
    )
    out.append(_path(line, grey_dark, "1", class_="icon-run"))
    signal_from = len(points) - _SIGNAL_DOTS if side else len(points)
    for i, (x, y) in enumerate(points):
        if i < signal_from:
            out.append(_dot(x, y, grey, grey_dark))
        else:
            out.append(_dot(x, y, COLOURS[category], _OUTLINES[category]))
    return out


def _assurance_marks(assurance: str, cx: float, cy: float) -> list[str]:
    """The ring and letter, or target and wave, of an assurance icon."""
    if assurance in ("consistent_pass", "consistent_fail"):
        category = "improvement" if assurance == "consistent_pass" else "concern"
        letter = "P" if assurance == "consistent_pass" else "F"
        return [
            _ring(cx, cy, COLOURS[category]),
            _letter(
                letter, cx, cy + _PASS_FAIL_Y, _PASS_FAIL_SIZE, _OUTLINES[category]
            ),
        ]
    # Hit and miss: the target runs through the process, which wanders across it.
    x0 = cx - 10
    return [
        _ring(cx, cy, COLOURS["common_cause"]),
        _path(
            f"M{_c(x0 - 1.5)} {_c(cy)}H{_c(cx + 11.5)}",
            COLOURS["target"],
            "2",
            class_="icon-target",
        ),
        _path(
            f"M{_c(x0)} {_c(cy)}q2.5 -8 5 0t5 0t5 0t5 0",
            _OUTLINES["common_cause"],
            "2",
            class_="icon-process",
            stroke_linecap="round",
        ),
    ]


def variation_icon(variation: str, cx: float, cy: float) -> list[str]:
    """The variation icon for ``variation`` (one of :data:`VARIATION_CODES`)
    centred on ``(cx, cy)`` in a chart, radius 17 px, as SVG lines: a
    ``<g class="icon variation-icon variation-…">`` with its ``<title>``."""
    words = _VARIATION_WORDS.get(variation, variation.replace("_", " "))
    return [
        _open("g", class_=f"icon variation-icon variation-{variation}"),
        _el("title", _esc(f"Variation: {words}")),
        *_variation_marks(variation, cx, cy),
        "</g>",
    ]


def assurance_icon(
    assurance: str, target: float | None, cx: float, cy: float
) -> list[str]:
    """The assurance icon for ``assurance`` (one of :data:`ASSURANCE_CODES`)
    against ``target``, centred on ``(cx, cy)`` in a chart, as SVG lines: a
    ``<g class="icon assurance-icon assurance-…">`` with its ``<title>``."""
    return [
        _open("g", class_=f"icon assurance-icon assurance-{assurance}"),
        _el("title", _esc(f"Assurance: {assurance_words(assurance, target)}")),
        *_assurance_marks(assurance, cx, cy),
        "</g>",
    ]


def _plain_svg(kind: str, code: str, words: str, size: int, marks: list[str]) -> str:
    if not isinstance(size, int) or not 8 <= size <= 400:
        raise ValueError(f"an icon needs size from 8 to 400 pixels; got {size!r}")
    label = f"{kind}: {words}"
    return "".join(
        [
            _open(
                "svg",
                xmlns="http://www.w3.org/2000/svg",
                class_=f"openqi-icon {kind.lower()}-icon {kind.lower()}-{code}",
                width=str(size),
                height=str(size),
                viewBox=f"0 0 {_c(_PLAIN_VIEW)} {_c(_PLAIN_VIEW)}",
                role="img",
                aria_label=label,  # escaped by _el
                focusable="false",
            ),
            _el("title", _esc(label)),
            *marks,
            "</svg>",
        ]
    )


def variation_icon_svg(variation: str, words: str | None = None, size: int = 40) -> str:
    """The variation icon as a ``<svg>`` of its own, ``size`` pixels square,
    labelled "Variation: ``words``" (:func:`variation_words` when ``None``).

    >>> svg = variation_icon_svg("concern_high", size=20)
    >>> 'aria-label="Variation: special cause concern' in svg and ">H</text>" in svg
    True
    """
    centre = _PLAIN_VIEW / 2
    return _plain_svg(
        "Variation",
        variation,
        variation_words(variation) if words is None else words,
        size,
        _variation_marks(variation, centre, centre),
    )


def assurance_icon_svg(
    assurance: str,
    words: str | None = None,
    size: int = 40,
    target: float | None = None,
) -> str:
    """The assurance icon as a ``<svg>`` of its own, ``size`` pixels square,
    labelled "Assurance: ``words``" (:func:`assurance_words` for ``target`` when
    ``None``).

    >>> ">P</text>" in assurance_icon_svg("consistent_pass", target=95.0)
    True
    """
    centre = _PLAIN_VIEW / 2
    if words is None:
        words = assurance_words(assurance, target)
        if target is None:  # "the target", not "the target of none"
            words = words.replace(" of none", "", 1)
    return _plain_svg(
        "Assurance",
        assurance,
        words,
        size,
        _assurance_marks(assurance, centre, centre),
    )


@cache
def icon_symbols(id_prefix: str = "openqi") -> str:
    """Every icon as a ``<symbol id="{id_prefix}-variation-…">`` or
    ``"{id_prefix}-assurance-…"``, in one hidden ``<svg>``: a page that shows
    many icons writes this once and each icon as ``<use href="#…">`` inside
    an ``<svg>`` holding its own ``<title>``."""
    view = f"0 0 {_c(_PLAIN_VIEW)} {_c(_PLAIN_VIEW)}"
    centre = _PLAIN_VIEW / 2
    out = [
        _open(
            "svg",
            xmlns="http://www.w3.org/2000/svg",
            class_="openqi-icon-symbols",
            width="0",
            height="0",
            aria_hidden="true",
            focusable="false",
        )
    ]
    for code in VARIATION_CODES:
        out.append(_open("symbol", id=f"{id_prefix}-variation-{code}", viewBox=view))
        out += _variation_marks(code, centre, centre)
        out.append("</symbol>")
    for code in ASSURANCE_CODES:
        out.append(_open("symbol", id=f"{id_prefix}-assurance-{code}", viewBox=view))
        out += _assurance_marks(code, centre, centre)
        out.append("</symbol>")
    out.append("</svg>")
    return "".join(out)


def assurance_words(assurance: str | None, target: float | None) -> str:
    """An assurance icon's meaning in words, with the target's value."""
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


def variation_words(variation: str) -> str:
    """A variation icon's meaning in words ("special cause concern: the latest point is high")."""
    return _VARIATION_WORDS.get(variation, variation.replace("_", " "))
