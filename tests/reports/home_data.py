"""One of each thing that needs someone, for the home page tests: what each
person of the shared cast (tests/base.py) should be told of."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.barriers.models import Barrier
from openqi.core.categories import BarrierCategory
from openqi.improvement.models import DriverNode, PDSACycle
from openqi.journey.models import Milestone
from openqi.journey.services import steps_for
from openqi.measures.models import Measure
from openqi.projects.models import ProgressRating, Project
from tests.measures.helpers import add_points, make_measure

#: The day the tests look from.
TODAY = datetime.date(2024, 3, 5)


def build(t: Any) -> None:
    """Give the cast's ``lead`` a measure showing a concern, one failing its
    target and one with data overdue; a project with a cycle waiting for its
    Study and no rating for months; an overdue milestone; a barrier escalated
    to the board owned by ``member``."""
    org = t.org
    # Lower is better and the latest point is far above the limits: concern.
    t.concern = make_measure(
        org, name="Falls with harm", owner=t.lead, improvement="decrease"
    )
    add_points(t.concern, [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 60])
    # Higher is better, a steady process far under its target: failing.
    t.failing = make_measure(
        org, name="Sepsis screening", owner=t.lead, improvement="increase", target=95
    )
    add_points(t.failing, [50, 52, 49, 51, 50, 48, 52, 50, 51, 49, 50, 52, 51, 50])
    # Monthly data to January 2024: February's were due from 1 March.
    t.due = make_measure(org, name="Discharge letters", owner=t.lead)
    add_points(t.due, [5, 6, 5, 7], start=datetime.date(2023, 10, 1))
    # Weekly data to a week in 2023: long overdue.
    t.overdue = make_measure(
        org, name="Cancelled operations", owner=t.lead, frequency="weekly"
    )
    add_points(t.overdue, [3, 4, 2], start=datetime.date(2023, 6, 5))
    # Nobody's: told to no one.
    t.unowned = make_measure(org, name="Unowned measure", improvement="decrease")
    add_points(t.unowned, [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9, 10, 60])

    t.project = Project.objects.create(
        organisation=org,
        title="Fewer falls at night",
        aim_what="Fewer falls",
        lead=t.lead,
        status=Project.Status.ACTIVE,
        start_date=datetime.date(2023, 6, 1),
    )
    ProgressRating.objects.create(
        project=t.project,
        score="2.0",
        rated_by="team",
        rated_on=datetime.date(2023, 11, 1),
        rater=t.lead,
    )
    idea = DriverNode.objects.create(
        project=t.project, kind=DriverNode.Kind.CHANGE_IDEA, text="Night checks"
    )
    t.cycle = PDSACycle.objects.create(
        project=t.project,
        change_idea=idea,
        title="Hourly checks on one bay",
        plan="Check every hour",
        prediction="Fewer falls",
        do="Ran for two weeks",
        stage=PDSACycle.Stage.DO,
        end_date=datetime.date(2024, 2, 20),
    )
    PDSACycle.objects.create(
        project=t.project,
        change_idea=idea,
        title="Studied already",
        plan="p",
        prediction="q",
        do="done",
        study="studied",
        stage=PDSACycle.Stage.STUDY,
    )
    step = steps_for(org)[0]
    t.milestone = Milestone.objects.create(
        step=step, title="Board signs off", due_on=datetime.date(2024, 2, 1)
    )
    Milestone.objects.create(
        step=step,
        title="Done one",
        due_on=datetime.date(2024, 1, 1),
        done_on=datetime.date(2024, 1, 2),
    )
    t.barrier = Barrier.objects.create(
        organisation=org,
        title="No protected time for testing",
        category=BarrierCategory.RESOURCES,
        raised_on=datetime.date(2024, 2, 10),
        owner=t.member,
        escalate_to_board=True,
    )
    Barrier.objects.create(
        organisation=org,
        title="Not escalated",
        category=BarrierCategory.RESOURCES,
        raised_on=datetime.date(2024, 2, 10),
        owner=t.member,
    )


def measure_names() -> list[str]:
    return list(Measure.objects.values_list("name", flat=True))
