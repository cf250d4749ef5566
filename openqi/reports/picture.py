"""The organisation's picture on the home page, for the QI team and
administrators: the portfolio by stage and progress, capability against
target, and readiness over the last rounds with where the journey stands.

Every figure is read from what the apps keep until the organisation's data
change (:mod:`openqi.audit.kept`): the portfolio's counts, the capability
coverage, and the readiness trend kept here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from openqi.assessments.models import AssessmentRound
from openqi.assessments.services.instruments import definition_of
from openqi.assessments.services.results import stored_results
from openqi.audit.kept import kept
from openqi.capability import coverage
from openqi.journey.services import current_step, steps_for
from openqi.organisations.models import Organisation
from openqi.portfolio.services import Facets, Filters, facet_counts

__all__ = ["ROUNDS_SHOWN", "Picture", "Readiness", "picture_for", "readiness_trend"]

#: The closed readiness rounds shown, latest last.
ROUNDS_SHOWN = 4
#: Part of the kept readiness trend's key: a change of what it holds changes this.
_READINESS_FORMAT = 1


@dataclass(frozen=True)
class Readiness:
    """Readiness over the latest closed rounds of one instrument: each section's
    overall score (0–100) in each round, None where it is withheld."""

    instrument: str
    #: (title, closed on) of each round, oldest first.
    rounds: tuple[tuple[str, datetime.date], ...]
    #: (section title, score in each round) for each section.
    sections: tuple[tuple[str, tuple[float | None, ...]], ...]


@dataclass(frozen=True)
class Picture:
    portfolio: Facets
    portfolio_href: str
    capability: coverage.Summary
    readiness: Readiness | None
    journey_step: Any
    journey_href: str


def _readiness(organisation: Organisation) -> Readiness | None:
    closed = list(
        AssessmentRound.objects.for_organisation(organisation)
        .filter(status=AssessmentRound.Status.CLOSED, closed_on__isnull=False)
        .select_related("instrument")
        .order_by("-closed_on", "-pk")[: ROUNDS_SHOWN * 3]
    )
    if not closed:
        return None
    instrument = closed[0].instrument_id
    rounds = [r for r in closed if r.instrument_id == instrument][:ROUNDS_SHOWN]
    rounds.reverse()
    definition = definition_of(rounds[-1])
    scores = []
    for each in rounds:
        cells = stored_results(each)["overall"]["cells"]
        scores.append({key: (cell or {}).get("score") for key, cell in cells.items()})
    sections = tuple(
        (section.title, tuple(score.get(section.key) for score in scores))
        for section in definition.sections
    )
    return Readiness(
        instrument=definition.name,
        rounds=tuple((r.title, r.closed_on) for r in rounds if r.closed_on),
        sections=sections,
    )


def readiness_trend(organisation: Organisation) -> Readiness | None:
    """Readiness over the latest closed rounds, kept until the data change."""
    return kept(
        organisation.pk,
        f"home-readiness:{_READINESS_FORMAT}",
        lambda: _readiness(organisation),
    )


def picture_for(
    organisation: Organisation, today: datetime.date | None = None
) -> Picture:
    slug = {"slug": organisation.slug}
    steps = steps_for(organisation)
    return Picture(
        # The portfolio page's own counts with no filter (the same kept figures).
        portfolio=facet_counts(organisation, Filters(), [], []),
        portfolio_href=reverse("portfolio:portfolio", kwargs=slug),
        capability=coverage.summary(organisation, today),
        readiness=readiness_trend(organisation),
        journey_step=current_step(steps),
        journey_href=reverse("journey:overview", kwargs=slug),
    )
