"""Charts of many series given in long form: one row per series and period.

:func:`chart_long` is the job ``openqi spc-batch`` runs on a folder of Parquet
files and :mod:`openqi.spark` runs inside each Spark group: rows already put in
series and period order, each series cut into phases where its phase changes,
charted by the batch functions (:func:`~openqi.spc.batch.xmr_batch`,
:func:`~openqi.spc.batch_run.run_batch`, :func:`~openqi.spc.batch_attribute.p_batch`
and its siblings) with whole-array NumPy operations. Each phase of each series
is one row of a batch matrix — the single chart judges every phase on its own
(its own centre, limits and runs), so a phase is exactly a one-phase chart —
and the summary of a series is put together from its phases as
:func:`~openqi.spc.charts.spc_chart` puts it together: the variation icon from
the last point with a value, the assurance icon from the latest phase, the
warnings phase by phase. There is no Python loop over series, phases or points:
phases of similar length are charted together, in blocks of at most
``max_cells`` cells, so one very long series does not pad every other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .batch import MIN_FIX_AFTER, xmr_batch
from .batch_attribute import _CHARTS as _ATTRIBUTE_CHARTS
from .batch_attribute import p_batch, pp_batch, u_batch, up_batch
from .batch_run import run_batch
from .charts import FEW_POINTS
from .dispersion import message_parts
from .inputs import check_series
from .results import AttributeBatchResult, BatchResult, RunBatchResult

_ManySeries = BatchResult | RunBatchResult | AttributeBatchResult

__all__ = ["LONG_CHARTS", "LongResult", "chart_long", "long_chart_options"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: The charts :func:`chart_long` draws, and the options each takes (as the
#: single-series chart functions take them).
LONG_CHARTS: dict[str, tuple[str, ...]] = {
    "xmr": ("improvement", "target", "screen", "fix_after", "shift_length",
            "trend_length", "two_of_three"),
    "run": ("improvement", "target", "multiply", "fix_after"),
    "p": ("improvement", "target", "multiply", "fix_after", "shift_length",
          "trend_length", "two_of_three"),
    "u": ("improvement", "target", "multiply", "fix_after", "shift_length",
          "trend_length", "two_of_three"),
    "pp": ("improvement", "target", "multiply", "screen", "fix_after",
           "shift_length", "trend_length", "two_of_three"),
    "up": ("improvement", "target", "multiply", "screen", "fix_after",
           "shift_length", "trend_length", "two_of_three"),
}  # fmt: skip

#: The defaults of every option, as the single-series charts have them.
_DEFAULTS: dict[str, Any] = {
    "improvement": "neither",
    "target": None,
    "multiply": 1.0,
    "screen": True,
    "fix_after": None,
    "shift_length": 7,
    "trend_length": 7,
    "two_of_three": "default",
}

#: Cells (phases × longest phase) charted at once: bounds the batch matrices.
MAX_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class LongResult:
    """What :func:`chart_long` found, per row and per series.

    Per row, in the order given (shape ``(N,)``): ``value`` (the plotted
    value: the value, or numerator ÷ denominator × multiply), ``centre``,
    ``lower``, ``upper``, ``near_lower``, ``near_upper`` (``NaN`` where the
    chart has none: a run chart has no limits), ``phase`` (0 for a series'
    first phase), ``rule`` and ``signal`` (codes into
    :data:`~openqi.spc.results.RULES` and :data:`~openqi.spc.results.SIGNALS`).

    Per series (shape ``(S,)``): ``starts`` (its first row), ``n_points``
    (rows with a value), ``n_phases``, ``latest_row`` (its last row with a
    value, ``-1`` if none), ``variation`` and ``assurance`` (codes into
    :data:`~openqi.spc.results.VARIATIONS` and
    :data:`~openqi.spc.results.ASSURANCES`, ``-1`` for no assurance icon),
    ``special_cause_points`` (points any rule flagged), and of the latest
    phase: ``mean_moving_range`` (XmR, ``NaN`` otherwise), ``sigma_z`` and
    ``dispersion_ratio`` (p, u, p′, u′; ``NaN`` otherwise).

    ``warning_series`` and ``warnings`` list the warnings, series by series
    in order, each in the words the single chart gives it.
    """

    chart: str
    value: FloatArray
    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray
    phase: IntArray
    rule: NDArray[np.int8]
    signal: NDArray[np.int8]
    starts: IntArray
    n_points: IntArray
    n_phases: IntArray
    latest_row: IntArray
    variation: NDArray[np.int8]
    assurance: NDArray[np.int8]
    special_cause_points: IntArray
    mean_moving_range: FloatArray
    sigma_z: FloatArray
    dispersion_ratio: FloatArray
    warning_series: IntArray
    warnings: NDArray[np.str_]

    def __len__(self) -> int:
        return int(self.starts.shape[0])


def long_chart_options(chart: str, options: dict[str, Any]) -> dict[str, Any]:
    """The chart's options with their defaults, checked: an option the chart
    does not take (``multiply`` on an XmR chart) is refused, naming the ones it takes."""
    if chart not in LONG_CHARTS:
        raise ValueError(
            f"chart must be one of {', '.join(LONG_CHARTS)}; got {chart!r}"
        )
    taken = LONG_CHARTS[chart]
    unknown = [k for k, v in options.items() if k not in taken and v is not None]
    if unknown:
        raise ValueError(
            f"a {chart} chart does not take {', '.join(sorted(unknown))}; "
            f"it takes {', '.join(taken)}"
        )
    out = {k: _DEFAULTS[k] for k in taken}
    out.update({k: v for k, v in options.items() if v is not None})
    if out.get("fix_after") is not None and int(out["fix_after"]) < MIN_FIX_AFTER:
        raise ValueError(
            f"fix_after must be at least {MIN_FIX_AFTER}; got {out['fix_after']}"
        )
    return out


def chart_long(
    chart: str,
    values: ArrayLike,
    *,
    starts: ArrayLike,
    denominators: ArrayLike | None = None,
    new_phase: ArrayLike | None = None,
    period_labels: Callable[[IntArray], Sequence[str]] | None = None,
    describe: Callable[[int], str] | None = None,
    max_cells: int = MAX_CELLS,
    **options: Any,
) -> LongResult:
    """Chart every series of a long table at once.

    Parameters
    ----------
    chart : {"xmr", "run", "p", "u", "pp", "up"}
    values : array_like of float, shape (N,)
        One row per series and period, the rows of each series together and
        in period order. ``NaN`` is a missing value. For p, u, p′ and u′ (and
        a run chart with denominators) the numerator.
    starts : array_like of int, shape (S,)
        The first row of each series: 0, then strictly increasing.
    denominators : array_like of float, shape (N,), optional
        Needed by p, u, p′ and u′; optional for a run chart.
    new_phase : array_like of bool, shape (N,), optional
        True where a row starts a new phase of its series (as the single
        chart's ``rebase``); ignored on a series' first row.
    period_labels : callable, optional
        Given row numbers, their periods as text: names a phase in a warning
        ("Phase 2 (from 2024-04)"). Needed only when there are phases.
    describe : callable, optional
        Names a row in an error message (default ``row N``).
    max_cells : int
        The largest batch matrix (phases × longest phase) charted at once.
    **options
        The chart's options (:data:`LONG_CHARTS`), as the single chart takes
        them; ``improvement``, ``target`` and ``multiply`` may also be one per
        series.

    Raises
    ------
    ValueError
        A value that is not finite, a denominator a chart refuses (in the words
        of :func:`~openqi.spc.inputs.check_series`, naming the row with
        ``describe``), an option out of range or one the chart does not take.
    """
    opts = long_chart_options(chart, options)
    x = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    n_rows = x.shape[0]
    first = np.ascontiguousarray(starts, dtype=np.int64).reshape(-1)
    n_series = first.shape[0]
    if n_series and (
        first[0] != 0 or (np.diff(first) <= 0).any() or first[-1] >= n_rows
    ):
        raise ValueError(
            "starts must begin at 0 and increase strictly, each below the number of rows"
        )
    if n_series == 0 and n_rows:
        raise ValueError(
            "starts is empty but there are rows: give each series' first row"
        )
    den = (
        None
        if denominators is None
        else np.ascontiguousarray(denominators, dtype=np.float64).reshape(-1)
    )
    if chart in _ATTRIBUTE_CHARTS and den is None:
        raise ValueError(f"a {chart} chart needs denominators")
    if chart == "xmr" and den is not None:
        raise ValueError("an xmr chart takes no denominators")
    if den is not None and den.shape != x.shape:
        raise ValueError(
            f"denominators must have one entry per row: {den.shape[0]} for {n_rows}"
        )
    label = describe or (lambda i: f"row {i + 1}")
    _check_rows(chart, x, den, label)

    # Segments: one per phase of each series.
    is_start = np.zeros(n_rows, dtype=bool)
    is_start[first] = True
    if new_phase is not None:
        flags = np.asarray(new_phase, dtype=bool).reshape(-1)
        if flags.shape != x.shape:
            raise ValueError(
                f"new_phase must have one entry per row: {flags.shape[0]} for {n_rows}"
            )
        is_start |= flags
    seg_start = np.flatnonzero(is_start).astype(np.int64)
    n_seg = seg_start.shape[0]
    seg_len = np.diff(np.append(seg_start, n_rows))
    seg_series = np.searchsorted(first, seg_start, side="right") - 1
    first_seg = np.searchsorted(seg_start, first)
    row_seg = np.cumsum(is_start) - 1
    seg_phase = np.arange(n_seg) - first_seg[seg_series]
    phase = seg_phase[row_seg]

    per_series = _per_series_options(opts, n_series)
    seg_options = {k: v[seg_series] for k, v in per_series.items()}

    # Every row is written once (blocks share out the phases, phases the rows).
    plotted = np.empty(n_rows)
    point_lines = (
        {
            name: np.empty(n_rows)
            for name in ("lower", "upper", "near_lower", "near_upper")
        }
        if chart in _ATTRIBUTE_CHARTS
        else {}
    )
    rule = np.empty(n_rows, dtype=np.int8)
    signal = np.empty(n_rows, dtype=np.int8)
    # Lines that are one number a phase (all but the p, u, p′ and u′ limits).
    seg_lines = {
        name: np.full(n_seg, np.nan)
        for name in ("centre", "lower", "upper", "near_lower", "near_upper")
    }
    seg_points = np.zeros(n_seg, dtype=np.int64)
    seg_variation = np.zeros(n_seg, dtype=np.int8)
    seg_assurance = np.full(n_seg, -1, dtype=np.int8)
    seg_amr = np.full(n_seg, np.nan)
    seg_sigma_z = np.full(n_seg, np.nan)
    seg_ratio = np.full(n_seg, np.nan)
    seg_overdispersed = np.zeros(n_seg, dtype=bool)
    seg_no_limits = np.zeros(n_seg, dtype=bool)

    for block in _blocks(seg_len, max_cells):
        lay = _Layout(block, seg_start, seg_len)
        matrix = lay.gather(x)
        dens = None if den is None else lay.gather(den)
        kwargs: dict[str, Any] = {k: v[block] for k, v in seg_options.items()}
        kwargs.update({k: v for k, v in opts.items() if k not in seg_options})
        found: _ManySeries
        if chart == "xmr":
            r = xmr_batch(matrix, **kwargs)
            for name in seg_lines:
                seg_lines[name][block] = getattr(r, name)
            lay.scatter(plotted, matrix)
            seg_amr[block] = r.mean_moving_range
            seg_no_limits[block] = np.isnan(r.upper)
            found = r
        elif chart == "run":
            rr = run_batch(matrix, dens, **kwargs)
            lay.scatter(plotted, rr.values)
            seg_lines["centre"][block] = rr.centre
            found = rr
        else:
            batch = {"p": p_batch, "u": u_batch, "pp": pp_batch, "up": up_batch}[chart]
            assert dens is not None  # checked above: these charts need them
            ra = batch(matrix, dens, **kwargs)
            lay.scatter(plotted, ra.values)
            seg_lines["centre"][block] = ra.centre
            for name, line in point_lines.items():
                lay.scatter(line, getattr(ra, name))
            seg_sigma_z[block] = ra.sigma_z
            seg_ratio[block] = ra.dispersion_ratio
            seg_overdispersed[block] = ra.is_overdispersed
            seg_no_limits[block] = np.isnan(ra.upper).all(axis=1)
            found = ra
        lay.scatter(rule, found.rule)
        lay.scatter(signal, found.signal)
        seg_points[block] = found.n_points
        seg_variation[block] = found.variation
        seg_assurance[block] = found.assurance
    out = {"value": plotted}
    for name, line in seg_lines.items():
        out[name] = point_lines[name] if name in point_lines else line[row_seg]

    # Per series, from its phases.
    last_seg = np.append(first_seg[1:], n_seg) - 1
    n_points = np.add.reduceat(seg_points, first_seg) if n_series else seg_points[:0]
    has_value = ~np.isnan(out["value"])
    marked = np.where(has_value, np.arange(n_rows), -1)
    latest_row = (
        np.maximum.reduceat(marked, first) if n_series else marked[:0]
    ).astype(np.int64)
    # The variation icon comes from the last point with a value, in whichever
    # phase it falls; a series with no value at all is common cause.
    variation = np.where(
        latest_row >= 0, seg_variation[row_seg[np.maximum(latest_row, 0)]], 0
    ).astype(np.int8)
    assurance = seg_assurance[last_seg] if n_series else seg_assurance[:0]
    flagged = (rule != 0).astype(np.int64)
    special = np.add.reduceat(flagged, first) if n_series else flagged[:0]

    warning_series, warnings = _warnings(
        chart,
        opts.get("fix_after"),
        seg_series=seg_series,
        seg_phase=seg_phase,
        seg_start=seg_start,
        seg_len=seg_len,
        seg_points=seg_points,
        seg_no_limits=seg_no_limits,
        seg_overdispersed=seg_overdispersed,
        seg_ratio=seg_ratio,
        n_phases=np.diff(np.append(first_seg, n_seg)),
        period_labels=period_labels,
    )
    return LongResult(
        chart=chart,
        value=out["value"],
        centre=out["centre"],
        lower=out["lower"],
        upper=out["upper"],
        near_lower=out["near_lower"],
        near_upper=out["near_upper"],
        phase=phase.astype(np.int64),
        rule=rule,
        signal=signal,
        starts=first,
        n_points=n_points.astype(np.int64),
        n_phases=np.diff(np.append(first_seg, n_seg)).astype(np.int64),
        latest_row=latest_row,
        variation=variation,
        assurance=assurance.astype(np.int8),
        special_cause_points=special.astype(np.int64),
        mean_moving_range=seg_amr[last_seg] if n_series else seg_amr[:0],
        sigma_z=seg_sigma_z[last_seg] if n_series else seg_sigma_z[:0],
        dispersion_ratio=seg_ratio[last_seg] if n_series else seg_ratio[:0],
        warning_series=warning_series,
        warnings=warnings,
    )


class _Layout:
    """Where a block's phases sit in the rows and in its batch matrix (one
    phase a row, padded with ``NaN``). Phases of one length next to each other
    in the rows — a table of equal series — are a view of the rows, with no copy."""

    def __init__(self, block: IntArray, seg_start: IntArray, seg_len: IntArray) -> None:
        lengths = seg_len[block]
        self.shape = (int(block.shape[0]), int(lengths.max()))
        first = int(seg_start[block[0]])
        width = self.shape[1]
        self.span: tuple[int, int] | None = None
        if (lengths == width).all() and np.array_equal(
            seg_start[block], first + width * np.arange(self.shape[0])
        ):
            self.span = (first, first + self.shape[0] * width)
            return
        column = np.arange(width)
        self.inside = column[None, :] < lengths[:, None]
        self.rows = (seg_start[block][:, None] + column[None, :])[self.inside]

    def gather(self, data: FloatArray) -> FloatArray:
        if self.span is not None:
            return data[self.span[0] : self.span[1]].reshape(self.shape)
        matrix = np.full(self.shape, np.nan)
        matrix[self.inside] = data[self.rows]
        return matrix

    def scatter(self, into: NDArray[Any], matrix: NDArray[Any]) -> None:
        if self.span is not None:
            into[self.span[0] : self.span[1]] = matrix.reshape(-1)
        else:
            into[self.rows] = matrix[self.inside]


def _check_rows(
    chart: str, x: FloatArray, den: FloatArray | None, label: Callable[[int], str]
) -> None:
    """Refuse what the single chart refuses, naming the first row at fault."""
    infinite = np.isinf(x)
    if den is not None:
        infinite |= np.isinf(den)
    if infinite.any():
        i = int(np.argmax(infinite))
        raise ValueError(
            f"{label(i)}: every value and denominator must be a finite number; "
            "leave a missing value empty"
        )
    if den is None:
        return
    kind = "proportion" if chart in ("p", "pp") else "rate"
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(x) & (np.isnan(den) | (den <= 0) | (x < 0))
        if kind == "proportion":
            bad |= ~np.isnan(x) & (x > den)
    if bad.any():
        i = int(np.argmax(bad))
        check_series(
            kind,
            x[i : i + 1],
            den[i : i + 1],
            value_field="numerator",
            label=lambda _: label(i),
        )


def _per_series_options(opts: dict[str, Any], n_series: int) -> dict[str, NDArray[Any]]:
    """The options that may differ by series, as one entry per series."""
    out: dict[str, NDArray[Any]] = {}
    for name in ("improvement", "target", "multiply"):
        if name not in opts:
            continue
        value = opts[name]
        if name == "improvement":
            array = np.asarray(value, dtype=object)
        elif value is None:
            array = np.full(n_series, np.nan)
        else:
            array = np.asarray(value, dtype=np.float64)
        if array.ndim == 0:
            array = np.full(n_series, array.item(), dtype=array.dtype)
        if array.shape != (n_series,):
            raise ValueError(
                f"{name} must be one value or one per series; got {array.shape[0]} "
                f"for {n_series} series"
            )
        out[name] = array
    return out


def _blocks(lengths: IntArray, max_cells: int) -> list[IntArray]:
    """Segments grouped so that each group's count × longest length stays
    within ``max_cells`` (a group holds at least one), shortest first."""
    order = np.argsort(lengths, kind="stable")
    ordered = lengths[order]
    blocks: list[IntArray] = []
    begin = 0
    total = ordered.shape[0]
    while begin < total:
        # Cells if the block ran from ``begin`` to each later segment.
        cells = (np.arange(1, total - begin + 1)) * ordered[begin:]
        end = begin + max(1, int(np.searchsorted(cells, max_cells, side="right")))
        blocks.append(order[begin:end])
        begin = end
    return blocks


def _warnings(
    chart: str,
    fix_after: int | None,
    *,
    seg_series: IntArray,
    seg_phase: IntArray,
    seg_start: IntArray,
    seg_len: IntArray,
    seg_points: IntArray,
    seg_no_limits: NDArray[np.bool_],
    seg_overdispersed: NDArray[np.bool_],
    seg_ratio: FloatArray,
    n_phases: IntArray,
    period_labels: Callable[[IntArray], Sequence[str]] | None,
) -> tuple[IntArray, NDArray[np.str_]]:
    """Each phase's warnings, as :func:`openqi.spc.charts._phase_warnings` words
    them, in the chart's order: by series, by phase, then few points, fixed
    limits on a short phase, no limits, over-dispersion. Texts are built a
    whole column at a time."""
    kinds = (
        (seg_points <= FEW_POINTS)
        if chart != "run"
        else np.zeros(seg_points.shape, dtype=bool),
        (seg_len <= fix_after)
        if fix_after is not None
        else np.zeros(seg_len.shape, dtype=bool),
        seg_no_limits & (chart != "run"),
        seg_overdispersed,
    )
    found: IntArray = np.flatnonzero(np.logical_or.reduce(kinds)).astype(np.int64)
    if found.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.str_)
    one_phase = n_phases[seg_series[found]] == 1
    labels = np.full(len(found), "The chart", dtype=object)
    several = found[~one_phase]
    if several.size:
        if period_labels is None:
            raise ValueError("period_labels is needed to word a warning about a phase")
        named = np.asarray(period_labels(seg_start[several]), dtype=object)
        labels[~one_phase] = (
            "Phase "
            + (seg_phase[several] + 1).astype(str).astype(object)
            + " (from "
            + named
            + ")"
        )
    texts: list[NDArray[Any]] = []
    order: list[IntArray] = []
    for k, mask in enumerate(kinds):
        hit = mask[found]
        if not hit.any():
            continue
        where = found[hit]
        lab = labels[hit]
        if k == 0:
            text = (
                lab
                + " has "
                + seg_points[where].astype(str).astype(object)
                + f" points; limits from {FEW_POINTS} or fewer points are provisional — "
                "gather more data before relying on them"
            )
        elif k == 1:
            text = (
                lab
                + " has "
                + seg_len[where].astype(str).astype(object)
                + f" points, not more than fix_after={fix_after}; its limits use "
                "every point"
            )
        elif k == 2:
            text = lab + " has too few values to set limits"
        else:
            before, after = message_parts(chart)
            # "%.3g" is the ".3g" the single chart's f-string uses.
            ratios = np.char.mod("%.3g", seg_ratio[where]).astype(object)
            messages = before + ratios + after
            text = np.where(one_phase[hit], messages, lab + ": " + messages)
        texts.append(np.asarray(text, dtype=object))
        order.append(where * 4 + k)
    all_text = np.concatenate(texts)
    key = np.concatenate(order)
    sort = np.argsort(key, kind="stable")
    return seg_series[key[sort] // 4].astype(np.int64), all_text[sort].astype(str)
