"""The suggested progress rating: an IHI scale level computed from the evidence OpenQI holds.

Teams rate their own progress by hand, and those ratings drift. Beside the team's
and the coach's ratings, OpenQI suggests a level from what it can see: the team,
the aim, measures with data, the driver diagram, change ideas, PDSA cycles and
what they decided, and the SPC signals in the project's measures. Each level's
rule, in short (the full text, with the reasons behind each choice, is in
docs/progress-rating.md):

====  ===================================================================
0.5   the project exists
1.0   a lead and at least one team member, and the aim set
1.5   a linked measure with at least 10 points of data, and a driver
      diagram (at least one primary driver)
2.0   change ideas recorded or PDSA cycles planned, none studied yet
2.5   at least one PDSA cycle studied, no improvement signal yet
3.0   a change adopted, or special cause improvement in a process measure
3.5   special cause improvement in an outcome measure
4.0   the outcome improvement sustained for 3 months or more (or a new
      phase, after a rebase, better than the baseline with the latest
      point common cause or improvement), or an improved outcome measure
      that consistently passes its target
4.5   the outcome improvement sustained for 6 months or more, with the
      project sustaining (or completed)
5.0   every outcome measure consistently passes its target, and the
      improvement has held for 12 months or more
====  ===================================================================

The suggestion is the highest level whose rule holds: a team that keeps its
driver diagram on paper is not marked down for it, but the reasons say what
OpenQI does not hold. Signals that ended before the project's start date do not
count. The measures' charts are read from their stored summaries
(:mod:`openqi.measures.summaries`, computed when the data change), so no chart is
computed here; ``suggest_rating(project)`` works on any project, and the
portfolio passes ``summaries=`` (read once per page).
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openqi.measures.models import ChartSummary, Measure
from openqi.measures.summaries import summaries_for, summary_from_chart
from openqi.spc import ChartResult

from .models import PROGRESS_SCALE, Project, ProjectMeasure

# The driver diagram and the PDSA cycles belong to openqi.improvement, which sits
# above this app (its models point at Project), so they are read here through the
# reverse relations ``project.driver_nodes`` and ``project.cycles``, by the values
# of DriverNode.Kind, PDSACycle.Stage and PDSACycle.Act.
PRIMARY_DRIVER = "primary"
CHANGE_IDEA = "change_idea"
STUDIED_STAGES = ("study", "act")
ADOPT = "adopt"

__all__ = [
    "Counts",
    "Improvement",
    "Suggestion",
    "counts_from",
    "counts_of",
    "improvement_in",
    "suggest_rating",
]

#: Points a measure needs before it counts as a baseline.
BASELINE_POINTS = 10
#: Months an improvement must hold for levels 4.0, 4.5 and 5.0.
SUSTAINED_MONTHS = {Decimal("4.0"): 3, Decimal("4.5"): 6, Decimal("5.0"): 12}
#: Statuses that count as "sustaining or spread" for level 4.5.
SUSTAINING = (Project.Status.SUSTAINING, Project.Status.COMPLETED)

_DAYS_PER_MONTH = 30.4375
_PERIOD_DAYS: dict[str, int] = {
    Measure.Frequency.DAILY: 1,
    Measure.Frequency.WEEKLY: 7,
    Measure.Frequency.MONTHLY: 31,
    Measure.Frequency.QUARTERLY: 92,
}
_MONTH_LABEL = re.compile(r"^(\d{4})-(\d{2})$")
_DAY_LABEL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, eq=False)
class Suggestion:
    """A suggested IHI level, the evidence behind it and what would lift it."""

    score: Decimal
    reasons: list[str]
    evidence: dict[str, Any]
    next_step: str = ""

    @property
    def label(self) -> str:
        return PROGRESS_SCALE[self.score][0]

    @property
    def meaning(self) -> str:
        return PROGRESS_SCALE[self.score][1]


@dataclass(frozen=True)
class Improvement:
    """Special cause improvement found in one measure's chart.

    ``how`` is ``"signal"`` (improvement episodes in the latest phase) or
    ``"phase"`` (a new phase better than the baseline phase); ``since`` is the
    first period of the improvement and ``months`` how long it has held, counting
    the last improved period in full.
    """

    measure: str
    how: str
    since: datetime.date | None
    months: int
    assurance: str | None

    @property
    def is_sustained(self) -> bool:
        return self.how == "phase" or self.months >= SUSTAINED_MONTHS[Decimal("4.0")]

    def describe(self, role: str) -> str:
        when = f" since {self.since.strftime('%B %Y')}" if self.since else ""
        span = f" ({self.months} month{'' if self.months == 1 else 's'})"
        if self.how == "phase":
            return (
                f"{role} measure '{self.measure}': the new phase{when} is better than "
                f"the baseline and holding{span}"
            )
        return f"{role} measure '{self.measure}': special cause improvement{when}{span}"


def _label_date(label: str) -> datetime.date | None:
    """The first day of a chart's period label (2024-03 or 2024-03-04)."""
    if m := _MONTH_LABEL.match(label):
        return datetime.date(int(m.group(1)), int(m.group(2)), 1)
    if m := _DAY_LABEL.match(label):
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _months(start: datetime.date | None, last: datetime.date | None, freq: str) -> int:
    """Whole months from ``start`` to the end of the period beginning ``last``."""
    if start is None or last is None:
        return 0
    days = (last - start).days + _PERIOD_DAYS.get(freq, 1)
    return int((days + 3) / _DAYS_PER_MONTH)


