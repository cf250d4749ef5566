"""The six-step journey: the steps of an organisation, the evidence OpenQI gathers
for each by itself, and moving a step forward.

Automatic evidence is one function per step (``AUTOMATIC``); each returns
``EvidenceItem`` rows worked out from what OpenQI holds today. Evidence that
OpenQI cannot see (board minutes, a training record) is added by hand as
``Evidence`` rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openqi.assessments.models import AssessmentRound
from openqi.audit.kept import kept
from openqi.barriers.models import Barrier
from openqi.capability import coverage
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation
from openqi.projects.models import ProgressRating, Project
from openqi.strategy.models import StrategicPriority

from .models import STEPS, Evidence, JourneyStep, Milestone

#: A readiness round counts as recent for this many days (twelve months).
RECENT_ROUND_DAYS = 365
#: Ratings and barriers count as kept up for this many days (three months).
RECENT_DAYS = 91
#: The fewest data points for an SPC chart with useful limits (the usual rule of thumb).
SPC_POINTS = 12
#: A working threshold for "most" active projects (aligned, rated); not from a
#: published source, so the sentence always gives the actual share.
MOST = 0.8

#: The order a step's status moves forward in.
NEXT_STATUS = {
    JourneyStep.Status.NOT_STARTED: JourneyStep.Status.IN_PROGRESS,
    JourneyStep.Status.IN_PROGRESS: JourneyStep.Status.ESTABLISHED,
}


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of automatic evidence. ``is_met`` is None where OpenQI holds no data."""

    label: str
    is_met: bool | None
    sentence: str


@dataclass
class StepView:
    """A step with everything the journey page shows about it."""

    step: JourneyStep
    automatic: list[EvidenceItem]
    milestones: list[Milestone]
    evidence: list[Evidence]
    overdue: set[int] = field(default_factory=set)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


class Facts:
    """The counts the automatic evidence reads, each fetched when first asked and
    then kept: the journey page asks all six steps and reads them in ten queries
    (one per kind of row, and the capability coverage's five), however many
    projects, measures, barriers and completions there are."""

    def __init__(
        self, organisation: Organisation, today: datetime.date | None = None
    ) -> None:
        self.organisation = organisation
        self.today = _today(today)
        self.since = self.today - datetime.timedelta(days=RECENT_DAYS)

    @cached_property
    def latest_round(self) -> dict[str, Any] | None:
        """The title and closing day of the latest closed readiness round."""
        return (
            AssessmentRound.objects.for_organisation(self.organisation)
            .filter(status=AssessmentRound.Status.CLOSED, closed_on__isnull=False)
            .order_by("-closed_on")
            .values("title", "closed_on")
            .first()
        )

    @cached_property
    def current_priorities(self) -> int:
        today = self.today
        return (
            StrategicPriority.objects.for_organisation(self.organisation)
            .filter(period_start__lte=today)
            .filter(Q(period_end__isnull=True) | Q(period_end__gte=today))
            .count()
        )

    @cached_property
    def projects(self) -> dict[str, int]:
        """Projects linked to a priority; active ones, linked, and rated lately."""
        active = Project.Status.ACTIVE
        recent_ratings = ProgressRating.objects.filter(  # access: the outer project's
            project_id=OuterRef("pk"), rated_on__gte=self.since
        )
        # Counted by status: each project asked once whether it has a priority (a
        # column named in two counts is asked twice, by SQLite and PostgreSQL
        # alike), and only the active ones whether they were rated lately (the
        # status test written first, so PostgreSQL runs the subquery only for them).
        by_status = (
            Project.objects.for_organisation(self.organisation)
            .order_by()
            .values_list("status")
            .annotate(
                total=Count("pk"),
                linked=Count("pk", filter=_has_priority()),
                rated=Count("pk", filter=Q(status=active) & Q(Exists(recent_ratings))),
            )
        )
        counts = {"linked": 0, "active": 0, "active_linked": 0, "active_rated": 0}
        for status, total, linked, rated in by_status:
            counts["linked"] += linked
            if status == active:
                counts.update(active=total, active_linked=linked, active_rated=rated)
        return counts

    @cached_property
    def measures(self) -> dict[str, int]:
        """Measures, and those with enough points for an SPC chart."""
        # A measure is charted when it has a SPC_POINTS-th point with a value. Its
        # stored chart summary says so at once when it plots that many (every plotted
        # point has a value); otherwise an index walk of at most SPC_POINTS points
        # decides, not a count of all its points.
        enough = DataPoint.objects.filter(  # access: within the measures counted
            measure=OuterRef("pk"), value__isnull=False
        ).order_by("period")[SPC_POINTS - 1 : SPC_POINTS]
        plotted = Q(chart_summary__n_points__gte=SPC_POINTS)
        counts: dict[str, int] = Measure.objects.for_organisation(
            self.organisation
        ).aggregate(
            total=Count("pk"), charted=Count("pk", filter=plotted | Q(Exists(enough)))
        )
        return counts

    @cached_property
    def capability(self) -> coverage.Summary:
        """Coverage of the capability framework against its targets (itself kept
        until the data change, so the capability page and the journey share it)."""
        return coverage.summary(self.organisation, self.today)

    @cached_property
    def barriers(self) -> dict[str, int]:
        """Barriers logged, and those raised or resolved lately."""
        since = self.since
        recent = Q(raised_on__gte=since) | Q(resolved_on__gte=since)
        counts: dict[str, int] = Barrier.objects.for_organisation(
            self.organisation
        ).aggregate(total=Count("pk"), recent=Count("pk", filter=recent))
        return counts


