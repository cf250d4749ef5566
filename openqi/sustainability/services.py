"""Sustainability checks: opening them, rating, the team's score, actions on the
weakest factors, and whether the project's measures have held their gain."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from openqi.accounts.models import User
from openqi.audit.kept import kept
from openqi.measures.charts import chart_for
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation
from openqi.projects.models import Project, ProjectMeasure

from .builtin import FACTOR_KEYS, factor
from .models import Rating, SustainabilityAction, SustainabilityCheck
from .scoring import CheckScore, check_score

logger = logging.getLogger(__name__)

#: The stages a change can be checked in: testing or implementing it (an active
#: project) and sustaining it.
CHECKABLE = (Project.Status.ACTIVE, Project.Status.SUSTAINING)
#: Bumped when what the kept figures hold changes shape.
_KEPT_FORMAT = 1


class NotCheckable(ValueError):
    """The project is not at a stage a sustainability check is for."""


def stage_refusal(project: Project) -> str:
    """Why ``project`` cannot be checked now ('' when it can)."""
    if project.status in CHECKABLE:
        return ""
    return (
        "A sustainability check is for a project that is testing, implementing or "
        f"sustaining its change (status Active or Sustaining); {project.title} is "
        f"{project.get_status_display()}. Change the project's status first."
    )


def checks_for(organisation: Organisation) -> QuerySet[SustainabilityCheck]:
    return SustainabilityCheck.objects.for_organisation(organisation).select_related(
        "project", "project__lead", "opened_by"
    )


def get_check_for(membership: Membership, pk: int) -> SustainabilityCheck:
    """The organisation's check ``pk`` with its project, or 404."""
    check = find_for(
        membership,
        checks_for(membership.organisation),
        pk,
        "sustainability check",
        "sustainability-checks",
    )
    check.project.organisation = membership.organisation
    return check


def checks_of(project: Project) -> list[SustainabilityCheck]:
    """The project's checks, newest first."""
    return list(
        SustainabilityCheck.objects.filter(project=project).select_related("opened_by")
    )


def open_check(
    project: Project, *, opened_on: datetime.date, opened_by: User | None
) -> SustainabilityCheck:
    """Open a check of ``project``; raises NotCheckable at the wrong stage."""
    refusal = stage_refusal(project)
    if refusal:
        raise NotCheckable(refusal)
    return SustainabilityCheck.objects.create(
        project=project, opened_on=opened_on, opened_by=opened_by
    )


def ratings_by(check: SustainabilityCheck, rater_id: int) -> dict[str, int]:
    """What ``rater_id`` gave each factor in ``check`` (factor key → 1–5)."""
    return dict(
        Rating.objects.filter(sustainability_check=check, rater_id=rater_id)
        .order_by()
        .values_list("factor", "score")
    )


def save_ratings(
    check: SustainabilityCheck, rater_id: int, scores: Mapping[str, int]
) -> None:
    """Record or change the rating by the person ``rater_id`` of each factor in ``scores``; a rating
    that does not change is not saved again."""
    unknown = set(scores) - set(FACTOR_KEYS)
    if unknown:
        raise ValueError(f"Unknown factors: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        existing = {
            r.factor: r
            for r in Rating.objects.select_for_update().filter(
                sustainability_check=check, rater_id=rater_id
            )
        }
        for key, value in scores.items():
            rating = existing.get(key)
            if rating is None:
                Rating.objects.create(
                    sustainability_check=check,
                    rater_id=rater_id,
                    factor=key,
                    score=value,
                )
            elif rating.score != value:
                rating.score = value
                rating.save()


