"""``python -m bench [WORD ...] [--strict]``: run the benchmarks and print one table.

With words, only benchmarks whose function name contains one of them run.
``--strict`` exits with status 1 when a target is missed (the default only
reports it); a benchmark that raises always makes the exit status 1.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback

import numpy as np

from bench import benchmarks
from bench.report import Row, format_table


def main(argv: list[str]) -> int:
    is_strict = "--strict" in argv
    words = [a for a in argv if not a.startswith("--")]
    chosen = [
        b for b in benchmarks() if not words or any(w in b.__name__ for w in words)
    ]
    print(
        f"OpenQI benchmarks on {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}, NumPy {np.__version__}",
        flush=True,
    )
    rows: list[Row] = []
    has_error = False
    for benchmark in chosen:
        print(f"  running {benchmark.__name__} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(benchmark())
        except Exception as error:  # report and carry on with the others
            traceback.print_exc()
            has_error = True
            rows.append(Row(benchmark.__name__, None, "", note=f"failed: {error}"))
    print()
    print(format_table(rows))
    is_missed = any(row.is_met is False for row in rows)
    return 1 if has_error or (is_strict and is_missed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
