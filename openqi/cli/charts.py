"""The chart verbs of ``openqi``: read a table, call :mod:`openqi.spc`, return the text.

``openqi spc`` draws one chart from a table, ``openqi funnel`` compares units on
a funnel plot and ``openqi spc-batch`` runs XmR charts over many series of a
long table. Reading files lives in :mod:`openqi.tabular`, the checks of each
row in :mod:`openqi.spc.inputs`, and every statistic comes from the library:
this module sits on those alone. Each verb returns its text for
:func:`openqi.cli.main` to print or write; only warnings go to standard error
from here.

Imports are kept light so that a chart from a small CSV takes about as long as
starting NumPy: the renderers, openpyxl and pyarrow are imported only when
needed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from openqi.cli.errors import InputError
from openqi.cli.numbers import float_bytes, float_texts
from openqi.spc.inputs import CHART_KINDS, check_series
from openqi.spc.results import OUTLIERS
from openqi.tabular import Table, period_sort_keys, read_table

__all__ = [
    "BATCH_COLUMNS",
    "CHARTS",
    "CHART_OPTIONS",
    "Piece",
    "add_verbs",
    "piece_bytes",
]

#: A piece of a verb's output: text, UTF-8 bytes, or a function giving them
#: (called by the thread that writes the file, so the next piece is made meanwhile).
Piece: TypeAlias = str | bytes | Callable[[], bytes | memoryview]


def piece_bytes(piece: Piece) -> bytes | memoryview:
    """A piece of output as UTF-8 bytes (calling it when it is a function)."""
    if isinstance(piece, str):
        return piece.encode("utf-8")
    return piece if isinstance(piece, bytes) else piece()


CHARTS = ("xmr", "run", "p", "u", "c", "pp", "up", "g", "t", "mr")
#: Charts of a count over a denominator: the value column is the numerator.
RATIO_CHARTS = ("p", "u", "pp", "up")
#: Charts whose over-dispersion warning is printed on standard error (the p′ and
#: u′ charts are the remedy it suggests).
OVERDISPERSION_CHARTS = ("p", "u")
_RULE_OPTIONS = frozenset({"shift_length", "trend_length", "two_of_three"})
_COMMON_OPTIONS = frozenset({"improvement", "target", "rebase", "fix_after", "exclude"})
#: Which library keywords each chart takes (tests/cli checks this against the
#: signatures in openqi.spc.charts).
CHART_OPTIONS: dict[str, frozenset[str]] = {
    "xmr": _COMMON_OPTIONS | _RULE_OPTIONS | {"screen"},
    "run": _COMMON_OPTIONS | {"multiply"},
    "p": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply"},
    "u": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply"},
    "pp": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply", "screen"},
    "up": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply", "screen"},
    "c": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply"},
    "g": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply"},
    "t": _COMMON_OPTIONS | _RULE_OPTIONS | {"multiply", "screen"},
    "mr": frozenset({"rebase", "fix_after", "exclude"}),
}
#: The command-line flag of each library keyword, for messages.
_FLAGS = {
    "improvement": "--improvement",
    "target": "--target",
    "screen": "--no-screen",
    "multiply": "--multiply",
    "shift_length": "--shift-length",
    "trend_length": "--trend-length",
    "two_of_three": "--two-of-three",
}
BATCH_COLUMNS = (
    "series",
    "points",
    "centre",
    "lower",
    "upper",
    "mean_moving_range",
    "variation",
    "assurance",
    "latest_period",
    "latest_value",
    "latest_rule",
    "latest_signal",
    "special_cause_points",
)


# --------------------------------------------------------------------------- parser

_SPC_EPILOG = """\
examples:
  openqi spc attendances.csv --chart xmr --improvement increase --target 9000
  openqi spc breaches.csv --chart p --value breaches --denominator attendances \\
      --improvement decrease --multiply 100 --format svg --output breaches.svg
  openqi spc waits.xlsx --chart xmr --rebase 2018-04-01 --exclude 2017-12-01

Periods are kept as text. When every period is an ISO date (2024-02-01) or
month (2024-02) the rows are sorted by date; otherwise the file's order is kept.
Without a period column the points are numbered 1, 2, 3, ... in file order.
An empty value cell is a missing value: it is shown, and left out of the
calculations. Exit status: 0 on success, 2 on bad input.
"""

_FUNNEL_EPILOG = """\
examples:
  openqi funnel march.csv --type proportion --unit org_code \\
      --numerator breaches --denominator attendances --multiply 100
  openqi funnel smr.xlsx --type ratio --unit trust --numerator observed \\
      --denominator expected --limit 95 --format svg --output smr.svg

For a proportion the numerator is a count of the denominator (0 <= numerator <=
denominator); for a ratio it is observed events and the denominator the expected
number (an indirectly standardised ratio, target 1). Exit status: 0 on success,
2 on bad input.
"""

_BATCH_EPILOG = """\
examples:
  openqi spc-batch ae_long.csv --series org_code --value attendances
  openqi spc-batch indicators.parquet --series indicator --improvement decrease \\
      --format json --output summary.json

The input is long: one row per series and period. Each series' rows are put in
period order (by date when every period is an ISO date or month, else file
order) and charted on their own, exactly as `openqi spc --chart xmr` would
chart them. One summary row per series is written, with the columns:
  series, points, centre, lower, upper, mean_moving_range, variation,
  assurance, latest_period, latest_value, latest_rule, latest_signal,
  special_cause_points
"latest" is the last period with a value. An --output FILE ending .parquet
(or --format parquet) writes Parquet, with pyarrow installed.

