"""Read a table of data (CSV, Excel .xlsx or Parquet) for the command line.

This is the CLI's input layer, not part of :mod:`openqi.spc`: it turns a file
into named columns and leaves the statistics to the library. CSV is read with
the standard library; ``openpyxl`` is imported only when an ``.xlsx`` file is
given and ``pyarrow`` only for ``.parquet``, so charting a CSV stays fast.

Both are read a row at a time. :class:`Limits` bounds what a file may expand
to (bytes, rows, cells, and for a workbook the uncompressed size its zip
declares and the size its sheet claims); a file past a bound is refused with a
:class:`TableError` saying the limit and how to split the file, as soon as the
bound is passed, so a small file that unpacks to millions of rows costs
nothing. The command line reads without limits; the web upload sets them.

An Excel formula cell with no saved result (a workbook written by a program
that never calculated it) is read as :class:`UncalculatedFormula`, never as an
empty cell: its value is unknown, not missing.

Every problem raises :class:`TableError`, a ``ValueError`` whose message is one
line naming the file, row or column at fault and how to fix it. Row numbers are
the ones a spreadsheet shows (the header is row 1, the first data row is row 2);
Parquet files have no header row, so their rows count records from 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import math
import os
import re
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

import numpy as np
from numpy.typing import NDArray

from openqi.spc.inputs import RowError, parse_number

__all__ = [
    "FORMULA_FIX",
    "Limits",
    "Table",
    "TableError",
    "TableRowError",
    "UncalculatedFormula",
    "period_sort_keys",
    "read_table",
    "read_upload",
]

#: How to give a formula cell its value.
FORMULA_FIX = "open the file in Excel and save it, or paste values"


@dataclass(frozen=True)
class UncalculatedFormula:
    """An Excel cell holding a formula whose result was never saved (``cell``: C14)."""

    cell: str

    def problem(self) -> str:
        return (
            f"cell {self.cell} holds a formula with no saved result, so its value is "
            f"unknown; {FORMULA_FIX}"
        )


#: One cell as read: text, a number (Excel and Parquet keep their numbers),
#: ``None`` for an empty cell, or an Excel formula never calculated.
Cell = str | float | None | UncalculatedFormula


@dataclass(frozen=True)
class Limits:
    """The most a file may hold or expand to; ``None`` is no limit.

    ``max_bytes`` is the file's size; ``max_rows`` counts data rows;
    ``max_cells`` counts cells up to each row's last one (blank ones included,
    as they take room too); ``max_uncompressed_bytes`` bounds what an .xlsx
    (a zip) unpacks to, by the sizes it declares, which reading cannot exceed.
    """

    max_bytes: int | None = None
    max_rows: int | None = None
    max_cells: int | None = None
    max_uncompressed_bytes: int | None = None


_NO_LIMITS = Limits()
_SPLIT = "split it into smaller files and upload them one at a time"

_ISO_PERIOD = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class TableError(ValueError):
    """Bad input: the message is ready to show to the person who gave it."""


class TableRowError(RowError, TableError):
    """A bad cell in one row: a :class:`~openqi.spc.inputs.RowError` (row, field,
    message) that is also a :class:`TableError`."""


@dataclass(frozen=True)
class Table:
    """A table read from a file: named columns of cells.

    ``columns`` maps each header to its cells, one per data row; a column is a
    list of cells, or for Parquet's numeric columns a float array with ``NaN``
    for nulls. ``rows`` gives each data row's number in the file, for messages
    (a ``range`` when they run without a gap). ``names`` are all the file's
    columns; ``columns`` holds only those read (all of them unless
    :func:`read_table` was asked for some).
    """

    source: str
    names: tuple[str, ...]
    columns: dict[str, Sequence[Cell] | NDArray[np.float64]]
    rows: Sequence[int]

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, name: str) -> bool:
        return name in self.columns

    def require(self, name: str, option: str) -> None:
        """Raise :class:`TableError` naming the column, the option and the columns there are."""
        if name in self.columns:
            return
        available = ", ".join(f'"{n}"' for n in self.names) or "none"
        hint = ""
        lowered = {n.lower(): n for n in self.names}
        if name.lower() in lowered:
            hint = f' (did you mean "{lowered[name.lower()]}"? column names are case-sensitive)'
        raise TableError(
            f'{self.source} has no column "{name}"{hint}; the columns are {available}; '
            f"name the right one with {option} COLUMN"
        )

    def texts(self, name: str) -> list[str]:
        """The column as text: numbers without a needless ``.0``, empty cells as ``""``."""
        cells = self.columns[name]
        if isinstance(cells, (np.ndarray, _ArrayCells)):
            distinct, codes = self.text_codes(name)
            return list(np.array(distinct, dtype=object)[codes].tolist())
        return [c.strip() if type(c) is str else _cell_text(c) for c in cells]

    def text_bytes(self, name: str) -> NDArray[np.bytes_] | None:
        """The column's texts (as :meth:`texts` gives them) as UTF-8 in a
        fixed-width NumPy bytes array, without a Python string per cell; ``None``
        unless the fast CSV reader read it and no cell has blanks to trim."""
        cells = self.columns[name]
        if not isinstance(cells, _ByteCells) or cells.has_edge_blanks:
            return None
        raw = cells.raw
        return raw if raw.dtype.kind == "S" else None

    def text_codes(self, name: str) -> tuple[list[str], NDArray[np.intp]]:
        """The column's distinct texts (as :meth:`texts` gives them), in order of
        first appearance, and each row's index into them: a column of a million
        rows with a few hundred names costs a few hundred strings."""
        cells = self.columns[name]
        labels: Sequence[Cell]
        if isinstance(cells, np.ndarray):
            unique, first, inverse = np.unique(
                cells, return_index=True, return_inverse=True
            )
            order = np.argsort(first, kind="stable")
            rank = np.empty(order.size, dtype=np.intp)
            rank[order] = np.arange(order.size)
            texts = [
                _number_text(float(v)) if math.isfinite(v) else ""
                for v in unique[order].tolist()
            ]
            return _merge_texts(texts, rank[inverse.ravel()])
        if isinstance(cells, _ByteCells) and not cells.has_edge_blanks:
            # Distinct bytes with nothing to strip are distinct texts.
            byte_labels, codes = cells.factorize()
            return cast(list[str], byte_labels), codes
        if isinstance(cells, _ArrayCells):
            labels, codes = cells.factorize()
            return _merge_texts(
                [c.strip() if type(c) is str else _cell_text(c) for c in labels], codes
            )
        index: dict[str, int] = {}
        codes_list = [
            index.setdefault(c.strip() if type(c) is str else _cell_text(c), len(index))
            for c in cells
        ]
        return list(index), np.array(codes_list, dtype=np.intp)

    def numbers(self, name: str, describe: Callable[[int], str]) -> NDArray[np.float64]:
        """The column as floats, ``NaN`` for an empty cell.

        ``describe(i)`` names data row ``i`` in an error message, for example
        ``row 14 (period 2024-02)``. Text that is not a finite number raises
        :class:`TableRowError` (read by :func:`openqi.spc.inputs.parse_number`);
        so do dates and true/false cells.
        """
        cells = self.columns[name]
        if isinstance(cells, np.ndarray):
            return cells
        if isinstance(cells, _ByteCells):
            return self._byte_numbers(name, cells, describe)
        if isinstance(cells, _CodedCells):
            labels = Table(
                self.source, (name,), {name: cells.labels}, cells.first_rows(self.rows)
            )
            # Each distinct label parsed once; a bad one is reported at its first row.
            return labels.numbers(name, lambda k: describe(int(cells.first[k])))[
                cells.codes
            ]
        out = np.empty(len(cells), dtype=np.float64)
        for i, cell in enumerate(cells):
            if cell is None:
                out[i] = math.nan
            elif isinstance(cell, float):
                out[i] = cell
            elif isinstance(cell, UncalculatedFormula):
                raise TableRowError(
                    self.rows[i], name, cell.problem(), label=describe(i)
                )
            else:
                try:
                    number = parse_number(cell, percent_fix=_PERCENT_FIX)
                except ValueError as error:
                    raise TableRowError(
                        self.rows[i], name, str(error), label=describe(i)
                    ) from None
                out[i] = math.nan if number is None else number
        return out

    def _byte_numbers(
        self, name: str, cells: _ByteCells, describe: Callable[[int], str]
    ) -> NDArray[np.float64]:
        """:meth:`numbers` for a column read by the fast CSV reader: plain decimals
        are read with NumPy, anything else a cell at a time, in row order, as above."""
        words = cells.words()
        if words is not None and words.size:
            whole = _whole_words(words)
            if whole is not None:
                return whole
        raw = cells.raw
        whole = _whole_numbers(raw) if raw.dtype.kind == "S" else None
        if whole is not None:
            return whole
        if raw.dtype.kind == "S":
            out, slow = _decimals(raw)
        else:
            out, slow = np.empty(raw.size, dtype=np.float64), np.ones(raw.size, bool)
        for i in np.flatnonzero(slow).tolist():
            cell: bytes = raw[i]
            try:
                number: float | None = float(cell)
            except ValueError:
                number = None
            if number is None or not math.isfinite(number) or b"_" in cell:
                try:
                    number = parse_number(
                        cell.decode("utf-8"), percent_fix=_PERCENT_FIX
                    )
                except ValueError as error:
                    raise TableRowError(
                        self.rows[i], name, str(error), label=describe(i)
                    ) from None
            out[i] = math.nan if number is None else number
        return out


def _merge_texts(
    texts: list[str], codes: NDArray[np.intp]
) -> tuple[list[str], NDArray[np.intp]]:
    """Distinct labels whose texts are equal (``" a"`` and ``"a"``) made one."""
    if len(set(texts)) == len(texts):
        return texts, codes
    index: dict[str, int] = {}
    remap = np.array([index.setdefault(t, len(index)) for t in texts], dtype=np.intp)
    if len(index) == len(texts):
        return texts, codes
    return list(index), remap[codes]


class _ArrayCells(Sequence[Cell]):
    """A column of cells held in arrays rather than one Python object per cell."""

    def factorize(self) -> tuple[list[Cell], NDArray[np.intp]]:
        """The distinct cells in order of first appearance, and each row's index into them."""
        raise NotImplementedError

    def __iter__(self) -> Any:
        labels, codes = self.factorize()
        return iter(np.array(labels, dtype=object)[codes].tolist())


