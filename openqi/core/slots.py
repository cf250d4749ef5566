"""Slots: a named place on a lower app's page that a higher app fills.

A lower app cannot import a higher one, yet a page of its own may need to show
something of it (a project adopted from the shared learning library says where it
came from). The page leaves a slot, ``{{ slot("projects.detail", membership=…,
project=…) }}``, and the higher app registers what fills it in its
``AppConfig.ready()``::

    slots.register("projects.detail", hooks.project_slot)

Each filler takes the page's keyword arguments and returns HTML (or ""); the
slot shows them in the order they were registered. An empty slot shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

__all__ = ["fill", "register"]

Filler = Callable[..., str]

_FILLERS: dict[str, list[Filler]] = {}


def register(name: str, filler: Filler) -> None:
    """Fill the slot ``name`` with ``filler`` (once, however often registered)."""
    fillers = _FILLERS.setdefault(name, [])
    if filler not in fillers:
        fillers.append(filler)


def fill(name: str, **context: Any) -> Markup:
    """The HTML of every filler of the slot ``name``, in order."""
    return Markup("").join(Markup(f(**context)) for f in _FILLERS.get(name, ()))
