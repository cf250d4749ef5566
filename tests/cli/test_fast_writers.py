"""The fast writers and readers of the chart verbs give the plain ones' text, cell for cell.

``openqi funnel --format csv`` writes a million units by formatting each
distinct limit or count once, the other figures a column at a time
(:mod:`openqi.cli.numbers`), and adding the columns' bytes together; the
reference is the csv module writing each unit's ``to_dict()``
(:func:`charts._csv`), whose numbers are ``repr``'s.
Parquet is read from Arrow's buffers and dictionaries without pyarrow.compute
for text and numbers; the reference is the file's own values.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from openqi.cli import charts
from openqi.spc.results import FunnelUnits
from openqi.tabular import read_table

TRICKY = [
    0.1 + 0.2, -2.5, 0.0, -0.0, 1e-300, 5e-324, 1e300, 1e16, 1e15, 123456789012345.0,
    9999999999999998.0, 1.2345e21, 0.0001, 1e-05, 2.675, 1.005, math.nan, math.inf,
    -math.inf, 7.0, -7.0, 0.15294117647058825, 1 / 3, 2 / 3,
]  # fmt: skip


def _units(names: list[str], columns: dict[str, list[float]]) -> FunnelUnits:
    n = len(names)
    figures = {k: np.array(v, dtype=np.float64) for k, v in columns.items()}
    return FunnelUnits(
        names,
        *(figures[name] for name in charts._FUNNEL_FIGURES),
        outlier=np.arange(n, dtype=np.int8) % 3,
    )


def _reference(units: FunnelUnits) -> str:
    rows = [u.to_dict() for u in units]
    return charts._csv(rows, list(rows[0]))


def _fast(units: FunnelUnits, name_bytes: np.ndarray | None = None) -> str:
    pieces = charts._funnel_csv(None, units, name_bytes)
    return b"".join(charts.piece_bytes(p) for p in pieces).decode("utf-8")


def _case(
    n: int, rng: np.random.Generator, *, whole: bool = True
) -> dict[str, list[float]]:
    denominator = rng.integers(1, 40, n).astype(float)
    if not whole:
        denominator = denominator + 0.25
    numerator = np.floor(denominator * rng.uniform(0, 1, n))
    limit = {d: rng.choice(TRICKY) for d in np.unique(denominator).tolist()}
    by_denominator = np.array([limit[d] for d in denominator.tolist()])
    return {
        "numerator": numerator.tolist(),
        "denominator": denominator.tolist(),
        "value": rng.choice(TRICKY, n).tolist(),
        "lower95": by_denominator.tolist(),
        "upper95": (-by_denominator).tolist(),
        "lower998": (by_denominator / 3).tolist(),
        "upper998": rng.choice(TRICKY, n).tolist(),  # not a function of the denominator
    }


@pytest.mark.parametrize("whole", [True, False], ids=["whole", "fractional"])
def test_funnel_csv_writes_the_csv_modules_text(whole: bool) -> None:
    rng = np.random.default_rng(11)
    n = 3 * charts._CHUNK // 2 + 7  # more than one chunk
    names = [f"U{i}" for i in range(n)]
    units = _units(names, _case(n, rng, whole=whole))
    assert _fast(units) == _reference(units)


def test_funnel_csv_tricky_numbers_in_every_column() -> None:
    n = len(TRICKY)
    columns = {name: list(TRICKY) for name in charts._FUNNEL_FIGURES}
    columns["numerator"] = [float(i) for i in range(n)]
    columns["denominator"] = [1e18, *range(1, n)]  # too large to index
    units = _units([f"unit {i} é" for i in range(n)], columns)
    text = _fast(units)
    assert text == _reference(units)
    assert ",-0.0," in text and ",1e+16," in text and ",," in text  # NaN and inf: blank


def test_funnel_csv_same_denominator_different_limits_and_signed_zero() -> None:
    columns = {name: [1.0, 2.0, 3.0] for name in charts._FUNNEL_FIGURES}
    columns["denominator"] = [5.0, 5.0, 5.0]
    columns["lower95"] = [0.0, -0.0, 0.0]
    columns["upper95"] = [0.1, 0.2, 0.1]
    units = _units(["a", "b", "c"], columns)
    assert _fast(units) == _reference(units)


def test_funnel_csv_quotes_names_as_the_csv_module_does() -> None:
    names = ["a,b", 'say "hi"', "line\nbreak", "plain", " spaced "]
    columns = {name: [1.5, 2.0, 3.0, 4.0, 5.0] for name in charts._FUNNEL_FIGURES}
    units = _units(names, columns)
    assert _fast(units) == _reference(units)


def test_batch_csv_columns_match_the_csv_module() -> None:
    columns = {
        "series": ["a", "b,c", "d"],
        "points": np.array([3, 0, 12]),
        "centre": np.array([0.1 + 0.2, math.nan, -0.0]),
        "latest_period": ["2024-01", None, "x"],
    }
    rows = [
        dict(zip(columns, row, strict=True))
        for row in zip(*(charts._cells(c) for c in columns.values()), strict=True)
    ]
    assert charts._csv_columns(columns) == charts._csv(rows, list(columns))
    del columns["series"]
    rows = [{k: v for k, v in row.items() if k != "series"} for row in rows]
    assert charts._csv_columns(columns) == charts._csv(rows, list(columns))


# --------------------------------------------------------------------------- Parquet


def test_parquet_columns_read_without_compute(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "name": pa.array(["b", "a", None, "b", "c", "a"]),
            "count": pa.array([1, None, 3, 4, 5, 6], type=pa.int32()),
            "small": pa.array([1, 2, 3, 4, 5, 255], type=pa.uint8()),
            "share": pa.array([0.5, 1.5, None, -2.0, 0.25, 1e-9], type=pa.float32()),
            "flag": pa.array([True, False, None, True, True, False]),
            "day": pa.array([0, 1, 2, 3, 4, 5], type=pa.date32()),
            "category": pa.array(["x", "y", "x", "z", "y", "x"]).dictionary_encode(),
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(
        table, path, row_group_size=2
    )  # three row groups: three dictionaries
    read = read_table(str(path))
    assert list(read.rows) == [1, 2, 3, 4, 5, 6]
    assert read.texts("name") == ["b", "a", "", "b", "c", "a"]
    assert read.text_codes("name")[0] == ["b", "a", "", "c"]
    assert read.texts("category") == ["x", "y", "x", "z", "y", "x"]
    count = read.numbers("count", str)
    assert np.isnan(count[1]) and count[[0, 2, 3, 4, 5]].tolist() == [1, 3, 4, 5, 6]
    assert read.numbers("small", str).tolist() == [1, 2, 3, 4, 5, 255]
    share = read.numbers("share", str)
    assert np.isnan(share[2]) and share[3] == -2.0 and share[5] == np.float32(1e-9)
    assert read.texts("flag") == ["True", "False", "", "True", "True", "False"]
    assert read.texts("day")[:2] == ["1970-01-01", "1970-01-02"]

    some = read_table(str(path), columns=("name", "share", "missing"))
    assert some.names == read.names  # every column, for messages
    assert set(some.columns) == {"name", "share"}
    assert some.texts("name") == read.texts("name")


def test_parquet_dictionary_not_in_order_of_first_appearance(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    codes = pa.array([2, 0, 2, 1], type=pa.int8())
    column = pa.DictionaryArray.from_arrays(codes, pa.array(["a", "b", "c", "unused"]))
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"s": column, "v": [1.0, 2.0, 3.0, 4.0]}), path)
    read = read_table(str(path))
    assert read.texts("s") == ["c", "a", "c", "b"]
    labels, codes = read.text_codes("s")
    assert (labels, codes.tolist()) == (["c", "a", "b"], [0, 1, 0, 2])


def test_funnel_csv_names_with_nul_or_nothing() -> None:
    columns = {name: [1.5, 2.0, 0.1] for name in charts._FUNNEL_FIGURES}
    units = _units(["a\0b", "é", ""], columns)
    assert _fast(units) == _reference(units)
    units = _units(["ab", "é", ""], columns)
    assert _fast(units) == _reference(units)
    empty = _units([], {name: [] for name in charts._FUNNEL_FIGURES})
    assert _fast(empty) == ",".join(["unit", *charts._FUNNEL_FIGURES, "outlier"]) + "\n"


def test_funnel_csv_reads_back_every_figure() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    denominator = rng.integers(50, 5000, n).astype(float)
    numerator = rng.binomial(denominator.astype(int), 0.1).astype(float)
    value = numerator / denominator
    columns = {
        "numerator": numerator.tolist(),
        "denominator": denominator.tolist(),
        "value": value.tolist(),
        "lower95": (0.1 - 1.96 * np.sqrt(0.09 / denominator)).tolist(),
        "upper95": (0.1 + 1.96 * np.sqrt(0.09 / denominator)).tolist(),
        "lower998": (0.1 - 3.09 * np.sqrt(0.09 / denominator)).tolist(),
        "upper998": (0.1 + 3.09 * np.sqrt(0.09 / denominator)).tolist(),
    }
    units = _units([f"U{i}" for i in range(n)], columns)
    lines = _fast(units).splitlines()
    for i, line in enumerate(lines[1:]):
        cells = line.split(",")
        for j, name in enumerate(charts._FUNNEL_FIGURES, start=1):
            assert float(cells[j]) == columns[name][i]
