"""The Making Data Count icons for templates, drawn by :mod:`openqi.spc.icons`.

The pages, the SPC charts and the board report draw the icons from one drawing.
Templates reach them through the Jinja2 globals ``mdc_variation_icon``,
``mdc_assurance_icon`` and ``mdc_icon_symbols`` (openqi/core/jinja2.py), usually
by way of the macros in ``measures/_icons.html`` and
``portfolio/_portfolio_macros.html``.
"""

from __future__ import annotations

from markupsafe import Markup

from openqi.spc import icons

# Markup is safe here: openqi.spc.icons escapes every word it writes into the SVG.


def variation_icon(code: str, words: object = None, size: int = 40) -> Markup:
    """The variation icon for ``code``, ``size`` pixels square, labelled with
    ``words`` (the icon's own words when there are none)."""
    return Markup(icons.variation_icon_svg(code, _words(words), int(size)))


def assurance_icon(code: str, words: object = None, size: int = 40) -> Markup:
    """The assurance icon for ``code``, ``size`` pixels square, labelled with
    ``words`` (the icon's own words, without the target's value, when there are none)."""
    return Markup(icons.assurance_icon_svg(code, _words(words), int(size)))


def _words(words: object) -> str | None:
    """Words to label an icon with; ``None`` (or an undefined template value) for its own."""
    if isinstance(words, Markup):
        words = words.unescape()  # openqi.spc.icons escapes it again
    text = "" if words is None else str(words)
    return text or None


def icon_symbols() -> Markup:
    """Every icon as a ``<symbol>``, once per page, for ``<use href="#openqi-…">``."""
    return Markup(icons.icon_symbols())
