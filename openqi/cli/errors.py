"""The one error the command line raises itself."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input found by the command line itself; the message is shown as is."""
