"""The ``openqi`` command line: every verb, format and input type, and every bad input.

The CLI is a thin layer over :mod:`openqi.spc`, so most expected values here are
the library's own answer for the same data (called directly in the test): these
tests check the plumbing (columns, ordering, options, formats, errors), while
``tests/spc`` checks the statistics against published and independent values.
Where a figure is checked outright it is worked by hand in a comment.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from openqi import __version__
from openqi.cli import build_parser
from openqi.cli.charts import BATCH_COLUMNS, CHART_OPTIONS, CHARTS

REPO = Path(__file__).resolve().parents[2]
OPENQI = REPO / ".venv" / "bin" / "openqi"

Run = Callable[..., tuple[int, str, str]]
Write = Callable[[str, str], Path]

#: Five months worked by hand in test_spc_xmr_json_matches_hand_calculation.
SMALL = "period,value\n2024-01,10\n2024-02,12\n2024-03,11\n2024-04,13\n2024-05,12\n"


def _series(n: int = 24, seed: int = 1) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(v) for v in rng.poisson(40, n)]


def _months(n: int, start_year: int = 2022) -> list[str]:
    return [f"{start_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def _ratio_csv(n: int = 24) -> str:
    """Months with a count and a denominator the count never exceeds."""
    counts = _series(n)
    lines = ["period,value,denominator"]
    lines += [f"{p},{c},{c * 3 + 20}" for p, c in zip(_months(n), counts, strict=True)]
    return "\n".join(lines) + "\n"


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --------------------------------------------------------------------------- basics


def test_version_prints_the_package_version(run: Run) -> None:
    status, out, _ = run("--version")
    assert status == 0
    assert out.strip() == f"openqi {__version__}"


@pytest.mark.parametrize(
    ("verb", "words"),
    [
        (None, ["spc", "funnel", "spc-batch", "--version"]),
        (
            "spc",
            ["--chart", "--value", "--period", "--denominator", "--improvement", "--target",
             "--rebase", "--fix-after", "--exclude", "--multiply", "--no-screen",
             "--shift-length", "--trend-length", "--two-of-three", "--format", "--output",
             "--title", "examples:"],
        ),
        (
            "funnel",
            ["--type", "--unit", "--numerator", "--denominator", "--no-overdispersion",
             "--limit", "--multiply", "--format", "--output", "examples:"],
        ),
        (
            "spc-batch",
            ["--series", "--value", "--period", "--improvement", "--target", "--no-screen",
             "--fix-after", "--shift-length", "--trend-length", "--two-of-three", "--format",
             "--output", "latest_signal", "examples:"],
        ),
    ],
)  # fmt: skip
def test_help_describes_every_option(
    run: Run, verb: str | None, words: list[str]
) -> None:
    status, out, _ = run(*([verb] if verb else []), "--help")
    assert status == 0
    for word in words:
        assert word in out, word


def test_no_verb_is_a_usage_error(run: Run) -> None:
    status, _, err = run()
    assert status == 2
    assert "usage: openqi" in err


def test_chart_options_table_matches_the_library_signatures() -> None:
    from openqi.spc import charts

    functions = {
        "xmr": charts.xmr, "run": charts.run_chart, "p": charts.p_chart,
        "u": charts.u_chart, "pp": charts.pp_chart, "up": charts.up_chart,
        "c": charts.c_chart, "g": charts.g_chart, "t": charts.t_chart, "mr": charts.mr_chart,
    }  # fmt: skip
    assert set(functions) == set(CHARTS)
    data_args = {"values", "numerators", "denominators", "periods"}
    for chart, function in functions.items():
        keywords = set(inspect.signature(function).parameters) - data_args
        assert CHART_OPTIONS[chart] == keywords, chart


# --------------------------------------------------------------------------- spc


def test_spc_xmr_json_matches_hand_calculation(run: Run, write: Write) -> None:
    status, out, err = run("spc", write("small.csv", SMALL), "--chart", "xmr")
    assert status == 0, err
    data = json.loads(out)
    assert set(data) >= {"chart", "options", "points", "summary"}
    assert data["chart"] == "xmr"
    assert data["options"]["improvement"] == "neither"
    point = data["points"][0]
    contract_point_keys = {
        "period", "value", "denominator", "centre", "lower", "upper", "phase", "rule", "signal",
    }  # fmt: skip
    assert set(point) >= contract_point_keys
    assert set(data["summary"]) >= {"variation", "assurance", "warnings", "excluded"}
    # Hand calculation: mean = (10 + 12 + 11 + 13 + 12) / 5 = 11.6; moving ranges
    # 2, 1, 2, 1 → mean 1.5 (none ≥ 3.267 × 1.5 = 4.90, so screening keeps all);
    # limits 11.6 ± 2.66 × 1.5 = 7.61 and 15.59.
    assert [p["period"] for p in data["points"]] == _months(5, 2024)
    assert [p["value"] for p in data["points"]] == [10.0, 12.0, 11.0, 13.0, 12.0]
    assert point["centre"] == pytest.approx(11.6)
    assert point["lower"] == pytest.approx(7.61)
    assert point["upper"] == pytest.approx(15.59)
    assert {p["rule"] for p in data["points"]} == {"common_cause"}
    assert data["summary"]["variation"] == "common_cause"
    assert data["summary"]["assurance"] is None
    # Five points: the contract asks for a warning on a phase of 12 or fewer.
    assert data["summary"]["warnings"]


def test_spc_run_chart_json_reports_the_runs_analysis(run: Run, write: Write) -> None:
    path = write("run.csv", _ratio_csv())
    status, out, err = run("spc", path, "--chart", "run")
    assert status == 0, err
    runs = json.loads(out)["summary"]["runs"]
    assert set(runs) >= {
        "longest_run",
        "longest_run_max",
        "crossings",
        "crossings_min",
        "signal",
    }


def test_spc_p_chart_matches_hand_calculation(run: Run, write: Write) -> None:
    path = write("p.csv", "period,value,denominator\n1,2,10\n2,3,10\n3,5,20\n")
    status, out, err = run("spc", path, "--chart", "p", "--period", "period")
    assert status == 0, err
    points = json.loads(out)["points"]
    # Hand calculation: p̄ = (2 + 3 + 5) / (10 + 10 + 20) = 0.25;
    # n = 10: σ = √(0.25 × 0.75 / 10) = 0.136931, upper = 0.25 + 3σ = 0.660792, lower < 0 → 0;
    # n = 20: σ = √(0.25 × 0.75 / 20) = 0.096825, upper = 0.540474, lower < 0 → 0.
    assert [p["centre"] for p in points] == pytest.approx([0.25] * 3)
    assert [p["upper"] for p in points] == pytest.approx(
        [0.660792, 0.660792, 0.540474], abs=1e-6
    )
    assert [p["lower"] for p in points] == [0.0, 0.0, 0.0]
    assert [p["denominator"] for p in points] == [10.0, 10.0, 20.0]
    assert [p["value"] for p in points] == pytest.approx([0.2, 0.3, 0.25])


@pytest.mark.parametrize("chart", CHARTS)
def test_every_chart_equals_the_library_result(
    run: Run, write: Write, chart: str
) -> None:
    from openqi.spc.charts import spc_chart

    text = _ratio_csv()
    path = write("data.csv", text)
    status, out, err = run("spc", path, "--chart", chart)
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(text)))
    values = [float(r["value"]) for r in rows]
    uses_denominator = chart in ("p", "u", "pp", "up", "run")
    # Expected: the library called directly on the same columns (plumbing check).
    expected = spc_chart(
        chart,
        values,
        denominators=[float(r["denominator"]) for r in rows]
        if uses_denominator
        else None,
        periods=[r["period"] for r in rows],
        **({} if chart == "mr" else {"improvement": "neither"}),
    ).to_dict()
    assert json.loads(out) == json.loads(json.dumps(expected))


def test_spc_passes_every_option_to_the_library(run: Run, write: Write) -> None:
    from openqi.spc.charts import xmr

    values = _series(30)
    periods = _months(30)
    text = "period,value\n" + "".join(
        f"{p},{v}\n" for p, v in zip(periods, values, strict=True)
    )
    path = write("long.csv", text)
    argv = [
        "spc", path, "--chart", "xmr", "--improvement", "increase", "--target", "45",
        "--rebase", periods[15], "--fix-after", "12", "--exclude", periods[3], periods[4],
        "--no-screen", "--shift-length", "8", "--trend-length", "6",
        "--two-of-three", "beyond_near",
    ]  # fmt: skip
    status, out, err = run(*argv)
    assert status == 0, err
    # Expected: the library called directly with the same options (plumbing check).
    expected = xmr(
        values, periods, improvement="increase", target=45.0, rebase=[periods[15]],
        fix_after=12, exclude=[periods[3], periods[4]], screen=False, shift_length=8,
        trend_length=6, two_of_three="beyond_near",
    ).to_dict()  # fmt: skip
    data = json.loads(out)
    assert data == json.loads(json.dumps(expected))
    assert {e["period"] for e in data["summary"]["excluded"]} >= {
        periods[3],
        periods[4],
    }
    assert data["options"]["screen"] is False


def test_spc_multiply_scales_a_proportion(run: Run, write: Write) -> None:
    path = write("p.csv", "period,value,denominator\n1,2,10\n2,3,10\n3,5,20\n")
    status, out, _ = run("spc", path, "--chart", "p", "--multiply", "100")
    assert status == 0
    # Hand calculation: 2/10, 3/10, 5/20 as percentages.
    assert [p["value"] for p in json.loads(out)["points"]] == pytest.approx(
        [20, 30, 25]
    )


def test_spc_csv_has_one_row_per_point(run: Run, write: Write) -> None:
    status, out, _ = run(
        "spc", write("small.csv", SMALL), "--chart", "xmr", "--format", "csv"
    )
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5
    assert set(rows[0]) >= {
        "period",
        "value",
        "centre",
        "lower",
        "upper",
        "rule",
        "signal",
    }
    assert rows[0]["period"] == "2024-01"
    # Hand calculation as in test_spc_xmr_json_matches_hand_calculation.
    assert float(rows[0]["upper"]) == pytest.approx(15.59)
    assert rows[0]["denominator"] == ""


def test_spc_svg_is_an_svg_document_with_the_title(run: Run, write: Write) -> None:
    status, out, _ = run(
        "spc", write("small.csv", SMALL), "--chart", "xmr", "--format", "svg",
        "--title", "Clinic waits & more",
    )  # fmt: skip
    assert status == 0
    assert out.lstrip().startswith("<svg")
    assert out.rstrip().endswith("</svg>")
    assert "Clinic waits &amp; more" in out


def test_format_follows_the_output_extension(
    run: Run, write: Write, tmp_path: Path
) -> None:
    target = tmp_path / "chart.svg"
    status, out, _ = run(
        "spc", write("small.csv", SMALL), "--chart", "xmr", "-o", target
    )
    assert status == 0
    assert out == ""
    assert target.read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert _listing(tmp_path) == {"small.csv", "chart.svg"}


def test_iso_periods_are_sorted_chronologically(run: Run, write: Write) -> None:
    text = "period,value\n2024-03-01,3\n2024-01-01,1\n2023-12-01,0\n2024-02-01,2\n"
    status, out, _ = run("spc", write("d.csv", text), "--chart", "xmr")
    assert status == 0
    points = json.loads(out)["points"]
    assert [p["period"] for p in points] == [
        "2023-12-01",
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
    ]
    assert [p["value"] for p in points] == [0.0, 1.0, 2.0, 3.0]


def test_other_periods_keep_file_order(run: Run, write: Write) -> None:
    text = "period,value\nQ3 2024,3\nQ1 2024,1\nQ2 2024,2\n"
    status, out, _ = run("spc", write("d.csv", text), "--chart", "xmr")
    assert status == 0
    assert [p["period"] for p in json.loads(out)["points"]] == [
        "Q3 2024",
        "Q1 2024",
        "Q2 2024",
    ]


def test_without_a_period_column_points_are_numbered(run: Run, write: Write) -> None:
    status, out, _ = run("spc", write("d.csv", "value\n4\n5\n6\n"), "--chart", "xmr")
    assert status == 0
    assert [p["period"] for p in json.loads(out)["points"]] == ["1", "2", "3"]


def test_empty_value_is_a_missing_point(run: Run, write: Write) -> None:
    text = "period,value\n2024-01,10\n2024-02,\n2024-03,11\n2024-04,13\n"
    status, out, _ = run("spc", write("d.csv", text), "--chart", "xmr")
    assert status == 0
    points = json.loads(out)["points"]
    assert points[1]["value"] is None
    assert points[1]["rule"] == "common_cause"


def test_xlsx_input_with_date_cells(run: Run, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["month", "count"])
    values = [10, 12, 11, 13, 12]
    for i, value in enumerate(values):
        # Months in reverse order, and one number stored as text, as spreadsheets do.
        cell = str(value) if i == 2 else value
        sheet.append([dt.datetime(2024, 5 - i, 1), cell])
    path = tmp_path / "waits.xlsx"
    workbook.save(path)
    status, out, err = run(
        "spc", path, "--chart", "xmr", "--period", "month", "--value", "count"
    )
    assert status == 0, err
    points = json.loads(out)["points"]
    assert [p["period"] for p in points] == [f"2024-0{m}-01" for m in range(1, 6)]
    assert [p["value"] for p in points] == [12.0, 13.0, 11.0, 12.0, 10.0]


def test_xlsx_error_names_the_spreadsheet_row(run: Run, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["period", "value"])
    sheet.append(["2024-01", 3])
    sheet.append(["2024-02", "n/a"])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    status, _, err = run("spc", path, "--chart", "xmr")
    assert status == 2
    assert 'row 3 (period 2024-02), value: "n/a" is not a number' in err


def test_csv_from_standard_input(monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(SMALL))
    status, out, _ = run("spc", "-", "--chart", "xmr")
    assert status == 0
    assert len(json.loads(out)["points"]) == 5


# --------------------------------------------------------------------------- funnel

FUNNEL = "trust,deaths,cases\nA,2,10\nB,3,10\nC,5,20\nD,40,100\nE,90,400\nF,30,60\n"


def _funnel_args(path: Path, *more: str) -> list[object]:
    return [
        "funnel", path, "--type", "proportion", "--unit", "trust",
        "--numerator", "deaths", "--denominator", "cases", *more,
    ]  # fmt: skip


def test_funnel_json_equals_the_library_result(run: Run, write: Write) -> None:
    from openqi.spc.funnel import funnel

    status, out, err = run(*_funnel_args(write("f.csv", FUNNEL), "--limit", "95"))
    assert status == 0, err
    data = json.loads(out)
    assert set(data) >= {"type", "phi", "tau2", "adjusted", "units"}
    unit_keys = {
        "unit", "numerator", "denominator", "value", "lower95", "upper95", "lower998",
        "upper998", "outlier",
    }  # fmt: skip
    assert set(data["units"][0]) >= unit_keys
    # Expected: the library called directly on the same columns (plumbing check).
    expected = funnel(
        [2, 3, 5, 40, 90, 30], [10, 10, 20, 100, 400, 60], list("ABCDEF"), limit="95"
    ).to_dict()
    assert data == json.loads(json.dumps(expected))


def test_funnel_options_reach_the_library(run: Run, write: Write) -> None:
    from openqi.spc.funnel import funnel

    path = write("f.csv", FUNNEL)
    status, out, _ = run(
        *_funnel_args(path, "--no-overdispersion", "--multiply", "100")
    )
    assert status == 0
    expected = funnel(
        [2, 3, 5, 40, 90, 30], [10, 10, 20, 100, 400, 60], list("ABCDEF"),
        overdispersion=False, multiply=100.0,
    ).to_dict()  # fmt: skip
    assert json.loads(out) == json.loads(json.dumps(expected))


def test_funnel_ratio_allows_observed_above_expected(run: Run, write: Write) -> None:
    path = write("smr.csv", "trust,observed,expected\nA,12,10.5\nB,8,9.2\nC,30,22.1\n")
    status, out, err = run(
        "funnel", path, "--type", "ratio", "--unit", "trust", "--numerator", "observed",
        "--denominator", "expected",
    )  # fmt: skip
    assert status == 0, err
    data = json.loads(out)
    assert data["type"] == "ratio"
    # Hand calculation: 12 / 10.5.
    assert data["units"][0]["value"] == pytest.approx(12 / 10.5)


def test_funnel_csv_and_svg(run: Run, write: Write, tmp_path: Path) -> None:
    path = write("f.csv", FUNNEL)
    status, out, _ = run(*_funnel_args(path, "--format", "csv"))
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["unit"] for r in rows] == list("ABCDEF")
    assert {"lower998", "upper998", "outlier"} <= set(rows[0])
    target = tmp_path / "funnel.svg"
    status, _, _ = run(*_funnel_args(path, "--format", "svg", "--output", target))
    assert status == 0
    assert target.read_text(encoding="utf-8").lstrip().startswith("<svg")


# --------------------------------------------------------------------------- spc-batch


def _long_rows() -> list[tuple[str, str, str]]:
    """Three series of different lengths, rows shuffled, one missing value."""
    rows = []
    for name, n, seed in (("north", 24, 2), ("south", 18, 3), ("east", 15, 4)):
        for period, value in zip(_months(n), _series(n, seed), strict=True):
            rows.append((name, period, str(value)))
    rows[5] = (rows[5][0], rows[5][1], "")
    order = np.random.default_rng(7).permutation(len(rows))
    return [rows[i] for i in order]


def _expected_batch(
    rows: list[tuple[str, str, str]], **options: object
) -> dict[str, dict]:
    """Each series charted alone by the single-series xmr (the contract's equality)."""
    from openqi.spc.charts import xmr

    out = {}
    for name in dict.fromkeys(r[0] for r in rows):
        mine = sorted((r for r in rows if r[0] == name), key=lambda r: r[1])
        values = [float(r[2]) if r[2] else math.nan for r in mine]
        result = xmr(values, [r[1] for r in mine], **options)  # type: ignore[arg-type]
        valid = [i for i, v in enumerate(values) if not math.isnan(v)]
        last = valid[-1]
        out[name] = {
            "points": len(valid),
            "centre": float(result.centre[last]),
            "lower": float(result.lower[last]),
            "upper": float(result.upper[last]),
            "variation": result.variation,
            "assurance": result.assurance,
            "latest_period": result.periods[last],
            "latest_value": values[last],
            "latest_rule": result.rule[last],
            "latest_signal": result.signal[last],
            "special_cause_points": sum(r != "common_cause" for r in result.rule),
        }
    return out


def _check_batch(rows: list[dict], expected: dict[str, dict]) -> None:
    assert [r["series"] for r in rows] == list(expected)
    for row in rows:
        want = expected[row["series"]]
        for key, value in want.items():
            got = row[key]
            if isinstance(value, float):
                assert float(got) == pytest.approx(value), (row["series"], key)
            elif isinstance(value, int):
                assert int(got) == value, (row["series"], key)
            else:
                assert (got or None) == value, (row["series"], key)


def test_spc_batch_csv_equals_single_series_xmr(run: Run, write: Write) -> None:
    rows = _long_rows()
    text = "org,month,count\n" + "".join(f"{s},{p},{v}\n" for s, p, v in rows)
    status, out, err = run(
        "spc-batch", write("long.csv", text), "--series", "org", "--period", "month",
        "--value", "count", "--improvement", "increase", "--target", "38",
    )  # fmt: skip
    assert status == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert tuple(table[0]) == BATCH_COLUMNS
    _check_batch(table, _expected_batch(rows, improvement="increase", target=38.0))


def test_spc_batch_json_with_rule_options(run: Run, write: Write) -> None:
    rows = _long_rows()
    text = "series,period,value\n" + "".join(f"{s},{p},{v}\n" for s, p, v in rows)
    options = ["--no-screen", "--shift-length", "6", "--trend-length", "5",
               "--two-of-three", "beyond_near", "--fix-after", "12"]  # fmt: skip
    status, out, err = run(
        "spc-batch",
        write("long.csv", text),
        "--series",
        "series",
        "--format",
        "json",
        *options,
    )
    assert status == 0, err
    data = json.loads(out)
    assert data["options"]["screen"] is False
    _check_batch(
        data["series"],
        _expected_batch(
            rows, screen=False, shift_length=6, trend_length=5, two_of_three="beyond_near",
            fix_after=12,
        ),
    )  # fmt: skip


def test_spc_batch_reads_parquet_with_date_periods(run: Run, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import datetime as dt

    rows = _long_rows()
    table = pa.table(
        {
            "series": pa.array([r[0] for r in rows]),
            "period": pa.array(
                [dt.date(int(r[1][:4]), int(r[1][5:]), 1) for r in rows],
                type=pa.date32(),
            ),
            "value": pa.array(
                [int(r[2]) if r[2] else None for r in rows], type=pa.int64()
            ),
        }
    )
    path = tmp_path / "long.parquet"
    pq.write_table(table, path)
    status, out, err = run("spc-batch", path, "--series", "series", "--format", "json")
    assert status == 0, err
    dated = [(s, f"{p}-01", v) for s, p, v in rows]
    _check_batch(json.loads(out)["series"], _expected_batch(dated))


def test_spc_batch_on_real_ae_data(run: Run, shared_data: Path, tmp_path: Path) -> None:
    target = tmp_path / "summary.csv"
    status, _, err = run(
        "spc-batch", shared_data / "ae_attendances.csv", "--series", "org_code",
        "--value", "attendances", "--output", target,
    )  # fmt: skip
    # Every (org_code, period) repeats across department types: a duplicate.
    assert status == 2
    assert "both have series" in err
    assert not target.exists()


# --------------------------------------------------------------------------- bad input

P_HEAD = "period,value,denominator\n"
BAD_INPUTS = [
    pytest.param(
        "d.csv", "period,val\n2024-01,1\n", ["spc", "--chart", "xmr"],
        ['has no column "value"', '"period", "val"', "--value"], id="missing-column",
    ),
    pytest.param(
        "d.csv", "period,value\n2024-01,1\n2024-02,n/a\n", ["spc", "--chart", "xmr"],
        ['row 3 (period 2024-02), value: "n/a" is not a number', "leave the cell empty"],
        id="text-in-number",
    ),
    pytest.param(
        "d.csv", "period,value\n2024-01,1\n2024-02,2\n2024-01,3\n", ["spc", "--chart", "xmr"],
        ['rows 2 and 4 both have period "2024-01"'], id="duplicate-period",
    ),
    pytest.param(
        "d.csv", P_HEAD + "2024-01,1,10\n2024-02,0,0\n", ["spc", "--chart", "p"],
        ["row 3 (period 2024-02), denominator: 0 is not above zero", "must be above zero"], id="zero-denominator",
    ),
    pytest.param(
        "d.csv", P_HEAD + "2024-01,1,10\n2024-02,1,-5\n", ["spc", "--chart", "u"],
        ["row 3 (period 2024-02), denominator: -5 is not above zero"], id="negative-denominator",
    ),
    pytest.param(
        "d.csv", P_HEAD + "2024-01,12,10\n", ["spc", "--chart", "pp"],
        ["row 2 (period 2024-01), value: 12 is more than its denominator 10"],
        id="numerator-above-denominator",
    ),
    pytest.param(
        "d.csv", P_HEAD + "2024-01,2,\n", ["spc", "--chart", "p"],
        ["row 2 (period 2024-01), denominator: empty but value is 2"], id="empty-denominator",
    ),
    pytest.param(
        "d.csv", "period,value\n2024-01,-1\n", ["spc", "--chart", "c"],
        ["row 2 (period 2024-01), value: -1 is below zero", "cannot be negative"], id="negative-count",
    ),
    pytest.param("d.csv", "", ["spc", "--chart", "xmr"], ["is empty"], id="empty-file"),
    pytest.param(
        "d.csv", "period,value\n", ["spc", "--chart", "xmr"], ["no data rows"], id="header-only",
    ),
    pytest.param(
        "d.csv", "period,value\n2024-01,1,7\n", ["spc", "--chart", "xmr"],
        ["row 2 has 3 cells but the header has 2"], id="ragged-row",
    ),
    pytest.param(
        "d.csv", "period,value\n,1\n", ["spc", "--chart", "xmr"],
        ["row 2: the period (period) is empty"], id="empty-period",
    ),
    pytest.param(
        "d.csv", SMALL, ["spc", "--chart", "xmr", "--rebase", "2030-01"],
        ['--rebase period "2030-01" is not in the period column', "2024-01 to 2024-05"],
        id="unknown-rebase-period",
    ),
    pytest.param(
        "d.csv", SMALL, ["spc", "--chart", "xmr", "--exclude", "2024-06"],
        ['--exclude period "2024-06" is not in the period column'], id="unknown-exclude-period",
    ),
    pytest.param(
        "d.csv", SMALL, ["spc", "--chart", "xmr", "--fix-after", "3"],
        ["fix_after"], id="library-error",
    ),
    pytest.param(
        "d.csv", SMALL, ["spc", "--chart", "p", "--no-screen"],
        ["--no-screen does not apply to --chart p"], id="option-not-for-chart",
    ),
    pytest.param(
        "d.csv", SMALL, ["spc", "--chart", "xmr", "--period", "month"],
        ['has no column "month"', "--period"], id="missing-period-column",
    ),
    pytest.param(
        "d.csv", SMALL, ["spc", "--chart", "run", "--denominator", "n"],
        ['has no column "n"', "--denominator"], id="missing-denominator-column",
    ),
    pytest.param(
        "d.xlsx", "this is not a workbook", ["spc", "--chart", "xmr"],
        ["not a readable .xlsx workbook"], id="unreadable-xlsx",
    ),
    pytest.param(
        "d.parquet", "this is not parquet", ["spc", "--chart", "xmr"],
        ["not a readable Parquet file"], id="unreadable-parquet",
    ),
    pytest.param(
        "f.csv", "trust,deaths,cases\nA,2,10\nB,12,10\n",
        ["funnel", "--type", "proportion", "--unit", "trust", "--numerator", "deaths",
         "--denominator", "cases"],
        ["row 3 (unit B), deaths: 12 is more than its cases 10"], id="funnel-numerator-above",
    ),
    pytest.param(
        "f.csv", "trust,deaths,cases\nA,2,10\nB,1,0\n",
        ["funnel", "--type", "ratio", "--unit", "trust", "--numerator", "deaths",
         "--denominator", "cases"],
        ["row 3 (unit B), cases: 0 is not above zero"], id="funnel-zero-denominator",
    ),
    pytest.param(
        "f.csv", "trust,deaths,cases\nA,2,10\nB,1,9\nA,3,10\n",
        ["funnel", "--type", "proportion", "--unit", "trust", "--numerator", "deaths",
         "--denominator", "cases"],
        ['rows 2 and 4 both have unit "A"'], id="funnel-duplicate-unit",
    ),
    pytest.param(
        "f.csv", "trust,deaths,cases\nA,2,10\nB,x,9\n",
        ["funnel", "--type", "proportion", "--unit", "trust", "--numerator", "deaths",
         "--denominator", "cases"],
        ['row 3 (unit B), deaths: "x" is not a number'], id="funnel-text",
    ),
    pytest.param(
        "f.csv", "trust,deaths,cases\nA,2,10\n",
        ["funnel", "--type", "proportion", "--unit", "org", "--numerator", "deaths",
         "--denominator", "cases"],
        ['has no column "org"', "--unit"], id="funnel-missing-column",
    ),
    pytest.param(
        "l.csv", "series,period,value\na,2024-01,1\nb,2024-01,2\na,2024-01,3\n",
        ["spc-batch", "--series", "series"],
        ['rows 2 and 4 both have series "a" and period "2024-01"'], id="batch-duplicate",
    ),
    pytest.param(
        "l.csv", "series,period,value\na,2024-01,1\nb,2024-01,?\n",
        ["spc-batch", "--series", "series"],
        ['row 3 (series b, period 2024-01), value: "?" is not a number'], id="batch-text",
    ),
    pytest.param(
        "l.csv", "series,period,value\na,2024-01,1\n", ["spc-batch", "--series", "org"],
        ['has no column "org"', "--series"], id="batch-missing-column",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "argv", "needles"), BAD_INPUTS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_bad_input_exits_2_with_one_line_and_no_file(
    run: Run,
    tmp_path: Path,
    name: str,
    text: str,
    argv: list[str],
    needles: list[str],
    fmt: str,
) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    target = tmp_path / f"out.{fmt}"
    before = _listing(tmp_path)
    status, out, err = run(argv[0], source, *argv[1:], "--output", target)
    assert status == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    for needle in needles:
        assert needle in err
    assert _listing(tmp_path) == before


def test_missing_file_is_bad_input(run: Run, tmp_path: Path) -> None:
    status, _, err = run("spc", tmp_path / "nowhere.csv", "--chart", "xmr")
    assert status == 2
    assert "no such file" in err


def test_folder_is_bad_input(run: Run, tmp_path: Path) -> None:
    status, _, err = run("spc", tmp_path, "--chart", "xmr")
    assert status == 2
    assert "it is a folder" in err


def test_non_utf8_file_is_bad_input(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("period,valeur é\n2024-01,1\n".encode("latin-1"))
    status, _, err = run("spc", path, "--chart", "xmr")
    assert status == 2
    assert "not UTF-8" in err


def test_unwritable_output_is_bad_input(run: Run, write: Write, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "out.json"
    status, _, err = run(
        "spc", write("s.csv", SMALL), "--chart", "xmr", "--output", target
    )
    assert status == 2
    assert "cannot write" in err


def test_unknown_chart_is_a_usage_error(run: Run, write: Write) -> None:
    status, _, err = run("spc", write("s.csv", SMALL), "--chart", "pie")
    assert status == 2
    assert "invalid choice" in err


def test_parser_lists_the_contract_verbs() -> None:
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(verbs) == {"spc", "funnel", "spc-batch", "demo", "send-reminders"}


# --------------------------------------------------------------------------- real processes


def _openqi() -> Path:
    if not OPENQI.exists():
        pytest.skip(f"{OPENQI} not installed; run `make install`")
    return OPENQI


def test_console_script_writes_a_chart(write: Write, tmp_path: Path) -> None:
    target = tmp_path / "chart.json"
    done = subprocess.run(
        [_openqi(), "spc", write("s.csv", SMALL), "--chart", "xmr", "--output", target],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert json.loads(target.read_text(encoding="utf-8"))["chart"] == "xmr"


def test_console_script_reports_bad_input(write: Write, tmp_path: Path) -> None:
    path = write("bad.csv", "period,value\n2024-01,1\n2024-02,n/a\n")
    target = tmp_path / "chart.json"
    done = subprocess.run(
        [_openqi(), "spc", path, "--chart", "xmr", "--output", target],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        'error: row 3 (period 2024-02), value: "n/a" is not a number; give a number, or leave '
        "the cell empty for a missing value\n"
    )
    assert not target.exists()


def test_console_script_help_and_version() -> None:
    done = subprocess.run(
        [_openqi(), "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"openqi {__version__}"


def test_spc_imports_stay_light(write: Write) -> None:
    """A CSV chart must not pay for pandas, openpyxl, pyarrow, the renderer or metadata."""
    path = write("s.csv", SMALL)
    code = (
        "import sys, io, contextlib\n"
        "from openqi.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['spc', {str(path)!r}, '--chart', 'xmr']) == 0\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    loaded = set(done.stdout.split())
    heavy = {
        "pandas", "openpyxl", "pyarrow", "scipy", "django", "importlib.metadata",
        "openqi.spc.render_chart", "openqi.spc.render_funnel", "openqi.demo",
    }  # fmt: skip
    assert not loaded & heavy


# --------------------------------------------------------------------------- walkthrough


def test_walkthrough_writes_json_and_svg(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openqi.cli import walkthrough

    assert walkthrough.main([str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    written = _listing(tmp_path / "out")
    assert {"rjz_attendances_xmr.json", "rjz_attendances_xmr.svg"} <= written
    assert {"rjz_4h_breaches_pp.json", "rjz_4h_breaches_pp.svg"} <= written
    assert "type1_attendances_summary.csv" in written
    assert any(name.endswith("_funnel.svg") for name in written)
    assert "variation:" in out and "assurance:" in out


# --------------------------------------------------------------------------- docs


def test_docs_describe_every_verb_and_option() -> None:
    docs = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    verbs = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for verb, subparser in verbs.items():
        assert f"## `openqi {verb}`" in docs, verb
        for action in subparser._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert f"`{flag}" in docs, (verb, flag)
            for choice in action.choices or ():
                assert str(choice) in docs, (verb, choice)


# --------------------------------------------------------------------------- over-dispersion


def _rjz_csv(shared_data: Path, column: str = "breaches") -> str:
    """RJZ type 1 A&E: breaches (or admissions) out of attendances, by month."""
    rows = []
    with (shared_data / "ae_attendances.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["org_code"] == "RJZ" and row["type"] == "1":
                rows.append(f"{row['period']},{row[column]},{row['attendances']}")
    return "period,value,denominator\n" + "\n".join(sorted(rows)) + "\n"


@pytest.mark.parametrize(
    ("chart", "column", "prime"), [("p", "breaches", "p′"), ("u", "admissions", "u′")]
)
def test_overdispersed_p_and_u_charts_warn_on_stderr_and_succeed(
    run: Run,
    write: Write,
    shared_data: Path,
    tmp_path: Path,
    chart: str,
    column: str,
    prime: str,
) -> None:
    # RJZ's monthly proportions and rates vary far beyond binomial/Poisson
    # (tests/spc/test_dispersion.py works the figures by hand).
    path = write("rjz.csv", _rjz_csv(shared_data, column))
    out_file = tmp_path / "chart.json"
    status, out, err = run("spc", path, "--chart", chart, "--output", out_file)
    assert status == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ")
    assert f"use a {prime} (Laney) chart instead." in lines[0]
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert lines[0].removeprefix("warning: ") in data["summary"]["warnings"]


def test_prime_charts_do_not_warn_and_take_no_screen(
    run: Run, write: Write, shared_data: Path
) -> None:
    path = write("rjz.csv", _rjz_csv(shared_data))
    status, screened, err = run("spc", path, "--chart", "pp")
    assert status == 0 and err == ""
    status, raw, err = run("spc", path, "--chart", "pp", "--no-screen")
    assert status == 0 and err == ""
    assert json.loads(screened)["options"]["screen"] is True
    assert json.loads(raw)["options"]["screen"] is False
    status, _, err = run("spc", path, "--chart", "up", "--no-screen")
    assert status == 0, err


def test_binomial_like_p_chart_prints_no_warning(run: Run, write: Write) -> None:
    # Deviations from 200 of 1,000 chosen by hand (phi = 0.43; see
    # tests/spc/test_dispersion.py): not over-dispersed.
    deviations = [0, 13, -13, 6, -6, 10, -10, 3, -3, 8, -8, 0]
    rows = [f"{p},{200 + d},1000" for p, d in zip(_months(12), deviations, strict=True)]
    path = write("p.csv", "period,value,denominator\n" + "\n".join(rows) + "\n")
    status, _, err = run("spc", path, "--chart", "p")
    assert status == 0 and err == ""


# --------------------------------------------------------------------------- layers


def _openqi_imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_command_line_imports_no_app() -> None:
    """The chart verbs sit on openqi.spc, openqi.tabular and (a folder for
    spc-batch) openqi.longjob; the web verbs call management commands by name.
    No module of the CLI imports an OpenQI app."""
    allowed = (
        "openqi",
        "openqi.cli",
        "openqi.spc",
        "openqi.tabular",
        "openqi.data",
        "openqi.longjob",
    )
    for path in sorted((REPO / "openqi" / "cli").glob("*.py")):
        for module in _openqi_imports(path):
            if module.split(".")[0] == "django":
                assert path.name == "web.py", (path.name, module)
            elif module.split(".")[0] == "openqi":
                assert module in allowed or module.startswith(
                    tuple(f"{a}." for a in allowed[1:])
                ), (path.name, module)
