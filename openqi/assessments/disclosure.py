"""Can a set of published results be differenced to reveal a small group's answers?

Plain values in, plain values out: standard library and NumPy only, no Django.
docs/assessments.md ("How results stay anonymous") describes the method for users.

The model
---------
Every answer a respondent gave is an unknown, ``(respondent, variable)`` (the
results use one variable per item). Every published number is a known linear
function of those unknowns: a mean over ``n`` scores, with ``n`` published too, is
a sum, and a section score is its answered items' mean, so a section's sum over a
group weighs each respondent's items by ``1 / items answered``. A
:class:`Published` cell carries those weights. The check assumes the worst: that
whoever reads the results knows who is in every group and who skipped what, and
that scores are exact (the page rounds them, which only makes an attack harder).

Respondents whose weights agree in every published cell form an *atom*: no
published number can separate them, so the atom's sum is the finest thing any
combination of cells can reach. A published table set *discloses* a group U of
fewer than ``threshold`` respondents (a union of atoms) when some non-zero linear
combination of the published cells involves only U's answers, that is when

    rank(M) > rank(M without U's columns),

M being the cells' weights over the atoms' unknowns. This covers a small group's
sum (the lone AHP's score: North less nursing less medical), a mean over part of
it, and a difference between two of its answers alike.

Secondary suppression is greedy: while a disclosure remains, hide the published
number whose removal ends it at the least cost (detailed cells before totals,
then the smallest), or, when no single removal ends it, the cheapest number that
involves the small group; then check again. Cells that publish the same number
(two breakdowns holding the same people) are hidden together, since hiding one
copy hides nothing. The loop ends: every round hides one number, and once every
number involving a group is hidden, nothing discloses it.

Reference: the linear-dependency ("audit") view of disclosure in tables of sums
is that of Hundepool et al., *Statistical Disclosure Control* (Wiley, 2012),
chapter 5 (secondary cell suppression).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Published", "disclosed_group", "secondary_suppression"]

#: How many unions of small atoms one check examines before it stops searching and
#: treats what it found as a disclosure (the safe side).
SEARCH_BUDGET = 300

_DIGITS = 12
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Published:
    """One published number: ``weights`` maps ``(respondent, variable)`` to the
    weight of that answer in the number's sum. ``tier`` orders the cost of hiding
    it: 0 for a cell of a breakdown, higher for totals, hidden last."""

    key: Hashable
    weights: Mapping[tuple[Hashable, Hashable], float]
    tier: int = 0

    @property
    def respondents(self) -> frozenset[Hashable]:
        return frozenset(r for (r, _v), w in self.weights.items() if w)


def disclosed_group(
    cells: Sequence[Published], threshold: int
) -> frozenset[Hashable] | None:
    """Respondents, fewer than ``threshold``, about whom the published ``cells``
    together reveal something by differencing; None when there is no such group."""
    for component in _components(cells):
        table = _Table(component)
        found = table.disclosure(list(range(len(table.numbers))), threshold)
        if found is not None:
            return frozenset(r for a in found[0] for r in table.atoms[a])
    return None


def secondary_suppression(cells: Sequence[Published], threshold: int) -> set[Hashable]:
    """The keys of the cells to hide, besides ``cells`` already left out, so that
    no group of fewer than ``threshold`` respondents is disclosed (module notes)."""
    hidden: set[Hashable] = set()
    for component in _components(cells):
        table = _Table(component)
        active = list(range(len(table.numbers)))
        while (found := table.disclosure(active, threshold)) is not None:
            group, is_exact = found
            chosen = table.cheapest_fix(active, group) if is_exact else None
            if chosen is None:
                chosen = table.cheapest_touching(active, group)
            active.remove(chosen)
            hidden |= table.numbers[chosen].keys
    return hidden


# --- Internals ------------------------------------------------------------------


@dataclass
class _Number:
    """Published cells with the same weights: one number, shown in several places."""

    keys: set[Hashable]
    row: np.ndarray
    cost: tuple[int, int, str]


class _Table:
    """Cells as a matrix over the atoms' unknowns, duplicates merged."""

    def __init__(self, cells: Sequence[Published]) -> None:
        signatures: dict[Hashable, set[tuple[int, Hashable, float]]] = {}
        for index, cell in enumerate(cells):
            for (respondent, variable), weight in cell.weights.items():
                if weight:
                    signatures.setdefault(respondent, set()).add(
                        (index, variable, round(weight, _DIGITS))
                    )
        atoms: dict[frozenset[tuple[int, Hashable, float]], list[Hashable]] = {}
        for respondent, signature in signatures.items():
            atoms.setdefault(frozenset(signature), []).append(respondent)
        self.atoms = list(atoms.values())
        self.weights = [len(members) for members in self.atoms]
        columns: dict[tuple[int, Hashable], int] = {}
        for atom, frozen in enumerate(atoms):
            for _index, variable, _weight in frozen:
                columns.setdefault((atom, variable), len(columns))
        self.column_atom = np.array([atom for atom, _v in columns], dtype=int)
        matrix = np.zeros((len(cells), len(columns)))
        for atom, frozen in enumerate(atoms):
            for index, variable, weight in frozen:
                matrix[index, columns[(atom, variable)]] += weight * self.weights[atom]
        rows: dict[tuple[float, ...], _Number] = {}
        for index, cell in enumerate(cells):
            row = matrix[index]
            cost = (cell.tier, len(cell.respondents), repr(cell.key))
            found = rows.setdefault(
                tuple(np.round(row, _DIGITS)), _Number(set(), row, cost)
            )
            found.keys.add(cell.key)
            found.cost = max(found.cost[:2], cost[:2]) + (min(found.cost[2], cost[2]),)
        self.numbers = list(rows.values())

    def matrix(self, active: Iterable[int]) -> np.ndarray:
        rows = [self.numbers[i].row for i in active]
        return np.array(rows) if rows else np.zeros((0, len(self.column_atom)))

    def columns_of(self, group: Iterable[int]) -> np.ndarray:
        return np.isin(self.column_atom, list(group))

    def disclosure(
        self, active: list[int], threshold: int
    ) -> tuple[frozenset[int], bool] | None:
        """A disclosed union of small atoms, and whether it was found exactly
        (False: the search budget ran out, the union is where to look)."""
        matrix = self.matrix(active)
        small_atoms = [a for a, n in enumerate(self.weights) if n < threshold]
        small = self.columns_of(small_atoms)
        if not matrix.size or not small.any():
            return None
        if _rank(matrix) == _rank(matrix[:, ~small]):
            return None
        # W: the combinations of cells that involve small atoms only.
        combinations = _null_space(matrix[:, ~small].T)
        within = _orthonormal_rows(combinations.T @ matrix[:, small])
        small_columns = self.column_atom[small]
        support = sorted(
            {
                int(small_columns[j])
                for j in np.flatnonzero(np.abs(within).max(axis=0) > 1e-9)
            },
            key=lambda a: (self.weights[a], a),
        )
        # Vectors of W in echelon form are sparse, and with the lightest atoms'
        # columns last, the last rows are supported on the lightest atoms.
        light_last = np.argsort(
            [-self.weights[a] for a in small_columns], kind="stable"
        )
        for order in (np.arange(len(small_columns)), light_last):
            for vector in _echelon_rows(within[:, order]):
                columns = order[np.abs(vector) > 1e-9]
                found = {int(a) for a in small_columns[columns]}
                if sum(self.weights[a] for a in found) < threshold:
                    return frozenset(found), True
        full = _rank(within)
        checked = 0
        for group in _maximal_unions(support, self.weights, threshold):
            checked += 1
            if checked > SEARCH_BUDGET:
                return frozenset(support), False
            outside = ~np.isin(small_columns, list(group))
            if _rank(within[:, outside]) < full:
                return frozenset(group), True
        return None

    def cheapest_fix(self, active: list[int], group: frozenset[int]) -> int | None:
        """The cheapest number whose hiding ends the disclosure of ``group``, or
        failing that the cheapest whose hiding narrows it (fewer independent
        things about ``group`` can be worked out); None if hiding no single
        number does either."""
        matrix = self.matrix(active)
        inside = self.columns_of(group)
        # The combinations of cells involving only ``group``; only a number used
        # in one of them can end or narrow the disclosure.
        combinations = _null_space(matrix[:, ~inside].T)
        useful = combinations[:, np.abs(combinations.T @ matrix).max(axis=1) > 1e-9]
        used = sorted(
            {
                active[i]
                for i in np.flatnonzero(np.abs(useful).max(axis=1, initial=0) > 1e-9)
            },
            key=lambda i: self.numbers[i].cost,
        )
        now = self.disclosed_dimension(matrix, inside)
        narrowing = None
        for number in used:
            rest = self.matrix(i for i in active if i != number)
            left = self.disclosed_dimension(rest, inside)
            if left == 0:
                return number
            if left < now and narrowing is None:
                narrowing = number
        return narrowing

    @staticmethod
    def disclosed_dimension(matrix: np.ndarray, inside: np.ndarray) -> int:
        return _rank(matrix) - _rank(matrix[:, ~inside])

    def cheapest_touching(self, active: list[int], group: frozenset[int]) -> int:
        inside = self.columns_of(group)
        touching = [i for i in active if np.abs(self.numbers[i].row[inside]).max() > 0]
        return min(touching or active, key=lambda i: self.numbers[i].cost)


