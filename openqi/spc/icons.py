"""The Making Data Count variation and assurance icons, drawn as SVG, and their words.

Our own drawing of the Making Data Count icon idea (NHS England, *Making Data
Count: Getting started*, 2019, "SPC icons"): a filled circle for variation,
coloured by the category, with H or L for a high or low latest point; a ring
for assurance, with P (consistently passing), F (consistently failing) or a
wavy line (inconsistent). Each icon carries a ``<title>`` that says the same in
words, and :func:`variation_words` and :func:`assurance_words` give those words
for a chart's description.
"""

from __future__ import annotations

from openqi.spc._svg import (
    _ICON_R,
    _WHITE,
    COLOURS,
    _c,
    _el,
    _esc,
    _line,
    _number,
    _open,
    _path,
)

__all__ = ["assurance_icon", "assurance_words", "variation_icon", "variation_words"]

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


def variation_icon(variation: str, cx: float, cy: float) -> list[str]:
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


def assurance_icon(
    assurance: str, target: float | None, cx: float, cy: float
) -> list[str]:
    colour = {
        "consistent_pass": COLOURS["improvement"],
        "consistent_fail": COLOURS["concern"],
    }.get(assurance, COLOURS["common_cause"])
    out = [
        _open("g", class_=f"icon assurance-icon assurance-{assurance}"),
        _el("title", _esc(f"Assurance: {assurance_words(assurance, target)}")),
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


def assurance_words(assurance: str | None, target: float | None) -> str:
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
