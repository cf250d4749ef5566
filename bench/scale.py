"""National scale: 1,000,000 series × 60 points, one machine against local Spark.

The same job both ways, side by side in one run, each as a whole process from a
folder of Parquet files to the points and summaries written as Parquet:

* one machine: ``openqi spc-batch FOLDER -o OUT`` (:mod:`openqi.cli.batch_folder`);
* Spark: ``python -m bench.spark_job`` — a local Spark session with 2 cores
  running :func:`openqi.spark.spc` and writing both DataFrames.

Each is timed from start to exit, and its memory is the largest sum, sampled
every 0.1 s from ``/proc``, of the resident memory of the process and every
process under it (the JVM and Spark's Python workers included). The baseline is
``xmr_batch`` on the same numbers already in memory, measured in the same run:
points a second of the whole job against points a second of the bare engine.
``OPENQI_BENCH_SCALE_SERIES`` sets the number of series (default 1,000,000).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import Row, si
from bench.spc import _openqi_command, realistic_series

__all__ = ["spark_scale"]

N_SERIES = int(os.environ.get("OPENQI_BENCH_SCALE_SERIES", "1000000"))
N_POINTS = 60
FILES = 10
SPARK_CORES = 2


def _write_folder(folder: Path, values: np.ndarray) -> None:
    """The series as a long table in ``FILES`` Parquet files: series (a whole
    number), period (the first of each month from January 2020) and value."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n_series, n_points = values.shape
    months = (np.datetime64("2020-01") + np.arange(n_points)).astype("datetime64[D]")
    per_file = -(-n_series // FILES)
    for k in range(FILES):
        block = values[k * per_file : (k + 1) * per_file]
        if not block.size:
            break
        ids = np.arange(k * per_file, k * per_file + block.shape[0], dtype=np.int64)
        flat = block.ravel()
        pq.write_table(
            pa.table(
                {
                    "series": np.repeat(ids, n_points),
                    "period": pa.array(np.tile(months, block.shape[0])),
                    "value": pa.array(flat, mask=np.isnan(flat)),
                }
            ),
            folder / f"part-{k:05d}.parquet",
        )


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every process under it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(entry)
        children.setdefault(int(fields[1]), []).append(child)
        rss[child] = int(fields[21]) * page
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


def _run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time (s) and peak memory of the process tree (MB) of one command."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(child.pid))
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {child.returncode}")
    return elapsed, peak / 1e6


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "the spark extra is not installed"
    if shutil.which("java") is None:
        return "Java 17 is not installed"
    return None


def spark_scale() -> list[Row]:
    """The job on one machine and on local Spark (2 cores), side by side."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return [Row("national scale", None, "points/s", note="skipped: no pyarrow")]
    script = _openqi_command()
    if script is None:
        return [Row("national scale", None, "points/s", note="skipped: no CLI")]
    from openqi.spc.batch import xmr_batch

    total = N_SERIES * N_POINTS
    size = f"{N_SERIES:,} × {N_POINTS}"
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name) / "in"
        folder.mkdir()
        values, _, _ = realistic_series(N_SERIES, N_POINTS)
        start = time.perf_counter()
        xmr_batch(values)
        bare = time.perf_counter() - start
        _write_folder(folder, values)
        del values
        bare_rate = total / bare
        rows.append(
            Row(
                f"xmr_batch {size} in memory (baseline)",
                bare_rate,
                "points/s",
                note=f"{bare:.1f} s; the engine alone, no files",
            )
        )

        out = Path(name) / "one"
        took, peak = _run(
            [
                str(script), "spc-batch", str(folder), "--series", "series",
                "--period", "period", "--value", "value", "-o", str(out),
            ]
        )  # fmt: skip
        one_rate = total / took
        rows.append(
            Row(
                f"one machine: spc-batch {size}, Parquet in and out",
                one_rate,
                "points/s",
                note=f"{took:.1f} s, peak {peak:,.0f} MB; "
                f"{one_rate / bare_rate:.2f} × the bare engine",
            )
        )
        shutil.rmtree(out)

        missing = _spark_missing()
        if missing:
            rows.append(
                Row(f"local Spark ({SPARK_CORES} cores)", None, "points/s",
                    note=f"skipped: {missing}")
            )  # fmt: skip
            return rows
        out = Path(name) / "spark"
        took, peak = _run(
            [sys.executable, "-m", "bench.spark_job", str(folder), str(out),
             str(SPARK_CORES)]
        )  # fmt: skip
        spark_rate = total / took
        rows.append(
            Row(
                f"local Spark {SPARK_CORES} cores: openqi.spark {size}, Parquet in and out",
                spark_rate,
                "points/s",
                note=f"{took:.1f} s, peak {peak:,.0f} MB (driver, JVM and workers); "
                f"{spark_rate / one_rate:.2f} × one machine, "
                f"{si(spark_rate / SPARK_CORES)} points/s a core",
            )
        )
    return rows
