"""Control and run charts for one series: XmR, run, p, u, c, p′, u′, g, t and MR.

Every chart follows the same steps: check the input, split it into phases,
compute each phase's centre and limits from its baseline, judge the points with
the special-cause rules (never across a phase boundary), and describe the result
with the Making Data Count vocabulary of signals and icons.
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, islice
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .dispersion import overdispersion
from .explain import episodes
from .inputs import check_series
from .limits import (
    LinesFunction,
    PhaseLines,
    c_lines,
    g_lines,
    mr_lines,
    p_lines,
    pp_lines,
    run_lines,
    t_lines,
    u_lines,
    up_lines,
    xmr_lines,
)
from .results import (
    RULES,
    ChartResult,
    Dispersion,
    Exclusion,
    Phase,
    RunsAnalysis,
)
from .rules import (
    anhoej_crossings_min,
    anhoej_longest_run_max,
    longest_run_and_crossings,
    outside_limits,
    shift,
    trend,
    two_of_three,
)

__all__ = [
    "CHARTS",
    "InsufficientDataError",
    "c_chart",
    "g_chart",
    "mr_chart",
    "p_chart",
    "pp_chart",
    "run_chart",
    "spc_chart",
    "t_chart",
    "u_chart",
    "up_chart",
    "xmr",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Phases with this many points or fewer carry a warning (NHS England, *Making
#: Data Count*: "limits need at least 12 (ideally 20) data points"; the
#: NHSRplotthedots 0.2.2 warning for fewer than 12 points).
FEW_POINTS = 12
#: The fewest points ``fix_after`` may freeze limits on (SPC contract; Making
#: Data Count's 12-point minimum for a baseline).
MIN_FIX_AFTER = 12
IMPROVEMENTS = ("increase", "decrease", "neither")


class InsufficientDataError(ValueError):
    """The data cannot support the chart asked for (for example, no values at all)."""


# --------------------------------------------------------------------------- input


def _as_floats(name: str, values: Iterable[Any]) -> FloatArray:
    if not isinstance(values, (list, tuple, np.ndarray)):
        values = list(values)
    try:
        # The fast path: NumPy converts numbers, numeric text and None (as NaN).
        fast = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        fast = None
    if fast is not None and fast.ndim == 1:
        if not np.isinf(fast).any():
            return fast
    # The slow path finds the first bad value and names it.
    out = []
    for i, v in enumerate(values):
        if v is None:
            out.append(math.nan)
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name}[{i}] is {v!r}, which is not a number; give a number, "
                "or None/NaN for a missing value"
            ) from None
        if math.isinf(f):
            raise ValueError(f"{name}[{i}] is infinite; give a finite number or None")
        out.append(f)
    return np.asarray(out, dtype=np.float64)


def _periods(periods: Sequence[Any] | None, n: int) -> tuple[str, ...]:
    if periods is None:
        return tuple(map(str, range(1, n + 1)))
    if (
        isinstance(periods, np.ndarray)
        and periods.ndim == 1
        and periods.dtype.kind in "UM"
    ):
        # Python strings at C speed, each the text str() gives the element
        # (for dates and times, np.datetime_as_string writes that text).
        if periods.dtype.kind == "M":
            periods = np.datetime_as_string(periods)
        periods = periods.tolist()
    # A tuple of str is kept as it is; anything else becomes one (str(label) of
    # a str is the label itself, so the labels are never copied).
    labels = tuple(periods)
    if not _all_str(labels):
        labels = tuple(map(str, labels))
    if len(labels) != n:
        raise ValueError(
            f"periods must match the values one for one; got {n} values and "
            f"{len(labels)} periods"
        )
    if not _increasing(labels) and len(set(labels)) != n:
        seen: dict[str, int] = {}
        for i, label in enumerate(labels):
            if label in seen:
                raise ValueError(
                    f"period {label!r} appears twice (positions {seen[label]} and {i}); "
                    "each period may appear only once — merge or remove the duplicate"
                )
            seen[label] = i
    return labels


def _all_str(labels: tuple[Any, ...]) -> bool:
    return set(map(type, labels)) <= {str}


def _increasing(labels: tuple[str, ...]) -> bool:
    """Whether the labels are strictly increasing (dates written ISO-style are):
    then no label repeats, and no set of them need be built."""
    return all(map(operator.lt, labels, islice(labels, 1, None)))


def _positions(name: str, wanted: Iterable[Any], periods: tuple[str, ...]) -> list[int]:
    wanted = [str(w) for w in wanted]
    if not wanted:
        return []
    # One pass over the periods for the few labels wanted, not a look-up table
    # of every period.
    looked_for = set(wanted)
    found = {
        periods[i]: i
        for i in compress(range(len(periods)), map(looked_for.__contains__, periods))
    }
    for label in wanted:
        if label not in found:
            shown = ", ".join(periods[:3]) + (" …" if len(periods) > 3 else "")
            raise ValueError(
                f"{name} period {label!r} is not one of the chart's periods ({shown}); "
                "give a period exactly as it appears in the data"
            )
    return sorted(found.values())


def _check_options(
    improvement: str,
    target: float | None,
    fix_after: int | None,
    shift_length: int,
    trend_length: int,
    two_of_three_variant: str,
    multiply: float,
) -> None:
    if improvement not in IMPROVEMENTS:
        raise ValueError(
            f"improvement must be one of {', '.join(IMPROVEMENTS)}; got {improvement!r}"
        )
    if target is not None and not math.isfinite(target):
        raise ValueError(f"target must be a finite number or None; got {target!r}")
    if fix_after is not None and (
        isinstance(fix_after, bool)
        or int(fix_after) != fix_after
        or fix_after < MIN_FIX_AFTER
    ):
        raise ValueError(
            f"fix_after must be a whole number of at least {MIN_FIX_AFTER} points; got {fix_after!r}"
        )
    for name, length in (
        ("shift_length", shift_length),
        ("trend_length", trend_length),
    ):
        if isinstance(length, bool) or int(length) != length or length < 2:
            raise ValueError(
                f"{name} must be a whole number of at least 2; got {length!r}"
            )
    if two_of_three_variant not in ("default", "beyond_near"):
        raise ValueError(
            f"two_of_three must be 'default' or 'beyond_near'; got {two_of_three_variant!r}"
        )
    if not (math.isfinite(multiply) and multiply > 0):
        raise ValueError(f"multiply must be a positive number; got {multiply!r}")


def _check_denominators(
    numerators: FloatArray, denominators: FloatArray, chart: str
) -> None:
    if len(numerators) != len(denominators):
        raise ValueError(
            f"{chart} needs a denominator for every observation; got {len(numerators)} "
            f"values and {len(denominators)} denominators"
        )
    present = ~np.isnan(numerators)
    is_proportion = chart in ("p_chart", "pp_chart")
    with np.errstate(invalid="ignore"):
        bad = present & (
            np.isnan(denominators)
            | (denominators <= 0)
            | (numerators < 0)
            | (is_proportion & (numerators > denominators))
        )
    if not bad.any():
        return
    # The first bad row, in the words every checker of a row uses.
    i = int(np.flatnonzero(bad)[0])
    check_series(
        "proportion" if is_proportion else "rate",
        numerators[i : i + 1],
        denominators[i : i + 1],
        value_field="numerator",
        label=lambda _: f"{chart}: index {i}",
    )


# --------------------------------------------------------------------------- engine


def _signal_name(side: int, improvement: str) -> str:
    if improvement == "increase":
        return "improvement" if side > 0 else "concern"
    if improvement == "decrease":
        return "concern" if side > 0 else "improvement"
    return "neutral_high" if side > 0 else "neutral_low"


def _assurance(
    improvement: str, target: float | None, lower: float, upper: float
) -> str | None:
    if (
        target is None
        or improvement == "neither"
        or math.isnan(lower)
        or math.isnan(upper)
    ):
        return None
    if improvement == "increase":
        if target > upper:
            return "consistent_fail"
        if target < lower:
            return "consistent_pass"
    else:
        if target < lower:
            return "consistent_fail"
        if target > upper:
            return "consistent_pass"
    return "inconsistent"


def _phase_warnings(
    chart: str,
    k: int,
    first_period: str,
    *,
    one_phase: bool,
    n_valid: int,
    size: int,
    fix_after: int | None,
    has_no_limits: bool,
    dispersion: Dispersion | None,
) -> list[str]:
    """The warnings about one phase, in the order the chart gives them."""
    label = "the chart" if one_phase else f"phase {k + 1} (from {first_period})"
    label = f"{label[0].upper()}{label[1:]}"
    out: list[str] = []
    if n_valid <= FEW_POINTS and chart != "run":
        out.append(
            f"{label} has {n_valid} points; limits from "
            f"{FEW_POINTS} or fewer points are provisional — gather more data before "
            "relying on them"
        )
    if fix_after is not None and size <= fix_after:
        out.append(
            f"{label} has {size} points, not more than "
            f"fix_after={fix_after}; its limits use every point"
        )
    if has_no_limits:
        out.append(f"{label} has too few values to set limits")
    if dispersion is not None and dispersion.is_overdispersed:
        out.append(
            dispersion.message if one_phase else f"{label}: {dispersion.message}"
        )
    return out


def _runs_analysis(
    k: int, values: FloatArray, centre: FloatArray, judged: BoolArray
) -> RunsAnalysis:
    """The Anhøj runs analysis of phase ``k`` about its centre line."""
    useful, longest, crossings = longest_run_and_crossings(values, centre, judged)
    run_max = anhoej_longest_run_max(useful)
    cross_min = anhoej_crossings_min(useful)
    return RunsAnalysis(
        phase=k,
        useful=useful,
        longest_run=longest,
        longest_run_max=run_max,
        crossings=crossings,
        crossings_min=cross_min,
        is_long_run=useful > 0 and longest > run_max,
        is_few_crossings=useful > 1 and crossings < cross_min,
    )


def _shift_length(chart: str, options: dict[str, Any], runs: RunsAnalysis) -> int:
    """Points in a shift: on a run chart a run longer than Anhøj's maximum for
    the phase's useful points; else the ``shift_length`` option."""
    if chart == "run":
        return anhoej_longest_run_max(runs.useful) + 1
    return int(options.get("shift_length", 7))  # the mr chart has no shift