def _facts(
    organisation: Organisation, today: datetime.date | None, facts: Facts | None
) -> Facts:
    return facts if facts is not None else Facts(organisation, today)


def readiness_evidence(
    organisation: Organisation,
    today: datetime.date | None = None,
    facts: Facts | None = None,
) -> list[EvidenceItem]:
    """Step 1: a readiness round closed in the last twelve months."""
    facts = _facts(organisation, today, facts)
    latest = facts.latest_round
    label = "A readiness round closed in the last twelve months"
    if latest is None:
        return [EvidenceItem(label, False, "No assessment round has closed yet.")]
    title, closed = latest["title"], latest["closed_on"]
    if (facts.today - closed).days <= RECENT_ROUND_DAYS:
        sentence = f"{title} closed on {_long(closed)}."
        return [EvidenceItem(label, True, sentence)]
    sentence = (
        f"The latest round, {title}, closed on {_long(closed)}: "
        "more than twelve months ago."
    )
    return [EvidenceItem(label, False, sentence)]


def vision_evidence(
    organisation: Organisation,
    today: datetime.date | None = None,
    facts: Facts | None = None,
) -> list[EvidenceItem]:
    """Step 3: strategic priorities defined, and projects linked to them."""
    facts = _facts(organisation, today, facts)
    current = facts.current_priorities
    priorities = EvidenceItem(
        "Strategic priorities defined",
        current > 0,
        f"{_plural(current, 'strategic priority', 'strategic priorities')} "
        f"{'is' if current == 1 else 'are'} current."
        if current
        else "No strategic priority is current.",
    )
    linked = facts.projects["linked"]
    projects = EvidenceItem(
        "Projects linked to the priorities",
        linked > 0,
        f"{_plural(linked, 'project')} {'is' if linked == 1 else 'are'} linked to a priority."
        if linked
        else "No project is linked to a priority yet.",
    )
    return [priorities, projects]


def skills_evidence(
    organisation: Organisation,
    today: datetime.date | None = None,
    facts: Facts | None = None,
) -> list[EvidenceItem]:
    """Step 4: measures with SPC charts; improvement skills against the capability
    targets (openqi.capability.coverage)."""
    facts = _facts(organisation, today, facts)
    total, charted = facts.measures["total"], facts.measures["charted"]
    if total:
        sentence = (
            f"{charted} of {_plural(total, 'measure')} "
            f"{'has' if charted == 1 else 'have'} {SPC_POINTS} or more data points, "
            "enough for an SPC chart with limits."
        )
    else:
        sentence = "No measures are held in OpenQI yet."
    return [
        EvidenceItem("Measures with SPC charts", charted > 0, sentence),
        _skills_item(facts.capability),
    ]


def _skills_item(summary: coverage.Summary) -> EvidenceItem:
    """Improvement skills against the capability targets: met when every target
    is met or on track to be met by its due date."""
    label = "Improvement skills against targets"
    if not summary.targets:
        return EvidenceItem(
            label,
            None,
            "No capability targets are set yet: set them on the capability page "
            "to see coverage against them here.",
        )
    return EvidenceItem(
        label, summary.met + summary.on_track == summary.targets, summary.sentence
    )


