"""The benchmark table: one :class:`Row` per figure, printed as plain text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Row", "format_table", "si"]


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table.

    ``value`` is ``None`` when the benchmark was skipped (``note`` says why).
    ``target`` is a readable bound such as ``">= 1.5e7"``; ``is_met`` is
    ``None`` when there is no target.
    """

    name: str
    value: float | None
    unit: str
    target: str = ""
    is_met: bool | None = None
    note: str = ""


def si(value: float) -> str:
    """A figure with three significant digits: 3.71e7, 12.4, 0.0312."""
    if value == 0 or not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return (
            f"{value:.2e}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
        )
    return f"{value:.3g}"


def format_table(rows: Sequence[Row]) -> str:
    """Rows as an aligned text table with a status column (ok / MISSED / skipped)."""
    header = ("benchmark", "result", "unit", "target", "status", "note")
    lines = []
    for row in rows:
        if row.value is None:
            status = "skipped"
            value = "-"
        else:
            value = si(row.value)
            status = "" if row.is_met is None else ("ok" if row.is_met else "MISSED")
        lines.append((row.name, value, row.unit, row.target, status, row.note))
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(5)]
    out = []
    for r in [header, *lines]:
        cells = [
            str(c).ljust(w) if i != 1 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=False))
        ]
        out.append("  ".join([*cells, r[5]]).rstrip())
    rule = "-" * max(len(line) for line in out)
    return "\n".join([out[0], rule, *out[1:]])
