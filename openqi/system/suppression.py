"""Small-number suppression of counts of people shown across organisations.

The rule (docs/methods.md, "Small-number suppression"):

- **Primary.** Any count of people below :data:`THRESHOLD` (5), zero included,
  is withheld and shown as "fewer than 5"; so is any figure derived from such a
  count (a share, a score from fewer than 5 answers).
- **Secondary.** A table is shown with its row and column totals. A line (a row
  with its total, or a column with its total) that withholds exactly one of its
  figures would give that figure away (the total less the others), so in such a
  line one more figure is withheld: the smallest shown count in the line, else
  the line's total. This is repeated until no line withholds exactly one figure
  (each step withholds more, so it ends). The totals' own row and column (the
  grand total) are lines too.

A count shown on its own, with no totals, reads "fewer than 5" when withheld. In
a table both kinds of withheld figure read alike, "suppressed": were the second
kind told apart ("5 or more"), a line of a small count and a withheld one could
still give the small one away (a line whose two withheld figures add up to 5 holds
a 0 and a 5). Nothing here knows about
organisations: the system's pages and the API hand in a table of counts and get
back what may be shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "SUPPRESSED_TEXT",
    "THRESHOLD",
    "WITHHELD_TEXT",
    "Figure",
    "Table",
    "is_small",
    "shown",
    "suppress",
    "suppress_table",
]

#: Counts of people below this are withheld.
THRESHOLD = 5
#: How a single count (no totals) withheld for being small reads on a page.
SUPPRESSED_TEXT = "fewer than 5"
#: How any withheld figure of a table reads (small, or withheld to protect one).
WITHHELD_TEXT = "suppressed"


def is_small(count: int | None) -> bool:
    """Whether a count of people is withheld on its own (below the threshold)."""
    return count is None or count < THRESHOLD


def shown(count: int | None) -> int | None:
    """A single count with no totals: itself, or None when withheld."""
    return None if is_small(count) else count


@dataclass(frozen=True)
class Figure:
    """A count as it may be shown: its value, or None where withheld."""

    value: int | None
    #: Withheld because it is below the threshold (else, when withheld, so
    #: that a total does not give a small count away). Never shown: both read
    #: alike (see the module's docstring); for tests and checks.
    small: bool = False

    @property
    def text(self) -> str:
        return WITHHELD_TEXT if self.value is None else f"{self.value:,}"


@dataclass(frozen=True)
class Table:
    """A table of counts after suppression.

    ``cells[r][c]``, ``row_totals[r]``, ``column_totals[c]`` and ``total`` (the
    grand total) are the figures that may be shown; a total the table does not
    show is None.
    """

    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure | None, ...]
    column_totals: tuple[Figure | None, ...]
    total: Figure | None

    def values(self) -> list[list[int | None]]:
        """The cells' values (None where withheld), for the API."""
        return [[f.value for f in row] for row in self.cells]


def suppress(
    cells: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    threshold: int = THRESHOLD,
) -> list[list[bool]]:
    """Which figures to withhold when ``cells`` is shown with the totals named.

    Returns the grid as shown (``cells``, then each row's total as a last
    column when ``row_totals``, then the columns' totals as a last row when
    ``column_totals``, the grand total in its corner when both), True where a
    figure is withheld. Primary suppression withholds every count below
    ``threshold``; secondary suppression then makes every line that carries a
    total withhold none of its figures or at least two.
    """
    if any(len(row) != len(cells[0]) for row in cells):
        raise ValueError("every row of the table needs the same number of counts")
    grid = [list(row) for row in cells]
    if row_totals:
        grid = [[*row, sum(row)] for row in grid]
    if column_totals and grid:
        grid.append([sum(row[c] for row in grid) for c in range(len(grid[0]))])
    rows = len(grid)
    columns = len(grid[0]) if rows else 0
    hidden = [[value < threshold for value in row] for row in grid]
    # Each line that carries a total, the total last.
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(r, c) for c in range(columns)] for r in range(rows)]
    if column_totals:
        lines += [[(r, c) for r in range(rows)] for c in range(columns)]

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            # Hide the smallest shown count among the line's cells first, its
            # total only when nothing else is left.
            candidates = [(r, c) for r, c in line[:-1] if not hidden[r][c]]
            if not candidates:
                candidates = [(r, c) for r, c in line if not hidden[r][c]]
            if not candidates:
                continue  # a line of one figure: no total gives it away
            r, c = min(candidates, key=lambda rc: (grid[rc[0]][rc[1]], rc))
            hidden[r][c] = True
            changed = True
    return hidden


def suppress_table(
    cells: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    threshold: int = THRESHOLD,
) -> Table:
    """The table of ``cells`` with the totals named, suppressed (a total not
    asked for is None in the result, and is not shown)."""
    hidden = suppress(
        cells, row_totals=row_totals, column_totals=column_totals, threshold=threshold
    )
    width = len(cells[0]) if cells else 0

    def figure(r: int, c: int, value: int) -> Figure:
        if not hidden[r][c]:
            return Figure(value)
        return Figure(None, small=value < threshold)

    masked = tuple(
        tuple(figure(r, c, value) for c, value in enumerate(row))
        for r, row in enumerate(cells)
    )
    sums = [sum(row) for row in cells]
    down = [sum(row[c] for row in cells) for c in range(width)]
    last = len(cells)
    return Table(
        cells=masked,
        row_totals=tuple(
            figure(r, width, total) if row_totals else None
            for r, total in enumerate(sums)
        ),
        column_totals=tuple(
            figure(last, c, total) if column_totals else None
            for c, total in enumerate(down)
        ),
        total=(
            figure(last, width, sum(sums)) if row_totals and column_totals else None
        ),
    )