def _scores(check_ids: Iterable[int]) -> dict[int, CheckScore]:
    """Each check's score from its ratings, in one query."""
    by_check: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    raters: dict[int, set[int]] = defaultdict(set)
    rows = Rating.objects.filter(sustainability_check_id__in=list(check_ids)).order_by()
    for check_id, rater_id, key, value in rows.values_list(
        "sustainability_check_id", "rater_id", "factor", "score"
    ):
        by_check[check_id][key].append(value)
        raters[check_id].add(rater_id)
    return {
        check_id: check_score(by_check.get(check_id, {}), len(raters.get(check_id, ())))
        for check_id in check_ids
    }


def score_of(check: SustainabilityCheck) -> CheckScore:
    return _scores([check.pk])[check.pk]


@dataclass(frozen=True)
class CheckPoint:
    """One check on the score-over-time line."""

    check_id: int
    opened_on: datetime.date
    score: float | None
    raters: int


def history(checks: list[SustainabilityCheck]) -> list[CheckPoint]:
    """The checks' scores, oldest first."""
    scores = _scores([c.pk for c in checks])
    return sorted(
        (
            CheckPoint(c.pk, c.opened_on, scores[c.pk].score, scores[c.pk].raters)
            for c in checks
        ),
        key=lambda p: (p.opened_on, p.check_id),
    )


def add_action(check: SustainabilityCheck, factor_key: str) -> SustainabilityAction:
    """Add the factor's suggested action to the check's plan (once per factor)."""
    suggested = factor(factor_key)
    action, _ = SustainabilityAction.objects.get_or_create(
        sustainability_check=check,
        factor=factor_key,
        defaults={"title": suggested.action},
    )
    return action


def get_action_for(membership: Membership, pk: int) -> SustainabilityAction:
    """The action ``pk`` of the member's organisation (404 otherwise)."""
    return find_for(
        membership,
        SustainabilityAction.objects.for_organisation(
            membership.organisation
        ).select_related("sustainability_check__project"),
        pk,
        "sustainability action",
        "sustainability-checks",
    )


def set_action_status(
    action: SustainabilityAction, status: str, version: int
) -> SustainabilityAction:
    """Mark ``action`` done or not started; :class:`VersionConflict` when someone
    changed it after ``version`` was read."""
    action.version = version
    action.status = status
    action.save(update_fields=["status"])
    return action


def actions_of(check: SustainabilityCheck) -> list[SustainabilityAction]:
    return list(SustainabilityAction.objects.filter(sustainability_check=check))


# ---------------------------------------------------------------------------
# Held gain: no special-cause concern since the latest phase began


@dataclass(frozen=True)
class MeasureGain:
    measure_id: int
    name: str
    #: "held", "concern", "no_data" or "unreadable" (the chart cannot be drawn).
    state: str
    #: The first period of the latest phase ('' without data).
    since: str
    has_phase_break: bool
    #: The latest concern in the latest phase, in words ('' when none).
    concern: str

    @property
    def is_held(self) -> bool:
        return self.state == "held"


@dataclass(frozen=True)
class HeldGain:
    measures: tuple[MeasureGain, ...]

    @property
    def is_held(self) -> bool | None:
        """True when every measure with data shows no concern in its latest
        phase; None when no measure has data."""
        judged = [m for m in self.measures if m.state in ("held", "concern")]
        if not judged:
            return None
        return all(m.is_held for m in judged)


def measure_gain(measure: Measure, points: list[DataPoint]) -> MeasureGain:
    """Whether ``measure`` shows no special-cause concern since its latest phase began."""
    try:
        chart = chart_for(measure, points)
    except ValueError as error:
        logger.info("Chart of measure %s not readable: %s", measure.pk, error)
        return MeasureGain(measure.pk, measure.name, "unreadable", "", False, "")
    if chart is None or not chart.phases:
        return MeasureGain(measure.pk, measure.name, "no_data", "", False, "")
    latest = chart.phases[-1]
    concerns = [
        s for s in chart.signals if s.phase == latest.index and s.signal == "concern"
    ]
    return MeasureGain(
        measure.pk,
        measure.name,
        "concern" if concerns else "held",
        latest.first_period,
        len(chart.phases) > 1,
        concerns[-1].description if concerns else "",
    )