def _has_priority() -> Exists:
    """Projects linked to a priority, without a join that repeats them (no DISTINCT)."""
    links = Project.priorities.through.objects.filter(  # access: the outer project's
        project_id=OuterRef("pk")
    )
    return Exists(links)


def alignment_evidence(
    organisation: Organisation,
    today: datetime.date | None = None,
    facts: Facts | None = None,
) -> list[EvidenceItem]:
    """Step 5: active projects aligned with the priorities; the barrier log in use."""
    facts = _facts(organisation, today, facts)
    total, linked = facts.projects["active"], facts.projects["active_linked"]
    if total:
        share = linked / total
        aligned = EvidenceItem(
            "Projects aligned with the priorities",
            share >= MOST,
            f"{round(share * 100)}% of active projects are linked to a priority "
            f"({linked} of {total}).",
        )
    else:
        aligned = EvidenceItem(
            "Projects aligned with the priorities",
            False,
            "There are no active projects yet.",
        )
    count = facts.barriers["recent"]
    if count:
        sentence = (
            f"{_plural(count, 'barrier')} raised or resolved in the last three months."
        )
    elif facts.barriers["total"]:
        sentence = "No barrier has been raised or resolved in the last three months."
    else:
        sentence = "No barriers have been logged yet."
    in_use = EvidenceItem("The barrier log in use", count > 0, sentence)
    return [aligned, in_use]


def sustaining_evidence(
    organisation: Organisation,
    today: datetime.date | None = None,
    facts: Facts | None = None,
) -> list[EvidenceItem]:
    """Step 6: progress ratings kept up (active projects rated in the last three months)."""
    facts = _facts(organisation, today, facts)
    total, rated = facts.projects["active"], facts.projects["active_rated"]
    label = "Progress ratings kept up"
    if not total:
        return [EvidenceItem(label, False, "There are no active projects yet.")]
    sentence = (
        f"{rated} of {_plural(total, 'active project')} "
        f"{'was' if rated == 1 else 'were'} rated in the last three months."
    )
    return [EvidenceItem(label, rated / total >= MOST, sentence)]


#: The automatic evidence of each step; step 2 (board support) has none OpenQI can see.
AUTOMATIC: dict[
    int,
    Callable[[Organisation, datetime.date | None, Facts | None], list[EvidenceItem]],
] = {
    1: readiness_evidence,
    3: vision_evidence,
    4: skills_evidence,
    5: alignment_evidence,
    6: sustaining_evidence,
}


def automatic_evidence(
    organisation: Organisation,
    number: int,
    today: datetime.date | None = None,
    facts: Facts | None = None,
) -> list[EvidenceItem]:
    gather = AUTOMATIC.get(number)
    return gather(organisation, today, facts) if gather else []


def steps_for(
    organisation: Organisation, *, with_items: bool = False
) -> list[JourneyStep]:
    """The organisation's six steps, created on first use; ``with_items`` fetches
    every step's milestones and evidence too (two queries for all six)."""

    def fetch() -> list[JourneyStep]:
        steps = JourneyStep.objects.for_organisation(organisation)
        if with_items:
            steps = steps.prefetch_related(
                "milestones",
                Prefetch("evidence", queryset=_EVIDENCE),
            )
        found = list(steps)
        for step in found:  # already known: not fetched again by each step
            step.organisation = organisation
        return found

    steps = fetch()
    if len(steps) < len(STEPS):
        with transaction.atomic():
            for number in STEPS:
                JourneyStep.objects.get_or_create(
                    organisation=organisation, number=number
                )
        steps = fetch()
    return steps


#: A step's evidence with who added it (a prefetch within the organisation's steps).
_EVIDENCE = Evidence.objects.select_related("added_by")  # access: a prefetch


# Looking steps, milestones and evidence up (pages and the API alike) ------------


def get_step_for(membership: Membership, number: int) -> JourneyStep:
    """The organisation's step ``number`` (1 to 6), or 404."""
    if number not in STEPS:
        where = f"/api/v1/organisations/{membership.organisation.slug}/journey"
        raise Http404(
            f"There is no step {number}: the journey has steps 1 to {len(STEPS)}. "
            f"GET {where} lists them."
        )
    steps = steps_for(membership.organisation)
    return next(step for step in steps if step.number == number)


def _listed_at(step: JourneyStep | None) -> str:
    return f"journey/steps/{step.number}" if step else "journey"