def _is_better(now: float, before: float, improvement: str) -> bool:
    if math.isnan(now) or math.isnan(before):
        return False
    return now > before if improvement == "increase" else now < before


def improvement_in(
    chart: ChartSummary | ChartResult | None,
    measure: Measure,
    *,
    not_before: datetime.date | None = None,
) -> Improvement | None:
    """The special cause improvement a measure shows now, or None.

    Read from the measure's chart summary (a chart computed here is summarised
    first). Only the latest phase counts, and only while the latest point is
    common cause or improvement (a concern at the latest point means the
    improvement is not holding). ``not_before`` drops signals (and new phases)
    that ended before that date: they cannot be the project's doing.
    """
    if isinstance(chart, ChartResult):
        chart = summary_from_chart(measure, chart)
    if chart is None or not chart.has_chart:
        return None
    facts = chart.progress
    improvement = facts["improvement"]
    if improvement not in ("increase", "decrease"):
        return None
    if facts["last_signal"] not in ("common_cause", "improvement"):
        return None
    assurance = chart.assurance or None
    latest_phase = int(facts["phase"])
    last_date = _label_date(facts["last_period"])
    if latest_phase > 0:
        start = _label_date(facts["phase_first_period"])
        recent = not_before is None or start is None or start >= not_before
        if recent and _is_better(
            _float(facts["phase_centre"]), _float(facts["baseline_centre"]), improvement
        ):
            return Improvement(
                measure.name,
                "phase",
                start,
                _months(start, last_date, measure.frequency),
                assurance,
            )
    # [signal, start, end, first period, last period] per episode of the latest phase.
    found = facts["episodes"]
    improving = [e for e in found if e[0] == "improvement"]
    if not_before is not None:
        improving = [
            e for e in improving if (_label_date(e[4]) or not_before) >= not_before
        ]
    if not improving:
        return None
    first = improving[0]
    if any(e[0] == "concern" and e[1] > first[2] for e in found):
        return None
    start = _label_date(first[3])
    end = _label_date(improving[-1][4])
    return Improvement(
        measure.name,
        "signal",
        start,
        _months(start, end, measure.frequency),
        assurance,
    )


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _summaries_for(
    links: list[ProjectMeasure],
    summaries: Mapping[int, ChartSummary | None] | None,
    charts: Mapping[int, ChartResult | None] | None,
) -> dict[int, ChartSummary | None]:
    found: dict[int, ChartSummary | None] = {}
    wanted = []
    for link in links:
        if summaries is not None and link.measure_id in summaries:
            found[link.measure_id] = summaries[link.measure_id]
        elif charts is not None and link.measure_id in charts:
            chart = charts[link.measure_id]
            found[link.measure_id] = (
                None if chart is None else summary_from_chart(link.measure, chart)
            )
        else:
            wanted.append(link.measure)
    if wanted:
        stored = summaries_for(wanted)
        for measure in wanted:
            found[measure.pk] = stored.get(measure.pk)
    return found


def _points(summary: ChartSummary | None) -> int:
    return 0 if summary is None else summary.n_points


