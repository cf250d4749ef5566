"""``openqi spc-batch FOLDER``: the long job on a folder of Parquet files — every
series charted as ``openqi spc`` charts it alone, points and summaries written
as Parquet, all or nothing; bad input named by its series and period."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def _folder(tmp_path: Path, table: pa.Table, parts: int = 2) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    step = -(-table.num_rows // parts)
    for k in range(parts):
        pq.write_table(table.slice(k * step, step), folder / f"part-{k}.parquet")
    (folder / "_SUCCESS").write_text("")  # as Spark leaves it: not read
    return folder


def _ae_rjz(shared_data: Path) -> pa.Table:
    table = pacsv.read_csv(shared_data / "ae_attendances.csv")
    keep = pc.is_in(table["org_code"], pa.array(["RJZ", "RF4", "R1H"]))
    return table.filter(keep)


def test_the_folder_job_writes_points_and_summaries_as_openqi_spc_charts_them(
    run, shared_data: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    table = _ae_rjz(shared_data)
    folder = _folder(tmp_path, table)
    out = tmp_path / "out"
    status, stdout, err = run(
        "spc-batch", folder, "--series", "org_code", "--series", "type",
        "--value", "breaches", "--denominator", "attendances", "--chart", "p",
        "--improvement", "decrease", "--multiply", "100", "-o", out,
    )  # fmt: skip
    assert status == 0, err
    assert "series," in stdout and "points charted (p)" in stdout
    points = pq.read_table(out / "points")
    summaries = pq.read_table(out / "summaries")
    assert points.num_rows == table.num_rows
    assert summaries.num_rows == len(
        set(zip(table["org_code"].to_pylist(), table["type"].to_pylist(), strict=True))
    )
    # One series against `openqi spc` on its own rows.
    rows = [r for r in table.to_pylist() if r["org_code"] == "RJZ" and r["type"] == "1"]
    rows.sort(key=lambda r: r["period"])
    csv_path = tmp_path / "rjz.csv"
    csv_path.write_text(
        "period,value,denominator\n"
        + "".join(f"{r['period']},{r['breaches']},{r['attendances']}\n" for r in rows),
        encoding="utf-8",
    )
    status, _, err = run(
        "spc", csv_path, "--chart", "p", "--denominator", "denominator",
        "--improvement", "decrease", "--multiply", "100", "-o", tmp_path / "rjz.json",
    )  # fmt: skip
    assert status == 0, err
    alone = json.loads((tmp_path / "rjz.json").read_text(encoding="utf-8"))
    mine = points.filter(
        pc.and_(
            pc.equal(points["org_code"], "RJZ"),
            pc.equal(points["type"], "1"),
        )
    ).to_pylist()
    assert len(mine) == len(alone["points"])
    for got, want in zip(mine, alone["points"], strict=True):
        for field in ("value", "centre", "lower", "upper", "rule", "signal", "phase"):
            assert got[field] == want[field], field
    summary = summaries.filter(
        pc.and_(
            pc.equal(summaries["org_code"], "RJZ"),
            pc.equal(summaries["type"], "1"),
        )
    ).to_pylist()[0]
    assert summary["variation"] == alone["summary"]["variation"]
    assert summary["warnings"] == alone["summary"]["warnings"]
    assert summary["points"] == len(rows)


def test_a_period_given_twice_is_named_and_nothing_is_written(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    table = pa.table(
        {
            "trust": ["A", "A", "B", "B"],
            "month": ["2024-01", "2024-02", "2024-01", "2024-01"],
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    folder = _folder(tmp_path, table, parts=1)
    out = tmp_path / "out"
    status, _, err = run(
        "spc-batch", folder, "--series", "trust", "--period", "month", "-o", out
    )
    assert status == 2
    assert "series trust=B, period 2024-01 appears twice" in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".openqi")] == []


def test_a_bad_denominator_is_named_by_series_and_period(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = pa.table(
        {
            "trust": ["A", "A"],
            "period": ["2024-01", "2024-02"],
            "value": [3.0, 12.0],
            "n": [10.0, 10.0],
        }
    )
    folder = _folder(tmp_path, table, parts=1)
    status, _, err = run(
        "spc-batch", folder, "--series", "trust", "--denominator", "n",
        "--chart", "p", "-o", tmp_path / "out",
    )  # fmt: skip
    assert status == 2
    assert "series trust=A, period 2024-02" in err and "numerator" in err


def test_the_folder_needs_an_output_folder_that_is_not_there(
    run, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    table = pa.table({"s": ["A"], "period": ["2024-01"], "value": [1.0]})
    folder = _folder(tmp_path, table, parts=1)
    status, _, err = run("spc-batch", folder, "--series", "s")
    assert status == 2 and "give --output FOLDER" in err
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    status, _, err = run("spc-batch", folder, "--series", "s", "-o", taken)
    assert status == 2 and "already exists" in err
    assert (taken / "keep.txt").read_text() == "mine"
    status, _, err = run("spc-batch", folder, "--series", "nope", "-o", tmp_path / "o")
    assert status == 2 and "no column 'nope'" in err


def test_folder_options_with_a_file_say_how_to_run_the_whole_job(run, write) -> None:  # type: ignore[no-untyped-def]
    path = write("long.csv", "series,period,value\na,2024-01,1\n")
    status, _, err = run("spc-batch", path, "--series", "series", "--chart", "p")
    assert status == 2
    assert "--chart works only on a folder of Parquet files" in err
    status, _, err = run("spc-batch", path, "--series", "series", "--series", "period")
    assert status == 2 and "a second --series" in err


def test_phases_and_every_chart_run_on_a_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    periods = [f"2023-{m:02d}" for m in range(1, 13)] + [
        f"2024-{m:02d}" for m in range(1, 13)
    ]
    values = [float(10 + (i % 3)) for i in range(12)] + [
        float(20 + (i % 4)) for i in range(12)
    ]
    table = pa.table(
        {
            "unit": ["ward 1"] * 24,
            "period": periods,
            "value": values,
            "n": [100.0] * 24,
            "phase": ["before"] * 12 + ["after"] * 12,
        }
    )
    folder = _folder(tmp_path, table, parts=1)
    for chart in ("xmr", "run", "p", "u", "pp", "up"):
        out = tmp_path / f"out-{chart}"
        extra = [] if chart == "xmr" else ["--denominator", "n"]
        status, _, err = run(
            "spc-batch", folder, "--series", "unit", "--phase", "phase",
            "--chart", chart, *extra, "-o", out,
        )  # fmt: skip
        assert status == 0, (chart, err)
        summary = pq.read_table(out / "summaries").to_pylist()[0]
        assert summary["phases"] == 2, chart
        assert summary["chart"] == chart
        points = pq.read_table(out / "points").to_pylist()
        assert [p["phase"] for p in points] == [0] * 12 + [1] * 12
