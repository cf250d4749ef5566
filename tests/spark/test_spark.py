"""openqi.spark on a local Spark session (PySpark, Java 17): every series gets
exactly what ``openqi spc`` gives it alone — the same doubles for every line, the
same rules, signals, icons and warnings — on the real A&E data (NHS England via
NHSRdatasets, OGL v3.0) and on random series with phases and gaps; and
``openqi spc-batch`` on a folder of Parquet files writes the very tables Spark
gives."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from openqi.cli import main
from openqi.data import AE_ATTENDANCES

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")

from openqi.spark import local_session, spc  # noqa: E402

pytestmark = [
    pytest.mark.spark,
    # PySpark checks the pandas it finds installed; the job hands it Arrow only.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
]

POINT_FIELDS = ("value", "centre", "lower", "upper", "near_lower", "near_upper")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Java is missing, and CI must run the Spark tests")
        pytest.skip(
            "Java 17 is not installed (apt-get install openjdk-17-jre-headless)"
        )
    session = local_session(2, partitions=3, memory="1g")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _ae() -> pa.Table:
    return pacsv.read_csv(AE_ATTENDANCES)


def _alone(
    tmp: Path, rows: dict[str, list[Any]], argv: list[str], rebase: list[str]
) -> dict[str, Any]:
    """``openqi spc`` on one series' rows (a CSV file), as JSON."""
    source, target = tmp / "series.csv", tmp / "chart.json"
    pacsv.write_csv(pa.table(rows), source)
    extra = ["--rebase", *rebase] if rebase else []
    status = main(["spc", str(source), *argv, *extra, "-o", str(target)])
    assert status == 0
    return dict(json.loads(target.read_text(encoding="utf-8")))


def _compare(
    tmp: Path,
    points: pa.Table,
    summaries: pa.Table,
    keys: list[str],
    value: str,
    denominator: str | None,
    argv: list[str],
    phase: str | None = None,
) -> int:
    """Check every series against ``openqi spc``; how many were checked."""
    points = points.sort_by([(k, "ascending") for k in (*keys, "period")])
    summaries = summaries.sort_by([(k, "ascending") for k in keys])
    p = points.to_pydict()
    s = summaries.to_pydict()
    key_of = list(zip(*[p[k] for k in keys], strict=True))
    starts = [0] + [i for i in range(1, len(key_of)) if key_of[i] != key_of[i - 1]]
    ends = [*starts[1:], len(key_of)]
    assert len(starts) == summaries.num_rows
    for n, (a, b) in enumerate(zip(starts, ends, strict=True)):
        assert tuple(s[k][n] for k in keys) == key_of[a]
        periods = [str(x) for x in p["period"][a:b]]
        rows: dict[str, list[Any]] = {
            "period": periods,
            "value": p["numerator" if denominator else "value"][a:b],
        }
        if denominator:
            rows["denominator"] = p["denominator"][a:b]
        rebase = []
        if phase is not None:
            rebase = [
                periods[i]
                for i in range(1, b - a)
                if p["phase"][a + i] != p["phase"][a + i - 1]
            ]
        alone = _alone(
            tmp,
            rows,
            [*argv, "--value", "value", "--period", "period"]
            + (["--denominator", "denominator"] if denominator else []),
            rebase,
        )
        for i, point in enumerate(alone["points"]):
            for field in POINT_FIELDS:
                assert p[field][a + i] == point[field], (key_of[a], i, field)
            assert p["phase"][a + i] == point["phase"]
            assert p["rule"][a + i] == point["rule"], (key_of[a], i)
            assert p["signal"][a + i] == point["signal"], (key_of[a], i)
        summary = alone["summary"]
        assert s["variation"][n] == summary["variation"], key_of[a]
        assert s["assurance"][n] == summary["assurance"], key_of[a]
        assert s["warnings"][n] == summary["warnings"], key_of[a]
        assert s["phases"][n] == len(summary["phases"])
    return len(starts)


