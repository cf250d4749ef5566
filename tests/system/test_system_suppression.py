"""Small-number suppression: primary, secondary, and an attacker with the totals."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.test import SimpleTestCase

from openqi.system.suppression import (
    SUPPRESSED_TEXT,
    THRESHOLD,
    WITHHELD_TEXT,
    Figure,
    Table,
    shown,
    suppress,
    suppress_table,
)


def _known(table: Table, width: int) -> tuple[list[list[int | None]], list[tuple]]:
    """What an attacker reads: the cells and the equations the shown totals give."""
    cells = table.values()
    equations = []  # (cells in the line, their total)
    for r, total in enumerate(table.row_totals):
        if total is not None and total.value is not None:
            equations.append(([(r, c) for c in range(width)], total.value))
    for c, total in enumerate(table.column_totals):
        if total is not None and total.value is not None:
            equations.append(([(r, c) for r in range(len(cells))], total.value))
    return cells, equations


def _solve_line_by_line(table: Table, width: int) -> dict[tuple[int, int], int]:
    """The attack of a reader with a pencil: any line with one unknown left gives
    it away; repeat until nothing more falls out."""
    cells, equations = _known(table, width)
    found: dict[tuple[int, int], int] = {}
    progress = True
    while progress:
        progress = False
        for line, total in equations:
            unknown = [
                rc for rc in line if cells[rc[0]][rc[1]] is None and rc not in found
            ]
            if len(unknown) == 1:
                rest = sum(
                    cells[r][c] if cells[r][c] is not None else found[(r, c)]
                    for r, c in line
                    if (r, c) != unknown[0]
                )
                found[unknown[0]] = total - rest
                progress = True
    return found


def _every_completion(table: Table, width: int, most: int) -> list[dict]:
    """Every way of filling the withheld cells (0 to ``most``) that agrees with
    every shown figure, the grand total included."""
    cells, equations = _known(table, width)
    if table.total is not None and table.total.value is not None:
        equations.append(
            (
                [(r, c) for r in range(len(cells)) for c in range(width)],
                table.total.value,
            )
        )
    hidden = [
        (r, c) for r in range(len(cells)) for c in range(width) if cells[r][c] is None
    ]
    found = []
    for values in itertools.product(range(most + 1), repeat=len(hidden)):
        guess = dict(zip(hidden, values, strict=True))
        if all(
            sum(
                cells[r][c] if cells[r][c] is not None else guess[(r, c)]
                for r, c in line
            )
            == total
            for line, total in equations
        ):
            found.append(guess)
    return found


class PrimarySuppressionTests(SimpleTestCase):
    def test_a_single_count_below_five_is_withheld(self) -> None:
        self.assertEqual(
            [shown(n) for n in (0, 1, 4, 5, 6, None)], [None, None, None, 5, 6, None]
        )
        self.assertEqual(THRESHOLD, 5)
        self.assertEqual(SUPPRESSED_TEXT, "fewer than 5")

    def test_a_table_without_small_counts_is_shown_whole(self) -> None:
        table = suppress_table([[10, 20], [30, 40]])
        self.assertEqual(table.values(), [[10, 20], [30, 40]])
        self.assertEqual([t.value for t in table.row_totals], [30, 70])
        self.assertEqual([t.value for t in table.column_totals], [40, 60])
        self.assertEqual(table.total.value, 100)

    def test_every_withheld_figure_reads_alike(self) -> None:
        table = suppress_table([[12, 7], [3, 8]], row_totals=False)
        texts = [f.text for row in table.cells for f in row]
        self.assertEqual(texts, [WITHHELD_TEXT, "7", WITHHELD_TEXT, "8"])
        self.assertTrue(table.cells[1][0].small)
        self.assertFalse(table.cells[0][0].small)  # withheld to protect the 3


class SecondarySuppressionTests(SimpleTestCase):
    def test_a_line_never_withholds_exactly_one_figure(self) -> None:
        grids = [
            [[10, 3, 12], [8, 9, 20], [15, 11, 7]],
            [[1, 50, 60], [70, 80, 90]],
            [[0, 0, 9], [6, 7, 8], [9, 9, 2]],
            [[2]],
            [[3, 40]],
        ]
        for cells in grids:
            with self.subTest(cells=cells):
                hidden = suppress(cells)
                rows = len(hidden)
                columns = len(hidden[0])
                for r in range(rows):
                    self.assertNotEqual(sum(hidden[r]), 1)
                for c in range(columns):
                    self.assertNotEqual(sum(hidden[r][c] for r in range(rows)), 1)
                # Every small count is withheld.
                for r, row in enumerate(cells):
                    for c, value in enumerate(row):
                        if value < THRESHOLD:
                            self.assertTrue(hidden[r][c])

    def test_the_smallest_other_count_is_withheld_first(self) -> None:
        table = suppress_table([[3, 40, 50], [20, 30, 60], [25, 35, 45]])
        # Row 0 loses its smallest other count (40) and column 0 its own (20);
        # row 1 and column 1 then hold one each, and lose 30; the totals stay.
        self.assertEqual(
            table.values(), [[None, None, 50], [None, None, 60], [25, 35, 45]]
        )
        self.assertEqual([t.value for t in table.row_totals], [93, 110, 105])
        self.assertEqual(table.total.value, 308)

    def test_without_totals_only_small_counts_are_withheld(self) -> None:
        table = suppress_table([[3, 40]], row_totals=False, column_totals=False)
        self.assertEqual(table.values(), [[None, 40]])
        self.assertIsNone(table.total)

    def test_rows_of_unequal_length_are_refused(self) -> None:
        with self.assertRaisesMessage(ValueError, "same number of counts"):
            suppress([[1, 2], [3]])


class RecoveringASuppressedCellTests(SimpleTestCase):
    """The attack: read the totals and try to work a suppressed cell out."""

    TABLES: Sequence[list[list[int]]] = (
        [[12, 7], [3, 8]],
        [[10, 3, 12], [8, 9, 20], [15, 11, 7]],
        [[6, 2, 9], [7, 8, 9]],
        [[1, 4], [9, 9]],
    )

    def test_primary_alone_would_give_a_cell_away(self) -> None:
        """Without secondary suppression the attack works (so the test can fail)."""
        cells = [[12, 7], [3, 8]]

        def alone(n: int) -> Figure:
            return Figure(shown(n), small=n < THRESHOLD)

        primary = Table(
            cells=tuple(tuple(alone(v) for v in row) for row in cells),
            row_totals=tuple(alone(sum(row)) for row in cells),
            column_totals=(alone(15), alone(15)),
            total=alone(34),
        )
        self.assertEqual(_solve_line_by_line(primary, 2), {(1, 0): 3})

    def test_no_line_gives_a_suppressed_cell_away(self) -> None:
        for cells in self.TABLES:
            with self.subTest(cells=cells):
                table = suppress_table(cells)
                self.assertEqual(_solve_line_by_line(table, len(cells[0])), {})

    def test_no_suppressed_cell_has_a_single_consistent_value(self) -> None:
        """Every way of filling the gaps that agrees with all the totals: each
        suppressed cell still has more than one possible value."""
        for cells in self.TABLES:
            with self.subTest(cells=cells):
                table = suppress_table(cells)
                most = max(v for row in cells for v in row) + 5
                completions = _every_completion(table, len(cells[0]), most)
                self.assertIn(
                    {
                        (r, c): cells[r][c]
                        for r, row in enumerate(table.cells)
                        for c, f in enumerate(row)
                        if f.value is None
                    },
                    completions,
                )
                for cell in completions[0]:
                    values = {guess[cell] for guess in completions}
                    self.assertGreater(len(values), 1, f"cell {cell} is given away")