def _judge(
    jx: FloatArray,
    lines: PhaseLines,
    j: BoolArray,
    options: dict[str, Any],
    rules_in_force: tuple[str, ...],
    shift_length: int,
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Each point's rule (a code, index into RULES; 0 none) and side (+1 high,
    −1 low, 0 none), for a stretch of one phase: the values and lines on the
    scale the rules judge on, and which points are judged.

    Every rule looks only a bounded number of points either side (a point not
    judged breaks every run and window), so a stretch with
    :func:`rule_reach` points more on each side gives its middle points what
    the whole phase gives them (:mod:`openqi.spc.stream`)."""
    n = len(jx)
    rule_code = np.zeros(n, dtype=np.int8)
    sides = np.zeros(n, dtype=np.int8)
    # Rules, in priority order: the first rule to claim a point keeps it.
    if "outside_limits" in rules_in_force:
        _claim(rule_code, sides, 0, 1, outside_limits(jx, lines.lower, lines.upper, j))
    if "trend" in rules_in_force:
        _claim(rule_code, sides, 0, 2, trend(jx, j, options["trend_length"]))
    if "two_of_three" in rules_in_force:
        _claim(
            rule_code,
            sides,
            0,
            3,
            two_of_three(
                jx,
                lines.centre,
                lines.near_lower,
                lines.near_upper,
                lines.lower,
                lines.upper,
                j,
                options["two_of_three"],
            ),
        )
    if "shift" in rules_in_force:
        _claim(rule_code, sides, 0, 4, shift(jx, lines.centre, j, shift_length))
    return rule_code, sides


def rule_reach(options: dict[str, Any], shift_length: int) -> int:
    """How many points either side of a point its rules may look at: a run or
    trend as long as the longest asked for, two of three, and a step either side."""
    return max(shift_length, int(options.get("trend_length", 7)), 3) + 2


def _chart(
    chart: str,
    values: FloatArray,
    denominators: FloatArray | None,
    numerators: FloatArray | None,
    periods: tuple[str, ...],
    limits_fn: LinesFunction,
    *,
    centre_name: str,
    options: dict[str, Any],
    rules_in_force: tuple[str, ...],
) -> ChartResult:
    """Split into phases, compute lines, run the rules and describe the result."""
    n = len(values)
    improvement: str = options["improvement"]
    target: float | None = options["target"]
    multiply: float = options["multiply"]
    fix_after: int | None = options["fix_after"]
    missing = np.isnan(values)
    if missing.all():
        raise InsufficientDataError(
            f"{chart} needs at least one value; all {n} are missing"
        )
    rebase_at = _positions("rebase", options["rebase"], periods)
    if rebase_at and rebase_at[0] == 0:
        raise ValueError(
            f"rebase period {periods[0]!r} is the first period; a new phase must start "
            "after the first point — remove it from rebase"
        )
    excluded_at = _positions("exclude", options["exclude"], periods)
    is_excluded = np.zeros(n, dtype=bool)
    is_excluded[excluded_at] = True
    judged = ~missing & ~is_excluded

    starts = [0, *rebase_at]
    stops = [*rebase_at, n]
    phase_index = np.zeros(n, dtype=np.int64)
    # Several phases' lines are gathered into these; a single phase's arrays
    # become the chart's own, without a copy (set in the loop below).
    gathered = len(starts) > 1
    centre, lower, upper, near_lower, near_upper = (
        np.empty(n if gathered else 0) for _ in range(5)
    )
    # Codes, one byte a point: the rule claiming each point (index into RULES)
    # and its side (+1 high, -1 low, 0 none).
    sides = np.zeros(n, dtype=np.int8)
    rule_code = np.zeros(n, dtype=np.int8)
    phases: list[Phase] = []
    warnings: list[str] = []

    for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
        phase_index[a:b] = k
        x = values[a:b]
        den = None if denominators is None else denominators[a:b]
        num = None if numerators is None else numerators[a:b]
        j = judged[a:b]
        base = j.copy()
        if fix_after is not None:
            base[fix_after:] = False
        # Tested before the lines are made, so that its arrays and theirs are
        # never held at once; its warning comes after the others.
        dispersion = (
            overdispersion(np.where(base, num, np.nan), den, chart=chart)
            if chart in ("p", "u") and num is not None and den is not None
            else None
        )
        lines = limits_fn(x, den, base, options.get("screen", True), num)
        if gathered:
            centre[a:b] = lines.centre
            lower[a:b] = lines.lower
            upper[a:b] = lines.upper
            near_lower[a:b] = lines.near_lower
            near_upper[a:b] = lines.near_upper
        else:
            centre, lower, upper, near_lower, near_upper = _own_lines(
                lines, values, denominators, numerators
            )

        n_valid = int(j.sum())
        warnings.extend(
            _phase_warnings(
                chart,
                k,
                periods[a],
                one_phase=len(starts) == 1,
                n_valid=n_valid,
                size=b - a,
                fix_after=fix_after,
                has_no_limits=chart != "run" and bool(np.isnan(lines.upper).all()),
                dispersion=dispersion,
            )
        )

        # The rules judge on the scale the lines were computed on (the t chart's
        # transformed scale), so a point equal to its centre there is on neither
        # side; for the other charts that is the plotted scale.
        judged_lines = lines if lines.judged_lines is None else lines.judged_lines
        jx = x if lines.judged_values is None else lines.judged_values
        runs = _runs_analysis(k, jx, judged_lines.centre, j)
        codes, found_sides = _judge(
            jx,
            judged_lines,
            j,
            options,
            rules_in_force,
            _shift_length(chart, options, runs),
        )
        rule_code[a:b] = codes
        sides[a:b] = found_sides
        del codes, found_sides
        phases.append(
            Phase(
                index=k,
                start=a,
                end=b - 1,
                first_period=periods[a],
                centre=lines.phase_centre * multiply,
                mean_moving_range=None
                if lines.mean_moving_range is None
                else lines.mean_moving_range * multiply,
                n_points=n_valid,
                n_baseline=int(base.sum()),
                runs=runs,
            )
        )

    del lines, judged_lines, jx, x, base, j
    # The names once, from the one-byte codes: each point's entry is one of a
    # few shared strings.
    rule = _names(RULES, rule_code)
    # 0 unflagged, 1 high, 2 low.
    signal_code = np.full(n, 2, dtype=np.int8)
    signal_code[sides > 0] = 1
    signal_code[rule_code == 0] = 0
    signal = _names(
        ("common_cause", _signal_name(1, improvement), _signal_name(-1, improvement)),
        signal_code,
    )
    del signal_code

    # In plotted units. The line arrays are the chart's own, and so are the
    # values (every chart function makes them), so they are scaled in place.
    if multiply != 1.0:
        if numerators is not None and np.may_share_memory(values, numerators):
            values = values * multiply
        else:
            values *= multiply
        for line in (centre, lower, upper, near_lower, near_upper):
            line *= multiply

    last = n - 1 - int(np.argmax(~missing[::-1]))
    if rule_code[last] == 0:
        variation = "common_cause"
    elif improvement == "neither":
        variation = signal[last]
    else:
        variation = f"{signal[last]}_{'high' if sides[last] > 0 else 'low'}"

    # The last point of the latest phase with both limits.
    latest = starts[-1]
    finite = ~np.isnan(upper[latest:]) & ~np.isnan(lower[latest:])
    at = (
        latest + len(finite) - 1 - int(np.argmax(finite[::-1]))
        if finite.any()
        else n - 1
    )
    del finite
    assurance = _assurance(improvement, target, lower[at], upper[at])

    missing_reason = "missing value: left out of the centre line and limits"
    excluded_reason = (
        "excluded on request: plotted, but left out of the calculations and rules"
    )
    excluded = [
        Exclusion(periods[i], missing_reason if missing[i] else excluded_reason)
        for i in np.flatnonzero(missing | is_excluded).tolist()
    ]

    lengths = {
        "shift": options.get("shift_length", 7),
        "trend": options.get("trend_length", 7),
    }
    signals = episodes(
        rule,
        signal,
        sides,  # type: ignore[arg-type]  # episodes only compares and indexes the sides: a byte each does (its annotation says int64)
        phase_index,
        periods,
        centre_name,
        lengths,
    )

    return ChartResult(
        chart=chart,
        options=options,
        periods=periods,
        values=values,
        numerators=numerators,
        denominators=denominators,
        centre=centre,
        lower=lower,
        upper=upper,
        near_lower=near_lower,
        near_upper=near_upper,
        phase=phase_index,
        rule=rule,
        signal=signal,
        variation=variation,
        assurance=assurance,
        improvement=improvement,
        target=target,
        phases=tuple(phases),
        signals=signals,
        runs=phases[-1].runs,
        warnings=tuple(warnings),
        excluded=tuple(excluded),
        is_excluded=is_excluded,
    )


def _names(names: tuple[str, ...], codes: NDArray[np.int8]) -> tuple[str, ...]:
    """``names[code]`` for every code, as a tuple (built through a list: the
    fastest way, 16 bytes a point at most on the way)."""
    return tuple(np.array(names, dtype=object)[codes].tolist())


def _own_lines(
    lines: PhaseLines,
    values: FloatArray,
    denominators: FloatArray | None,
    numerators: FloatArray | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """A one-phase chart's lines as its own arrays: those of ``lines`` where each
    is a distinct array owning its memory (as every limits function makes
    them), a copy otherwise, so that scaling one in place touches nothing else."""
    out: list[FloatArray] = []
    inputs = [a for a in (values, denominators, numerators) if a is not None]
    for line in (
        lines.centre,
        lines.lower,
        lines.upper,
        lines.near_lower,
        lines.near_upper,
    ):
        is_own = (
            line.base is None
            and line.dtype == np.float64
            and line.flags.writeable
            and not any(line is other for other in (*out, *inputs))
        )
        out.append(line if is_own else np.array(line, dtype=np.float64))
    return out[0], out[1], out[2], out[3], out[4]


def _claim(
    rule_code: NDArray[np.int8],
    sides: NDArray[np.int8],
    offset: int,
    code: int,
    found: NDArray[np.int64],
) -> None:
    """Give ``code`` to the points a rule found that no higher-priority rule holds."""
    hit = np.flatnonzero(found != 0) + offset
    free = hit[rule_code[hit] == 0]
    rule_code[free] = code
    sides[free] = found[free - offset]


def _options(**kwargs: Any) -> dict[str, Any]:
    kwargs["rebase"] = [str(p) for p in kwargs.get("rebase", ())]
    kwargs["exclude"] = [str(p) for p in kwargs.get("exclude", ())]
    if kwargs.get("target") is not None:
        kwargs["target"] = float(kwargs["target"])
    kwargs["multiply"] = float(kwargs.get("multiply", 1.0))
    _check_options(
        kwargs["improvement"],
        kwargs["target"],
        kwargs["fix_after"],
        kwargs.get("shift_length", 7),
        kwargs.get("trend_length", 7),
        kwargs.get("two_of_three", "default"),
        kwargs["multiply"],
    )
    return kwargs


_ALL_RULES = ("outside_limits", "trend", "two_of_three", "shift")


# --------------------------------------------------------------------------- charts


def xmr(
    values: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    improvement: str = "neither",
    target: float | None = None,
    screen: bool = True,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """XmR (individuals) chart with the NHS Making Data Count rules and icons.

    Parameters
    ----------
    values
        Observations in time order; ``None`` or ``NaN`` marks a missing value.
    periods
        A label per observation (default ``"1"``, ``"2"``, …); must be unique.
    improvement
        ``"increase"``, ``"decrease"`` or ``"neither"``: which way is better.
    target
        Optional target, in the units of ``values``; needed with a direction for
        the assurance icon.
    screen
        Screen out moving ranges at or above 3.267 × AMR before setting the
        limits (``False`` matches the Making Data Count Excel tool).
    rebase
        Periods at which a new phase starts, with its own centre and limits.
    fix_after
        Freeze each phase's limits on its first N (≥ 12) points.
    exclude
        Periods plotted but left out of the calculations and the rules.
    shift_length, trend_length
        Points needed for a shift (default 7) and a trend (default 7).
    two_of_three
        ``"default"``: near-zone points strictly inside the limits count;
        ``"beyond_near"``: points beyond the limits count too.

    Returns
    -------
    ChartResult
        ``centre``, ``lower``, ``upper``, ``near_lower``, ``near_upper`` per
        point; ``rule`` and ``signal`` per point; ``variation`` and
        ``assurance`` icons; ``phases`` (centre and AMR of each); ``signals``
        (each special-cause episode in words); ``runs`` (the Anhøj analysis of
        the latest phase); ``warnings`` and ``excluded``.

    Notes
    -----
    Per phase: centre = mean; AMR = mean |x_i − x_(i−1)| (screened: only moving
    ranges < 3.267 × AMR kept, mean taken again); limits = centre ± 2.66 × AMR;
    near lines = centre ± (2/3 × 2.66) × AMR. Rules by priority:
    outside_limits > trend > two_of_three > shift. Constants and rules follow
    NHS England's *Making Data Count* (2019) as NHSRplotthedots 0.2.2
    implements it; 2.66 and 3.267 are from Wheeler & Chambers,
    *Understanding Statistical Process Control* (1992). See
    :mod:`openqi.spc.limits` and :mod:`openqi.spc.rules` for each constant's
    source.

    Examples
    --------
    >>> r = xmr([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 20], improvement="increase")
    >>> round(float(r.centre[0]), 3), r.rule[-1], r.variation
    (6.846, 'outside_limits', 'improvement_high')
    """
    options = _options(
        improvement=improvement,
        target=target,
        screen=bool(screen),
        rebase=rebase,
        fix_after=fix_after,
        exclude=exclude,
        shift_length=shift_length,
        trend_length=trend_length,
        two_of_three=two_of_three,
        multiply=1.0,
    )
    y = _as_floats("values", values)
    return _chart(
        "xmr",
        y,
        None,
        None,
        _periods(periods, len(y)),
        xmr_lines,
        centre_name="mean",
        options=options,
        rules_in_force=_ALL_RULES,
    )


def run_chart(
    values: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    denominators: Sequence[float | None] | FloatArray | None = None,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
) -> ChartResult:
    """Run chart about the median, judged by the Anhøj rules.

    Parameters
    ----------
    values
        Observations (or numerators, with ``denominators``) in time order.
    denominators
        Optional; the plotted value is values / denominators × ``multiply``.
    multiply, improvement, target, rebase, fix_after, exclude
        As for :func:`xmr`.

    Returns
    -------
    ChartResult
        ``centre`` is the median; there are no limits (``NaN``). ``runs`` holds
        the longest run, its maximum, the crossings and their minimum; points
        of a run longer than the maximum are flagged ``shift``.

    Notes
    -----
    With n useful points (those not on the median) a signal is a longest run
    > round(log₂ n) + 3 or fewer crossings than qbinom(0.05, n − 1, 0.5)
    (Anhøj & Olesen, "Run charts revisited: a simulation study of run chart
    rules for detection of non-random variation in health care processes",
    *PLoS ONE* 9(11), 2014, e113825; as R's qicharts2 implements it).

    Examples
    --------
    >>> r = run_chart([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2])
    >>> r.runs.crossings, r.runs.crossings_min, r.runs.is_signal
    (11, 3, False)
    """
    options = _options(
        improvement=improvement,
        target=target,
        rebase=rebase,
        fix_after=fix_after,
        exclude=exclude,
        multiply=multiply,
    )
    y = _as_floats("values", values)
    numerators = None
    den = None
    if denominators is not None:
        den = _as_floats("denominators", denominators)
        _check_denominators(y, den, "run_chart")
        numerators = y
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(np.isnan(den), np.nan, y / den)
    return _chart(
        "run",
        y,
        den,
        numerators,
        _periods(periods, len(y)),
        run_lines,
        centre_name="median",
        options=options,
        rules_in_force=("shift",),
    )


def _attribute(
    chart: str,
    name: str,
    limits_fn: LinesFunction,
    numerators: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray | None,
    periods: Sequence[Any] | None,
    *,
    centre_name: str = "mean",
    rules_in_force: tuple[str, ...] = _ALL_RULES,
    **kwargs: Any,
) -> ChartResult:
    options = _options(**kwargs)
    y = _as_floats("numerators" if denominators is not None else "values", numerators)
    den = None
    plotted = y
    if denominators is not None:
        den = _as_floats("denominators", denominators)
        _check_denominators(y, den, name)
        with np.errstate(invalid="ignore", divide="ignore"):
            plotted = np.where(np.isnan(den), np.nan, y / den)
    return _chart(
        chart,
        plotted,
        den,
        y if den is not None else None,
        _periods(periods, len(y)),
        limits_fn,
        centre_name=centre_name,
        options=options,
        rules_in_force=rules_in_force,
    )


def p_chart(
    numerators: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """p chart: the proportion of cases with an attribute, limits varying with n.

    Notes
    -----
    p̄ = Σy / Σn over the baseline; σᵢ = √(p̄(1 − p̄)/nᵢ); limits p̄ ± 3σᵢ and
    near lines p̄ ± 2σᵢ, clipped to [0, 1] (Montgomery, *Introduction to
    Statistical Quality Control*, 7th ed., §7.2; qicharts2 ``p`` chart). The
    rules and icons are those of :func:`xmr`. ``target`` is in plotted units
    (after ``multiply``). p̄ is Σy/Σn with R's ``sum()``, so a constant
    proportion sits exactly on its centre line.

    When a phase's baseline is over-dispersed (:func:`openqi.spc.overdispersion`:
    the Pearson chi-square test at 1% and Laney's σ_z > 1), ``warnings`` says
    so in a sentence and suggests the p′ chart (:func:`pp_chart`): with large
    denominators most points of a p chart would otherwise look like special
    causes.

    Examples
    --------
    >>> r = p_chart([10, 12, 8], [100, 100, 100])
    >>> round(float(r.centre[0]), 4), round(float(r.upper[0]), 4)
    (0.1, 0.19)
    """
    return _attribute(
        "p", "p_chart", p_lines, numerators, denominators, periods,
        multiply=multiply, improvement=improvement, target=target, rebase=rebase,
        fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def u_chart(
    numerators: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """u chart: a rate of events per unit of exposure, limits varying with n.

    Notes
    -----
    ū = Σy / Σn; σᵢ = √(ū/nᵢ); limits ū ± 3σᵢ, lower ≥ 0 (Montgomery §7.3.1;
    qicharts2 ``u`` chart). As :func:`p_chart`, ``warnings`` suggests the u′
    chart (:func:`up_chart`) when the data are over-dispersed.

    Examples
    --------
    >>> r = u_chart([4, 6, 5], [1000, 1000, 1000], multiply=1000)
    >>> round(float(r.centre[0]), 3), round(float(r.upper[0]), 3)
    (5.0, 11.708)
    """
    return _attribute(
        "u", "u_chart", u_lines, numerators, denominators, periods,
        multiply=multiply, improvement=improvement, target=target, rebase=rebase,
        fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def pp_chart(
    numerators: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    screen: bool = True,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """Laney p′ chart: a p chart whose limits allow for over-dispersion.

    Parameters are those of :func:`p_chart`, and ``screen``: drop the moving
    ranges of the z-scores at or above 3.267 × their mean before σ_z is taken
    (default ``True``, as qicharts2; ``False`` for Laney's unscreened σ_z).

    Notes
    -----
    zᵢ = (pᵢ − p̄)/σᵢ with σᵢ = √(p̄(1 − p̄)/nᵢ); σ_z = AMR / 1.128, AMR the mean
    moving range |zᵢ − zᵢ₋₁|, screened (moving ranges ≥ 3.267 × AMR dropped,
    AMR taken again: Nelson 1982; qicharts2 0.8 ``qic.pp`` with its option
    ``qic.screenedmr``, which it sets when attached); limits p̄ ± 3σᵢσ_z,
    clipped to [0, 1] (Laney, "Improved control charts for attributes",
    *Quality Engineering* 14(4), 2002). Use it when denominators are large and
    a p chart shows most points outside its limits (:func:`p_chart` warns).

    Examples
    --------
    >>> r = pp_chart([100, 120, 80, 110], [1000, 1000, 1000, 1000])
    >>> round(float(r.centre[0]), 4)
    0.1025
    >>> r = pp_chart([520, 505, 498, 510, 640, 502, 515, 507, 499, 511], [1000] * 10)
    >>> round(float(r.lower[0]), 4), round(float(r.upper[0]), 4)
    (0.4922, 0.5492)
    """
    return _attribute(
        "pp", "pp_chart", pp_lines, numerators, denominators, periods,
        multiply=multiply, improvement=improvement, target=target, screen=bool(screen),
        rebase=rebase,
        fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def up_chart(
    numerators: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    screen: bool = True,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """Laney u′ chart: a u chart whose limits allow for over-dispersion.

    Parameters are those of :func:`u_chart`, and ``screen`` as for
    :func:`pp_chart` (default ``True``).

    Notes
    -----
    zᵢ = (uᵢ − ū)/σᵢ with σᵢ = √(ū/nᵢ); σ_z = AMR / 1.128 with the moving ranges
    of z screened as for :func:`pp_chart`; limits ū ± 3σᵢσ_z, lower ≥ 0
    (Laney 2002; qicharts2 0.8 ``qic.up``).

    Examples
    --------
    >>> r = up_chart([40, 60, 50, 55], [1000, 1000, 1000, 1000])
    >>> round(float(r.centre[0]), 5)
    0.05125
    """
    return _attribute(
        "up", "up_chart", up_lines, numerators, denominators, periods,
        multiply=multiply, improvement=improvement, target=target, screen=bool(screen),
        rebase=rebase,
        fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def c_chart(
    values: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """c chart: counts of events in equal areas of opportunity.

    Notes
    -----
    c̄ = mean count; σ = √c̄; limits c̄ ± 3σ, lower ≥ 0 (Montgomery §7.3.1;
    qicharts2 ``c`` chart).

    Examples
    --------
    >>> r = c_chart([4, 9, 6, 5])
    >>> round(float(r.centre[0]), 2), round(float(r.upper[0]), 3)
    (6.0, 13.348)
    """
    y = _as_floats("values", values)
    check_series("count", y, label=lambda i: f"c_chart: index {i}")
    return _attribute(
        "c", "c_chart", c_lines, y, None, periods,
        multiply=multiply, improvement=improvement, target=target, rebase=rebase,
        fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def g_chart(
    values: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """g chart: opportunities (cases, days) between rare events.

    Notes
    -----
    m = mean; limits m ± 3√(m(m + 1)), lower ≥ 0; the centre line drawn, and
    the one the runs rules use, is the median (Benneyan 2001; qicharts2 ``g``
    chart). Use it when events are too rare for a p or u chart.

    Examples
    --------
    >>> r = g_chart([10, 30, 20, 25, 15])
    >>> float(r.centre[0]), round(float(r.upper[0]), 2)
    (20.0, 81.48)
    """
    y = _as_floats("values", values)
    check_series("cases_between", y, label=lambda i: f"g_chart: index {i}")
    return _attribute(
        "g", "g_chart", g_lines, y, None, periods, centre_name="median",
        multiply=multiply, improvement=improvement, target=target, rebase=rebase,
        fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def t_chart(
    values: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    multiply: float = 1.0,
    improvement: str = "neither",
    target: float | None = None,
    screen: bool = True,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three: str = "default",
) -> ChartResult:
    """t chart: time between rare events, through Nelson's y^(1/3.6) transform.

    Notes
    -----
    z = y^(1/3.6); an XmR chart of z (as :func:`xmr`); centre and limits
    transformed back by ^3.6, lower ≥ 0 (Nelson 1994; qicharts2 ``t`` chart).
    The transform is monotone, so the rules judge the same points on either
    scale. Every time must be greater than zero.

    Examples
    --------
    >>> r = t_chart([10, 12, 9, 11, 10])
    >>> bool(r.lower[0] >= 0)
    True
    """
    y = _as_floats("values", values)
    check_series("time_between", y, label=lambda i: f"t_chart: index {i}")
    return _attribute(
        "t", "t_chart", t_lines, y, None, periods,
        multiply=multiply, improvement=improvement, target=target, screen=bool(screen),
        rebase=rebase, fix_after=fix_after, exclude=exclude, shift_length=shift_length,
        trend_length=trend_length, two_of_three=two_of_three,
    )  # fmt: skip


def mr_chart(
    values: Sequence[float | None] | FloatArray,
    periods: Sequence[Any] | None = None,
    *,
    rebase: Iterable[Any] = (),
    fix_after: int | None = None,
    exclude: Iterable[Any] = (),
) -> ChartResult:
    """Moving-range chart, the MR half of an I/MR pair.

    The plotted value at each point is |x_i − x_(i−1)| (missing at the first
    point of each phase and next to a missing value).

    Notes
    -----
    Centre = mean moving range; upper limit = 3.267 × that (D4 for n = 2;
    Montgomery §6.4; qicharts2 ``mr`` chart); lower limit 0. Only the
    outside-limits rule applies: moving ranges are correlated, so run rules
    would mislead.

    Examples
    --------
    >>> r = mr_chart([1, 3, 2, 6])
    >>> r.values.tolist()[1:], round(float(r.upper[1]), 3)
    ([2.0, 1.0, 4.0], 7.623)
    """
    options = _options(
        improvement="neither",
        target=None,
        rebase=rebase,
        fix_after=fix_after,
        exclude=exclude,
        multiply=1.0,
    )
    x = _as_floats("values", values)
    labels = _periods(periods, len(x))
    mr = np.full(len(x), np.nan)
    mr[1:] = np.abs(np.diff(x))
    mr[_positions("rebase", options["rebase"], labels)] = np.nan
    return _chart(
        "mr",
        mr,
        None,
        None,
        labels,
        mr_lines,
        centre_name="mean moving range",
        options=options,
        rules_in_force=("outside_limits",),
    )


#: Chart names accepted by :func:`spc_chart` and the CLI's ``--chart``.
CHARTS: dict[str, Callable[..., ChartResult]] = {
    "xmr": xmr,
    "run": run_chart,
    "p": p_chart,
    "u": u_chart,
    "c": c_chart,
    "pp": pp_chart,
    "up": up_chart,
    "g": g_chart,
    "t": t_chart,
    "mr": mr_chart,
}
_NEEDS_DENOMINATOR = ("p", "u", "pp", "up")


def spc_chart(
    chart: str,
    values: Sequence[float | None] | FloatArray,
    denominators: Sequence[float | None] | FloatArray | None = None,
    periods: Sequence[Any] | None = None,
    **options: Any,
) -> ChartResult:
    """Any chart by name: ``xmr``, ``run``, ``p``, ``u``, ``c``, ``pp``, ``up``, ``g``, ``t``, ``mr``.

    ``values`` are the numerators for charts with denominators. Options are
    those of the named chart; an option the chart does not take is an error.

    >>> spc_chart("c", [3, 5, 4]).chart
    'c'
    """
    if chart not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}; got {chart!r}")
    fn = CHARTS[chart]
    accepted = inspect.signature(fn).parameters
    unknown = sorted(k for k in options if k not in accepted)
    if unknown:
        raise ValueError(
            f"the {chart} chart does not take {', '.join(unknown)}; remove "
            f"{'it' if len(unknown) == 1 else 'them'}"
        )
    if chart in _NEEDS_DENOMINATOR:
        if denominators is None:
            raise ValueError(
                f"the {chart} chart needs denominators; give a denominator column"
            )
        return fn(values, denominators, periods, **options)
    if chart == "run":
        return fn(values, periods, denominators=denominators, **options)
    if denominators is not None:
        raise ValueError(
            f"the {chart} chart takes no denominators; use a p, u, pp, up or run chart for ratios"
        )
    return fn(values, periods, **options)
