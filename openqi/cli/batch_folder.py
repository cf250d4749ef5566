"""``openqi spc-batch FOLDER``: the long job on one machine, Parquet in and out.

The same job :mod:`openqi.spark` runs in Spark's workers
(:func:`openqi.longjob.chart_table`), on a folder of Parquet files read with
PyArrow's datasets (files whose names start with ``.`` or ``_`` are left out, as
Spark writes them; ``key=value`` sub-folders are read as columns). The rows are
put in series and period order once, then charted a slice of whole series at a
time and written as they go, so memory holds the input and one slice's work:

    OUTPUT/points/part-00000.parquet     one row per input row
    OUTPUT/summaries/part-00000.parquet  one row per series

The output folder is written beside its final place and renamed into it only
when everything is written: a failed run leaves nothing behind.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from typing import Any

import numpy as np

from openqi.cli.errors import InputError

#: Rows charted at once (whole series; a longer series is charted alone).
SLICE_ROWS = 2_000_000


def run_folder(args: argparse.Namespace) -> str:
    """Run the job on ``args.input`` and write ``args.output``; a line saying what was done."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq
    except ImportError:  # pyarrow is the optional `parquet` extra
        raise InputError(
            "reading a folder of Parquet files needs pyarrow: "
            "`pip install 'openqi[parquet]'`"
        ) from None
    from openqi.longjob import JobError, chart_table, is_in_order, job_columns

    if not args.output:
        raise InputError(
            "a folder in gives a folder out (points/ and summaries/): "
            "give --output FOLDER"
        )
    if args.format not in (None, "parquet"):
        raise InputError(
            f"a folder is written as Parquet; leave out --format {args.format}"
        )
    target = os.path.abspath(args.output)
    if os.path.exists(target) and (not os.path.isdir(target) or os.listdir(target)):
        raise InputError(
            f"{args.output} already exists: remove it or give another --output folder"
        )
    try:
        dataset = ds.dataset(
            args.input,
            format="parquet",
            partitioning="hive",
            exclude_invalid_files=False,
        )
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(
            f"cannot read {args.input} as Parquet files: {error}"
        ) from None
    if not dataset.files:
        raise InputError(
            f"{args.input} holds no Parquet files (names starting with . or _ are left out)"
        )
    keys: list[str] = list(dict.fromkeys(args.series))
    options: dict[str, Any] = {
        "improvement": args.improvement,
        "target": args.target,
        "multiply": args.multiply,
        "screen": False if args.no_screen else None,
        "fix_after": args.fix_after,
        "shift_length": args.shift_length,
        "trend_length": args.trend_length,
        "two_of_three": args.two_of_three,
    }
    options = {k: v for k, v in options.items() if v is not None}
    job = {
        "keys": keys,
        "period": args.period,
        "value": args.value,
        "chart": args.chart or "xmr",
        "denominator": args.denominator,
        "phase": args.phase,
        "improvement_column": args.improvement_column,
        "target_column": args.target_column,
        **options,
    }
    try:
        wanted = job_columns(dataset.schema.names, **job)
    except JobError as error:
        raise InputError(f"{args.input}: {error}") from None
    try:
        table = dataset.to_table(columns=wanted)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"cannot read {args.input}: {error}") from None
    if table.num_rows == 0:
        raise InputError(f"{args.input} has no rows")

    parent = os.path.dirname(target) or "."
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".openqi-", dir=parent)
    show = sys.stderr.isatty()
    try:
        try:
            # A first look at one row checks the columns' types before the sort.
            chart_table(table.slice(0, 1), **job)
        except JobError as error:
            raise InputError(str(error)) from None
        if not is_in_order(table, [*keys, args.period]):
            order = pc.sort_indices(
                table, sort_keys=[(k, "ascending") for k in (*keys, args.period)]
            )
            table = table.take(order)
            del order
        cuts = _slices(table, keys)
        os.mkdir(os.path.join(staging, "points"))
        os.mkdir(os.path.join(staging, "summaries"))
        writers: dict[str, Any] = {}
        n_series = 0
        concerns = 0
        for number, (begin, end) in enumerate(cuts):
            try:
                points, summaries = chart_table(
                    table.slice(begin, end - begin), presorted=True, **job
                )
            except JobError as error:
                raise InputError(str(error)) from None
            for name, part in (("points", points), ("summaries", summaries)):
                if name not in writers:
                    writers[name] = pq.ParquetWriter(
                        os.path.join(staging, name, "part-00000.parquet"), part.schema
                    )
                writers[name].write_table(part)
            n_series += summaries.num_rows
            concerns += int(
                pc.sum(
                    pc.starts_with(summaries["variation"].cast(pa.string()), "concern")
                ).as_py()
                or 0
            )
            if show:
                print(
                    f"\rcharted {end:,} of {table.num_rows:,} rows "
                    f"({number + 1} of {len(cuts)})",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
        for writer in writers.values():
            writer.close()
        if show:
            print(file=sys.stderr)
        if os.path.isdir(target):
            os.rmdir(target)  # empty, checked above
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return (
        f"{n_series:,} series, {table.num_rows:,} points charted ({job['chart']}): "
        f"{os.path.join(args.output, 'points')} and "
        f"{os.path.join(args.output, 'summaries')}; {concerns:,} series show a "
        "special-cause concern at their latest point\n"
    )


def _slices(table: Any, keys: list[str]) -> list[tuple[int, int]]:
    """Row ranges of whole series, about :data:`SLICE_ROWS` rows each, in a
    table already in series and period order."""
    from openqi.longjob import series_starts

    n = table.num_rows
    starts = series_starts(table, keys)
    wanted = np.arange(SLICE_ROWS, n, SLICE_ROWS)
    cuts = np.unique(
        starts[np.minimum(np.searchsorted(starts, wanted), len(starts) - 1)]
    )
    edges = [0, *[int(c) for c in cuts if 0 < c < n], n]
    return list(zip(edges[:-1], edges[1:], strict=True))
