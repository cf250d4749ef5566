"""A measure's chart: the translation between model rows and :mod:`openqi.spc`,
the over-dispersion check that picks an automatic chart, and the chart's words.

Pages, the API, the measures overview and the board report all call
:func:`chart_for`, so a measure's chart is computed one way everywhere.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

from openqi.spc import ChartResult, Dispersion, overdispersion, render_svg, spc_chart

from .models import DataPoint, Measure

#: Charts whose plotted value is numerator ÷ denominator (× the multiplier).
RATIO_CHARTS = frozenset({"p", "pp", "u", "up"})


def chart_svg(
    measure: Measure,
    result: ChartResult,
    *,
    annotations: Sequence[Any] | None = None,
    points: Sequence[Any] | None = None,
) -> str:
    """The measure's chart drawn as SVG, with its annotations, and the reason for
    each point left out of the calculations, as numbered marks.

    A note on a period with no data point is not drawn (pages list every note).
    A page that has read the measure's annotations and points already passes them
    (anything with ``period``/``text``, ``period``/``is_excluded``/
    ``exclusion_reason``), saving the two queries.
    """
    charted = set(result.periods)
    if annotations is None:
        annotations = list(measure.annotations.order_by("period", "pk"))
    else:
        annotations = sorted(annotations, key=lambda note: (note.period, note.pk))
    notes = [(note.period, note.text) for note in annotations]
    if points is None:
        excluded = list(
            measure.points.filter(is_excluded=True).values_list(
                "period", "exclusion_reason"
            )
        )
    else:
        excluded = [(p.period, p.exclusion_reason) for p in points if p.is_excluded]
    notes += [
        (period, f"Left out of the calculations: {reason}")
        for period, reason in excluded
    ]
    notes.sort(key=lambda note: note[0])
    marks = [
        (label, text)
        for period, text in notes
        if (label := period_label(measure, period)) in charted
    ]
    svg: str = render_svg(
        result,
        title=measure.name,
        y_label=measure.unit_label or None,
        x_label="Period",
        annotations=marks,
    )
    return svg


def period_label(measure: Measure, period: datetime.date) -> str:
    """How a period is written on the chart: 2024-03 for months, the date otherwise."""
    if measure.frequency in (Measure.Frequency.MONTHLY, Measure.Frequency.QUARTERLY):
        return period.strftime("%Y-%m")
    return period.isoformat()


def chart_for(
    measure: Measure, points: Sequence[DataPoint] | None = None
) -> ChartResult | None:
    """The measure's SPC chart, or None while it has no data.

    Phase breaks become ``rebase`` periods (a break on a date with no data point
    starts the phase at the next point); the target is in the plotted units;
    excluded points and ``fix_after`` pass to the engine as they are. Raises
    ``ValueError`` (from :mod:`openqi.spc`) when the data cannot make the chart,
    with a message fit to show.
    """
    if points is None:
        points = list(measure.points.order_by("period"))
    if not points:
        return None
    labels = [period_label(measure, p.period) for p in points]
    values = [p.value for p in points]
    chart = measure.chart_type or Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    options: dict[str, Any] = {
        "improvement": measure.improvement,
        "target": measure.target,
    }
    denominators = None
    if chart in RATIO_CHARTS or (chart == "run" and measure.has_denominator()):
        denominators = [p.denominator for p in points]
        options["multiply"] = measure.multiplier
    rebase = []
    breaks = sorted(b.period for b in measure.phase_breaks.all())
    for when in breaks:
        for point, label in zip(points, labels, strict=True):
            if point.period >= when:
                if point is not points[0] and label not in rebase:
                    rebase.append(label)
                break
    if rebase:
        options["rebase"] = rebase
    # Points from the portfolio's bulk loader carry only period, value and denominator.
    excluded = [
        label
        for point, label in zip(points, labels, strict=True)
        if getattr(point, "is_excluded", False)
    ]
    if excluded:
        options["exclude"] = excluded
    if measure.fix_after is not None:
        options["fix_after"] = measure.fix_after
    return spc_chart(chart, values, denominators, labels, **options)


# ---------------------------------------------------------------------------
# Over-dispersion: when a p or u chart's limits are too narrow for the data


def series_dispersion(
    measure: Measure, series: Sequence[tuple[datetime.date, Any, Any, bool]]
) -> Dispersion | None:
    """The over-dispersion check (:func:`openqi.spc.overdispersion`) of a
    proportion's or rate's (period, numerator, denominator, excluded) series, in
    period order; None for other kinds, or for data no p or u chart can take.

    Only the latest phase counts: a sustained change between phases is not
    over-dispersion, and the latest phase's limits are the ones read. Excluded and
    incomplete points are left out, as the chart leaves them out of its limits.
    """
    if not measure.has_denominator():
        return None
    breaks = [b.period for b in measure.phase_breaks.all()]
    if series and breaks:
        # As in chart_for: a break starts its phase at the first point on or after it.
        starts = [b for b in breaks if series[0][0] < b <= series[-1][0]]
        if starts:
            series = [row for row in series if row[0] >= max(starts)]
    if measure.fix_after is not None:
        series = series[: measure.fix_after]  # the baseline the limits come from
    kept = [
        (float(n), float(d))
        for _, n, d, is_excluded in series
        if n is not None and d is not None and d > 0 and not is_excluded
    ]
    chart = "p" if measure.kind == Measure.Kind.PROPORTION else "u"
    try:
        return overdispersion([n for n, _ in kept], [d for _, d in kept], chart=chart)
    except ValueError:  # data no chart can use (a numerator above its denominator)
        return None


def dispersion_for(
    measure: Measure, points: Sequence[DataPoint] | None = None
) -> Dispersion | None:
    """The over-dispersion check of the measure's data (None for kinds without a
    denominator); see :func:`openqi.spc.overdispersion`."""
    if not measure.has_denominator():
        return None
    if points is None:  # plain rows: a measure may have tens of thousands
        rows = measure.points.order_by("period").values_list(
            "period", "value", "denominator", "is_excluded"
        )
        return series_dispersion(measure, list(rows))
    return series_dispersion(
        measure,
        [
            (p.period, p.value, p.denominator, getattr(p, "is_excluded", False))
            for p in points
        ],
    )


def is_overdispersed(dispersion: Dispersion | None) -> bool:
    return bool(
        dispersion is not None
        and dispersion.is_assessed
        and dispersion.is_overdispersed
    )


def automatic_chart(measure: Measure, dispersion: Dispersion | None) -> str:
    """The chart a measure gets when its chart is left to the app.

    The kind's usual chart (XmR, p, u, t or g); for a proportion or rate whose
    data are over-dispersed once there are enough points to tell
    (``MIN_DISPERSION_POINTS``), Laney's p′ or u′ chart instead, as Making Data
    Count advises for large denominators. It follows the data both ways.
    """
    usual = Measure.DEFAULT_CHART[Measure.Kind(measure.kind)]
    if is_overdispersed(dispersion):
        return Measure.LANEY_CHART.get(usual, usual)
    return usual


def refresh_chart_choice(measure: Measure) -> bool:
    """Move a measure whose chart is automatic to the chart its data call for.

    Called after every change to the measure or its data; saves (and so audits)
    only a change of chart. Returns whether the chart changed.
    """
    if not measure.is_chart_automatic:
        return False
    chart = automatic_chart(measure, dispersion_for(measure))
    if chart == measure.chart_type:
        return False
    measure.chart_type = chart
    measure.save(update_fields=["chart_type", "updated_at"])
    return True


def switch_to_laney(measure: Measure) -> bool:
    """Draw a p or u chart measure as p′ or u′ from now on (an editor's choice,
    so it no longer follows the data). False when it is not on a p or u chart."""
    laney = measure.laney_chart()
    if laney is None:
        return False
    measure.chart_type = laney
    measure.is_chart_automatic = False
    measure.save(update_fields=["chart_type", "is_chart_automatic", "updated_at"])
    return True


# ---------------------------------------------------------------------------
# Words for the page: icons, assurance, rules


#: The variation icon's meaning in words (Making Data Count).
VARIATION_WORDS: dict[str, str] = {
    "common_cause": "Common cause variation: no sign of special cause at the latest point.",
    "improvement_high": "Special cause improvement: the latest point is unusually high, which is good.",
    "improvement_low": "Special cause improvement: the latest point is unusually low, which is good.",
    "concern_high": "Special cause concern: the latest point is unusually high, which is a worry.",
    "concern_low": "Special cause concern: the latest point is unusually low, which is a worry.",
    "neutral_high": "Special cause variation, high: unusual, but higher is neither better nor worse.",
    "neutral_low": "Special cause variation, low: unusual, but lower is neither better nor worse.",
}
#: Short names for the icons, for lists.
VARIATION_NAMES: dict[str, str] = {
    "common_cause": "Common cause",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}
ASSURANCE_NAMES: dict[str, str] = {
    "consistent_pass": "Consistently passes the target",
    "consistent_fail": "Consistently fails the target",
    "inconsistent": "Hits and misses the target",
}
RULE_WORDS: dict[str, str] = {
    "common_cause": "",
    "outside_limits": "Outside the limits",
    "trend": "Trend",
    "two_of_three": "Two of three near a limit",
    "shift": "Shift",
}
SIGNAL_WORDS: dict[str, str] = {
    "common_cause": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}
#: One sentence on each chart, for the measure form.
CHART_HINTS: dict[str, str] = {
    "xmr": "Plots each value with limits from the average moving range: the usual choice for counts and measurements.",
    "run": "Plots values around their median, with no limits: for a short series or a first look.",
    "p": "Plots a proportion with limits that widen for small denominators: for numerator out of denominator.",
    "pp": "A p chart whose limits allow for extra variation between periods: for very large denominators.",
    "u": "Plots a rate per unit of exposure with limits that vary with the exposure: for events per bed day.",
    "up": "A u chart whose limits allow for extra variation between periods: for very large exposures.",
    "c": "Plots counts of events when the chance of an event stays the same from period to period.",
    "g": "Plots the number of cases between rare events: a rise means events are rarer.",
    "t": "Plots the time between rare events: a rise means events are rarer.",
}


def number_text(value: float | None, measure: Measure | None = None) -> str:
    """A number as the page shows it: no needless ".0", and the unit when it is %."""
    if value is None or not math.isfinite(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.1f}"
    if measure is not None and measure.unit_label.strip() == "%":
        return f"{text}%"
    return text


def assurance_sentence(measure: Measure, result: ChartResult) -> str:
    """The assurance icon in a sentence, against the latest phase's process limits."""
    target = result.target
    if target is None:
        return "No target is set, so there is no assurance icon."
    words = number_text(target, measure)
    if result.assurance is None:
        if result.improvement == "neither":
            return (
                f"The target of {words} cannot be judged until the measure says whether "
                "higher or lower is better."
            )
        return f"The target of {words} cannot be judged on this chart, which has no process limits."
    if result.assurance == "inconsistent":
        return (
            f"The target of {words} lies between the process limits: the process will "
            "sometimes meet it and sometimes miss it, by chance alone."
        )
    upper = float(result.upper[-1])
    where = (
        "above the upper process limit"
        if target > upper
        else "below the lower process limit"
    )
    if result.assurance == "consistent_fail":
        return (
            f"The target of {words} lies {where}: the process will consistently fail it "
            "unless something changes."
        )
    return f"The target of {words} lies {where}: the process will consistently meet it."