AE_CHARTS = [
    ("xmr", "attendances", None, ["--improvement", "neither"]),
    (
        "p",
        "breaches",
        "attendances",
        ["--improvement", "decrease", "--multiply", "100", "--target", "5"],
    ),
    (
        "pp",
        "breaches",
        "attendances",
        ["--improvement", "decrease", "--multiply", "100"],
    ),
    ("run", "admissions", None, ["--improvement", "increase"]),
    (
        "u",
        "admissions",
        "attendances",
        ["--improvement", "neither", "--multiply", "1000"],
    ),
]


@pytest.mark.parametrize(("chart", "value", "denominator", "argv"), AE_CHARTS)
def test_real_ae_data_matches_openqi_spc_series_by_series(
    spark: Any,
    tmp_path: Path,
    chart: str,
    value: str,
    denominator: str | None,
    argv: list[str],
) -> None:
    table = _ae()
    if denominator:
        # A department with no attendances in a month has no proportion.
        table = table.filter(pc.greater(table[denominator], 0))
    options = dict(zip([a.lstrip("-") for a in argv[::2]], argv[1::2], strict=True))
    kwargs: dict[str, Any] = {"improvement": options["improvement"]}
    if "multiply" in options:
        kwargs["multiply"] = float(options["multiply"])
    if "target" in options:
        kwargs["target"] = float(options["target"])
    df = spark.createDataFrame(table)
    result = spc(
        df,
        keys=["org_code", "type"],
        period="period",
        value=value,
        denominator=denominator,
        chart=chart,
        **kwargs,
    )
    points = result.points.toArrow()
    summaries = result.summaries.toArrow()
    assert points.num_rows == table.num_rows
    checked = _compare(
        tmp_path,
        points,
        summaries,
        ["org_code", "type"],
        value,
        denominator,
        ["--chart", chart, *argv],
    )
    assert checked == 428 if not denominator else checked > 400


def _random_long(seed: int, chart: str, n_series: int = 60) -> pa.Table:
    rng = np.random.default_rng(seed)
    keys, periods, values, dens, phases = [], [], [], [], []
    for k in range(n_series):
        length = int(rng.integers(1, 50))
        level = rng.uniform(5, 200)
        den = rng.integers(30, 3000, length).astype(float)
        if chart in ("p", "pp"):
            num = np.floor(
                den * np.clip(rng.normal(rng.uniform(0.1, 0.8), 0.05, length), 0, 1)
            )
        elif chart in ("u", "up"):
            num = rng.poisson(den * rng.uniform(0.01, 1.5)).astype(float)
        else:
            num = rng.normal(level, level * 0.1, length).round(1)
            num[length // 2 :] += level * rng.choice([0, 0.4])
        gaps = rng.random(length) < 0.06
        gaps[0] = False
        num[gaps] = np.nan
        label = np.zeros(length, dtype=int)
        if length > 20 and rng.random() < 0.5:
            label[int(rng.integers(2, length - 2)) :] = 1
        keys += [f"S{k:03d}"] * length
        periods += [f"2021-{i:03d}" for i in range(length)]
        values += [None if np.isnan(v) else float(v) for v in num]
        dens += den.tolist()
        phases += [f"phase {x}" for x in label]
    return pa.table(
        {
            "series": keys,
            "period": periods,
            "value": values,
            "denominator": dens,
            "phase": phases,
        }
    )


@pytest.mark.parametrize("chart", ["xmr", "run", "p", "u", "pp", "up"])
def test_random_series_with_phases_match_openqi_spc(
    spark: Any, tmp_path: Path, chart: str
) -> None:
    table = _random_long(["xmr", "run", "p", "u", "pp", "up"].index(chart), chart)
    has_den = chart != "xmr"
    source = table if has_den else table.drop_columns(["denominator"])
    df = spark.createDataFrame(source)
    result = spc(
        df,
        keys="series",
        period="period",
        value="value",
        denominator="denominator" if has_den else None,
        phase="phase",
        chart=chart,
        improvement="increase",
    )
    points, summaries = result.points.toArrow(), result.summaries.toArrow()
    checked = _compare(
        tmp_path,
        points,
        summaries,
        ["series"],
        "value",
        "denominator" if has_den else None,
        ["--chart", chart, "--improvement", "increase"],
        phase="phase",
    )
    assert checked == 60


def test_spc_batch_on_a_parquet_folder_writes_what_spark_gives(
    spark: Any, tmp_path: Path
) -> None:
    table = _ae().filter(pc.greater(_ae()["attendances"], 0))
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(table.slice(0, 5000), folder / "part-a.parquet")
    pq.write_table(table.slice(5000), folder / "part-b.parquet")
    out = tmp_path / "out"
    status = main([
        "spc-batch", str(folder), "--series", "org_code", "--series", "type",
        "--period", "period", "--value", "breaches", "--denominator", "attendances",
        "--chart", "p", "--improvement", "decrease", "--multiply", "100", "-o", str(out),
    ])  # fmt: skip
    assert status == 0
    # Labels are written as Arrow dictionaries (one byte a row); Spark's are text.
    local_points = _as_text(pq.read_table(out / "points"))
    local_summaries = _as_text(pq.read_table(out / "summaries"))
    result = spc(
        spark.read.parquet(str(folder)),
        keys=["org_code", "type"], period="period", value="breaches",
        denominator="attendances", chart="p", improvement="decrease", multiply=100.0,
    )  # fmt: skip
    order = [("org_code", "ascending"), ("type", "ascending")]
    spark_summaries = result.summaries.toArrow().sort_by(order)
    spark_points = result.points.toArrow().sort_by([*order, ("period", "ascending")])
    assert spark_summaries.equals(local_summaries.sort_by(order))
    assert spark_points.equals(local_points.sort_by([*order, ("period", "ascending")]))


def _as_text(table: pa.Table) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table[i].cast(pa.string()))
    return table