@dataclass(frozen=True)
class Counts:
    """What the suggestion reads of a project's team, driver diagram and PDSA
    cycles: numbers only (a list of many projects counts them in a query rather
    than reading every row, :func:`counts_of` reads them from the relations)."""

    team: int = 0
    primary_drivers: int = 0
    change_ideas: int = 0
    cycles: int = 0
    cycles_studied: int = 0
    changes_adopted: int = 0


def counts_from(
    team: int,
    kinds: Mapping[str, int],
    cycles: Iterable[tuple[str, str, int]],
) -> Counts:
    """The :class:`Counts` of a project with ``team`` members, ``kinds`` (each
    driver diagram node kind's number of nodes) and ``cycles`` (each PDSA cycle
    stage and act decision with its number of cycles)."""
    n = studied = adopted = 0
    for stage, act, count in cycles:
        n += count
        if stage in STUDIED_STAGES or act:  # Study done, or Act decided
            studied += count
        if act == ADOPT:
            adopted += count
    return Counts(
        team=team,
        primary_drivers=kinds.get(PRIMARY_DRIVER, 0),
        change_ideas=kinds.get(CHANGE_IDEA, 0),
        cycles=n,
        cycles_studied=studied,
        changes_adopted=adopted,
    )


def counts_of(project: Project) -> Counts:
    """The :class:`Counts` of ``project``, read through ``.all()`` (a prefetch
    serves them)."""
    return counts_from(
        len(project.team.all()),
        Counter(n.kind for n in project.driver_nodes.all()),
        [(c.stage, c.act, 1) for c in project.cycles.all()],
    )


