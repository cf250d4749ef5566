"""The assessment, journey and barrier API routes, for the access walk (see
tests/access.py), and the small data builders their tests share."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from openqi.assessments.models import (
    ActionItem,
    AssessmentRound,
    Instrument,
    Response,
)
from openqi.barriers.models import Barrier
from openqi.journey.models import JourneyStep, Milestone
from openqi.organisations.models import Organisation
from tests.access import Route, Write

_seq = itertools.count(1)


def definition(key: str = "team-pulse", version: str = "1") -> dict[str, Any]:
    """A small valid instrument definition: two sections of two five-point items."""
    return {
        "key": key,
        "name": "Ward team pulse",
        "version": version,
        "description": "A short pulse of a ward team's learning climate.",
        "scales": {
            "agree5": {
                "type": "likert",
                "points": 5,
                "labels": [
                    "Strongly disagree",
                    "Disagree",
                    "Neither agree nor disagree",
                    "Agree",
                    "Strongly agree",
                ],
            }
        },
        "sections": [
            {
                "key": "safety",
                "title": "Speaking up",
                "tag": {"enabler": "culture"},
                "items": [
                    {
                        "key": "s1",
                        "text": "I can raise a concern without fear.",
                        "scale": "agree5",
                    },
                    {
                        "key": "s2",
                        "text": "Mistakes are held against people here.",
                        "scale": "agree5",
                        "reverse": True,
                    },
                ],
            },
            {
                "key": "time",
                "title": "Time to improve",
                "tag": {"enabler": "infrastructure"},
                "items": [
                    {
                        "key": "t1",
                        "text": "We have protected time to test changes.",
                        "scale": "agree5",
                    },
                    {
                        "key": "t2",
                        "text": "We look back on how a shift went.",
                        "scale": "agree5",
                    },
                ],
            },
        ],
        "scoring": {"method": "mean", "min_answered": 0.5},
        "bands": [
            {"min": 0, "max": 40, "label": "Weak"},
            {"min": 40, "max": 70, "label": "Developing"},
            {"min": 70, "max": 100, "label": "Strong"},
        ],
    }


# Builders -----------------------------------------------------------------------------


def make_instrument(organisation: Organisation | None, **fields: Any) -> Instrument:
    """An instrument of ``organisation`` (None: a built-in), stored as the parser gives it."""
    from openqi.assessments.definition import parse_definition

    key = fields.pop("key", f"team-pulse-{next(_seq)}")
    parsed = parse_definition(definition(key))
    fields.setdefault("name", parsed.name)
    return Instrument.objects.create(
        organisation=organisation,
        key=key,
        version=parsed.version,
        definition=parsed.to_dict(),
        **fields,
    )


def make_round(organisation: Organisation, **fields: Any) -> AssessmentRound:
    if "instrument" not in fields:
        fields["instrument"] = make_instrument(organisation)
    fields.setdefault("title", f"Team pulse {next(_seq)}")
    return AssessmentRound.objects.create(organisation=organisation, **fields)


def add_responses(
    assessment_round: AssessmentRound,
    answers: list[dict[str, Any]],
    **fields: Any,
) -> list[Response]:
    fields.setdefault("submitted_on", datetime.date(2026, 3, 2))
    return [
        Response.objects.create(round=assessment_round, answers=a, **fields)
        for a in answers
    ]


def make_action(organisation: Organisation, **fields: Any) -> ActionItem:
    fields.setdefault("title", f"Protect time for improvement {next(_seq)}")
    return ActionItem.objects.create(organisation=organisation, **fields)


def make_barrier(organisation: Organisation, **fields: Any) -> Barrier:
    fields.setdefault("title", f"No protected time to test changes {next(_seq)}")
    fields.setdefault("category", "resources")
    fields.setdefault("raised_on", datetime.date(2026, 1, 12))
    return Barrier.objects.create(organisation=organisation, **fields)


def make_step(organisation: Organisation, number: int) -> JourneyStep:
    step, _ = JourneyStep.objects.get_or_create(
        organisation=organisation, number=number
    )
    return step


# The cast's shared rows ----------------------------------------------------------------


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _instrument(cast: Any) -> Instrument:
    return Instrument.objects.filter(
        organisation=cast.org, key="walk-pulse"
    ).first() or make_instrument(cast.org, key="walk-pulse")


def _round(cast: Any, status: str = AssessmentRound.Status.OPEN) -> AssessmentRound:
    return make_round(cast.org, instrument=_instrument(cast), status=status)


def _in_round(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "round_id": _round(cast).pk}


def _step(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "number": 2}


def _milestone(cast: Any) -> dict[str, Any]:
    step = make_step(cast.org, 2)
    milestone = Milestone.objects.create(step=step, title="Board session on QI")
    return {"milestone_id": milestone.pk}


def _evidence(cast: Any) -> dict[str, Any]:
    step = make_step(cast.org, 2)
    evidence = step.evidence.create(
        title="Board minutes", added_on=datetime.date(2026, 2, 3)
    )
    return {"evidence_id": evidence.pk}


ROUTES: list[Route] = [
    Route(
        "api:instruments",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: definition(f"imported-{next(_seq)}"),
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:instrument",
        kwargs=lambda c: {**_org(c), "instrument_id": _instrument(c).pk},
        is_api=True,
    ),
    Route(
        "api:instrument-export",
        kwargs=lambda c: {**_org(c), "instrument_id": _instrument(c).pk},
        is_api=True,
    ),
    Route(
        "api:rounds",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "instrument_id": _instrument(c).pk,
                    "title": "Spring pulse",
                    "unit_ids": [c.team.pk],
                },
            ),
        ),
        is_api=True,
    ),
    Route("api:round", kwargs=_in_round, is_api=True),
    Route(
        "api:round-open",
        kwargs=_org,
        get=False,
        writes=(
            Write(
                "post",
                setup=lambda c: {
                    "round_id": _round(c, AssessmentRound.Status.DRAFT).pk
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:round-close",
        kwargs=_org,
        get=False,
        writes=(Write("post", setup=lambda c: {"round_id": _round(c).pk}),),
        is_api=True,
    ),
    Route(
        "api:round-links",
        kwargs=_in_round,
        get=False,
        writes=(Write("post", data=lambda c: {"count": 2}),),
        is_api=True,
    ),
    Route(
        "api:round-results",
        # Results are published only once a round closes.
        kwargs=lambda c: {
            **_org(c),
            "round_id": _round(c, AssessmentRound.Status.CLOSED).pk,
        },
        is_api=True,
    ),
    Route(
        "api:actions",
        kwargs=_org,
        writes=(Write("post", data=lambda c: {"title": "Agree time for improvement"}),),
        is_api=True,
    ),
    Route(
        "api:action",
        kwargs=lambda c: {**_org(c), "action_id": make_action(c.org).pk},
        writes=(
            Write("patch", data=lambda c: {"status": "in_progress"}),
            Write("delete", setup=lambda c: {"action_id": make_action(c.org).pk}),
        ),
        is_api=True,
    ),
    Route("api:journey", kwargs=_org, is_api=True),
    Route(
        "api:journey-step",
        kwargs=_step,
        writes=(Write("patch", data=lambda c: {"status": "in_progress"}),),
        is_api=True,
    ),
    Route(
        "api:journey-milestones",
        kwargs=_step,
        get=False,
        writes=(Write("post", data=lambda c: {"title": "Board session on QI"}),),
        is_api=True,
    ),
    Route(
        "api:journey-milestone",
        kwargs=_step,
        get=False,
        writes=(
            Write("patch", data=lambda c: {"done_on": "2026-02-01"}, setup=_milestone),
            Write("delete", setup=_milestone),
        ),
        is_api=True,
    ),
    Route(
        "api:journey-evidence",
        kwargs=_step,
        get=False,
        writes=(Write("post", data=lambda c: {"title": "Board minutes, March"}),),
        is_api=True,
    ),
    Route(
        "api:journey-evidence-item",
        kwargs=_step,
        get=False,
        writes=(Write("delete", setup=_evidence),),
        is_api=True,
    ),
    Route(
        "api:barriers",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "category": "timing",
                    "title": "Winter pressures stop project meetings",
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:barrier",
        kwargs=lambda c: {**_org(c), "barrier_id": make_barrier(c.org).pk},
        writes=(
            Write("patch", data=lambda c: {"severity": "high"}),
            Write("delete", setup=lambda c: {"barrier_id": make_barrier(c.org).pk}),
        ),
        is_api=True,
    ),
]