class _CodedCells(_ArrayCells):
    """Cells as distinct labels and a code per row (a Parquet text column)."""

    def __init__(
        self, labels: list[Cell], codes: NDArray[np.intp], *, is_ordered: bool = False
    ) -> None:
        """``is_ordered``: every label is used, in order of first appearance."""
        if not is_ordered and codes.size:
            # Each code at most one past the largest before it, and all used.
            seen = np.maximum.accumulate(codes)
            is_ordered = bool(
                codes[0] == 0
                and np.all(codes[1:] <= seen[:-1] + 1)
                and seen[-1] == len(labels) - 1
            )
        if not is_ordered:
            unique, first, inverse = np.unique(
                codes, return_index=True, return_inverse=True
            )
            order = np.argsort(first, kind="stable")
            rank = np.empty(order.size, dtype=np.intp)
            rank[order] = np.arange(order.size)
            labels = [labels[int(u)] for u in unique[order]]
            codes = rank[inverse.ravel()]
        self.labels, self.codes = labels, codes

    @functools.cached_property
    def first(self) -> NDArray[np.intp]:
        """Each label's first row."""
        first = np.full(len(self.labels), self.codes.size, dtype=np.intp)
        np.minimum.at(first, self.codes, np.arange(self.codes.size))
        return first

    def first_rows(self, rows: Sequence[int]) -> tuple[int, ...]:
        return tuple(rows[int(i)] for i in self.first)

    def factorize(self) -> tuple[list[Cell], NDArray[np.intp]]:
        return self.labels, self.codes

    def __len__(self) -> int:
        return int(self.codes.size)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self.labels[c] for c in self.codes[i].tolist()]
        return self.labels[int(self.codes[i])]


