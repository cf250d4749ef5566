"""Frozen result types returned by the SPC core.

Every chart function returns a :class:`ChartResult`, funnel plots return a
:class:`FunnelResult` and the batch engine a :class:`BatchResult` (XmR) or an
:class:`AttributeBatchResult` (p, u, p′ and u′) or a :class:`RunBatchResult`
(run charts). They hold
plain floats, strings and NumPy arrays; ``to_dict()`` gives the JSON shape fixed
in the SPC contract (``NaN`` becomes ``None``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ASSURANCES",
    "RULES",
    "SIGNALS",
    "VARIATIONS",
    "AttributeBatchResult",
    "BatchResult",
    "ChartResult",
    "Dispersion",
    "Exclusion",
    "FunnelResult",
    "FunnelUnit",
    "FunnelUnits",
    "Phase",
    "RunBatchResult",
    "RunsAnalysis",
    "Signal",
]

FloatArray = NDArray[np.float64]

#: Rule names, in order of priority after ``common_cause`` (code 0). The batch
#: engine stores a rule as its index in this tuple.
RULES: tuple[str, ...] = (
    "common_cause",
    "outside_limits",
    "trend",
    "two_of_three",
    "shift",
)
#: Point signals; the batch engine stores a signal as its index in this tuple.
SIGNALS: tuple[str, ...] = (
    "common_cause",
    "improvement",
    "concern",
    "neutral_high",
    "neutral_low",
)
#: Variation icons (from the last point); index = batch code.
VARIATIONS: tuple[str, ...] = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
#: Assurance icons; index = batch code, ``-1`` in a batch means no icon (``None``).
ASSURANCES: tuple[str, ...] = ("consistent_pass", "consistent_fail", "inconsistent")


def _num(value: float | int | None) -> float | int | None:
    """A JSON-safe number: ``NaN`` and infinities become ``None``."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Exclusion:
    """A period left out of the calculations, and why."""

    period: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"period": self.period, "reason": self.reason}


@dataclass(frozen=True)
class RunsAnalysis:
    """The Anhøj runs analysis of one phase against its centre line.

    ``useful`` is the number of points not on the centre line; ``longest_run``
    and ``crossings`` are counted over them, and ``is_signal`` is true when the
    longest run exceeds ``longest_run_max`` or the crossings fall below
    ``crossings_min``.
    """

    phase: int
    useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int
    is_long_run: bool
    is_few_crossings: bool

    @property
    def is_signal(self) -> bool:
        return self.is_long_run or self.is_few_crossings

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "useful_points": self.useful,
            "longest_run": self.longest_run,
            "longest_run_max": self.longest_run_max,
            "crossings": self.crossings,
            "crossings_min": self.crossings_min,
            "signal": self.is_signal,
        }


@dataclass(frozen=True)
class Signal:
    """One special-cause episode: consecutive flagged points of one rule and side.

    ``start`` and ``end`` are inclusive point indices and ``n_points`` the
    number of flagged points between them (a two-of-three episode may step over
    an unflagged point); ``description`` says in words what was seen, for example "7 points above the mean from 2024-03 to
    2024-09: special cause improvement (shift)".
    """

    rule: str
    signal: str
    side: str
    phase: int
    start: int
    end: int
    n_points: int
    first_period: str
    last_period: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "signal": self.signal,
            "side": self.side,
            "phase": self.phase,
            "first_period": self.first_period,
            "last_period": self.last_period,
            "points": self.n_points,
            "description": self.description,
        }


@dataclass(frozen=True)
class Phase:
    """One phase of a chart (a stretch between rebasing points).

    ``centre`` and ``mean_moving_range`` are the baseline figures (the first
    ``n_baseline`` valid points when limits are fixed, else all valid points);
    charts whose limits vary with the denominator report the centre only.
    """

    index: int
    start: int
    end: int
    first_period: str
    centre: float
    mean_moving_range: float | None
    n_points: int
    n_baseline: int
    runs: RunsAnalysis | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.index,
            "first_period": self.first_period,
            "points": self.n_points,
            "baseline_points": self.n_baseline,
            "centre": _num(self.centre),
            "mean_moving_range": _num(self.mean_moving_range),
            "runs": None if self.runs is None else self.runs.to_dict(),
        }


