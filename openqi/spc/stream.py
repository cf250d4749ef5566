"""A chart of any length computed a block of points at a time.

:func:`stream_chart` gives what :func:`openqi.spc.spc_chart` gives — every
point's lines, rule and signal, then the summary — for a series read from a
source a block at a time (a database, a file), in memory that does not grow
with the series. It is how a measure of a million points is exported.

It makes two passes over the source, each reading it in order:

1. **Each phase's figures.** A phase's centre and spread are computed over its
   whole baseline, exactly as the chart computes them
   (:func:`openqi.spc.limits.phase_scalars`: R's mean, median and sum), so
   this pass holds one phase's numbers at a time (8 bytes a value, with the
   denominators and numerators of a ratio chart 24); with them come the runs
   analysis, the warnings and, for p and u charts, the over-dispersion test.
2. **The points.** Every point's lines follow from its phase's figures and its
   own denominator (:func:`openqi.spc.limits.lines_from_scalars`). Every rule
   looks only a bounded number of points either side (a point not judged
   breaks every run and window: :func:`openqi.spc.charts.rule_reach`), so the
   rules run on each block with that many points of the blocks either side,
   and give each point what the whole phase gives it. Episodes of signals are
   followed across blocks and handed out as each ends.

The results are the same, bit for bit, as :func:`openqi.spc.spc_chart`'s on
the whole series (``tests/spc/test_stream.py`` compares every field on random
series, every chart a measure can have, phases, exclusions, missing values,
frozen limits and every block size down to one point).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .charts import (
    CHARTS,
    InsufficientDataError,
    _assurance,
    _judge,
    _options,
    _phase_warnings,
    _runs_analysis,
    _shift_length,
    _signal_name,
    rule_reach,
)
from .dispersion import overdispersion
from .explain import describe_signal
from .inputs import check_series
from .limits import (
    T_CHART_EXPONENT,
    PhaseLines,
    PhaseScalars,
    lines_from_scalars,
    phase_scalars,
)
from .results import RULES, Exclusion, Phase, RunsAnalysis, Signal

__all__ = [
    "Block",
    "ChartFacts",
    "PointBlock",
    "STREAM_CHARTS",
    "StreamedChart",
    "chart_facts",
    "stream_chart",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: The charts :func:`stream_chart` draws: every chart a measure can have.
STREAM_CHARTS = ("xmr", "run", "p", "u", "pp", "up", "c", "g", "t")
_RATIO = ("p", "u", "pp", "up")
#: The option names of each chart, in the order its own function records them.
_ORDER = {
    "xmr": (
        "improvement", "target", "screen", "rebase", "fix_after", "exclude",
        "shift_length", "trend_length", "two_of_three", "multiply",
    ),
    "run": ("improvement", "target", "rebase", "fix_after", "exclude", "multiply"),
    **{
        chart: (
            "multiply", "improvement", "target", "rebase", "fix_after", "exclude",
            "shift_length", "trend_length", "two_of_three",
        )
        for chart in ("p", "u", "c", "g")
    },
    **{
        chart: (
            "multiply", "improvement", "target", "screen", "rebase", "fix_after",
            "exclude", "shift_length", "trend_length", "two_of_three",
        )
        for chart in ("pp", "up", "t")
    },
}  # fmt: skip
_CENTRE_NAME = {"g": "median", "run": "median"}
_RULES_IN_FORCE = {"run": ("shift",)}
_ALL_RULES = ("outside_limits", "trend", "two_of_three", "shift")
_MISSING = "missing value: left out of the centre line and limits"
_EXCLUDED = "excluded on request: plotted, but left out of the calculations and rules"


@dataclass(frozen=True)
class Block:
    """Points ``[start, stop)`` of the series as the source holds them.

    ``values`` are the observations (the numerators, for a chart with
    denominators), ``NaN`` where missing; ``denominators`` are ``None`` for a
    chart without them; ``is_excluded`` marks the points excluded on request;
    ``periods`` are the points' labels.
    """

    values: FloatArray
    denominators: FloatArray | None
    is_excluded: BoolArray
    periods: Sequence[str]


#: Reads points ``[start, stop)``. Each pass calls it for consecutive stretches
#: from the first point to the last, so a source may read on from where it
#: stopped (a start of 0 begins again).
Source = Callable[[int, int], Block]


@dataclass(frozen=True)
class PointBlock:
    """The chart's fields for points ``[start, start + len(periods))``, as the
    same fields of :class:`openqi.spc.ChartResult` hold them, with the signals
    (episodes) that ended and the points left out (missing or excluded) in it."""

    start: int
    periods: tuple[str, ...]
    values: FloatArray
    numerators: FloatArray | None
    denominators: FloatArray | None
    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray
    phase: NDArray[np.int64]
    rule: tuple[str, ...]
    signal: tuple[str, ...]
    is_excluded: BoolArray
    signals: tuple[Signal, ...]
    excluded: tuple[Exclusion, ...]

    def __len__(self) -> int:
        return len(self.periods)


@dataclass
class _PhaseFacts:
    start: int
    stop: int
    scalars: PhaseScalars
    shift_length: int
    phase: Phase
    #: The periods of the points excluded on request (for the options).
    excluded: list[str] = field(default_factory=list)


@dataclass
class _Episode:
    rule: int
    side: int
    phase: int
    start: int
    end: int
    count: int
    first_period: str
    last_period: str


@dataclass
class StreamedChart:
    """A chart whose points come a block at a time from :meth:`blocks`.

    ``chart``, ``options``, ``phases``, ``runs`` and ``warnings`` are known
    before the first block; ``variation`` and ``assurance`` once the last
    block has been handed out (``None`` until then)."""

    chart: str
    options: dict[str, Any]
    n: int
    phases: tuple[Phase, ...]
    runs: RunsAnalysis
    warnings: tuple[str, ...]
    improvement: str
    target: float | None
    variation: str | None = None
    assurance: str | None = None
    _source: Source = field(repr=False, default=lambda a, b: None)  # type: ignore[assignment]  # set by stream_chart
    _facts: list[_PhaseFacts] = field(repr=False, default_factory=list)
    _block: int = 2000

    def blocks(self) -> Iterator[PointBlock]:
        """The points, a block at a time, in order (once)."""
        return _points(self)


@dataclass(frozen=True)
class ChartFacts:
    """What the first pass finds (each phase's figures, warnings and runs
    analysis), for ``n`` points with phases starting at ``rebase_at`` and
    these options: computed once when the data change and kept
    (:meth:`to_json`), a later stream needs no first pass."""

    chart: str
    n: int
    rebase_at: tuple[int, ...]
    options: dict[str, Any]
    phases: tuple[_PhaseFacts, ...]
    warnings: tuple[str, ...]
    has_value: bool

    def fits(
        self, chart: str, n: int, rebase_at: Sequence[int], options: dict[str, Any]
    ) -> bool:
        """Whether these are the facts of this chart of ``n`` points, phases and options."""
        try:
            settings = _chart_options(chart, options)
        except ValueError:
            return False
        return (
            chart == self.chart
            and n == self.n
            and tuple(rebase_at) == self.rebase_at
            and settings == self.options
        )

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON-ready values (every float exactly, as hex)."""
        return {
            "chart": self.chart,
            "n": self.n,
            "rebase_at": list(self.rebase_at),
            "options": {k: _exact(v) for k, v in self.options.items()},
            "phases": [_phase_json(f) for f in self.phases],
            "warnings": list(self.warnings),
            "has_value": self.has_value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChartFacts:
        return cls(
            chart=data["chart"],
            n=int(data["n"]),
            rebase_at=tuple(int(i) for i in data["rebase_at"]),
            options={k: _inexact(v) for k, v in data["options"].items()},
            phases=tuple(_phase_from_json(f) for f in data["phases"]),
            warnings=tuple(data["warnings"]),
            has_value=bool(data["has_value"]),
        )


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        return {"float": value.hex()}
    if isinstance(value, list):
        return [_exact(v) for v in value]
    return value


def _inexact(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"float"}:
        return float.fromhex(value["float"])
    if isinstance(value, list):
        return [_inexact(v) for v in value]
    return value


def _phase_json(f: _PhaseFacts) -> dict[str, Any]:
    p = f.phase
    runs = _runs_of(p)
    return {
        "start": f.start,
        "stop": f.stop,
        "scalars": [
            f.scalars.chart,
            *(
                _exact(float(v))
                for v in (
                    f.scalars.centre,
                    f.scalars.amr,
                    f.scalars.sigma_z,
                    f.scalars.median,
                )
            ),
        ],
        "shift_length": f.shift_length,
        "excluded": list(f.excluded),
        "phase": {
            "index": p.index,
            "start": p.start,
            "end": p.end,
            "first_period": p.first_period,
            "centre": _exact(float(p.centre)),
            "mean_moving_range": None
            if p.mean_moving_range is None
            else _exact(float(p.mean_moving_range)),
            "n_points": p.n_points,
            "n_baseline": p.n_baseline,
            "runs": [
                runs.phase,
                runs.useful,
                runs.longest_run,
                runs.longest_run_max,
                runs.crossings,
                runs.crossings_min,
                runs.is_long_run,
                runs.is_few_crossings,
            ],
        },
    }


def _phase_from_json(data: dict[str, Any]) -> _PhaseFacts:
    chart, centre, amr, sigma_z, median = data["scalars"]
    p = data["phase"]
    runs = p["runs"]
    return _PhaseFacts(
        start=int(data["start"]),
        stop=int(data["stop"]),
        scalars=PhaseScalars(
            chart, _inexact(centre), _inexact(amr), _inexact(sigma_z), _inexact(median)
        ),
        shift_length=int(data["shift_length"]),
        phase=Phase(
            index=int(p["index"]),
            start=int(p["start"]),
            end=int(p["end"]),
            first_period=p["first_period"],
            centre=_inexact(p["centre"]),
            mean_moving_range=None
            if p["mean_moving_range"] is None
            else _inexact(p["mean_moving_range"]),
            n_points=int(p["n_points"]),
            n_baseline=int(p["n_baseline"]),
            runs=RunsAnalysis(
                int(runs[0]),
                int(runs[1]),
                int(runs[2]),
                int(runs[3]),
                int(runs[4]),
                int(runs[5]),
                bool(runs[6]),
                bool(runs[7]),
            ),  # fmt: skip
        ),
        excluded=list(data["excluded"]),
    )


def chart_facts(
    chart: str,
    source: Source,
    n: int,
    *,
    rebase_at: Sequence[int] = (),
    block: int = 2000,
    **options: Any,
) -> ChartFacts:
    """The first pass of :func:`stream_chart`: reads the whole source once, a
    phase at a time (raising ``ValueError`` as the chart would)."""
    if chart not in STREAM_CHARTS:
        raise ValueError(
            f"chart must be one of {', '.join(STREAM_CHARTS)}; got {chart!r}"
        )
    if n < 1:
        raise InsufficientDataError(f"{chart} needs at least one value; there are none")
    if block < 1:
        raise ValueError(f"block must be at least 1 point; got {block}")
    settings = _chart_options(chart, options)
    starts = [0, *rebase_at]
    if (
        sorted(set(starts)) != starts
        or starts[-1] >= n
        or (rebase_at and rebase_at[0] == 0)
    ):
        raise ValueError(
            "rebase_at must be increasing indices after the first point and before "
            f"the end ({n} points); got {list(rebase_at)}"
        )
    stops = [*rebase_at, n]
    facts: list[_PhaseFacts] = []
    warnings: list[str] = []
    has_value = False
    position = 0
    for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
        phase, position, found = _phase_facts(
            chart,
            source,
            settings,
            k,
            a,
            b,
            position,
            block,
            one_phase=len(starts) == 1,
        )
        facts.append(phase[0])
        warnings.extend(phase[1])
        has_value = has_value or found
    return ChartFacts(
        chart, n, tuple(rebase_at), settings, tuple(facts), tuple(warnings), has_value
    )


def stream_chart(
    chart: str,
    source: Source,
    n: int,
    *,
    rebase_at: Sequence[int] = (),
    block: int = 2000,
    facts: ChartFacts | None = None,
    **options: Any,
) -> StreamedChart:
    """The ``chart`` of the ``n`` points ``source`` reads, a block at a time.

    ``rebase_at`` are the indices of the first point of each new phase (as
    ``rebase`` names their periods for :func:`openqi.spc.spc_chart`); points
    excluded on request come from the source. The other options are those of
    the chart's own function, except ``rebase`` and ``exclude``. Unless
    ``facts`` kept from an earlier :func:`chart_facts` of the same points and
    options are given, first reads the whole source once (raising
    ``ValueError`` as the chart would, before any point is handed out);
    :meth:`StreamedChart.blocks` reads it again.
    """
    if facts is None or not facts.fits(chart, n, rebase_at, options):
        facts = chart_facts(
            chart, source, n, rebase_at=rebase_at, block=block, **options
        )
    settings = dict(facts.options)
    settings["rebase"] = [f.phase.first_period for f in facts.phases[1:]]
    settings["exclude"] = [label for f in facts.phases for label in f.excluded]
    if not facts.has_value:
        raise InsufficientDataError(
            f"{chart} needs at least one value; all {n} are missing"
        )
    return StreamedChart(
        chart=chart,
        options=settings,
        n=n,
        phases=tuple(f.phase for f in facts.phases),
        runs=_runs_of(facts.phases[-1].phase),
        warnings=facts.warnings,
        improvement=settings["improvement"],
        target=settings["target"],
        _source=source,
        _facts=list(facts.phases),
        _block=block,
    )


def _runs_of(phase: Phase) -> RunsAnalysis:
    if phase.runs is None:  # every phase of a streamed chart has its analysis
        raise ValueError(f"phase {phase.index} has no runs analysis")
    return phase.runs


def _chart_options(chart: str, given: dict[str, Any]) -> dict[str, Any]:
    """The chart's options as its own function records them (checked)."""
    parameters = inspect.signature(CHARTS[chart]).parameters
    unknown = sorted(
        k for k in given if k not in parameters or k in ("rebase", "exclude", "periods")
    )
    if unknown:
        raise ValueError(
            f"the streamed {chart} chart does not take {', '.join(unknown)}; remove "
            f"{'it' if len(unknown) == 1 else 'them'}"
        )
    out: dict[str, Any] = {}
    for name in _ORDER[chart]:
        # The XmR chart records multiply=1.0 without taking it.
        default = parameters[name].default if name in parameters else 1.0
        value = given.get(name, default)
        if name == "screen":
            value = bool(value)
        out[name] = value
    return _options(**out)


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    """A stretch of the source as the chart sees it."""

    plotted: FloatArray
    numerators: FloatArray | None
    denominators: FloatArray | None
    is_excluded: BoolArray
    periods: list[str]


def _read(chart: str, source: Source, start: int, stop: int) -> _Raw:
    got = source(start, stop)
    y = np.asarray(got.values, dtype=np.float64)
    size = stop - start
    if len(y) != size or len(got.is_excluded) != size or len(got.periods) != size:
        raise ValueError(
            f"the source gave {len(y)} points for points {start} to {stop - 1}; "
            f"it must give {size}"
        )
    if np.isinf(y).any():
        i = int(np.flatnonzero(np.isinf(y))[0])
        raise ValueError(
            f"values[{start + i}] is infinite; give a finite number or None"
        )
    den = None if got.denominators is None else np.asarray(got.denominators, np.float64)
    name = f"{chart}_chart" if chart != "run" else "run_chart"
    if chart in ("c", "g", "t"):
        kind = {"c": "count", "g": "cases_between", "t": "time_between"}[chart]
        check_series(kind, y, label=lambda i: f"{name}: index {start + i}")
    plotted = y
    numerators = None
    if chart in _RATIO or (chart == "run" and den is not None):
        if den is None:
            raise ValueError(
                f"the {chart} chart needs denominators; give a denominator column"
            )
        _check_ratio(y, den, name, start)
        numerators = y
        with np.errstate(invalid="ignore", divide="ignore"):
            plotted = np.where(np.isnan(den), np.nan, y / den)
    elif den is not None:
        raise ValueError(
            f"the {chart} chart takes no denominators; use a p, u, pp, up or run chart for ratios"
        )
    return _Raw(
        plotted,
        numerators,
        den,
        np.asarray(got.is_excluded, dtype=bool),
        list(got.periods),
    )


def _check_ratio(y: FloatArray, den: FloatArray, name: str, start: int) -> None:
    present = ~np.isnan(y)
    is_proportion = name in ("p_chart", "pp_chart")
    with np.errstate(invalid="ignore"):
        bad = present & (
            np.isnan(den) | (den <= 0) | (y < 0) | (is_proportion & (y > den))
        )
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        check_series(
            "proportion" if is_proportion else "rate",
            y[i : i + 1],
            den[i : i + 1],
            value_field="numerator",
            label=lambda _: f"{name}: index {start + i}",
        )


def _joined(parts: list[_Raw]) -> _Raw:
    if len(parts) == 1:
        return parts[0]

    def cat(arrays: list[Any]) -> Any:
        return None if arrays[0] is None else np.concatenate(arrays)

    return _Raw(
        np.concatenate([p.plotted for p in parts]),
        cat([p.numerators for p in parts]),
        cat([p.denominators for p in parts]),
        np.concatenate([p.is_excluded for p in parts]),
        [label for p in parts for label in p.periods],
    )


# --------------------------------------------------------------------------- pass 1


def _phase_facts(
    chart: str,
    source: Source,
    options: dict[str, Any],
    k: int,
    a: int,
    b: int,
    position: int,
    block: int,
    *,
    one_phase: bool,
) -> tuple[tuple[_PhaseFacts, list[str]], int, bool]:
    """One phase's figures, warnings and runs analysis, read from ``a`` to ``b``.

    Holds the phase's numbers (8 bytes a value; with the denominators and
    numerators of a ratio chart, 24), not its period labels."""
    size = b - a
    plotted = np.empty(size)
    numerators: FloatArray | None = None
    denominators: FloatArray | None = None
    is_excluded = np.empty(size, dtype=bool)
    first_period = ""
    excluded: list[str] = []
    for s in range(a, b, block):
        part = _read(chart, source, s, min(b, s + block))
        at, stop = s - a, s - a + len(part.plotted)
        if s == a:
            first_period = part.periods[0]
            if part.denominators is not None:
                numerators, denominators = np.empty(size), np.empty(size)
        plotted[at:stop] = part.plotted
        is_excluded[at:stop] = part.is_excluded
        if numerators is not None and part.numerators is not None:
            numerators[at:stop] = part.numerators
        if denominators is not None and part.denominators is not None:
            denominators[at:stop] = part.denominators
        excluded.extend(
            part.periods[i] for i in np.flatnonzero(part.is_excluded).tolist()
        )
    raw = _Raw(plotted, numerators, denominators, is_excluded, [])
    del plotted, numerators, denominators, is_excluded
    x = raw.plotted
    j = ~np.isnan(x) & ~raw.is_excluded
    base = j.copy()
    fix_after: int | None = options["fix_after"]
    if fix_after is not None:
        base[fix_after:] = False
    num, den = raw.numerators, raw.denominators
    dispersion = (
        overdispersion(np.where(base, num, np.nan), den, chart=chart)
        if chart in ("p", "u") and num is not None and den is not None
        else None
    )
    scalars = phase_scalars(chart, x, den, base, options.get("screen", True), num)
    one = lines_from_scalars(scalars, None if den is None else den[:1], 1)
    judged_one = one if one.judged_lines is None else one.judged_lines
    jx = x ** (1.0 / T_CHART_EXPONENT) if chart == "t" else x
    runs = _runs_analysis(k, jx, np.full(len(x), judged_one.centre[0]), j)
    del jx
    has_no_limits = chart != "run" and not _any_upper(scalars, den, len(x), block)
    multiply: float = options["multiply"]
    n_valid = int(j.sum())
    warnings = _phase_warnings(
        chart,
        k,
        first_period,
        one_phase=one_phase,
        n_valid=n_valid,
        size=b - a,
        fix_after=fix_after,
        has_no_limits=has_no_limits,
        dispersion=dispersion,
    )
    phase = Phase(
        index=k,
        start=a,
        end=b - 1,
        first_period=first_period,
        centre=one.phase_centre * multiply,
        mean_moving_range=None
        if one.mean_moving_range is None
        else one.mean_moving_range * multiply,
        n_points=n_valid,
        n_baseline=int(base.sum()),
        runs=runs,
    )
    facts = _PhaseFacts(
        a, b, scalars, _shift_length(chart, options, runs), phase, excluded
    )
    return (facts, warnings), b, bool((~np.isnan(x)).any())


def _any_upper(
    scalars: PhaseScalars, den: FloatArray | None, n: int, block: int
) -> bool:
    """Whether any point of the phase has an upper limit."""
    for s in range(0, n, block):
        size = min(n, s + block) - s
        lines = lines_from_scalars(
            scalars, None if den is None else den[s : s + size], size
        )
        if not np.isnan(lines.upper).all():
            return True
    return False


# --------------------------------------------------------------------------- pass 2


def _points(chart: StreamedChart) -> Iterator[PointBlock]:
    options = chart.options
    name = chart.chart
    rules_in_force = _RULES_IN_FORCE.get(name, _ALL_RULES)
    signal_names = (
        "common_cause",
        _signal_name(1, chart.improvement),
        _signal_name(-1, chart.improvement),
    )
    lengths = {
        "shift": options.get("shift_length", 7),
        "trend": options.get("trend_length", 7),
    }
    centre_name = _CENTRE_NAME.get(name, "mean")
    rule_names = np.array(RULES, dtype=object)
    state = _Ends()
    open_episode: _Episode | None = None

    def close(episode: _Episode) -> Signal:
        rule = RULES[episode.rule]
        signal = signal_names[1 if episode.side > 0 else 2]
        return Signal(
            rule=rule,
            signal=signal,
            side="high" if episode.side > 0 else "low",
            phase=episode.phase,
            start=episode.start,
            end=episode.end,
            n_points=episode.count,
            first_period=episode.first_period,
            last_period=episode.last_period,
            description=describe_signal(
                rule,
                signal,
                episode.side,
                episode.first_period,
                episode.last_period,
                episode.count,
                centre_name,
                lengths.get(rule, 0),
            ),
        )

    latest = chart._facts[-1].start
    for facts in chart._facts:
        a, b = facts.start, facts.stop
        reach = rule_reach(options, facts.shift_length)
        buffer: list[_Raw] = []
        buffer_start = a
        read_to = a
        done = a
        while done < b:
            if read_to < b:
                stop = min(b, read_to + chart._block)
                buffer.append(_read(name, chart._source, read_to, stop))
                read_to = stop
            final = b if read_to == b else read_to - reach
            if final <= done:
                continue
            raw = _joined(buffer)
            buffer = [raw]
            out, codes, sides = _window(
                name, raw, buffer_start, done, final, facts, options, rules_in_force
            )
            # Signals: episodes of one rule, side and phase, followed across blocks.
            ended: list[Signal] = []
            offset = done
            for i in np.flatnonzero(codes).tolist():
                at = offset + i
                code, side = int(codes[i]), int(sides[i])
                label = out.periods[i]
                e = open_episode
                if (
                    e is not None
                    and e.rule == code
                    and e.side == side
                    and e.phase == facts.phase.index
                    and (
                        at == e.end + 1
                        or (at == e.end + 2 and RULES[code] == "two_of_three")
                    )
                ):
                    e.end, e.last_period, e.count = at, label, e.count + 1
                    continue
                if e is not None:
                    ended.append(close(e))
                open_episode = _Episode(
                    code, side, facts.phase.index, at, at, 1, label, label
                )
            e = open_episode
            if e is not None and (e.end + 2 < final or final == b):
                # Nothing later can join it: the two points after it are judged
                # already, or its phase has ended.
                ended.append(close(e))
                open_episode = None
            state.see(out, codes, sides, is_latest=a == latest)
            yield PointBlock(
                start=done,
                periods=tuple(out.periods),
                values=out.plotted,
                numerators=out.numerators,
                denominators=out.denominators,
                centre=out.lines.centre,
                lower=out.lines.lower,
                upper=out.lines.upper,
                near_lower=out.lines.near_lower,
                near_upper=out.lines.near_upper,
                phase=np.full(final - done, facts.phase.index, dtype=np.int64),
                rule=tuple(rule_names[codes].tolist()),
                signal=tuple(
                    np.array(signal_names, dtype=object)[
                        np.where(codes == 0, 0, np.where(sides > 0, 1, 2))
                    ].tolist()
                ),
                is_excluded=out.is_excluded,
                signals=tuple(ended),
                excluded=tuple(
                    Exclusion(out.periods[i], _MISSING if missing else _EXCLUDED)
                    for i, missing in _left_out(out)
                ),
            )
            done = final
            keep = max(a, done - reach)
            raw = buffer[0]
            cut = keep - buffer_start
            buffer = [_slice(raw, cut, len(raw.plotted))]
            buffer_start = keep
        del buffer
    chart.variation = state.variation(chart.improvement)
    chart.assurance = state.assurance(chart.improvement, chart.target)


@dataclass
class _Out:
    periods: list[str]
    plotted: FloatArray
    numerators: FloatArray | None
    denominators: FloatArray | None
    is_excluded: BoolArray
    missing: BoolArray
    lines: PhaseLines


def _slice(raw: _Raw, a: int, b: int) -> _Raw:
    return _Raw(
        raw.plotted[a:b],
        None if raw.numerators is None else raw.numerators[a:b],
        None if raw.denominators is None else raw.denominators[a:b],
        raw.is_excluded[a:b],
        raw.periods[a:b],
    )


def _window(
    chart: str,
    raw: _Raw,
    raw_start: int,
    done: int,
    final: int,
    facts: _PhaseFacts,
    options: dict[str, Any],
    rules_in_force: tuple[str, ...],
) -> tuple[_Out, NDArray[np.int8], NDArray[np.int8]]:
    """Lines and rules for points ``[done, final)``, judged with the rest of
    ``raw`` (which starts at point ``raw_start``) around them."""
    x = raw.plotted
    n = len(x)
    lines = lines_from_scalars(facts.scalars, raw.denominators, n)
    jx = x ** (1.0 / T_CHART_EXPONENT) if chart == "t" else x
    judged_lines = lines if lines.judged_lines is None else lines.judged_lines
    missing = np.isnan(x)
    j = ~missing & ~raw.is_excluded
    codes, sides = _judge(
        jx, judged_lines, j, options, rules_in_force, facts.shift_length
    )
    a, b = done - raw_start, final - raw_start
    multiply: float = options["multiply"]
    part = _slice(raw, a, b)
    plotted = part.plotted * multiply if multiply != 1.0 else part.plotted.copy()
    scaled = [
        (line[a:b] * multiply if multiply != 1.0 else line[a:b].copy())
        for line in (
            lines.centre,
            lines.lower,
            lines.upper,
            lines.near_lower,
            lines.near_upper,
        )
    ]
    out = _Out(
        part.periods,
        plotted,
        None if part.numerators is None else part.numerators.copy(),
        None if part.denominators is None else part.denominators.copy(),
        part.is_excluded.copy(),
        missing[a:b],
        PhaseLines(
            centre=scaled[0],
            lower=scaled[1],
            upper=scaled[2],
            near_lower=scaled[3],
            near_upper=scaled[4],
            phase_centre=lines.phase_centre,
        ),
    )
    return out, codes[a:b], sides[a:b]


def _left_out(out: _Out) -> Iterator[tuple[int, bool]]:
    for i in np.flatnonzero(out.missing | out.is_excluded).tolist():
        yield i, bool(out.missing[i])


class _Ends:
    """What the icons need from the points as they pass: the last point with a
    value, and the last point of the latest phase with both limits."""

    def __init__(self) -> None:
        self.last: tuple[int, int] | None = None  # (code, side)
        self.limits: tuple[float, float] | None = None
        self.final: tuple[float, float] = (math.nan, math.nan)

    def see(
        self,
        out: _Out,
        codes: NDArray[np.int8],
        sides: NDArray[np.int8],
        *,
        is_latest: bool,
    ) -> None:
        present = np.flatnonzero(~out.missing)
        if present.size:
            i = int(present[-1])
            self.last = (int(codes[i]), int(sides[i]))
        lower, upper = out.lines.lower, out.lines.upper
        self.final = (float(lower[-1]), float(upper[-1]))
        finite = np.flatnonzero(~np.isnan(upper) & ~np.isnan(lower))
        if finite.size and is_latest:
            i = int(finite[-1])
            self.limits = (float(lower[i]), float(upper[i]))

    def variation(self, improvement: str) -> str:
        code, side = self.last if self.last is not None else (0, 0)
        if code == 0:
            return "common_cause"
        name = _signal_name(side, improvement)
        return (
            name
            if improvement == "neither"
            else f"{name}_{'high' if side > 0 else 'low'}"
        )

    def assurance(self, improvement: str, target: float | None) -> str | None:
        lower, upper = self.limits if self.limits is not None else self.final
        return _assurance(improvement, target, lower, upper)
