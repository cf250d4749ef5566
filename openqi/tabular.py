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

import csv
import datetime as dt
import io
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

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
    for nulls. ``rows`` gives each data row's number in the file, for messages.
    """

    source: str
    names: tuple[str, ...]
    columns: dict[str, Sequence[Cell] | NDArray[np.float64]]
    rows: tuple[int, ...]

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
        if isinstance(cells, np.ndarray):
            return [_number_text(float(v)) if math.isfinite(v) else "" for v in cells]
        return [c.strip() if type(c) is str else _cell_text(c) for c in cells]

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


def read_table(path: str, *, limits: Limits | None = None) -> Table:
    """Read ``path`` (``.csv``, ``.xlsx`` or ``.parquet``; ``-`` is CSV on standard input),
    within ``limits`` (none by default)."""
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
        return _read_parquet(path)
    if suffix == ".xls":
        raise TableError(
            f"cannot read {path}: old-style .xls workbooks are not supported; "
            "save it as .xlsx or CSV"
        )
    try:
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


def _read_parquet(path: str) -> Table:
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:  # pyarrow is the optional `parquet` extra
        raise TableError(
            f"cannot read {path}: reading .parquet needs pyarrow; "
            "`pip install 'openqi[parquet]'` or give a CSV file"
        ) from None
    try:
        arrow = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        raise TableError(
            f"cannot read {path}: not a readable Parquet file ({exc}); check the file"
        ) from None
    if arrow.num_rows == 0:
        raise TableError(f"{path} has no rows; give a file with at least one row")
    columns: dict[str, Sequence[Cell] | NDArray[np.float64]] = {}
    for name, column in zip(arrow.column_names, arrow.columns, strict=True):
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = pc.cast(column, kind.value_type)
            kind = column.type
        if (
            pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_decimal(kind)
        ):
            values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
            columns[name] = np.asarray(values, dtype=np.float64)
        elif pa.types.is_timestamp(kind):
            midnight = pc.all(pc.equal(pc.cast(column, pa.date32()).cast(kind), column))
            as_text = pc.cast(
                pc.cast(column, pa.date32()) if midnight.as_py() else column,
                pa.string(),
            )
            columns[name] = as_text.to_pylist()
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            columns[name] = column.to_pylist()
        else:
            columns[name] = [None if v is None else str(v) for v in column.to_pylist()]
    return Table(
        source=path,
        names=tuple(arrow.column_names),
        columns=columns,
        rows=tuple(range(1, arrow.num_rows + 1)),
    )