def suggest_rating(
    project: Project,
    *,
    summaries: Mapping[int, ChartSummary | None] | None = None,
    charts: Mapping[int, ChartResult | None] | None = None,
    counts: Counts | None = None,
) -> Suggestion:
    """The IHI level the evidence in OpenQI supports, with the reasons in words.

    ``summaries`` maps measure ids to their stored chart summaries for callers
    that have read them already (``charts``, to charts from ``chart_for``); the
    others are read here in one query. The project's ``measure_links`` (with
    ``measure``) are read through ``.all()``, so a prefetch serves them, and so
    are its ``team``, ``driver_nodes`` and ``cycles`` unless ``counts`` gives
    their numbers (:class:`Counts`).
    """
    if counts is None:
        counts = counts_of(project)
    team = counts.team
    has_lead = project.lead_id is not None
    has_aim = bool(project.aim_what.strip())
    primary = counts.primary_drivers
    change_ideas = counts.change_ideas
    n_cycles = counts.cycles
    studied = counts.cycles_studied
    adopted = counts.changes_adopted
    links = list(project.measure_links.all())
    found = _summaries_for(links, summaries, charts)
    with_data = [
        link for link in links if _points(found[link.measure_id]) >= BASELINE_POINTS
    ]
    outcome_links = [link for link in links if link.role == ProjectMeasure.Role.OUTCOME]
    not_before = project.start_date
    process = [
        imp
        for link in links
        if link.role == ProjectMeasure.Role.PROCESS
        and (
            imp := improvement_in(
                found[link.measure_id], link.measure, not_before=not_before
            )
        )
    ]
    outcome = [
        imp
        for link in outcome_links
        if (
            imp := improvement_in(
                found[link.measure_id], link.measure, not_before=not_before
            )
        )
    ]
    passing = [
        link.measure.name
        for link in outcome_links
        if (summary := found[link.measure_id]) is not None
        and summary.assurance == "consistent_pass"
    ]
    is_sustaining = project.status in SUSTAINING
    longest = max((imp.months for imp in outcome), default=0)

    # Each level: (is it met, the reason when met, what is missing when not).
    levels: list[tuple[Decimal, bool, str, str]] = []

    def level(score: str, met: bool, reason: str, missing: str) -> None:
        levels.append((Decimal(score), met, reason, missing))

    level(
        "0.5",
        True,
        f"The project is recorded ({project.get_status_display().lower()})",
        "",
    )
    team_words = []
    if not has_lead:
        team_words.append("a lead")
    if not team:
        team_words.append("team members")
    if not has_aim:
        team_words.append("an aim")
    level(
        "1.0",
        has_lead and team > 0 and has_aim,
        f"Team formed: a lead and {_plural(team, 'team member')}; aim set",
        f"needs {' and '.join(team_words)}",
    )
    baseline_missing = []
    if not with_data:
        baseline_missing.append(
            f"a linked measure with at least {BASELINE_POINTS} points of data"
        )
    if not primary:
        baseline_missing.append("a driver diagram")
    level(
        "1.5",
        bool(with_data) and primary > 0,
        f"{_plural(len(with_data), 'measure')} with a baseline of "
        f"{BASELINE_POINTS} or more points; a driver diagram with "
        f"{_plural(primary, 'primary driver')}",
        f"needs {' and '.join(baseline_missing)}",
    )
    level(
        "2.0",
        change_ideas > 0 or n_cycles > 0,
        f"{_plural(change_ideas, 'change idea')} recorded; "
        f"{_plural(n_cycles, 'PDSA cycle')} planned or run",
        "needs change ideas or a planned PDSA cycle",
    )
    level(
        "2.5",
        studied > 0,
        f"{_plural(studied, 'PDSA cycle')} studied; {_plural(adopted, 'change')} adopted",
        "needs a PDSA cycle run and studied",
    )
    level(
        "3.0",
        adopted > 0 or bool(process),
        "; ".join(
            ([f"{_plural(adopted, 'change')} adopted"] if adopted else [])
            + [imp.describe("Process") for imp in process]
        ),
        "needs a change adopted, or special cause improvement in a process measure",
    )
    level(
        "3.5",
        bool(outcome),
        "; ".join(imp.describe("Outcome") for imp in outcome),
        "needs special cause improvement in an outcome measure",
    )
    sustained = [imp for imp in outcome if imp.is_sustained]
    passing_improved = [imp for imp in outcome if imp.assurance == "consistent_pass"]
    level(
        "4.0",
        bool(sustained) or bool(passing_improved),
        "; ".join(
            [
                f"'{imp.measure}' sustained for {_plural(imp.months, 'month')}"
                for imp in sustained
            ]
            + [
                f"'{imp.measure}' consistently passes its target"
                for imp in passing_improved
            ]
        ),
        "needs the outcome improvement to hold for 3 months, or an improved "
        "outcome measure to pass its target consistently",
    )
    six = SUSTAINED_MONTHS[Decimal("4.5")]
    level(
        "4.5",
        longest >= six and is_sustaining,
        f"Improvement held for {longest} months and the project is "
        f"{project.get_status_display().lower()}",
        f"needs the outcome improvement to hold for {six} months (now {longest}) "
        "with the project sustaining"
        if not is_sustaining or longest < six
        else "",
    )
    twelve = SUSTAINED_MONTHS[Decimal("5.0")]
    all_pass = bool(outcome_links) and len(passing) == len(outcome_links)
    level(
        "5.0",
        all_pass and longest >= twelve and levels[-1][1],
        f"Every outcome measure consistently passes its target; improvement "
        f"held for {longest} months",
        f"needs every outcome measure to pass its target consistently "
        f"({len(passing)} of {len(outcome_links)} do)"
        + (
            f" and the improvement to hold for {twelve} months"
            if longest < twelve
            else ""
        )
        + ("" if levels[-1][1] else ", after level 4.5"),
    )

    score = max(s for s, met, _, _ in levels if met)
    reasons = [reason for s, met, reason, _ in levels if met and reason]
    reasons += [
        f"Not in OpenQI yet (level {s}): {missing[len('needs ') :]}"
        for s, met, _, missing in levels
        if not met and s < score and missing
    ]
    above = [(s, missing) for s, met, _, missing in levels if s > score]
    next_step = f"For {above[0][0]}: {above[0][1]}." if above else ""
    evidence: dict[str, Any] = {
        "team_members": team,
        "has_lead": has_lead,
        "has_aim": has_aim,
        "measures_with_baseline": len(with_data),
        "primary_drivers": primary,
        "change_ideas": change_ideas,
        "cycles": n_cycles,
        "cycles_studied": studied,
        "changes_adopted": adopted,
        "process_improvements": [imp.measure for imp in process],
        "outcome_improvements": [
            {
                "measure": imp.measure,
                "how": imp.how,
                "since": imp.since,
                "months": imp.months,
                "assurance": imp.assurance,
            }
            for imp in outcome
        ],
        "outcome_measures": len(outcome_links),
        "outcome_measures_passing": len(passing),
        "status": project.status,
    }
    return Suggestion(score, reasons, evidence, next_step)
