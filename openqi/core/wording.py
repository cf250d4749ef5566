"""Small pieces of English every app's messages use."""

from __future__ import annotations

from collections.abc import Sequence


def listed(items: Sequence[str], last: str = "and") -> str:
    """``items`` as a sentence lists them: "a", "a and b", "a, b and c" (``last``
    is the word before the final item: "and" or "or")."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
