"""Large outputs: spc-batch writes Parquet, funnel writes its units a chunk at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from openqi.cli import charts
from openqi.cli.charts import BATCH_COLUMNS

Run = Callable[..., tuple[int, str, str]]
Write = Callable[[str, str], Path]

LONG = "series,period,value\n" + "".join(
    f"{s},2024-{m:02d},{'' if (s == 'b' and m == 3) else 10 + m % 4 + len(s)}\n"
    for s in ("a", "b", "c d")
    for m in range(1, 13)
)


def test_spc_batch_writes_parquet_with_the_csv_figures(
    run: Run, write: Write, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    source = write("long.csv", LONG)
    status, out, err = run("spc-batch", source, "--series", "series")
    assert status == 0, err
    expected = list(csv.DictReader(io.StringIO(out)))
    target = tmp_path / "summary.parquet"
    status, _, err = run("spc-batch", source, "--series", "series", "-o", target)
    assert status == 0, err
    table = pq.read_table(target)
    assert tuple(table.column_names) == BATCH_COLUMNS
    for row, want in zip(table.to_pylist(), expected, strict=True):
        for key, value in want.items():
            got = row[key]
            assert ("" if got is None else str(got)) == value or float(got) == float(
                value
            ), key


def test_parquet_text_with_nulls_is_read_by_distinct_value(
    run: Run, tmp_path: Path
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "long.parquet"
    pq.write_table(
        pa.table(
            {
                "series": ["a", "a", None, "b"],
                "period": ["2024-01", "2024-02", "2024-01", "2024-01"],
                "value": ["1", "2", "3", "x"],
            }
        ),
        path,
    )
    status, _, err = run("spc-batch", path, "--series", "series")
    assert status == 2
    assert "row 3: the series (series) is empty" in err
    pq.write_table(
        pa.table(
            {
                "series": ["a", "a", "b", "b"],
                "period": ["2024-01", "2024-02", "2024-01", "2024-02"],
                "value": ["1", "2", None, "x"],
            }
        ),
        path,
    )
    status, _, err = run("spc-batch", path, "--series", "series")
    assert status == 2
    assert 'row 4 (series b, period 2024-02), value: "x" is not a number' in err


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_funnel_output_in_chunks_equals_the_whole(
    run: Run, write: Write, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    rng = np.random.default_rng(5)
    cases = rng.integers(20, 400, 23)
    events = rng.binomial(cases, 0.1)
    names = [f"Ward {i}, é" if 10 <= i < 15 else f"Ward {i} é" for i in range(23)]
    lines = ["unit,events,cases"] + [
        f'"{n}",{e},{c}' for n, e, c in zip(names, events, cases, strict=True)
    ]
    source = write("units.csv", "\n".join(lines) + "\n")
    argv = ["funnel", source, "--type", "proportion", "--unit", "unit",
            "--numerator", "events", "--denominator", "cases", "--format", fmt]  # fmt: skip
    monkeypatch.setattr(charts, "_CHUNK", 5)
    status, out, err = run(*argv)
    assert status == 0, err
    from openqi.spc.funnel import funnel

    result = funnel(events, cases, names)
    if fmt == "json":
        assert out == charts._json(result.to_dict())
        assert len(json.loads(out)["units"]) == 23
    else:
        rows = [u.to_dict() for u in result.units]
        assert out == charts._csv(rows, list(rows[0]))
