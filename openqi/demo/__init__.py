"""The demo organisation: a fictional integrated care system and its trusts.

The demo sits above every domain app: it may import them all, and nothing in
OpenQI imports it except its own ``demo`` management command (which ``openqi
demo`` runs). Its content (organisations, people, priorities, projects,
measures, assessments, the journey and the barrier log) is data, in the JSON
files of ``openqi/demo/data``, read by the small builders of each step module
(:mod:`openqi.demo.organisations`, :mod:`openqi.demo.projects`, …);
:mod:`openqi.demo.builder` runs the steps.

This package is a Django app (for its management command), so it is imported
while the app registry loads, before any model can be: the names below are
looked up in :mod:`openqi.demo.builder` when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .builder import (
        PASSWORD,
        SIZES,
        STEPS,
        Demo,
        DemoError,
        SignIn,
        build_demo,
        describe,
        ensure_migrated,
    )

__all__ = [
    "PASSWORD",
    "SIZES",
    "STEPS",
    "Demo",
    "DemoError",
    "SignIn",
    "build_demo",
    "describe",
    "ensure_migrated",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".builder", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
