"""Read a table of data (CSV, Excel .xlsx or Parquet) for the command line.

This is the CLI's input layer, not part of :mod:`openqi.spc`: it turns a file
into named columns and leaves the statistics to the library. CSV is read with
the standard library; ``openpyxl`` is imported only when an ``.xlsx`` file is
given and ``pyarrow`` only for ``.parquet``, so charting a CSV stays fast.

Every problem raises :class:`TableError`, a ``ValueError`` whose message is one
line naming the file, row or column at fault and how to fix it. Row numbers are
the ones a spreadsheet shows (the header is row 1, the first data row is row 2);
Parquet files have no header row, so their rows count records from 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Table",
    "TableError",
    "period_sort_keys",
    "read_table",
]

#: One cell as read: text, a number (Excel and Parquet keep their numbers), or
#: ``None`` for an empty cell.
Cell = str | float | None

_ISO_PERIOD = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


class TableError(ValueError):
    """Bad input: the message is ready to show to the person who gave it."""


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
        :class:`TableError`; so do dates and true/false cells.
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
            else:
                text = cell.strip()
                if not text:
                    out[i] = math.nan
                    continue
                number = _parse_number(text)
                if number is None:
                    raise TableError(
                        f'{describe(i)}: {name} "{text}" is not a number; {_number_fix(text)}'
                    )
                out[i] = number
        return out


def read_table(path: str) -> Table:
    """Read ``path`` (``.csv``, ``.xlsx`` or ``.parquet``; ``-`` is CSV on standard input)."""
    if path == "-":
        return _read_csv_lines(sys.stdin, "standard input")
    suffix = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise TableError(f"cannot read {path}: no such file; check the path")
    if os.path.isdir(path):
        raise TableError(
            f"cannot read {path}: it is a folder; give a CSV, .xlsx or .parquet file"
        )
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix == ".xls":
        raise TableError(
            f"cannot read {path}: old-style .xls workbooks are not supported; "
            "save it as .xlsx or CSV"
        )
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _read_csv_lines(handle, path)
    except UnicodeDecodeError as exc:
        raise TableError(
            f"cannot read {path}: it is not UTF-8 text (byte {exc.start}); "
            'save it as "CSV UTF-8", or give an .xlsx or .parquet file'
        ) from None
    except OSError as exc:
        raise TableError(f"cannot read {path}: {exc.strerror or exc}") from None


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


def _parse_number(text: str) -> float | None:
    if "_" in text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number_fix(text: str) -> str:
    """How to mend a cell that is not a number."""
    if "," in text and _parse_number(text.replace(",", "")) is not None:
        return "write it without thousands separators (1234, not 1,234)"
    if text.endswith("%") and _parse_number(text[:-1]) is not None:
        return (
            "write it without the % sign, and use --multiply 100 for a percentage chart"
        )
    return "give a number or leave the cell empty for a missing value"


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _cell_text(cell: Cell) -> str:
    if cell is None:
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


def _read_csv_lines(handle: Any, source: str) -> Table:
    reader = csv.reader(handle)
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


def _read_xlsx(path: str) -> Table:
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - openpyxl is a declared dependency
        raise TableError(
            f"cannot read {path}: reading .xlsx needs openpyxl; `pip install openpyxl` "
            "or save the sheet as CSV"
        ) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise TableError(
            f"cannot read {path}: not a readable .xlsx workbook ({type(exc).__name__}); "
            "open and re-save it in Excel, or save it as CSV"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        source = f"{path} (sheet {sheet.title})"
        header: list[Any] | None = None
        records: list[tuple[int, list[Cell]]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_excel_cell(v) for v in row]
            if all(c is None or c == "" for c in cells):
                continue
            if header is None:
                while cells and cells[-1] in (None, ""):
                    cells.pop()
                header = cells
                continue
            width = len(header)
            if len(cells) < width:
                cells = cells + [None] * (width - len(cells))
            elif any(c not in (None, "") for c in cells[width:]):
                raise TableError(
                    f"{source}: row {number} has cells beyond the last headed column; "
                    "remove them or give them a header"
                )
            records.append((number, cells[:width]))
    finally:
        workbook.close()
    if header is None:
        raise TableError(
            f"{source} is empty; give a sheet with a header row and data rows"
        )
    return _build(source, header, records)


def _read_parquet(path: str) -> Table:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.compute as pc  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pyarrow is a declared dependency
        raise TableError(
            f"cannot read {path}: reading .parquet needs pyarrow; `pip install pyarrow` "
            "or give a CSV file"
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