def get_milestone_for(
    membership: Membership, pk: int, step: JourneyStep | None = None
) -> Milestone:
    """The organisation's milestone ``pk`` (on ``step``, if given), or 404."""
    milestones: QuerySet[Milestone] = Milestone.objects.for_organisation(
        membership.organisation
    ).select_related("step__organisation")
    if step is not None:
        milestones = milestones.filter(step=step)
    return find_for(membership, milestones, pk, "milestone", _listed_at(step))


def get_evidence_for(
    membership: Membership, pk: int, step: JourneyStep | None = None
) -> Evidence:
    """The organisation's evidence ``pk`` (on ``step``, if given), or 404."""
    evidence: QuerySet[Evidence] = Evidence.objects.for_organisation(
        membership.organisation
    ).select_related("step__organisation")
    if step is not None:
        evidence = evidence.filter(step=step)
    return find_for(membership, evidence, pk, "evidence", _listed_at(step))


def step_view(
    step: JourneyStep, today: datetime.date | None = None, facts: Facts | None = None
) -> StepView:
    """The step with its evidence and milestones; pass the ``facts`` of the other
    steps shown with it (``step_views``) to read the counts once for all."""
    today = _today(today)
    milestones = list(step.milestones.all())
    # Prefetched with the steps (steps_for(with_items=True)), or fetched here.
    is_prefetched = "evidence" in getattr(step, "_prefetched_objects_cache", {})
    evidence = step.evidence.all() if is_prefetched else _EVIDENCE.filter(step=step)
    overdue = {
        m.pk for m in milestones if m.due_on and not m.done_on and m.due_on < today
    }
    return StepView(
        step=step,
        automatic=automatic_evidence(step.organisation, step.number, today, facts),
        milestones=milestones,
        evidence=list(evidence),
        overdue=overdue,
    )


#: Part of the kept facts' key: a release that changes what Facts holds moves it.
_FACTS_FORMAT = 2


def kept_facts(organisation: Organisation, today: datetime.date | None = None) -> Facts:
    """:class:`Facts` for ``today``, all read at once and kept until the
    organisation's data change (openqi.audit.kept: every row they count is on the
    audit trail, and new chart summaries move the version too)."""
    facts = Facts(organisation, today)
    names = (
        "latest_round",
        "current_priorities",
        "projects",
        "measures",
        "barriers",
        "capability",
    )

    def compute() -> dict[str, Any]:
        return {name: getattr(facts, name) for name in names}

    key = f"journey-facts:{_FACTS_FORMAT}:{facts.today.isoformat()}"
    facts.__dict__.update(kept(organisation.pk, key, compute))
    return facts


def step_views(
    organisation: Organisation,
    steps: list[JourneyStep],
    today: datetime.date | None = None,
) -> list[StepView]:
    """Every step's view, with the automatic evidence's counts read once for all
    (and kept until the organisation's data change)."""
    facts = kept_facts(organisation, today)
    return [step_view(step, facts.today, facts) for step in steps]


def current_step(steps: list[JourneyStep]) -> JourneyStep:
    """Where the organisation stands: the first step not yet established."""
    for step in steps:
        if step.status != JourneyStep.Status.ESTABLISHED:
            return step
    return steps[-1]


def missing_for_next(view: StepView) -> list[str]:
    """What the current step still lacks before the organisation moves on."""
    missing = [
        f"{item.label}: {item.sentence}"
        for item in view.automatic
        if item.is_met is False
    ]
    missing += [
        f"Milestone not done: {m.title}" for m in view.milestones if not m.done_on
    ]
    if not view.evidence and not any(item.is_met for item in view.automatic):
        missing.append("No evidence yet: add what shows this step is in place.")
    return missing


def update_step(step: JourneyStep, **fields: Any) -> JourneyStep:
    for name, value in fields.items():
        setattr(step, name, value)
    step.save()
    return step


def advance_step(step: JourneyStep) -> bool:
    """Move the step's status one place forward; False if it is already established."""
    following = NEXT_STATUS.get(JourneyStep.Status(step.status))
    if following is None:
        return False
    step.status = following
    step.save()
    return True


def add_milestone(step: JourneyStep, **fields: Any) -> Milestone:
    return Milestone.objects.create(step=step, **fields)


def update_milestone(milestone: Milestone, **fields: Any) -> Milestone:
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.save()
    return milestone


def add_evidence(step: JourneyStep, added_by: Any, **fields: Any) -> Evidence:
    return Evidence.objects.create(
        step=step, added_by=added_by, added_on=timezone.localdate(), **fields
    )