#: A column wider than this many bytes per cell (on average over the file) is
#: kept as Python bytes rather than a fixed-width NumPy array.
_WIDE = 64


class _ByteCells(_ArrayCells):
    """CSV cells as offsets into the file's bytes, made into an array when first used."""

    def __init__(
        self, data: bytes, buffer: NDArray[np.uint8], starts: NDArray[np.int64],
        lengths: NDArray[np.int64],
    ) -> None:  # fmt: skip
        self._data, self._buffer = data, buffer
        self._starts, self._lengths = starts, lengths

    @functools.cached_property
    def raw(self) -> NDArray[Any]:
        """The cells' bytes: a fixed-width ``S`` array, or an object array when wide."""
        n = self._starts.size
        width = int(self._lengths.max()) if n else 0
        if width > _WIDE:
            data = self._data
            return np.array(
                [
                    data[a : a + b]
                    for a, b in zip(
                        self._starts.tolist(), self._lengths.tolist(), strict=True
                    )
                ],
                dtype=object,
            )
        width = max(width, 1)
        cells = self.words()
        if cells is not None:
            # The first ``width`` bytes of each cell's word.
            rows = cells.view(np.uint8).reshape(n, 8)[:, :width]
            return np.ascontiguousarray(rows).view(f"S{width}").ravel()
        # ``width`` bytes from each start (the buffer has room past its end),
        # less those past the cell.
        windows = np.lib.stride_tricks.sliding_window_view(self._buffer, width)
        matrix = windows[self._starts]
        matrix *= np.arange(width) < self._lengths[:, None]
        return matrix.view(f"S{width}").ravel()

    def words(self) -> NDArray[np.uint64] | None:
        """Each cell's bytes as one little-endian 64-bit word, NUL after the cell
        (``None`` when a cell is longer than 8 bytes)."""
        if self._starts.size and int(self._lengths.max()) > 8:
            return None
        # Eight bytes from each start as one integer (the buffer has room past
        # its end), less those past the cell.
        words = np.ndarray(
            (self._buffer.size - 7,), dtype="<u8", buffer=self._buffer, strides=(1,)
        )
        cells = words[self._starts]
        short = self._lengths < 8
        bits = (self._lengths[short] * 8).astype(np.uint64)
        cells[short] &= (np.uint64(1) << bits) - np.uint64(1)
        return cells

    @functools.cached_property
    def has_edge_blanks(self) -> bool:
        """Whether a cell opens or closes with a blank (a byte ``str.strip`` may
        remove: ASCII white space, or any non-ASCII byte, to be safe)."""
        if not self._starts.size:
            return False
        buffer, lengths = self._buffer, self._lengths
        head = buffer[self._starts]
        tail = buffer[self._starts + np.maximum(lengths - 1, 0)]
        filled = lengths > 0
        return bool(
            np.any(filled & ((head <= _SPACE) | (head >= 128)))
            or np.any(filled & ((tail <= _SPACE) | (tail >= 128)))
        )

    def factorize(self) -> tuple[list[Cell], NDArray[np.intp]]:
        raw = self.raw
        if raw.size == 0:
            return [], np.zeros(0, dtype=np.intp)
        # Long tables come grouped: one entry per run of equal cells is enough.
        run_starts = np.flatnonzero(np.concatenate(([True], raw[1:] != raw[:-1])))
        runs = raw[run_starts]
        keys: NDArray[Any] = runs
        if runs.dtype.kind == "S" and runs.dtype.itemsize <= 8:
            # Eight bytes or fewer compare as one integer: sorted far faster.
            padded = np.zeros((runs.size, 8), dtype=np.uint8)
            padded[:, : runs.dtype.itemsize] = runs.view(np.uint8).reshape(
                runs.size, -1
            )
            keys = padded.view(np.uint64).ravel()
        if runs.dtype.kind == "S" and bool(np.all(runs[1:] > runs[:-1])):
            # Rising (sorted codes, one row each): every cell is new.
            first = order = rank = inverse = np.arange(runs.size)
        else:
            _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            order = np.argsort(first, kind="stable")
            rank = np.empty(order.size, dtype=np.intp)
            rank[order] = np.arange(order.size)
        codes = np.repeat(rank[inverse.ravel()], np.diff(run_starts, append=raw.size))
        # One decode for all the labels: cells hold no newline (nor NUL).
        distinct = runs[first[order]]
        if distinct.dtype.kind == "S":
            # The fixed-width cells and a newline each, less the padding.
            width = distinct.dtype.itemsize
            matrix = np.full((distinct.size, width + 1), _NEWLINE, dtype=np.uint8)
            matrix[:, :width] = distinct.view(np.uint8).reshape(distinct.size, width)
            joined = matrix[matrix != 0].tobytes()[:-1]
        else:
            joined = b"\n".join(distinct.tolist())
        labels: list[Cell] = list(joined.decode("utf-8").split("\n"))
        return labels, codes

    def __len__(self) -> int:
        return int(self._starts.size)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        a, b = int(self._starts[i]), int(self._lengths[i])
        return self._data[a : a + b].decode("utf-8")