def _components(cells: Sequence[Published]) -> list[list[Published]]:
    """Cells in groups sharing no variable: each group can be checked alone."""
    parent: dict[Hashable, Hashable] = {}

    def root(v: Hashable) -> Hashable:
        while parent.setdefault(v, v) != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for cell in cells:
        variables = [v for (_r, v), w in cell.weights.items() if w]
        for a, b in itertools.pairwise(variables):
            parent[root(a)] = root(b)
    groups: dict[Hashable, list[Published]] = {}
    for cell in cells:
        variables = [v for (_r, v), w in cell.weights.items() if w]
        if variables:
            groups.setdefault(root(variables[0]), []).append(cell)
    return list(groups.values())


def _maximal_unions(
    support: list[int], weights: list[int], threshold: int
) -> Iterable[tuple[int, ...]]:
    """Sets of ``support`` atoms holding fewer than ``threshold`` respondents to
    which no further atom can be added (if a union discloses, so does any larger)."""

    def grow(
        start: int, chosen: tuple[int, ...], total: int
    ) -> Iterable[tuple[int, ...]]:
        extended = False
        for i in range(start, len(support)):
            atom = support[i]
            if total + weights[atom] < threshold:
                extended = True
                yield from grow(i + 1, (*chosen, atom), total + weights[atom])
        if not extended and all(
            atom in chosen or total + weights[atom] >= threshold for atom in support
        ):
            yield chosen

    yield from grow(0, (), 0)


