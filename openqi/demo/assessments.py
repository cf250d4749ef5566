"""Demo step: Riverside's readiness rounds, a team pulse and the action plan from their gaps.

The rounds, who answers them and the actions are in ``data/assessments.json``.
Three rounds of the built-in readiness assessment: two closed (about thirteen and
three months ago) and one open now, with culture and leadership improving between
them while infrastructure stays the weakest area. Each round's answers come from a
seeded random stream, so every run gives the same answers. One unit has fewer than
five responses, so the results show suppression; the Emergency department also
answered a learning-climate pulse, closed a month ago. Closed rounds are closed
through ``close_round``, so their results are stored as a person's close stores
them. Dates are relative to the day the demo is built.

Rounds, links and responses are the demo command's on the audit trail only as far
as the models are audited; answers are bulk-created (they carry no identity).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils import timezone

from openqi.accounts.models import User
from openqi.assessments.builtin import load_builtin_instruments
from openqi.assessments.definition import Definition, parse_definition
from openqi.assessments.models import (
    ActionItem,
    AssessmentRound,
    Instrument,
    RespondentGroup,
    Response,
    ResponseLink,
)
from openqi.assessments.services import close_round
from openqi.core.tokens import new_token, token_hash

from .base import Demo
from .measures import units_by_name
from .records import read, records

__all__ = ["ACTIONS", "ROUNDS", "add_assessments"]

READINESS = "organisational-readiness"
PULSE = "learning-climate-pulse"


class _Answering(NamedTuple):
    """Who answers a round: a respondent group, in a unit or none ("")."""

    group: str
    unit: str
    #: The staff group of each respondent ("" for patients).
    staff_groups: tuple[str, ...]


class _Team(NamedTuple):
    """A round of one team: its unit, and how many answer."""

    unit: str
    respondents: int


#: Who answers each readiness round. Everyone answers every item put to their
#: group, and the board, managers and patients answer for the whole
#: organisation, so the overall and section scores can all be published (the
#: disclosure check hides a result that would let a group of fewer than five be
#: worked out). Pharmacy's three are too few and are suppressed, and with them
#: the Labour ward, so that Pharmacy cannot be worked out from the total.
ANSWERING = records(_Answering, "assessments", "answering")

#: How each unit's answers lean, on the 0–100 score scale.
UNIT_LEAN: dict[str, float] = read(dict[str, float], "assessments", "unit_lean")

#: The staff groups of a team pulse's respondents, in turn.
TEAM_STAFF_GROUPS: tuple[str, ...] = read(
    tuple[str, ...], "assessments", "team_staff_groups"
)


@dataclass(frozen=True)
class _RoundSpec:
    title: str
    instrument: str
    #: Days before the demo's day that it opened, and closed (None: still open).
    opened_days_ago: int
    closed_days_ago: int | None
    #: Mean score (0–100) aimed at in each section.
    targets: dict[str, float]
    #: The share of each group's responses in so far (an open round is part-way).
    share: float = 1.0
    #: Links not yet used (an open round has people still to answer).
    unused_links: int = 0
    #: For a round of one team.
    team: _Team | None = None


ROUNDS = records(_RoundSpec, "assessments", "rounds")


@dataclass(frozen=True)
class _ActionSpec:
    title: str
    description: str
    section_key: str
    category: str
    owner: str
    due_in_days: int
    status: str


#: The action plan from the second round's gaps (the weakest sections).
ACTIONS = records(_ActionSpec, "assessments", "actions")


def add_assessments(demo: Demo) -> None:
    """The readiness rounds, the team pulse and the action plan, for Riverside."""
    riverside = demo.organisations["riverside"]
    today = timezone.localdate()
    units = units_by_name(riverside)
    # The migration loads the built-ins; a database emptied since (a test's
    # flush) gets them back here. Idempotent.
    load_builtin_instruments()
    instruments = {
        i.key: i
        for i in Instrument.objects.filter(
            organisation__isnull=True, key__in=(READINESS, PULSE)
        ).order_by("key", "-version")
    }
    creator = demo.users.get("priya.venkataraman@riverside.example.org")
    rounds = {}
    for spec in ROUNDS:
        instrument = instruments[spec.instrument]
        assessment_round = AssessmentRound.objects.filter(
            organisation=riverside, title=spec.title
        ).first()
        if assessment_round is None:
            assessment_round = _add_round(demo, spec, instrument, units, today, creator)
        rounds[spec.title] = assessment_round
    _add_actions(demo, rounds[ROUNDS[1].title], rounds[ROUNDS[3].title], today)


def _add_round(
    demo: Demo,
    spec: _RoundSpec,
    instrument: Instrument,
    units: Mapping[str, Any],
    today: datetime.date,
    creator: User | None,
) -> AssessmentRound:
    opened = today - datetime.timedelta(days=spec.opened_days_ago)
    closed = (
        today - datetime.timedelta(days=spec.closed_days_ago)
        if spec.closed_days_ago is not None
        else None
    )
    assessment_round = AssessmentRound.objects.create(
        organisation=demo.organisations["riverside"],
        instrument=instrument,
        title=spec.title,
        status=AssessmentRound.Status.OPEN,
        opened_on=opened,
        created_by=creator,
    )
    # "The previous round" is found by when rounds were made: back-date it.
    AssessmentRound.objects.filter(pk=assessment_round.pk).update(
        created_at=timezone.make_aware(
            datetime.datetime.combine(opened, datetime.time(9))
        )
    )
    if spec.team:
        unit_name, count = spec.team
        assessment_round.units.set([units[unit_name]])
        answering: tuple[_Answering, ...] = (
            _Answering(
                RespondentGroup.STAFF,
                unit_name,
                tuple(
                    TEAM_STAFF_GROUPS[i % len(TEAM_STAFF_GROUPS)] for i in range(count)
                ),
            ),
        )
    else:
        answering = ANSWERING
    definition = parse_definition(instrument.definition)
    stream = random.Random(spec.title)
    days = max((closed or today) - opened, datetime.timedelta(days=1)).days
    links, responses = [], []
    for group, unit_name, staff_groups in answering:
        wanted = len(staff_groups)
        count = max(1, round(wanted * spec.share)) if spec.share < 1 else wanted
        for staff_group in staff_groups[:count]:
            unit = units[unit_name] if unit_name else None
            submitted = opened + datetime.timedelta(days=stream.randrange(days))
            answers = _answers(definition, group, spec.targets, unit_name, stream)
            links.append(
                ResponseLink(
                    round=assessment_round,
                    token_hash=token_hash(new_token()),
                    unit=unit,
                    staff_group=staff_group,
                    respondent_group=group,
                    used_at=timezone.make_aware(
                        datetime.datetime.combine(submitted, datetime.time(12))
                    ),
                )
            )
            responses.append(
                Response(
                    round=assessment_round,
                    unit=unit,
                    staff_group=staff_group,
                    respondent_group=group,
                    submitted_on=submitted,
                    answers=answers,
                )
            )
    for n in range(spec.unused_links):
        group, unit_name, staff_groups = ANSWERING[n % len(ANSWERING)]
        links.append(
            ResponseLink(
                round=assessment_round,
                token_hash=token_hash(new_token()),
                unit=units[unit_name] if unit_name else None,
                staff_group=staff_groups[0],
                respondent_group=group,
            )
        )
    ResponseLink.objects.bulk_create(links)
    Response.objects.bulk_create(responses)
    if closed is not None:
        # Closed as a person closes one, so its results are computed and stored.
        close_round(assessment_round)
        AssessmentRound.objects.filter(pk=assessment_round.pk).update(closed_on=closed)
        assessment_round.closed_on = closed
    demo.created["assessment rounds"] += 1
    demo.created["assessment responses"] += len(responses)
    return assessment_round


def _answers(
    definition: Definition,
    group: str,
    targets: dict[str, float],
    unit_name: str,
    stream: random.Random,
) -> dict[str, object]:
    """One respondent's answers to the items put to their group, near the targets."""
    answers: dict[str, object] = {}
    person = stream.gauss(0, 6)  # some people answer higher than others throughout
    for section in definition.sections:
        target = targets[section.key] + UNIT_LEAN.get(unit_name, 0.0) + person
        for item in section.items:
            if not item.is_asked_of(group):
                continue
            choices = [value for value, _ in definition.scale_for(item).choices]
            if definition.scale_for(item).type == "yes_partly_no":
                choices = list(reversed(choices))  # no, partly, yes: low to high
            position = target / 100 * (len(choices) - 1) + stream.gauss(0, 0.7)
            index = min(max(round(position), 0), len(choices) - 1)
            if item.reverse:
                index = len(choices) - 1 - index
            answers[item.key] = choices[index]
    return answers


def _add_actions(
    demo: Demo,
    readiness: AssessmentRound,
    pulse: AssessmentRound,
    today: datetime.date,
) -> None:
    riverside = demo.organisations["riverside"]
    for spec in ACTIONS:
        _, created = ActionItem.objects.get_or_create(
            organisation=riverside,
            title=spec.title,
            defaults={
                "description": spec.description,
                "round": pulse if spec.section_key == "" else readiness,
                "section_key": spec.section_key or "time-for-reflection",
                "category": spec.category,
                "owner": demo.users.get(spec.owner),
                "due_date": today + datetime.timedelta(days=spec.due_in_days),
                "status": spec.status,
            },
        )
        demo.created["action items"] += created
