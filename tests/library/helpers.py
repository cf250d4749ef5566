"""Small builders for the library tests (house style: no factory library)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.improvement.models import DriverNode
from openqi.library import services
from openqi.library.models import Audience, Kind, Publication
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Organisation
from openqi.projects.models import Project, ProjectMeasure


def make_project(organisation: Organisation, **fields: Any) -> Project:
    fields.setdefault("title", "Falls prevention on the care of older people wards")
    fields.setdefault("aim_what", "Reduce inpatient falls with harm")
    fields.setdefault("aim_how_much", "by 30%")
    fields.setdefault(
        "problem", "Falls with harm rose on the frailty wards last winter."
    )
    return Project.objects.create(organisation=organisation, **fields)


def make_diagram(project: Project) -> DriverNode:
    """A small driver diagram; returns its change idea."""
    primary = DriverNode.objects.create(
        project=project, kind=DriverNode.Kind.PRIMARY, text="Reliable risk assessment"
    )
    secondary = DriverNode.objects.create(
        project=project,
        parent=primary,
        kind=DriverNode.Kind.SECONDARY,
        text="Lying and standing blood pressure",
    )
    return DriverNode.objects.create(
        project=project,
        parent=secondary,
        kind=DriverNode.Kind.CHANGE_IDEA,
        text="Bay tagging: someone always in the bay",
    )


def make_measure(
    organisation: Organisation, project: Project | None = None, name: str = ""
) -> Measure:
    """A monthly rate with six points (whose notes must never be shared)."""
    count = Measure.objects.filter(organisation=organisation).count()
    measure = Measure.objects.create(
        organisation=organisation,
        name=name or f"Falls with harm per 1,000 bed days ({count + 1})",
        definition="Inpatient falls with moderate harm or worse, per 1,000 occupied bed days.",
        kind=Measure.Kind.RATE,
        numerator_definition="Falls with harm",
        denominator_definition="Occupied bed days",
        frequency=Measure.Frequency.MONTHLY,
        improvement=Measure.Improvement.DECREASE,
        multiplier=1000,
    )
    for month in range(1, 7):
        DataPoint.objects.create(
            measure=measure,
            period=datetime.date(2025, month, 1),
            value=3 + month % 2,
            denominator=900 + month,
            note="Patient in bed 4 fell twice",
        )
    if project is not None:
        ProjectMeasure.objects.create(project=project, measure=measure)
    return measure


def fields(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Falls prevention on the care of older people wards",
        "summary": "Bay tagging and lying and standing blood pressure cut falls.",
        "outcome_text": "",
        "topic": "safety",
        "setting": "acute",
        "method": "mfi",
        "outcome": "safe",
        "keywords": "frailty",
        "audience": Audience.EVERYONE,
        "includes_measures": False,
        "includes_series": False,
    }
    data.update(overrides)
    return data


def make_publication(
    organisation: Organisation,
    kind: str = Kind.PROJECT,
    *,
    project: Project | None = None,
    measure: Measure | None = None,
    **overrides: Any,
) -> Publication:
    """Published through the service (content frozen), by nobody in particular."""
    node = None
    if kind == Kind.MEASURE:
        measure = measure or make_measure(organisation)
    else:
        project = project or make_project(organisation)
        if kind == Kind.CHANGE_IDEA:
            node = make_diagram(project)
    return services.publish(
        organisation,
        by=None,
        kind=kind,
        project=project,
        measure=measure,
        node=node,
        **fields(**overrides),
    )


def publish_form(**overrides: str) -> dict[str, str]:
    """A valid publish form as a browser posts it."""
    data = {
        "title": "Falls prevention on the care of older people wards",
        "summary": "Bay tagging and lying and standing blood pressure cut falls.",
        "outcome_text": "",
        "topic": "safety",
        "setting": "acute",
        "method": "mfi",
        "outcome": "safe",
        "keywords": "",
        "audience": "everyone",
    }
    data.update(overrides)
    return data
