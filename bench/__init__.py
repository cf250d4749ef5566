"""OpenQI benchmarks: ``make bench`` (``python -m bench``).

Every benchmark is a plain function that takes no arguments, measures one thing
on this machine and returns a list of :class:`bench.report.Row` — the figure,
its unit, the target it must meet (if any) and a note saying how it was
measured. To add one (page timings, funnel plots …), write such a function in a
module of this package and list it in :func:`benchmarks`; ``python -m bench``
runs them in order and prints one table, and ``python -m bench WORD ...`` runs
only those whose function name contains one of the words.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.report import Row

__all__ = ["Benchmark", "Row", "benchmarks"]

Benchmark = Callable[[], list[Row]]


def benchmarks() -> list[Benchmark]:
    """Every benchmark, in the order the table shows them."""
    from bench import (
        exports,
        load,
        pages,
        reports,
        scale,
        spc,
        spc_attribute,
        spc_memory,
    )

    return [
        spc.xmr_batch_throughput,
        spc_attribute.attribute_batch_throughput,
        spc.cli_startup,
        spc.spc_batch_files,
        spc.funnel_file,
        scale.spark_scale,
        spc.chart_scaling,
        spc_memory.single_chart_memory,
        pages.page_timings,
        load.load_test,
        exports.export_streaming,
        reports.report_pdf,
    ]