def test_a_bad_row_stops_the_job_naming_its_series_and_period(spark: Any) -> None:
    df = spark.createDataFrame(
        [("A", "2024-01", 5.0, 10.0), ("A", "2024-02", 12.0, 10.0)],
        "trust string, month string, cases double, patients double",
    )
    result = spc(
        df,
        keys="trust",
        period="month",
        value="cases",
        denominator="patients",
        chart="p",
    )
    with pytest.raises(Exception, match=r"series trust=A, period 2024-02"):
        result.summaries.collect()


def test_an_unknown_column_or_option_is_refused_before_anything_runs(
    spark: Any,
) -> None:
    from openqi.longjob import JobError

    df = spark.createDataFrame([("A", 1, 2.0)], "trust string, month int, cases double")
    with pytest.raises(JobError, match="no column 'count'"):
        spc(df, keys="trust", period="month", value="count")
    with pytest.raises(JobError, match="xmr chart does not take multiply"):
        spc(df, keys="trust", period="month", value="cases", multiply=100.0)
    with pytest.raises(JobError, match="a p chart needs a denominator"):
        spc(df, keys="trust", period="month", value="cases", chart="p")


def test_the_notebook_example_runs_and_finds_new_concerns(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/examples/spark_notebook.py, as a Databricks user would run it (with
    the session they are given): it writes the signals, the summaries and the
    series whose latest month shows a concern the month before did not."""
    import runpy

    monkeypatch.setenv("OPENQI_EXAMPLE_OUT", str(tmp_path))
    example = Path(__file__).parents[2] / "docs" / "examples" / "spark_notebook.py"
    runpy.run_path(str(example), init_globals={"spark": spark})
    signals = pq.read_table(tmp_path / "signals")
    assert signals.num_rows > 0
    assert "common_cause" not in set(signals["signal"].to_pylist())
    summaries = pq.read_table(tmp_path / "summaries")
    new = pq.read_table(tmp_path / "new_concern").to_pylist()
    assert new, "the A&E data have new concerns in March 2019"
    now = {(r["org_code"], r["type"]): r["variation"] for r in summaries.to_pylist()}
    for row in new:
        assert now[(row["org_code"], row["type"])].startswith("concern")
        assert not (row["variation_a_month_before"] or "").startswith("concern")