A folder of Parquet files as INPUT runs the whole job, the one openqi.spark runs
on Spark: any chart (--chart xmr|run|p|u|pp|up, --denominator), phases
(--phase), a key of several columns (repeat --series), and writes
OUTPUT/points/ (every row's lines, rule and signal) and OUTPUT/summaries/ (each
series' icons, latest point and warnings) as Parquet:
  openqi spc-batch ae/ --series org_code --series type --value breaches \\
      --denominator attendances --chart pp --improvement decrease -o charts/

Exit status: 0 on success, 2 on bad input.
"""


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of 1 or more, got {text}"
        )
    return number


def _finite_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return number


def _add_output_options(
    parser: argparse.ArgumentParser, formats: Sequence[str], *, has_title: bool = False
) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=formats,
        help=f"output format (default: taken from the --output file's extension, else "
        f"{formats[0]})",
    )
    group.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE instead of standard output (written only on success)",
    )
    if has_title:
        group.add_argument(
            "--title", metavar="TEXT", help="title drawn on the SVG chart"
        )


def _charts_note(keyword: str) -> str:
    return "; charts: " + ", ".join(c for c in CHARTS if keyword in CHART_OPTIONS[c])


def _add_xmr_options(group: argparse._ArgumentGroup, *, for_spc: bool) -> None:
    group.add_argument(
        "--improvement",
        choices=("increase", "decrease", "neither"),
        help="which direction is better; colours signals as improvement or concern "
        "(default: neither)",
    )
    group.add_argument(
        "--target",
        type=_finite_float,
        metavar="X",
        help="target value, in the plotted units; with --improvement gives the assurance icon",
    )
    if for_spc:
        group.add_argument(
            "--rebase",
            nargs="+",
            action="extend",
            default=[],
            metavar="PERIOD",
            help="start a new phase (new centre line and limits) at each PERIOD",
        )
    group.add_argument(
        "--fix-after",
        type=_positive_int,
        metavar="N",
        help="freeze each phase's limits on its first N points (at least 12) and judge "
        "later points against them",
    )
    if for_spc:
        group.add_argument(
            "--exclude",
            nargs="+",
            action="extend",
            default=[],
            metavar="PERIOD",
            help="plot these periods but leave them out of the calculations",
        )
        group.add_argument(
            "--multiply",
            type=_finite_float,
            metavar="K",
            help="multiply the plotted values, e.g. 100 for a percentage"
            + _charts_note("multiply"),
        )
    group.add_argument(
        "--no-screen",
        action="store_true",
        help="do not screen out large moving ranges before the limits are computed "
        "(matches the Making Data Count Excel tool; for pp and up, Laney's unscreened "
        "sigma_z)" + (_charts_note("screen") if for_spc else ""),
    )
    group.add_argument(
        "--shift-length",
        type=_positive_int,
        metavar="N",
        help="points in a row on one side of the centre line that make a shift (default: 7)"
        + (_charts_note("shift_length") if for_spc else ""),
    )
    group.add_argument(
        "--trend-length",
        type=_positive_int,
        metavar="N",
        help="points in a row rising or falling that make a trend (default: 7)"
        + (_charts_note("trend_length") if for_spc else ""),
    )
    group.add_argument(
        "--two-of-three",
        choices=("default", "beyond_near"),
        help="two-of-three rule: 'default' counts points between the near line and the "
        "limit; 'beyond_near' also counts points beyond the limit (MDC 2023)"
        + (_charts_note("two_of_three") if for_spc else ""),
    )


def add_verbs(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the chart verbs to the ``openqi`` parser's sub-parsers."""
    formatter = argparse.RawDescriptionHelpFormatter
    spc = verbs.add_parser(
        "spc",
        help="one control chart or run chart from a table",
        description="Draw one statistical process control chart from a table with one row\n"
        "per period, and print its points, signals and icons.",
        epilog=_SPC_EPILOG,
        formatter_class=formatter,
    )
    spc.add_argument(
        "input",
        metavar="INPUT",
        help="a .csv, .xlsx or .parquet file (- for CSV on standard input)",
    )
    spc.add_argument(
        "--chart",
        required=True,
        choices=CHARTS,
        help="xmr (individuals), run (median and Anhøj rules), p (proportion), u (rate), "
        "c (count), pp / up (Laney p' / u' for large denominators), g (opportunities "
        "between rare events), t (time between events), mr (moving range)",
    )
    columns = spc.add_argument_group("columns")
    columns.add_argument(
        "--value",
        default="value",
        metavar="COL",
        help="the values; for p, u, pp and up charts the numerator (default: value)",
    )
    columns.add_argument(
        "--period",
        default=None,
        metavar="COL",
        help="the period of each row (default: period; without such a column the rows "
        "are numbered 1, 2, 3, ...)",
    )
    columns.add_argument(
        "--denominator",
        default=None,
        metavar="COL",
        help="the denominator for p, u, pp and up charts, optional for run charts "
        "(default: denominator)",
    )
    options = spc.add_argument_group("chart options")
    _add_xmr_options(options, for_spc=True)
    _add_output_options(spc, ("json", "csv", "svg"), has_title=True)
    spc.set_defaults(run=_run_spc)

    funnel = verbs.add_parser(
        "funnel",
        help="a funnel plot comparing units (trusts, wards, clinicians)",
        description="Compare units on a funnel plot of a proportion or an indirectly\n"
        "standardised ratio, with limits adjusted for over-dispersion, and flag\n"
        "the outliers.",
        epilog=_FUNNEL_EPILOG,
        formatter_class=formatter,
    )
    funnel.add_argument(
        "input",
        metavar="INPUT",
        help="a .csv, .xlsx or .parquet file (- for CSV on standard input)",
    )
    funnel.add_argument(
        "--type",
        required=True,
        choices=("proportion", "ratio"),
        help="proportion (numerator out of denominator) or ratio (observed / expected)",
    )
    fcols = funnel.add_argument_group("columns")
    fcols.add_argument(
        "--unit", required=True, metavar="COL", help="the unit's name or code"
    )
    fcols.add_argument(
        "--numerator",
        required=True,
        metavar="COL",
        help="events, or observed for a ratio",
    )
    fcols.add_argument(
        "--denominator",
        required=True,
        metavar="COL",
        help="cases, or expected for a ratio",
    )
    fopts = funnel.add_argument_group("funnel options")
    fopts.add_argument(
        "--no-overdispersion",
        action="store_true",
        help="do not widen the limits for over-dispersion between units",
    )
    fopts.add_argument(
        "--limit",
        choices=("95", "99.8"),
        default="99.8",
        help="the limit a unit must pass to be an outlier (default: 99.8)",
    )
    fopts.add_argument(
        "--multiply",
        type=_finite_float,
        default=1.0,
        metavar="K",
        help="multiply the plotted values, e.g. 100 for a percentage (default: 1)",
    )
    _add_output_options(funnel, ("json", "csv", "svg"), has_title=True)
    funnel.set_defaults(run=_run_funnel)

    batch = verbs.add_parser(
        "spc-batch",
        help="XmR summaries of many series from one long table",
        description="Run an XmR chart over every series of a long table (one row per\n"
        "series and period) and write one summary row per series.",
        epilog=_BATCH_EPILOG,
        formatter_class=formatter,
    )
    batch.add_argument(
        "input",
        metavar="INPUT",
        help="a .csv or .parquet file (.xlsx works too; - for CSV on standard input), "
        "or a folder of Parquet files: the whole job, points and summaries, written "
        "to the --output folder",
    )
    bcols = batch.add_argument_group("columns")
    bcols.add_argument(
        "--series",
        required=True,
        action="append",
        metavar="COL",
        help="the column naming the series each row belongs to; with a folder, "
        "repeat it for a key of several columns (--series org --series indicator)",
    )
    bcols.add_argument(
        "--value", default="value", metavar="COL", help="the values (default: value)"
    )
    bcols.add_argument(
        "--period",
        default="period",
        metavar="COL",
        help="the period of each row (default: period)",
    )
    folder = batch.add_argument_group(
        "with a folder of Parquet files (the job openqi.spark runs on Spark)"
    )
    folder.add_argument(
        "--chart",
        choices=FOLDER_CHARTS,
        help="xmr (default), run, p, u, pp or up",
    )
    folder.add_argument(
        "--denominator", metavar="COL", help="the denominators (p, u, pp, up; run)"
    )
    folder.add_argument(
        "--phase",
        metavar="COL",
        help="a label of each row's phase: a new phase starts where it changes",
    )
    folder.add_argument(
        "--multiply",
        type=_finite_float,
        metavar="K",
        help="multiply the plotted values, e.g. 100 for a percentage (run, p, u, pp, up)",
    )
    folder.add_argument(
        "--improvement-column",
        metavar="COL",
        help="each series' direction of improvement, from its first row",
    )
    folder.add_argument(
        "--target-column",
        metavar="COL",
        help="each series' target, from its first row",
    )
    bopts = batch.add_argument_group("chart options")
    _add_xmr_options(bopts, for_spc=False)
    _add_output_options(batch, ("csv", "json", "parquet"))
    batch.set_defaults(run=_run_batch)


# --------------------------------------------------------------------------- output


def _format(args: argparse.Namespace, formats: Sequence[str]) -> str:
    if args.format:
        return str(args.format)
    if args.output:
        extension: str = os.path.splitext(str(args.output))[1].lower().lstrip(".")
        if extension in formats:
            return extension
    return formats[0]


# --------------------------------------------------------------------------- shared input


def _periods(table: Table, column: str, explicit: bool) -> tuple[list[str], bool]:
    """The period of each row, and whether a period column was used."""
    if not table.has(column):
        if explicit:
            table.require(column, "--period")
        return [str(i) for i in range(1, len(table) + 1)], False
    periods = table.texts(column)
    for i, period in enumerate(periods):
        if not period:
            raise InputError(
                f"row {table.rows[i]}: the period ({column}) is empty; give every row a period"
            )
    return periods, True


def _describer(
    table: Table, periods: Sequence[str], has_periods: bool, what: str = "period"
) -> Callable[[int], str]:
    def describe(i: int) -> str:
        if has_periods:
            return f"row {table.rows[i]} ({what} {periods[i]})"
        return f"row {table.rows[i]}"

    return describe


def _check_duplicates(
    table: Table, keys: Sequence[str], what: str, column: str
) -> None:
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            raise InputError(
                f'rows {table.rows[first[key]]} and {table.rows[i]} both have {what} "{key}"; '
                f"each {what} may appear once in {column}: remove or merge one of them"
            )
        first[key] = i


def _order(periods: Sequence[str]) -> list[int] | None:
    """Row order by date when every period is an ISO date or month, else ``None`` (file order)."""
    keys = period_sort_keys(periods)
    if keys is None:
        return None
    order = sorted(range(len(periods)), key=keys.__getitem__)
    return None if order == list(range(len(periods))) else order


def _check_known_periods(
    flag: str, wanted: Sequence[str], periods: Sequence[str], column: str
) -> None:
    known = set(periods)
    for period in wanted:
        if period not in known:
            raise InputError(
                f'{flag} period "{period}" is not in the period column "{column}"; '
                f"the periods run from {periods[0]} to {periods[-1]}: give one of them"
            )


def _json(data: Any) -> str:
    return (
        json.dumps(
            data, indent=2, ensure_ascii=False, allow_nan=False, default=_json_default
        )
        + "\n"
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


# --------------------------------------------------------------------------- spc


def _run_spc(args: argparse.Namespace) -> tuple[str, str | None]:
    chart = args.chart
    accepted = CHART_OPTIONS[chart]
    for keyword, flag in _FLAGS.items():
        given = (
            args.no_screen
            if keyword == "screen"
            else getattr(args, keyword) is not None
        )
        if given and keyword not in accepted:
            users = ", ".join(c for c in CHARTS if keyword in CHART_OPTIONS[c])
            raise InputError(
                f"{flag} does not apply to --chart {chart}; it works with {users}: drop it"
            )
    fmt = _format(args, ("json", "csv", "svg"))

    table = read_table(args.input)
    table.require(args.value, "--value")
    period_column = args.period or "period"
    periods, has_periods = _periods(
        table, period_column, explicit=args.period is not None
    )
    if has_periods:
        _check_duplicates(table, periods, "period", period_column)
    describe = _describer(table, periods, has_periods)
    values = table.numbers(args.value, describe)

    denominators: NDArray[np.float64] | None = None
    denominator_column = args.denominator or "denominator"
    if chart in RATIO_CHARTS or (
        chart == "run" and (args.denominator or table.has("denominator"))
    ):
        table.require(denominator_column, "--denominator")
        denominators = table.numbers(denominator_column, describe)
    elif args.denominator is not None:
        raise InputError(
            f"--denominator does not apply to --chart {chart}; it works with p, u, pp, up "
            "and run: drop it"
        )
    # A run chart's values over denominators are counts; otherwise its own kind.
    kind = "rate" if chart == "run" and denominators is not None else CHART_KINDS[chart]
    check_series(
        kind,
        values,
        denominators,
        value_field=args.value,
        denominator_field=denominator_column,
        rows=table.rows,
        label=describe,
    )

    order = _order(periods) if has_periods else None
    if order is not None:
        periods = [periods[i] for i in order]
        values = values[order]
        if denominators is not None:
            denominators = denominators[order]
    _check_known_periods("--rebase", args.rebase, periods, period_column)
    _check_known_periods("--exclude", args.exclude, periods, period_column)

    candidates = {
        "improvement": args.improvement or "neither",
        "target": args.target,
        "rebase": list(args.rebase) or None,
        "exclude": list(args.exclude) or None,
        "fix_after": args.fix_after,
        "multiply": args.multiply,
        "screen": False if args.no_screen else None,
        "shift_length": args.shift_length,
        "trend_length": args.trend_length,
        "two_of_three": args.two_of_three,
    }
    options = {k: v for k, v in candidates.items() if v is not None and k in accepted}

    from openqi.spc.charts import spc_chart

    result = spc_chart(
        chart, values, denominators=denominators, periods=periods, **options
    )
    if chart in OVERDISPERSION_CHARTS:
        from openqi.spc.dispersion import is_overdispersion_warning

        # A warning, not an error: the chart is still written, the person told.
        for warning in result.warnings:
            if is_overdispersion_warning(warning):
                print(f"warning: {warning}", file=sys.stderr)
    if fmt == "json":
        return _json(result.to_dict()), args.output
    if fmt == "csv":
        points = result.points()
        return _csv(points, list(points[0]) if points else ["period"]), args.output
    from openqi.spc.render_chart import render_svg

    return render_svg(result, title=args.title), args.output


# --------------------------------------------------------------------------- funnel


def _run_funnel(
    args: argparse.Namespace,
) -> tuple[str | Iterator[Piece], str | None]:
    fmt = _format(args, ("json", "csv", "svg"))
    table = read_table(
        args.input, columns=(args.unit, args.numerator, args.denominator)
    )
    for column, flag in (
        (args.unit, "--unit"),
        (args.numerator, "--numerator"),
        (args.denominator, "--denominator"),
    ):
        table.require(column, flag)
    units: Sequence[str] | NDArray[np.str_]
    name_bytes = _distinct_texts(table, args.unit)
    if name_bytes is not None:
        # Kept as arrays: no Python string per unit, for funnel() or the file.
        units = _as_str_array(name_bytes)
    else:
        units = _distinct_units(table, args.unit)

    def describe(i: int) -> str:
        return f"row {table.rows[i]} (unit {units[i]})"

    numerators = table.numbers(args.numerator, describe)
    denominators = table.numbers(args.denominator, describe)
    check_series(
        "proportion" if args.type == "proportion" else "rate",
        numerators,
        denominators,
        value_field=args.numerator,
        denominator_field=args.denominator,
        rows=table.rows,
        label=describe,
        required=True,
    )

    from openqi.spc.funnel import funnel

    result = funnel(
        numerators,
        denominators,
        units,
        type=args.type,
        overdispersion=not args.no_overdispersion,
        limit=args.limit,
        multiply=args.multiply,
    )
    from openqi.spc.results import FunnelUnits

    if fmt == "json" and isinstance(result.units, FunnelUnits):
        return _funnel_json(result, result.units), args.output
    if fmt == "csv" and isinstance(result.units, FunnelUnits):
        return _funnel_csv(result, result.units, name_bytes), args.output
    if fmt == "json":
        return _json(result.to_dict()), args.output
    if fmt == "csv":
        rows = [u.to_dict() for u in result.units]
        return _csv(rows, list(rows[0]) if rows else ["unit"]), args.output
    from openqi.spc.render_funnel import render_funnel_svg

    return render_funnel_svg(result, title=args.title), args.output


def _distinct_units(table: Table, column: str) -> list[str]:
    """The units of ``column``, one per row in file order; an empty or repeated
    unit is refused, naming its rows."""
    distinct, codes = table.text_codes(column)
    empty = _first_row_of(distinct, codes, "")
    if empty is not None:
        raise InputError(
            f"row {table.rows[empty]}: the unit ({column}) is empty; give every row a unit"
        )
    if len(distinct) < len(codes):
        # The first row whose unit came before, as a row-by-row check finds it.
        first = np.full(len(distinct), len(codes), dtype=np.intp)
        np.minimum.at(first, codes, np.arange(len(codes)))
        again = int(np.flatnonzero(first[codes] != np.arange(len(codes)))[0])
        raise InputError(
            f"rows {table.rows[first[codes[again]]]} and {table.rows[again]} both have "
            f'unit "{distinct[codes[again]]}"; each unit may appear once in {column}: '
            "remove or merge one of them"
        )
    return distinct


def _distinct_texts(table: Table, column: str) -> NDArray[np.bytes_] | None:
    """The texts of ``column`` as UTF-8 bytes when the reader kept them so and
    none is empty or repeated (else ``None``: :func:`_distinct_units` says which)."""
    texts = table.text_bytes(column)
    if texts is None or not texts.size or bool(np.any(texts == b"")):
        return None
    if texts.size > 1 and not bool(np.all(texts[1:] > texts[:-1])):  # not in order
        width = texts.dtype.itemsize
        if width <= 8:  # one 64-bit integer each
            keys = np.zeros((texts.size, 8), dtype=np.uint8)
            keys[:, :width] = texts.view(np.uint8).reshape(texts.size, width)
            ordered: NDArray[Any] = np.sort(keys.view(np.uint64).ravel())
        else:
            ordered = np.sort(texts)
        if bool(np.any(ordered[1:] == ordered[:-1])):
            return None
    return texts


def _as_str_array(texts: NDArray[np.bytes_]) -> NDArray[np.str_]:
    """UTF-8 bytes strings as a NumPy text array of the same texts."""
    width = texts.dtype.itemsize
    codes = texts.view(np.uint8).reshape(texts.size, width)
    if not codes.size or int(codes.max()) < 128:  # ASCII: one code point a byte
        return codes.astype(np.uint32).view(f"U{width}").ravel()
    return np.strings.decode(texts, "utf-8")


#: Units written at a time: the output of a million units is never held whole.
_CHUNK = 50_000
_FUNNEL_FIGURES = (
    "numerator", "denominator", "value", "lower95", "upper95", "lower998", "upper998",
)  # fmt: skip


def _number_texts(
    values: NDArray[np.float64], missing: str, suffix: str = ""
) -> list[str]:
    """Each number as ``repr`` writes it (as JSON and :func:`_csv_cell` do), ``missing``
    where it is not finite; each followed by ``suffix``."""
    whole = np.abs(values) < 1e15
    if np.all(whole & (values == np.round(values))):
        # Whole numbers (counts): repr is the integer and ".0" (-0.0 aside).
        texts = [f"{v}.0{suffix}" for v in values.astype(np.int64).tolist()]
        for i in np.flatnonzero(np.signbit(values) & (values == 0)).tolist():
            texts[i] = "-0.0" + suffix
        return texts
    return float_texts(values, missing, suffix)


def _funnel_chunks(
    units: Any, missing: str
) -> Iterator[tuple[list[str], list[list[str]], list[str]]]:
    for a in range(0, len(units), _CHUNK):
        b = min(a + _CHUNK, len(units))
        figures = [
            _number_texts(getattr(units, name)[a:b], missing)
            for name in _FUNNEL_FIGURES
        ]
        outliers = [OUTLIERS[c] for c in units.outlier[a:b].tolist()]
        yield list(units.names[a:b]), figures, outliers


def _funnel_json(result: Any, units: Any) -> Iterator[str]:
    """``_json(result.to_dict())``, written a chunk of units at a time."""
    from json.encoder import encode_basestring

    head = result.to_dict.__func__(_NoUnits(result))
    text = _json(head)
    closing = "[]\n}\n"
    assert text.endswith(closing)
    yield text[: -len(closing)] + "["
    separator = ""
    for names, figures, outliers in _funnel_chunks(units, "null"):
        pieces = [
            f'\n    {{\n      "unit": {encode_basestring(n)},\n      "numerator": {a},'
            f'\n      "denominator": {b},\n      "value": {c},\n      "lower95": {d},'
            f'\n      "upper95": {e},\n      "lower998": {f},\n      "upper998": {g},'
            f'\n      "outlier": "{o}"\n    }}'
            for n, a, b, c, d, e, f, g, o in zip(names, *figures, outliers, strict=True)
        ]
        yield separator + ",".join(pieces)
        separator = ","
    yield "\n  ]\n}\n"


class _NoUnits:
    """A funnel result seen without its units, for the head of the JSON."""

    def __init__(self, result: Any) -> None:
        self._result = result
        self.units: tuple[()] = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)


def _funnel_csv(
    result: Any, units: Any, name_bytes: NDArray[np.bytes_] | None = None
) -> Iterator[Piece]:
    """``_csv`` of the units' rows, written a chunk at a time (the header as
    text, the rows as UTF-8 bytes).

    ``name_bytes``, when given, are the units' names as UTF-8 (as
    :meth:`openqi.tabular.Table.text_bytes` gives them), used as they are.
    Each row of a chunk is built in one byte matrix: each column's cells and
    separators side by side, padded with NUL bytes, which are then taken out in
    one pass. A figure that is a function of another column (the limits of the
    denominator, a count of itself) is formatted once per distinct value and
    looked up, the four limits as one cell; the others are formatted a column
    at a time by :func:`openqi.cli.numbers.float_bytes`.
    """
    if name_bytes is None:
        names = units.names
        joined = ",".join(names)
        quoted = any(c in joined for c in '"\r\n\0') or joined.count(",") != max(
            len(names) - 1, 0
        )
    else:
        codes = name_bytes.view(np.uint8)
        quoted = bool(np.any(np.isin(codes, np.frombuffer(b'",\r\n', np.uint8))))
    if quoted:
        yield from _funnel_csv_quoted(units)  # names the csv module quotes
        return
    yield ",".join(["unit", *_FUNNEL_FIGURES, "outlier"]) + "\n"
    if not len(units):
        return
    if name_bytes is None:
        text = np.frombuffer((joined + ",").encode("utf-8"), dtype=np.uint8)
        ends = np.flatnonzero(text == ord(","))  # after each name
        starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    denominator_key = _whole_codes(units.denominator)
    if denominator_key is None:
        denominator_key = np.unique(units.denominator, return_inverse=True)[1].ravel()
    # (the texts of each distinct value, as rows of bytes, and its key) per
    # column, or None for a column formatted a chunk at a time
    columns: list[tuple[str, tuple[NDArray[np.uint8], NDArray[np.intp]] | None]] = []
    for name in _FUNNEL_FIGURES:
        values = getattr(units, name)
        key = _whole_codes(values) if name == "numerator" else denominator_key
        table = None if name == "value" else _byte_table(values, key, "", ",")
        last = columns[-1][1] if columns else None
        if table is not None and last is not None and last[1] is key:
            # the next limit of the same denominator: one cell of both
            columns[-1] = (columns[-1][0], (_side_by_side(last[0], table[0]), key))
        else:
            columns.append((name, table))
    outliers = _texts(_byte_rows([f"{o}\n".encode() for o in OUTLIERS]))
    lookups = [
        (name, None if column is None else (_texts(column[0]), column[1]))
        for name, column in columns
    ]
    comma = np.full(min(_CHUNK, len(units)), b",", dtype="S1")
    for a in range(0, len(units), _CHUNK):
        b = min(a + _CHUNK, len(units))
        if name_bytes is None:
            cells = [_texts(_slices(text, starts[a:b], ends[a:b] + 1))]
        else:
            cells = [name_bytes[a:b], comma[: b - a]]
        for name, lookup in lookups:
            if lookup is None:
                cells.append(_texts(float_bytes(getattr(units, name)[a:b], "", ",")))
            else:
                cells.append(lookup[0][lookup[1][a:b]])
        cells.append(outliers[units.outlier[a:b]])
        yield _joined(cells)


def _texts(cells: NDArray[np.uint8]) -> NDArray[np.bytes_]:
    """Rows of NUL-padded bytes as one fixed-width bytes text each, less the
    last 8-byte columns that are NUL in every row."""
    size, width = cells.shape
    while width > 8 and width % 8 == 0 and size:
        if cells[:, width - 8 : width].view(np.uint64).any():
            break
        width -= 8
    cells = np.ascontiguousarray(cells[:, : max(width, 1)])
    return cells.view(f"S{cells.shape[1]}").reshape(size)


def _joined(cells: list[NDArray[np.bytes_]]) -> Callable[[], memoryview]:
    """Each row's cells one after another: the bytes of the rows once their NUL
    padding is taken out, by the function returned. (Fixed-width texts copy a
    row at a time, not a byte at a time.)"""
    layout = np.dtype([(f"c{i}", c.dtype) for i, c in enumerate(cells)])
    rows = np.empty(cells[0].size, dtype=layout)
    for i, c in enumerate(cells):
        rows[f"c{i}"] = c
    flat = rows.view(np.uint8)
    return lambda: memoryview(flat[flat != 0])


def _byte_rows(texts: Sequence[bytes]) -> NDArray[np.uint8]:
    """Each text as a row of bytes, padded with NUL bytes to the longest."""
    width = max((len(t) for t in texts), default=0) or 1
    return np.array(texts, dtype=f"S{width}").view(np.uint8).reshape(len(texts), width)


def _narrow(rows: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Rows of NUL-padded bytes cut to the longest text among them."""
    lengths = np.count_nonzero(rows, axis=1)  # cells hold no NUL byte
    return rows[:, : max(int(lengths.max()) if lengths.size else 0, 1)]


def _side_by_side(
    first: NDArray[np.uint8], second: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    """Each row of ``first``'s text followed by the same row of ``second``'s."""
    both = np.strings.add(
        np.ascontiguousarray(first).view(f"S{first.shape[1]}").ravel(),
        np.ascontiguousarray(second).view(f"S{second.shape[1]}").ravel(),
    )
    return _narrow(both.view(np.uint8).reshape(both.size, -1))


def _slices(
    text: NDArray[np.uint8], starts: NDArray[np.intp], ends: NDArray[np.intp]
) -> NDArray[np.uint8]:
    """``text[start:end]`` for each pair, as rows of bytes padded with NUL."""
    lengths = ends - starts
    width = max(int(lengths.max()) if lengths.size else 0, 1)
    at = starts[:, None] + np.arange(width)
    np.minimum(at, max(text.size - 1, 0), out=at)
    cells = text[at]
    cells *= np.arange(width) < lengths[:, None]
    return cells


def _whole_codes(values: NDArray[np.float64]) -> NDArray[np.intp] | None:
    """``values`` as indices when they are whole numbers from 0 to a little past
    their count (counts, denominators), else ``None``."""
    if not values.size:
        return None
    low, high = float(values.min()), float(values.max())
    if not (low >= 0 and high <= 4 * values.size + 1024):
        return None
    codes = values.astype(np.intp)
    if not np.array_equal(codes, values):
        return None
    return codes


def _byte_table(
    values: NDArray[np.float64], key: NDArray[np.intp] | None, missing: str, suffix: str
) -> tuple[NDArray[np.uint8], NDArray[np.intp]] | None:
    """The text of each distinct value of ``values`` (as :func:`float_bytes`
    writes it, with ``suffix``; a row of NUL-padded bytes each) indexed by
    ``key``, and ``key``; ``None`` without a key or when two rows of one key
    have different values."""
    if key is None:
        return None
    size = int(key.max()) + 1
    first = np.empty(size, dtype=np.float64)
    first[key] = values
    # The same bits: -0.0 equals 0.0 but is written differently.
    if not np.array_equal(first[key].view(np.int64), values.view(np.int64)):
        return None
    used = np.zeros(size, dtype=bool)
    used[key] = True
    texts = _narrow(float_bytes(first[used], missing, suffix))
    table = np.zeros((size, texts.shape[1]), dtype=np.uint8)
    table[used] = texts
    return table, key


def _funnel_csv_quoted(units: Any) -> Iterator[str]:
    """:func:`_funnel_csv` through the csv module, for names that need quotes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit", *_FUNNEL_FIGURES, "outlier"])
    yield buffer.getvalue()
    for names, figures, outliers in _funnel_chunks(units, ""):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(zip(names, *figures, outliers, strict=True))
        yield buffer.getvalue()


#: Characters that make the csv module quote a cell.
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


# --------------------------------------------------------------------------- spc-batch


#: The charts ``spc-batch`` draws on a folder (openqi.spc.long.LONG_CHARTS).
FOLDER_CHARTS = ("xmr", "run", "p", "u", "pp", "up")
#: The options only the folder job takes.
_FOLDER_ONLY = (
    ("chart", "--chart"),
    ("denominator", "--denominator"),
    ("phase", "--phase"),
    ("multiply", "--multiply"),
    ("improvement_column", "--improvement-column"),
    ("target_column", "--target-column"),
)


def _run_batch(args: argparse.Namespace) -> tuple[str | bytes, str | None]:
    if os.path.isdir(args.input):
        from openqi.cli.batch_folder import run_folder

        return run_folder(args), None
    given = [flag for name, flag in _FOLDER_ONLY if getattr(args, name) is not None]
    if len(args.series) > 1:
        given.insert(0, "a second --series")
    if given and not (given == ["--chart"] and args.chart == "xmr"):
        raise InputError(
            f"{', '.join(given)} {'works' if len(given) == 1 else 'work'} only on a folder of Parquet files (the whole job, "
            "points and summaries): put the data in a folder as Parquet and give "
            "the folder, with --output FOLDER; a single file gives the XmR summary"
        )
    args.series = args.series[0]
    fmt = _format(args, ("csv", "json", "parquet"))
    table = read_table(args.input, columns=(args.series, args.value, args.period))
    table.require(args.series, "--series")
    table.require(args.value, "--value")
    table.require(args.period, "--period")
    series, series_code = table.text_codes(args.series)
    periods, period_code = table.text_codes(args.period)
    empty_series = _first_row_of(series, series_code, "")
    empty_period = _first_row_of(periods, period_code, "")
    # The first row with either empty, as a row-by-row check finds it.
    for i, _, column, flag in sorted(
        (i, k, c, f)
        for i, k, c, f in (
            (empty_series, 0, "series", args.series),
            (empty_period, 1, "period", args.period),
        )
        if i is not None
    ):
        raise InputError(
            f"row {table.rows[i]}: the {column} ({flag}) is empty; give every row a {column}"
        )

    def describe(i: int) -> str:
        return (
            f"row {table.rows[i]} (series {series[series_code[i]]}, "
            f"period {periods[period_code[i]]})"
        )

    values = table.numbers(args.value, describe)
    row_index = _pivot(table, series, series_code, periods, period_code)

    from openqi.spc.batch import xmr_batch

    options: dict[str, Any] = {"improvement": args.improvement or "neither"}
    for keyword, value in (
        ("target", args.target),
        ("fix_after", args.fix_after),
        ("screen", False if args.no_screen else None),
        ("shift_length", args.shift_length),
        ("trend_length", args.trend_length),
        ("two_of_three", args.two_of_three),
    ):
        if value is not None:
            options[keyword] = value
    present = row_index >= 0
    matrix = np.full(row_index.shape, np.nan)
    matrix[present] = values[row_index[present]]
    result = xmr_batch(matrix, **options)

    from openqi.spc.results import RULES, SIGNALS

    variation = result.variation_labels()
    assurance = result.assurance_labels()
    special = np.count_nonzero(result.rule != 0, axis=1)
    valid = ~np.isnan(matrix)
    has_any = valid.any(axis=1)
    last = row_index.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1)
    at = np.arange(len(series))
    latest_row = row_index[at, last]
    latest_period = np.array(periods, dtype=object)[period_code[latest_row]]
    # Floats stay arrays (NaN where there is none) until the format is known.
    columns: dict[str, list[Any] | NDArray[Any]] = {
        "series": series,
        "points": result.n_points,
        "centre": result.centre,
        "lower": result.lower,
        "upper": result.upper,
        "mean_moving_range": result.mean_moving_range,
        "variation": list(variation),
        "assurance": list(assurance),
        "latest_period": _where(has_any, latest_period),
        "latest_value": np.where(has_any, matrix[at, last], np.nan),
        "latest_rule": _where(
            has_any, np.array(RULES, dtype=object)[result.rule[at, last]]
        ),
        "latest_signal": _where(
            has_any, np.array(SIGNALS, dtype=object)[result.signal[at, last]]
        ),
        "special_cause_points": special,
    }
    if fmt == "csv":
        return _csv_columns(columns), args.output
    cells = {name: _cells(c) for name, c in columns.items()}
    if fmt == "parquet":
        return _parquet(cells, args.output), args.output
    rows = [
        dict(zip(BATCH_COLUMNS, row, strict=True))
        for row in zip(*cells.values(), strict=True)
    ]
    batch_options = {
        "chart": "xmr",
        **options,
        "series": args.series,
        "value": args.value,
        "period": args.period,
    }
    return _json({"options": batch_options, "series": rows}), args.output


def _cells(cells: list[Any] | NDArray[Any]) -> list[Any]:
    """A column as a list: floats (``None`` where not finite), whole numbers or text."""
    if isinstance(cells, np.ndarray):
        return _floats(cells) if cells.dtype.kind == "f" else list(cells.tolist())
    return cells


def _csv_columns(columns: dict[str, list[Any] | NDArray[Any]]) -> str:
    """:func:`_csv` for a table given as columns: arrays of floats (``NaN`` for
    none) or of whole numbers, and lists of text or ``None``."""
    texts: list[list[str]] = []
    for cells in columns.values():
        if isinstance(cells, np.ndarray) and cells.dtype.kind == "f":
            texts.append(_number_texts(cells, ""))
        elif isinstance(cells, np.ndarray):
            texts.append(list(map(str, cells.tolist())))
        else:
            texts.append(
                [
                    "" if v is None else v if type(v) is str else _csv_cell(v)
                    for v in cells
                ]
            )
    return _csv_text(list(columns), texts)


def _csv_text(header: Sequence[str], texts: Sequence[Sequence[str]]) -> str:
    """Columns of text as the csv module writes their rows (``\\n`` line ends),
    joined directly when no cell needs quotes."""
    rows = zip(*texts, strict=True)
    if len(texts) > 1 and not any(
        _NEEDS_QUOTES.search("".join(cells)) for cells in [header, *texts]
    ):
        return "".join(
            [",".join(header) + "\n", *[",".join(row) + "\n" for row in rows]]
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _floats(values: NDArray[np.float64]) -> list[float | None]:
    """Each number as a float, ``None`` where it is not finite."""
    return _where(np.isfinite(values), values.astype(object))


def _where(mask: NDArray[np.bool_], cells: NDArray[Any]) -> list[Any]:
    """``cells`` as a list, ``None`` where ``mask`` is false."""
    out = np.full(mask.shape, None, dtype=object)
    out[mask] = cells[mask]
    return list(out.tolist())


def _first_row_of(
    distinct: Sequence[str], codes: NDArray[np.intp], text: str
) -> int | None:
    """The first row whose text is ``text``, or ``None``."""
    if text not in distinct:
        return None
    return int(np.argmax(codes == distinct.index(text)))


def _parquet(columns: dict[str, list[Any]], output: str | None) -> bytes:
    """The summary as a Parquet file's bytes (text, whole numbers and floats, nulls kept)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pyarrow is the optional `parquet` extra
        raise InputError(
            f"cannot write {output or 'Parquet'}: writing .parquet needs pyarrow; "
            "`pip install 'openqi[parquet]'` or write CSV"
        ) from None
    types = {"points": pa.int64(), "special_cause_points": pa.int64()}
    for name in ("centre", "lower", "upper", "mean_moving_range", "latest_value"):
        types[name] = pa.float64()
    table = pa.table(
        {
            name: pa.array(cells, type=types.get(name, pa.string()))
            for name, cells in columns.items()
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def _float(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _pivot(
    table: Table,
    series: Sequence[str],
    series_code: NDArray[np.intp],
    periods: Sequence[str],
    period_code: NDArray[np.intp],
) -> NDArray[np.int64]:
    """Arrange a long table's rows as series × position, in period order within each series.

    ``series_code`` and ``period_code`` give each row's index into the distinct
    ``series`` and ``periods``. Returns a matrix of row indices, one row per
    series (in order of first appearance), ``-1`` padding series shorter than
    the longest. Periods are ordered by date when every period is an ISO date or
    month, else by file order. Duplicate (series, period) pairs are an error.
    Vectorised: no Python loop per row or per series.
    """
    n_rows = series_code.size
    keys = period_sort_keys(periods)
    rows = np.arange(n_rows, dtype=np.int64)
    if keys is not None:
        rank_of_code = np.empty(len(periods), dtype=np.int64)
        rank_of_code[sorted(range(len(periods)), key=keys.__getitem__)] = np.arange(
            len(periods)
        )
        within = rank_of_code[period_code]
    else:
        within = rows
    key = series_code.astype(np.int64) * max(n_rows, len(periods)) + within
    if np.all(key[1:] > key[:-1]):
        order = rows  # already grouped by series, in period order
    else:
        order = np.argsort(key, kind="stable")
    sorted_series = series_code[order]
    n_series = len(series)

    pair = series_code.astype(np.int64) * len(periods) + period_code
    if n_series * len(periods) <= 4 * n_rows + 1024:
        has_duplicate = bool(np.bincount(pair).max() > 1)
    else:
        has_duplicate = True  # look
    same = np.zeros(0, dtype=np.intp)
    if has_duplicate:
        pair_order = np.argsort(pair, kind="stable")
        same = np.flatnonzero(pair[pair_order][1:] == pair[pair_order][:-1])
    if same.size:
        first, second = int(pair_order[same[0]]), int(pair_order[same[0] + 1])
        raise InputError(
            f"rows {table.rows[first]} and {table.rows[second]} both have series "
            f'"{series[series_code[first]]}" and period "{periods[period_code[first]]}"; '
            "each period may appear once per series: remove or merge one of them"
        )

    counts = np.bincount(series_code, minlength=n_series)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(len(order)) - starts[sorted_series]
    matrix = np.full((n_series, int(counts.max())), -1, dtype=np.int64)
    matrix[sorted_series, position] = order
    return matrix
