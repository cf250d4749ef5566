"""Small builders for assessment rounds, links and responses (house style §8)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.assessments.models import (
    AssessmentRound,
    Instrument,
    Response,
    ResponseLink,
)
from openqi.core.tokens import new_token, token_hash
from openqi.organisations.models import Organisation

#: A small instrument: an enabler section (one item reversed), a barrier section
#: on a yes/partly/no scale, and a free factor asked of staff only. Scores run
#: 0–100: on the five-point scale 1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100.
DEFINITION: dict[str, Any] = {
    "key": "pulse-test",
    "name": "Ward readiness pulse",
    "version": "1",
    "description": "A short test instrument.",
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
        },
        "ynp": {"type": "yes_partly_no"},
    },
    "sections": [
        {
            "key": "lead",
            "title": "Leadership for improvement",
            "tag": {"enabler": "leadership"},
            "items": [
                {
                    "key": "l1",
                    "text": "Our leaders talk about improvement.",
                    "scale": "agree5",
                },
                {
                    "key": "l2",
                    "text": "Improvement is left to a few enthusiasts.",
                    "scale": "agree5",
                    "reverse": True,
                },
            ],
        },
        {
            "key": "time",
            "title": "Time for improvement",
            "tag": {"barrier": "timing"},
            "items": [
                {
                    "key": "t1",
                    "text": "I have protected time for improvement.",
                    "scale": "ynp",
                }
            ],
        },
        {
            "key": "team",
            "title": "Teamwork",
            "tag": {"factor": "Teamwork"},
            "items": [
                {
                    "key": "k1",
                    "text": "My team learns from what goes wrong.",
                    "scale": "agree5",
                    "asked_of": ["staff"],
                }
            ],
        },
    ],
    "scoring": {"method": "mean", "min_answered": 0.5},
    "bands": [
        {"min": 0, "max": 40, "label": "Low"},
        {"min": 40, "max": 70, "label": "Developing"},
        {"min": 70, "max": 100, "label": "Strong"},
    ],
}


def make_instrument(
    organisation: Organisation | None = None, **fields: Any
) -> Instrument:
    fields.setdefault("key", "pulse-test")
    fields.setdefault("name", "Ward readiness pulse")
    fields.setdefault("definition", DEFINITION)
    return Instrument.objects.create(organisation=organisation, **fields)


def make_round(
    organisation: Organisation, instrument: Instrument | None = None, **fields: Any
) -> AssessmentRound:
    fields.setdefault("title", "Spring pulse")
    fields.setdefault("status", AssessmentRound.Status.OPEN)
    if fields["status"] != AssessmentRound.Status.DRAFT:
        fields.setdefault("opened_on", datetime.date(2026, 3, 1))
    if fields["status"] == AssessmentRound.Status.CLOSED:
        fields.setdefault("closed_on", datetime.date(2026, 4, 1))
    units = fields.pop("units", [])
    instrument = instrument or (
        Instrument.objects.filter(key="pulse-test").first() or make_instrument()
    )
    assessment_round = AssessmentRound.objects.create(
        organisation=organisation, instrument=instrument, **fields
    )
    assessment_round.units.set(units)
    return assessment_round


def make_link(
    assessment_round: AssessmentRound, **fields: Any
) -> tuple[ResponseLink, str]:
    """A link and its raw token (the only copy, as in the app)."""
    token = new_token()
    link = ResponseLink.objects.create(
        round=assessment_round, token_hash=token_hash(token), **fields
    )
    return link, token


def make_responses(
    assessment_round: AssessmentRound,
    answers: dict[str, Any],
    count: int = 1,
    **fields: Any,
) -> list[Response]:
    fields.setdefault("submitted_on", datetime.date(2026, 3, 2))
    return [
        Response.objects.create(round=assessment_round, answers=answers, **fields)
        for _ in range(count)
    ]