def _measures_of(project_ids: list[int]) -> dict[int, list[Measure]]:
    measures = (
        Measure.objects.filter(project_links__project_id__in=project_ids)
        .prefetch_related(
            Prefetch("points", queryset=DataPoint.objects.order_by("period")),
            "phase_breaks",
        )
        .order_by("name", "pk")
        .distinct()
    )
    links: dict[int, list[Measure]] = defaultdict(list)
    by_pk = {m.pk: m for m in measures}
    for project_id, measure_id in (
        ProjectMeasure.objects.filter(project_id__in=project_ids)
        .order_by()
        .values_list("project_id", "measure_id")
    ):
        if measure_id in by_pk:
            links[project_id].append(by_pk[measure_id])
    for project_measures in links.values():
        project_measures.sort(key=lambda m: (m.name, m.pk))
    return links


def _held_gains(project_ids: list[int]) -> dict[int, HeldGain]:
    measures = _measures_of(project_ids)
    gains: dict[int, MeasureGain] = {}
    result = {}
    for project_id in project_ids:
        rows = []
        for measure in measures.get(project_id, []):
            if measure.pk not in gains:
                gains[measure.pk] = measure_gain(measure, list(measure.points.all()))
            rows.append(gains[measure.pk])
        result[project_id] = HeldGain(tuple(rows))
    return result


def held_gain(project: Project) -> HeldGain:
    """The project's measures' held gain, kept until the organisation's data change."""
    return kept(
        project.organisation_id,
        f"sustainability:held-gain:{_KEPT_FORMAT}:{project.pk}",
        lambda: _held_gains([project.pk])[project.pk],
    )


# ---------------------------------------------------------------------------
# The portfolio's projects testing, implementing or sustaining, by score


@dataclass(frozen=True)
class PortfolioRow:
    project_id: int
    title: str
    status: str
    status_label: str
    check_id: int | None
    opened_on: datetime.date | None
    score: float | None
    weakest: str
    held: bool | None


def _portfolio(organisation: Organisation) -> list[PortfolioRow]:
    projects = list(
        Project.objects.for_organisation(organisation)
        .filter(status__in=CHECKABLE)
        .order_by("title", "pk")
        .values_list("pk", "title", "status")
    )
    latest: dict[int, tuple[int, datetime.date]] = {}
    for check_id, project_id, opened_on in (
        SustainabilityCheck.objects.filter(project_id__in=[p[0] for p in projects])
        .order_by("project_id", "-opened_on", "-pk")
        .values_list("pk", "project_id", "opened_on")
    ):
        latest.setdefault(project_id, (check_id, opened_on))
    scores = _scores([c for c, _ in latest.values()])
    gains = _held_gains(list(latest))
    labels = dict(Project.Status.choices)
    rows = []
    for pk, title, status in projects:
        check = latest.get(pk)
        score = scores[check[0]] if check else None
        weakest = score.weakest if score else ()
        rows.append(
            PortfolioRow(
                project_id=pk,
                title=title,
                status=status,
                status_label=str(labels[status]),
                check_id=check[0] if check else None,
                opened_on=check[1] if check else None,
                score=score.score if score else None,
                weakest=weakest[0].title if weakest else "",
                held=gains[pk].is_held if pk in gains else None,
            )
        )
    # Checked projects by score, lowest first (the ones to look at); then the rest.
    rows.sort(
        key=lambda r: (r.score is None, r.score if r.score is not None else 0, r.title)
    )
    return rows


def portfolio(organisation: Organisation) -> list[PortfolioRow]:
    """The projects testing, implementing or sustaining a change, with their latest
    check's score, weakest factor and held gain; kept until the data change."""
    return kept(
        organisation.pk,
        f"sustainability:portfolio:{_KEPT_FORMAT}",
        lambda: _portfolio(organisation),
    )