def _rank(matrix: np.ndarray) -> int:
    """The rank, with NumPy's tolerance floored at ``_TOLERANCE`` times the
    largest weight, so that the rounding left in a projection (1e-16) never
    counts as a dimension."""
    if not matrix.size:
        return 0
    values = np.linalg.svd(matrix, compute_uv=False)
    scale = max(1.0, float(np.abs(matrix).max()))
    numpy_tol = values.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps
    return int((values > max(numpy_tol, _TOLERANCE * scale)).sum())


def _echelon_rows(matrix: np.ndarray) -> np.ndarray:
    """The rows of ``matrix`` brought to reduced row echelon form (Gauss–Jordan
    with partial pivoting): a basis of the same row space whose vectors are sparse."""
    rows = matrix.astype(float, copy=True)
    pivot_row = 0
    for column in range(rows.shape[1]):
        if pivot_row == rows.shape[0]:
            break
        best = pivot_row + int(np.argmax(np.abs(rows[pivot_row:, column])))
        if abs(rows[best, column]) <= 1e-9:
            continue
        rows[[pivot_row, best]] = rows[[best, pivot_row]]
        rows[pivot_row] /= rows[pivot_row, column]
        others = np.arange(rows.shape[0]) != pivot_row
        rows[others] -= np.outer(rows[others, column], rows[pivot_row])
        pivot_row += 1
    return rows[:pivot_row]


def _null_space(matrix: np.ndarray) -> np.ndarray:
    """Columns spanning {x : matrix @ x = 0}."""
    if not matrix.size:
        return np.eye(matrix.shape[1])
    _u, _s, vh = np.linalg.svd(matrix, full_matrices=True)
    return vh[_rank(matrix) :].T


def _orthonormal_rows(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the row space of ``matrix``, as rows."""
    if not matrix.size:
        return matrix
    _u, _s, vh = np.linalg.svd(matrix, full_matrices=False)
    return vh[: _rank(matrix)]