def _whole_numbers(raw: NDArray[np.bytes_]) -> NDArray[np.float64] | None:
    """Cells of digits alone (counts: ``0``, ``42``, ``007``) read with NumPy, NaN
    for an empty cell; ``None`` unless every cell is so (then :func:`_decimals`)."""
    n, width = raw.size, raw.dtype.itemsize
    if not n or width > 15:  # 15 digits at most: exact as doubles
        return None
    if width <= 8:
        padded = np.zeros((n, 8), dtype=np.uint8)
        padded[:, :width] = raw.view(np.uint8).reshape(n, width)
        return _whole_words(padded.view("<u8").ravel())
    chars = raw.view(np.uint8).reshape(n, width)
    digit = chars - np.uint8(48)  # NUL padding wraps round to 208
    if not bool(np.all((digit < 10) | (chars == 0))):
        return None
    filled = chars != 0
    if width > 1 and bool(np.any(filled[:, 1:] & ~filled[:, :-1])):
        return None  # never so: cells hold no NUL byte
    value = np.zeros(n, dtype=np.float64)
    for k in range(width):
        np.multiply(value, 10.0, out=value, where=filled[:, k])
        np.add(value, digit[:, k], out=value, where=filled[:, k])
    value[~filled[:, 0]] = math.nan
    return value


#: Per cell length 0…8: the mask of its bytes in a little-endian word, and the
#: shift that puts its last byte at the top.
_BYTE_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=object).astype(
    np.uint64
)
_TOP_SHIFTS = np.array([0] + [8 * (8 - n) for n in range(1, 9)], dtype=np.uint64)


def _whole_words(word: NDArray[np.uint64]) -> NDArray[np.float64] | None:
    """:func:`_whole_numbers` for cells of at most 8 bytes, each given as one
    little-endian 64-bit word (NUL after the cell): checked and converted eight
    digits at a time (SWAR). ``word`` is left as it is."""
    # The cell's length: its highest byte that is not NUL (a digit byte is far
    # from 0xFF, so the rounding to a double never reaches the next byte).
    value = word.astype(np.float64)
    length = np.frexp(value)[1]
    length += 7
    length //= 8
    zeros = _BYTE_MASKS[length]  # "0" in each byte of the cell
    zeros &= np.uint64(0x3030303030303030)
    # Every byte of the cell 0x30…0x39: high nibble 3, and still 3 after adding
    # 6 (the bytes past the cell are 0, and 6).
    work = np.bitwise_and(word, np.uint64(0xF0F0F0F0F0F0F0F0))
    is_digits = np.array_equal(work, zeros)
    np.add(word, np.uint64(0x0606060606060606), out=work)
    work &= np.uint64(0xF0F0F0F0F0F0F0F0)
    if not (is_digits and np.array_equal(work, zeros)):
        return None
    word = word - zeros
    word <<= _TOP_SHIFTS[length]  # the last digit in the top byte
    for shift, scale, keep in (
        (8, 10, 0x00FF00FF00FF00FF),
        (16, 100, 0x0000FFFF0000FFFF),
        (32, 10_000, 0x00000000FFFFFFFF),
    ):
        # Each pair of neighbouring groups of 1, 2, 4 digits made one.
        np.right_shift(word, np.uint64(shift), out=work)
        word *= np.uint64(scale)
        word += work
        word &= np.uint64(keep)
    value = word.astype(np.float64, copy=False)
    value[length == 0] = math.nan
    return value