@dataclass(frozen=True, eq=False)
class ChartResult:
    """The outcome of one control or run chart.

    Arrays are aligned with ``periods`` (one entry per point, missing values as
    ``NaN``). ``values`` are the plotted statistic (a proportion, rate or count
    already multiplied by ``options["multiply"]``). ``near_lower`` and
    ``near_upper`` are the two-sigma lines used by the two-of-three rule
    (``NaN`` where a chart has none). ``rule`` and ``signal`` give each point's
    verdict; ``variation`` and ``assurance`` are the Making Data Count icons.
    """

    chart: str
    options: Mapping[str, Any]
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
    variation: str
    assurance: str | None
    improvement: str
    target: float | None
    phases: tuple[Phase, ...]
    signals: tuple[Signal, ...]
    runs: RunsAnalysis | None
    warnings: tuple[str, ...] = ()
    excluded: tuple[Exclusion, ...] = ()
    is_excluded: NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros(0, dtype=bool)
    )

    def __len__(self) -> int:
        return len(self.periods)

    def points(self) -> list[dict[str, Any]]:
        """One dictionary per point, in the contract's shape."""
        out = []
        for i, period in enumerate(self.periods):
            out.append(
                {
                    "period": period,
                    "value": _num(self.values[i]),
                    "numerator": None
                    if self.numerators is None
                    else _num(self.numerators[i]),
                    "denominator": None
                    if self.denominators is None
                    else _num(self.denominators[i]),
                    "centre": _num(self.centre[i]),
                    "lower": _num(self.lower[i]),
                    "upper": _num(self.upper[i]),
                    "near_lower": _num(self.near_lower[i]),
                    "near_upper": _num(self.near_upper[i]),
                    "phase": int(self.phase[i]),
                    "excluded": bool(self.is_excluded[i])
                    if len(self.is_excluded)
                    else False,
                    "rule": self.rule[i],
                    "signal": self.signal[i],
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object: chart, options, points and summary."""
        summary: dict[str, Any] = {
            "variation": self.variation,
            "assurance": self.assurance,
            "warnings": list(self.warnings),
            "excluded": [e.to_dict() for e in self.excluded],
            "signals": [s.to_dict() for s in self.signals],
            "phases": [p.to_dict() for p in self.phases],
        }
        if self.runs is not None:
            summary["runs"] = {
                k: v for k, v in self.runs.to_dict().items() if k not in ("phase",)
            }
        return {
            "chart": self.chart,
            "options": dict(self.options),
            "points": self.points(),
            "summary": summary,
        }


@dataclass(frozen=True)
class Dispersion:
    """Whether a p or u chart's data vary more than its limits assume.

    Returned by :func:`openqi.spc.overdispersion`. ``sigma_z`` is Laney's σ_z
    (the screened mean moving range of the z-scores / 1.128; 1 when the data
    vary as the binomial or Poisson model says), ``ratio`` the dispersion ratio
    φ = Σz² / (n − 1) and ``p_value`` that of the Pearson chi-square test of
    Σz² against χ²(n − 1); each is ``NaN`` when it cannot be assessed.
    ``points`` counts the usable points (a value and a denominator above 0);
    ``is_assessed`` is true from :data:`MIN_DISPERSION_POINTS` points;
    ``is_overdispersed`` gives the verdict and ``message`` one plain sentence
    for people ("" when not over-dispersed).
    """

    sigma_z: float
    ratio: float
    p_value: float
    points: int
    is_assessed: bool
    is_overdispersed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "sigma_z": _num(self.sigma_z),
            "ratio": _num(self.ratio),
            "p_value": _num(self.p_value),
            "points": self.points,
            "is_assessed": self.is_assessed,
            "is_overdispersed": self.is_overdispersed,
            "message": self.message,
        }


@dataclass(frozen=True)
class FunnelUnit:
    """One unit (organisation, ward, clinician) on a funnel plot.

    ``value`` is numerator / denominator times the multiplier; the limits are
    those at the unit's denominator (adjusted for over-dispersion when the
    result's ``adjusted`` is true); ``outlier`` is ``high``, ``low`` or ``none``
    against the chosen limit.
    """

    unit: str
    numerator: float
    denominator: float
    value: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    outlier: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "value": _num(self.value),
            "lower95": _num(self.lower95),
            "upper95": _num(self.upper95),
            "lower998": _num(self.lower998),
            "upper998": _num(self.upper998),
            "outlier": self.outlier,
        }


#: A funnel unit's ``outlier`` verdict by code (0, 1, 2).
OUTLIERS = ("none", "high", "low")


class FunnelUnits(Sequence[FunnelUnit]):
    """A funnel plot's units, held as columns; each :class:`FunnelUnit` is made
    when asked for, so that a million units cost arrays, not a million objects.

    ``names`` are the units' names; ``numerator`` … ``upper998`` the figures
    of :class:`FunnelUnit`; ``outlier`` codes into :data:`OUTLIERS`.
    """

    def __init__(
        self,
        names: Sequence[str],
        numerator: FloatArray,
        denominator: FloatArray,
        value: FloatArray,
        lower95: FloatArray,
        upper95: FloatArray,
        lower998: FloatArray,
        upper998: FloatArray,
        outlier: NDArray[np.int8],
    ) -> None:
        self.names = names
        self.numerator, self.denominator, self.value = numerator, denominator, value
        self.lower95, self.upper95 = lower95, upper95
        self.lower998, self.upper998 = lower998, upper998
        self.outlier = outlier

    def __len__(self) -> int:
        return len(self.names)

    def _unit(self, i: int) -> FunnelUnit:
        return FunnelUnit(
            unit=self.names[i],
            numerator=float(self.numerator[i]),
            denominator=float(self.denominator[i]),
            value=float(self.value[i]),
            lower95=float(self.lower95[i]),
            upper95=float(self.upper95[i]),
            lower998=float(self.lower998[i]),
            upper998=float(self.upper998[i]),
            outlier=OUTLIERS[int(self.outlier[i])],
        )

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return tuple(self._unit(j) for j in range(*i.indices(len(self))))
        n = len(self)
        index = int(i)
        if not -n <= index < n:
            raise IndexError("funnel unit index out of range")
        return self._unit(index % n)

    def __iter__(self) -> Iterator[FunnelUnit]:
        columns = (
            self.numerator.tolist(),
            self.denominator.tolist(),
            self.value.tolist(),
            self.lower95.tolist(),
            self.upper95.tolist(),
            self.lower998.tolist(),
            self.upper998.tolist(),
            [OUTLIERS[c] for c in self.outlier.tolist()],
        )
        for name, *figures in zip(self.names, *columns, strict=True):
            yield FunnelUnit(name, *figures)


@dataclass(frozen=True, eq=False)
class FunnelResult:
    """A funnel plot: the target, the over-dispersion estimate and every unit.

    ``phi`` is the over-dispersion ratio (``None`` when over-dispersion was not
    estimated), ``tau2`` the additive between-unit variance on the transformed
    scale, and ``adjusted`` whether the limits include it. ``curve_*`` arrays
    trace the limits over a grid of denominators for drawing.
    """

    type: str
    target: float
    phi: float | None
    tau2: float
    adjusted: bool
    limit: str
    multiply: float
    units: Sequence[FunnelUnit]
    curve_denominator: FloatArray
    curve_lower95: FloatArray
    curve_upper95: FloatArray
    curve_lower998: FloatArray
    curve_upper998: FloatArray
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "target": _num(self.target),
            "phi": _num(self.phi),
            "tau2": _num(self.tau2),
            "adjusted": self.adjusted,
            "limit": self.limit,
            "multiply": _num(self.multiply),
            "warnings": list(self.warnings),
            "units": [u.to_dict() for u in self.units],
        }


class _ManySeries:
    """What every batch result gives: its number of series and each series'
    icons in words (the codes index :data:`VARIATIONS` and :data:`ASSURANCES`)."""

    centre: FloatArray
    variation: NDArray[np.int8]
    assurance: NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.centre.shape[0])

    def variation_labels(self) -> list[str]:
        return [VARIATIONS[c] for c in self.variation]

    def assurance_labels(self) -> list[str | None]:
        return [None if c < 0 else ASSURANCES[c] for c in self.assurance]


@dataclass(frozen=True, eq=False)
class BatchResult(_ManySeries):
    """XmR results for many series at once (see :func:`openqi.spc.xmr_batch`).

    Per series (shape ``(S,)``): ``centre``, ``lower``, ``upper``,
    ``near_lower``, ``near_upper``, ``mean_moving_range``, ``n_points`` (valid
    points), ``variation`` (index into :data:`VARIATIONS`) and ``assurance``
    (index into :data:`ASSURANCES`, ``-1`` for none). Per point (shape
    ``(S, P)``): ``rule`` (index into :data:`RULES`) and ``signal`` (index into
    :data:`SIGNALS`).
    """

    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray
    mean_moving_range: FloatArray
    n_points: NDArray[np.int64]
    rule: NDArray[np.int8]
    signal: NDArray[np.int8]
    variation: NDArray[np.int8]
    assurance: NDArray[np.int8]


@dataclass(frozen=True, eq=False)
class AttributeBatchResult(_ManySeries):
    """p, u, p′ or u′ chart results for many series at once (see
    :func:`openqi.spc.p_batch`, :func:`openqi.spc.u_batch`,
    :func:`openqi.spc.pp_batch` and :func:`openqi.spc.up_batch`; ``chart`` is
    ``"p"``, ``"u"``, ``"pp"`` or ``"up"``).

    The limits of these charts vary with each point's denominator, so they are
    held per point. Everything is in plotted units (after ``multiply``), as in a
    :class:`ChartResult`. Per series (shape ``(S,)``): ``centre`` (p̄ or ū),
    ``multiply``, ``n_points`` (points with a value), ``variation`` (index into
    :data:`VARIATIONS`), ``assurance`` (index into :data:`ASSURANCES`, ``-1``
    for none), and the over-dispersion test of the baseline that
    :func:`openqi.spc.overdispersion` makes: ``sigma_z`` (Laney's σ_z),
    ``dispersion_ratio`` (φ), both ``NaN`` when not assessed, and
    ``is_overdispersed`` (for p′ and u′, ``sigma_z`` is the σ_z that widens the
    limits and the test is not made). Per point (shape ``(S, P)``): ``values`` (the plotted
    numerator ÷ denominator), ``lower``, ``upper``, ``near_lower``,
    ``near_upper``, ``rule`` (index into :data:`RULES`) and ``signal`` (index
    into :data:`SIGNALS`).
    """

    chart: str
    values: FloatArray
    centre: FloatArray
    lower: FloatArray
    upper: FloatArray
    near_lower: FloatArray
    near_upper: FloatArray
    multiply: FloatArray
    n_points: NDArray[np.int64]
    rule: NDArray[np.int8]
    signal: NDArray[np.int8]
    variation: NDArray[np.int8]
    assurance: NDArray[np.int8]
    sigma_z: FloatArray
    dispersion_ratio: FloatArray
    is_overdispersed: NDArray[np.bool_]

    def dispersion_message(self, series: int) -> str:
        """The sentence :func:`openqi.spc.overdispersion` gives series ``series``
        (and the single-series chart adds to its ``warnings``); ``""`` when it
        is not over-dispersed."""
        if not self.is_overdispersed[series]:
            return ""
        # Imported here: openqi.spc.dispersion imports this module.
        from .dispersion import _message

        return _message(self.chart, float(self.dispersion_ratio[series]))


@dataclass(frozen=True, eq=False)
class RunBatchResult(_ManySeries):
    """Run chart results for many series at once (see :func:`openqi.spc.run_batch`).

    Everything is in plotted units (after ``multiply``), as in a
    :class:`ChartResult`; a run chart has no limits. Per series (shape
    ``(S,)``): ``centre`` (the median), ``multiply``, ``n_points`` (points with a
    value), ``variation`` (index into :data:`VARIATIONS`), ``assurance``
    (always ``-1``: without limits there is no assurance icon, as
    :func:`openqi.spc.run_chart` gives none), and the Anhøj runs analysis of
    :class:`RunsAnalysis`: ``useful``, ``longest_run``, ``longest_run_max``,
    ``crossings``, ``crossings_min``, ``is_long_run`` and ``is_few_crossings``.
    Per point (shape ``(S, P)``): ``values``, ``rule`` (index into
    :data:`RULES`: a point of a run longer than ``longest_run_max`` is a
    ``shift``) and ``signal`` (index into :data:`SIGNALS`).
    """

    values: FloatArray
    centre: FloatArray
    multiply: FloatArray
    n_points: NDArray[np.int64]
    rule: NDArray[np.int8]
    signal: NDArray[np.int8]
    variation: NDArray[np.int8]
    assurance: NDArray[np.int8]
    useful: NDArray[np.int64]
    longest_run: NDArray[np.int64]
    longest_run_max: NDArray[np.int64]
    crossings: NDArray[np.int64]
    crossings_min: NDArray[np.int64]
    is_long_run: NDArray[np.bool_]
    is_few_crossings: NDArray[np.bool_]

    @property
    def is_runs_signal(self) -> NDArray[np.bool_]:
        """Per series: a run too long or too few crossings (``RunsAnalysis.is_signal``)."""
        return np.asarray(self.is_long_run | self.is_few_crossings, dtype=bool)