def _decimals(raw: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Plain decimals (``-12``, ``3.25``, `` 7 ``) read with NumPy, exactly as
    ``float`` reads them, and which cells are anything else (read one at a time).

    A decimal of at most 15 digits is an integer below 2⁵³ over a power of ten
    below 10²²; both are exact doubles and one division rounds correctly
    (Clinger 1990), so the result is ``float``'s to the bit. A blank cell is NaN.
    """
    n, width = raw.size, raw.dtype.itemsize
    chars = np.ascontiguousarray(raw.view(np.uint8).reshape(n, width).T)
    mantissa = np.zeros(n, dtype=np.int64)
    digits = np.zeros(n, dtype=np.int64)
    fraction = np.zeros(n, dtype=np.int64)
    # 0 leading blanks, 1 after the sign, 2 whole part, 3 fraction, 4 trailing blanks
    state = np.zeros(n, dtype=np.int8)
    negative = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    for k in range(width):
        c = chars[k]
        digit = (c - np.uint8(48)).astype(np.int64)
        is_digit = (digit < 10) & (state <= 3)
        mantissa = np.where(is_digit, mantissa * 10 + digit, mantissa)
        digits += is_digit
        fraction += is_digit & (state == 3)
        is_dot = (c == 46) & (state <= 2)
        is_sign = ((c == 43) | (c == 45)) & (state == 0)
        is_blank = ((c == 32) | (c == 9)) & (state != 1)
        negative |= is_sign & (c == 45)
        bad |= ~(is_digit | is_dot | is_sign | is_blank | (c == 0))
        new = state.copy()
        new[is_digit & (state <= 1)] = 2
        new[is_dot] = 3
        new[is_sign] = 1
        new[is_blank & (state >= 2)] = 4
        state = new
    bad |= (state == 1) | ((digits == 0) & (state != 0)) | (digits > 15)
    with np.errstate(invalid="ignore", over="ignore"):
        value = mantissa / np.power(10.0, fraction)
    value = np.where(negative, -value, value)
    value[state == 0] = math.nan
    return value, bad


def read_table(
    path: str,
    *,
    limits: Limits | None = None,
    columns: Collection[str] | None = None,
) -> Table:
    """Read ``path`` (``.csv``, ``.xlsx`` or ``.parquet``; ``-`` is CSV on standard input),
    within ``limits`` (none by default).

    ``columns``, when given, names the only columns the caller will use: a
    Parquet file reads just those (the table's ``names`` still lists them all,
    for messages). Other files are read whole.
    """
    limits = limits or _NO_LIMITS
    if path == "-":
        return _read_csv_lines(sys.stdin, "standard input", limits)
    suffix = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise TableError(f"cannot read {path}: no such file; check the path")
    if os.path.isdir(path):
        raise TableError(
            f"cannot read {path}: it is a folder; give a CSV, .xlsx or .parquet file"
        )
    if limits.max_bytes is not None and os.path.getsize(path) > limits.max_bytes:
        raise TableError(_too_big(path, os.path.getsize(path), limits.max_bytes))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, path, limits)
    if suffix == ".parquet":
        return _read_parquet(path, columns)
    if suffix == ".xls":
        raise TableError(
            f"cannot read {path}: old-style .xls workbooks are not supported; "
            "save it as .xlsx or CSV"
        )
    try:
        with open(path, "rb") as binary:
            table = _read_csv_fast(binary.read(), path, limits)
        if table is not None:
            return table
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _read_csv_lines(handle, path, limits)
    except UnicodeDecodeError as exc:
        raise TableError(_not_utf8(path, exc)) from None
    except OSError as exc:
        raise TableError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_upload(data: bytes, name: str, *, limits: Limits | None = None) -> Table:
    """Read an uploaded file's bytes as CSV, or as .xlsx when ``name`` ends so;
    ``name`` stands for the file in messages."""
    limits = limits or _NO_LIMITS
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise TableError(_too_big(name, len(data), limits.max_bytes))
    if os.path.splitext(name)[1].lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(io.BytesIO(data), name, limits)
    handle = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        return _read_csv_lines(handle, name, limits)
    except UnicodeDecodeError as exc:
        raise TableError(_not_utf8(name, exc)) from None


def _not_utf8(source: str, exc: UnicodeDecodeError) -> str:
    return (
        f"cannot read {source}: it is not UTF-8 text (byte {exc.start}); "
        'save it as "CSV UTF-8", or give an .xlsx or .parquet file'
    )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):,.1f} MB"


def _too_big(source: str, size: int, limit: int) -> str:
    return (
        f"cannot read {source}: it is {_megabytes(size)}, more than the "
        f"{_megabytes(limit)} a file may be; {_SPLIT}"
    )


def _too_many_rows(source: str, limit: int) -> str:
    return (
        f"cannot read {source}: it has more than {limit:,} data rows, the most a "
        f"file may have; {_SPLIT}"
    )


def _too_many_cells(source: str, limit: int) -> str:
    return (
        f"cannot read {source}: it has more than {limit:,} cells, the most a file "
        f"may have; delete the columns you do not need, or {_SPLIT}"
    )


class _Counter:
    """Counts rows and cells as they are read, refusing the file once past ``limits``."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.rows = self.cells = 0

    def add(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if self.limits.max_rows is not None and self.rows > self.limits.max_rows:
            raise TableError(_too_many_rows(self.source, self.limits.max_rows))
        if self.limits.max_cells is not None and self.cells > self.limits.max_cells:
            raise TableError(_too_many_cells(self.source, self.limits.max_cells))


def period_sort_keys(periods: Sequence[str]) -> list[tuple[int, int, int]] | None:
    """Chronological sort keys when every period is an ISO date or month, else ``None``.

    ``2024-02`` and ``2024-02-01`` are both accepted (a month sorts before the
    days in it); anything else (``Q1 2024``, week numbers, free text) means the
    file's own order is kept.
    """
    keys: dict[str, tuple[int, int, int]] = {}
    for period in periods:
        if period in keys:
            continue
        match = _ISO_PERIOD.fullmatch(period)
        if match is None:
            return None
        year, month = int(match.group(1)), int(match.group(2))
        day = int(match.group(3)) if match.group(3) else 0
        try:
            dt.date(year, month, day or 1)
        except ValueError:
            return None
        keys[period] = (year, month, day)
    return [keys[p] for p in periods]


#: How to mend a number written with a % sign, on the command line.
_PERCENT_FIX = (
    "write it without the % sign, and use --multiply 100 for a percentage chart"
)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _cell_text(cell: Cell) -> str:
    if cell is None or isinstance(cell, UncalculatedFormula):
        return ""
    if isinstance(cell, float):
        return _number_text(cell)
    return cell.strip()


def _build(
    source: str, header: Sequence[Any], records: list[tuple[int, list[Cell]]]
) -> Table:
    names = _names(source, header)
    if not records:
        raise TableError(
            f"{source} has a header row but no data rows; add at least one row"
        )
    columns: dict[str, list[Cell]] = {}
    for position, name in enumerate(names):
        if name:
            columns[name] = [cells[position] for _, cells in records]
    return Table(
        source=source,
        names=tuple(n for n in names if n),
        columns=dict(columns),
        rows=tuple(row for row, _ in records),
    )


def _names(source: str, header: Sequence[Any]) -> list[str]:
    """The header's column names, stripped; two columns of one name are an error."""
    names = [
        _cell_text(_excel_cell(h)) if not isinstance(h, str) else h.strip()
        for h in header
    ]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            continue
        if name in seen:
            raise TableError(
                f'{source}: columns {seen[name]} and {position} are both called "{name}"; '
                "rename one of them"
            )
        seen[name] = position
    return names


#: The csv module's default field size limit: a longer cell is left to it to refuse.
_FIELD_LIMIT = 131_072
_COMMA, _NEWLINE, _SPACE, _TAB = 44, 10, 32, 9


def _read_csv_fast(data: bytes, source: str, limits: Limits) -> Table | None:
    """A CSV file read with NumPy, or ``None`` when it needs the csv module.

    Finding the cells of a plain file (no quotes, no control characters, one
    line ending throughout, every row as wide as the header) is a search for
    commas and newlines; such a file gives the same table as
    :func:`_read_csv_lines`, cell for cell and row number for row number. Any
    other file (and every bad one, so that its message is the usual one) is
    left to the csv module.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data or b'"' in data or b"\0" in data:
        return None
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    buffer = np.frombuffer(data, dtype=np.uint8)
    is_newline = buffer == _NEWLINE
    controls = np.count_nonzero(buffer < _SPACE) - np.count_nonzero(is_newline)
    if controls and controls != np.count_nonzero(buffer == _TAB):
        return None  # control characters: some are blanks to str.strip
    ends = np.flatnonzero(np.logical_or(is_newline, buffer == _COMMA, out=is_newline))
    # Each cell starts after the previous one's separator: at most at its own.
    starts = np.empty_like(ends)
    starts[0] = 0
    np.add(ends[:-1], 1, out=starts[1:])
    lengths = ends - starts
    if int(lengths.max()) > _FIELD_LIMIT:
        return None
    is_last = buffer[ends] == _NEWLINE  # each line's last cell
    del is_newline
    # A line is blank when every cell is blank. A cell opening with a letter or
    # digit is not; one opening with a blank or a non-ASCII byte is read to see.
    head = buffer[starts]
    has_text = (lengths > 0) & (head != _SPACE) & (head != _TAB) & (head < 128)
    line_width = int(np.argmax(is_last)) + 1
    if ends.size % line_width == 0 and _every_line_as_wide(is_last, line_width):
        # Every line as wide as the first: lines are rows of a cell matrix.
        last_cell = np.arange(line_width - 1, ends.size, line_width)
        widths = np.full(last_cell.size, line_width)
        has_line_text = _any_in_rows(has_text, line_width)
        maybe = (lengths > 0) & ~has_text
        if maybe.any():
            maybe = maybe.reshape(-1, line_width)
            maybe &= ~has_line_text[:, None]
            unsure = np.flatnonzero(maybe)
        else:
            unsure = np.zeros(0, dtype=np.intp)
        line_of_cell = None
    else:
        last_cell = np.flatnonzero(is_last)
        widths = np.diff(last_cell, prepend=-1)
        line_of_cell = np.repeat(np.arange(last_cell.size), widths)
        has_line_text = np.zeros(last_cell.size, dtype=bool)
        has_line_text[line_of_cell[has_text]] = True
        unsure = np.flatnonzero(
            (lengths > 0) & ~has_text & ~has_line_text[line_of_cell]
        )
    for cell in unsure.tolist():
        a = int(starts[cell])
        if data[a : a + int(lengths[cell])].decode("utf-8").strip():
            line = cell // line_width if line_of_cell is None else line_of_cell[cell]
            has_line_text[line] = True
    lines = np.flatnonzero(has_line_text)
    if lines.size < 2:
        return None  # empty, or a header alone: the csv module's messages
    header_line, data_lines = int(lines[0]), lines[1:]
    width = int(widths[header_line])
    if np.any(widths[data_lines] != width):
        return None  # ragged rows: padded, cut or refused by the csv module
    _check_fast_limits(source, limits, data_lines.size, width)
    first = int(last_cell[header_line]) - width + 1
    header = [
        data[int(starts[c]) : int(ends[c])].decode("utf-8")
        for c in range(first, first + width)
    ]
    names = _names(source, header)
    # Room to read a whole cell's width, and eight bytes, past the last one.
    padded = np.frombuffer(data + bytes(max(int(lengths.max()), 8)), dtype=np.uint8)
    columns: dict[str, Sequence[Cell] | NDArray[np.float64]] = {}
    if line_of_cell is None and int(lines[-1] - lines[0]) == data_lines.size:
        # Rows of a cell matrix, the data lines without a gap: each column's
        # cells are a slice.
        first = int(last_cell[data_lines[0]]) - width + 1
        stop = first + data_lines.size * width
        for position, name in enumerate(names):
            if name:
                cells = slice(first + position, stop, width)
                columns[name] = _ByteCells(data, padded, starts[cells], lengths[cells])
    else:
        row_first = last_cell[data_lines] - width + 1
        for position, name in enumerate(names):
            if name:
                at = row_first + position
                columns[name] = _ByteCells(data, padded, starts[at], lengths[at])
    return Table(
        source=source,
        names=tuple(n for n in names if n),
        columns=columns,
        rows=_row_numbers(data_lines + 1),
    )


def _every_line_as_wide(is_last: NDArray[np.bool_], width: int) -> bool:
    """Whether ``is_last`` (each cell's, in order) ends a line every ``width`` cells."""
    ends = is_last[width - 1 :: width]
    return bool(ends.all()) and np.count_nonzero(is_last) == ends.size


def _any_in_rows(flags: NDArray[np.bool_], width: int) -> NDArray[np.bool_]:
    """``flags.reshape(-1, width).any(axis=1)``, a column at a time when narrow."""
    if width > 8:
        return np.logical_or.reduce(flags.reshape(-1, width), axis=1)
    out = flags[::width].copy()
    for k in range(1, width):
        out |= flags[k::width]
    return out


def _row_numbers(numbers: NDArray[np.int64]) -> Sequence[int]:
    """Row numbers as a ``range`` when they run without a gap, else a tuple."""
    if numbers.size and int(numbers[-1]) - int(numbers[0]) == numbers.size - 1:
        return range(int(numbers[0]), int(numbers[-1]) + 1)
    return tuple(numbers.tolist())


def _check_fast_limits(source: str, limits: Limits, rows: int, width: int) -> None:
    """The limits as :class:`_Counter` applies them, a row at a time."""
    at_rows = None if limits.max_rows is None else limits.max_rows + 1
    at_cells = None if limits.max_cells is None else limits.max_cells // width + 1
    if (
        at_rows is not None
        and at_rows <= rows
        and (at_cells is None or at_rows <= at_cells)
    ):
        raise TableError(_too_many_rows(source, at_rows - 1))
    if at_cells is not None and at_cells <= rows and limits.max_cells is not None:
        raise TableError(_too_many_cells(source, limits.max_cells))


def _read_csv_lines(handle: Any, source: str, limits: Limits) -> Table:
    reader = csv.reader(handle)
    counter = _Counter(source, limits)
    try:
        header: list[str] | None = None
        records: list[tuple[int, list[Cell]]] = []
        width = 0
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = cells
                width = len(header)
                continue
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    raise TableError(
                        f"{source}: row {reader.line_num} has {len(cells)} cells but the header "
                        f"has {width}; remove the extra cells or add a header for them"
                    )
                cells = cells[:width]
            elif len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            counter.add(width)
            records.append((reader.line_num, list(cells)))
    except csv.Error as exc:
        raise TableError(
            f"cannot read {source}: row {reader.line_num} is not valid CSV ({exc}); "
            "check its quotes"
        ) from None
    if header is None:
        raise TableError(
            f"{source} is empty; give a file with a header row and data rows"
        )
    return _build(source, header, records)


def _excel_cell(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, UncalculatedFormula):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(file: str | IO[bytes], source: str, limits: Limits) -> Table:
    """The first sheet of a workbook, a row at a time, within ``limits``.

    Before anything is parsed, the zip's declared uncompressed sizes (which
    Python's zipfile will not read past) and the sheet's own claim of its size
    are checked; while reading, rows and cells are counted, so a sheet that
    understates its size is stopped as soon as it passes the limits.
    """
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a declared dependency
        raise TableError(
            f"cannot read {source}: reading .xlsx needs openpyxl; `pip install openpyxl` "
            "or save the sheet as CSV"
        ) from None
    _check_unpacked_size(file, source, limits)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise TableError(
            f"cannot read {source}: not a readable .xlsx workbook ({type(exc).__name__}); "
            "open and re-save it in Excel, or save it as CSV"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        source = f"{source} (sheet {sheet.title})"
        _check_dimension(sheet, source, limits)
        header, records = _sheet_rows(sheet, source, limits)
    except TableError:
        raise
    except Exception as exc:  # a damaged sheet: bad XML, a bad CRC, ...
        raise TableError(
            f"cannot read {source}: not a readable .xlsx workbook ({type(exc).__name__}); "
            "open and re-save it in Excel, or save it as CSV"
        ) from None
    finally:
        workbook.close()
    if header is None:
        raise TableError(
            f"{source} is empty; give a sheet with a header row and data rows"
        )
    return _build(source, header, records)


def _check_unpacked_size(file: str | IO[bytes], source: str, limits: Limits) -> None:
    if limits.max_uncompressed_bytes is None:
        return
    import zipfile

    try:
        with zipfile.ZipFile(file) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl says why it cannot be read
    finally:
        if not isinstance(file, str):
            file.seek(0)
    if declared > limits.max_uncompressed_bytes:
        raise TableError(
            f"cannot read {source}: it unpacks to {_megabytes(declared)}, more than the "
            f"{_megabytes(limits.max_uncompressed_bytes)} a workbook may; {_SPLIT}, "
            "or save it as CSV"
        )


def _check_dimension(sheet: Any, source: str, limits: Limits) -> None:
    """Refuse a sheet whose recorded size (``<dimension ref="A1:C9">``) is past the limits."""
    rows, columns = sheet.max_row, sheet.max_column
    if not rows or not columns:
        return
    data_rows = rows - (sheet.min_row or 1)  # less the header row
    if limits.max_rows is not None and data_rows > limits.max_rows:
        raise TableError(_too_many_rows(source, limits.max_rows))
    if limits.max_cells is not None and data_rows * columns > limits.max_cells:
        raise TableError(_too_many_cells(source, limits.max_cells))


def _sheet_rows(
    sheet: Any, source: str, limits: Limits
) -> tuple[list[Any] | None, list[tuple[int, list[Cell]]]]:
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        # data_only reads a formula's saved result; with none saved it would
        # pass for an empty cell, so mark it.
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                from openpyxl.utils import get_column_letter

                ref = f"{get_column_letter(cell['column'])}{cell['row']}"
                cell["value"] = UncalculatedFormula(ref)
            return cell

    workbook = sheet.parent
    counter = _Counter(source, limits)
    header: list[Any] | None = None
    records: list[tuple[int, list[Cell]]] = []
    with sheet._get_source() as xml:
        parser = Parser(
            xml,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, parsed in parser.parse():
            if not parsed:
                continue
            width = max(c["column"] for c in parsed)
            if header is not None:
                counter.add(width)
            elif limits.max_cells is not None and width > limits.max_cells:
                raise TableError(_too_many_cells(source, limits.max_cells))
            cells: list[Cell] = [None] * width
            for c in parsed:
                cells[c["column"] - 1] = _excel_cell(c["value"])
            if all(c is None or c == "" for c in cells):
                continue
            if header is None:
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                header = cells
                continue
            columns = len(header)
            if len(cells) < columns:
                cells = cells + [None] * (columns - len(cells))
            elif any(c not in (None, "") for c in cells[columns:]):
                raise TableError(
                    f"{source}: row {number} has cells beyond the last headed column; "
                    "remove them or give them a header"
                )
            records.append((number, cells[:columns]))
    return header, records


def _read_parquet(path: str, wanted: Collection[str] | None = None) -> Table:
    try:
        import pyarrow as pa
    except ImportError:  # pyarrow is the optional `parquet` extra
        raise TableError(
            f"cannot read {path}: reading .parquet needs pyarrow; "
            "`pip install 'openqi[parquet]'` or give a CSV file"
        ) from None
    try:
        names, n_rows, arrow = _read_arrow(path, wanted)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise TableError(
            f"cannot read {path}: not a readable Parquet file ({exc}); check the file"
        ) from None
    if n_rows == 0:
        raise TableError(f"{path} has no rows; give a file with at least one row")
    columns: dict[str, Sequence[Cell] | NDArray[np.float64]] = {}
    for name, column in zip(arrow.column_names, arrow.columns, strict=True):
        kind = column.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            columns[name] = _arrow_numbers(column)
        elif pa.types.is_dictionary(kind) and _is_text(kind.value_type):
            columns[name] = _arrow_dictionary(column)
        else:
            columns[name] = _arrow_computed(column)
    return Table(
        source=path, names=tuple(names), columns=columns, rows=range(1, n_rows + 1)
    )


def _is_text(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _read_arrow(
    path: str, wanted: Collection[str] | None
) -> tuple[list[str], int, Any]:
    """The file's column names, its number of rows and an Arrow table of the
    ``wanted`` columns (all when ``None``), text columns read as dictionaries.

    The reader under ``pyarrow.parquet`` is used directly: that module imports
    pyarrow's file systems (and with them ssl), and ``read_table`` imports
    pyarrow.dataset (and pandas, when installed), start-up for nothing.
    """
    import pyarrow as pa

    try:
        from pyarrow._parquet import ParquetReader
    except ImportError:  # pragma: no cover - a pyarrow that moved its reader
        from pyarrow.parquet import ParquetReader
    reader = ParquetReader()
    reader.open(path)
    schema = reader.schema_arrow
    names = list(schema.names)
    n_rows = int(reader.metadata.num_rows)
    if any(pa.types.is_nested(field.type) for field in schema):
        return names, n_rows, reader.read_all()  # leaf columns are not fields
    indices = [i for i, n in enumerate(names) if wanted is None or n in wanted]
    text = [i for i in indices if _is_text(schema.field(i).type)]
    if text:
        reader = ParquetReader()
        reader.open(path, read_dictionary=text)
    return names, n_rows, reader.read_all(column_indices=indices)


def _arrow_numbers(column: Any) -> NDArray[np.float64]:
    """An Arrow column of integers or floats as floats, ``NaN`` for a null."""
    return _arrow_values(column, _numpy_type(column.type), math.nan, as_type=np.float64)


def _arrow_dictionary(column: Any) -> _CodedCells:
    """A dictionary-encoded Arrow column of text as labels and codes."""
    if column.num_chunks > 1:
        column = column.unify_dictionaries()
    chunks = column.chunks
    labels: list[Cell] = chunks[0].dictionary.to_pylist()
    null = len(labels)
    codes = np.concatenate(
        [
            _arrow_values(
                chunk.indices, _numpy_type(chunk.indices.type), null, as_type=np.intp
            )
            for chunk in chunks
        ]
    )
    if any(chunk.null_count for chunk in chunks):
        labels = [*labels, None]
    return _CodedCells(labels, codes)


def _arrow_computed(column: Any) -> _CodedCells | NDArray[np.float64]:
    """Any other Arrow column, with pyarrow.compute: dictionaries of numbers,
    decimals, dates, times, booleans, nested values. Each distinct value is
    converted once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
        kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return _arrow_numbers(column)
    if pa.types.is_decimal(kind):
        return _arrow_numbers(pc.cast(column, pa.float64()))
    coded = column.combine_chunks().dictionary_encode()
    distinct = coded.dictionary
    if pa.types.is_timestamp(kind):
        midnight = pc.all(pc.equal(pc.cast(distinct, pa.date32()).cast(kind), distinct))
        as_text = pc.cast(
            pc.cast(distinct, pa.date32()) if midnight.as_py() else distinct,
            pa.string(),
        )
        labels: list[Cell] = as_text.to_pylist()
    elif _is_text(kind):
        labels = distinct.to_pylist()
    else:
        labels = [None if v is None else str(v) for v in distinct.to_pylist()]
    # Arrow numbers the distinct values in order of first appearance.
    indices = coded.indices
    width = _numpy_type(indices.type)
    if coded.null_count:
        codes = _arrow_values(indices, width, len(labels), as_type=np.intp)
        return _CodedCells([*labels, None], codes)
    codes = _arrow_values(indices, width, as_type=np.intp)
    return _CodedCells(labels, codes, is_ordered=True)


def _arrow_values(
    values: Any, dtype: Any, null: Any = None, *, as_type: Any = None
) -> NDArray[Any]:
    """An Arrow array (or chunked array) of fixed-width numbers as a NumPy array
    (of ``as_type``, by default ``dtype``), ``null`` where it has none, read
    from its buffers: ``to_numpy`` and ``fill_null`` import pandas when it is
    installed, a second for nothing."""
    if hasattr(values, "combine_chunks"):
        values = values.combine_chunks()
    validity, data = values.buffers()[:2]
    out = np.frombuffer(
        data,
        dtype=dtype,
        count=len(values),
        offset=values.offset * np.dtype(dtype).itemsize,
    ).astype(as_type or dtype)
    if values.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        out[~bits[values.offset : values.offset + len(values)].astype(bool)] = null
    return out


def _numpy_type(kind: Any) -> np.dtype[Any]:
    """The NumPy type of an Arrow integer or floating type."""
    import pyarrow as pa

    prefix = "float" if pa.types.is_floating(kind) else "int"
    if pa.types.is_unsigned_integer(kind):
        prefix = "uint"
    return np.dtype(f"{prefix}{kind.bit_width}")
