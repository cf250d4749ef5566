"""The strategy, project and measure API routes, for the access walk (see
tests/access.py), and the small data builders their tests share."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from openqi.improvement.models import DriverNode, PDSACycle
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Organisation
from openqi.projects.models import Project
from openqi.strategy.models import StrategicPriority
from tests.access import Route, Write

_seq = itertools.count(1)

#: Twenty months of falls: a stable process, then a shift down after a change.
FALLS = [9, 7, 8, 10, 6, 9, 8, 7, 9, 8, 4, 5, 3, 4, 5, 3, 4, 4, 3, 5]


# Builders -----------------------------------------------------------------------------


def make_priority(organisation: Organisation, **fields: Any) -> StrategicPriority:
    fields.setdefault("title", f"Reduce harm from falls {next(_seq)}")
    fields.setdefault("period_start", datetime.date(2025, 4, 1))
    return StrategicPriority.objects.create(organisation=organisation, **fields)


def make_project(organisation: Organisation, **fields: Any) -> Project:
    fields.setdefault("title", f"Fewer falls at night {next(_seq)}")
    fields.setdefault("aim_what", "Reduce falls at night on the stroke unit")
    fields.setdefault("aim_how_much", "by half")
    return Project.objects.create(organisation=organisation, **fields)


def make_measure(organisation: Organisation, **fields: Any) -> Measure:
    fields.setdefault("name", f"Falls on the stroke unit {next(_seq)}")
    fields.setdefault("kind", Measure.Kind.COUNT)
    fields.setdefault("frequency", Measure.Frequency.MONTHLY)
    return Measure.objects.create(organisation=organisation, **fields)


def add_points(
    measure: Measure,
    values: list[float],
    *,
    denominators: list[float] | None = None,
    start: datetime.date = datetime.date(2023, 1, 1),
) -> list[DataPoint]:
    """Monthly points from ``start``."""
    points = []
    for i, value in enumerate(values):
        month = start.month - 1 + i
        period = datetime.date(start.year + month // 12, month % 12 + 1, 1)
        points.append(
            DataPoint.objects.create(
                measure=measure,
                period=period,
                value=value,
                denominator=denominators[i] if denominators else None,
            )
        )
    return points


def make_tree(project: Project) -> dict[str, DriverNode]:
    """A primary driver, a secondary driver under it and a change idea under that."""
    primary = DriverNode.objects.create(
        project=project, kind="primary", text="Safe toileting at night"
    )
    secondary = DriverNode.objects.create(
        project=project, parent=primary, kind="secondary", text="Regular rounding"
    )
    idea = DriverNode.objects.create(
        project=project, parent=secondary, kind="change_idea", text="Hourly rounds"
    )
    return {"primary": primary, "secondary": secondary, "idea": idea}


def make_cycle(idea: DriverNode, **fields: Any) -> PDSACycle:
    fields.setdefault("title", "Hourly rounds on bay A for a week")
    fields.setdefault("plan", "Two nurses round hourly on bay A, 22:00 to 06:00.")
    fields.setdefault("prediction", "No falls on bay A that week.")
    return PDSACycle.objects.create(project=idea.project, change_idea=idea, **fields)


# The cast's shared rows ----------------------------------------------------------------


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _project(cast: Any) -> Project:
    return Project.objects.filter(
        organisation=cast.org, title="Walk project"
    ).first() or make_project(cast.org, title="Walk project")


def _idea(cast: Any) -> DriverNode:
    project = _project(cast)
    idea = project.driver_nodes.filter(kind="change_idea").first()
    return idea or make_tree(project)["idea"]


def _measure(cast: Any) -> Measure:
    measure = Measure.objects.filter(organisation=cast.org, name="Walk measure").first()
    if measure is None:
        measure = make_measure(cast.org, name="Walk measure")
        add_points(measure, FALLS)
    return measure


def _fresh_measure(cast: Any) -> dict[str, Any]:
    """A measure with data of its own (a period holds one phase break or note)."""
    measure = make_measure(cast.org)
    add_points(measure, FALLS)
    return {"measure_id": measure.pk}


def _phase_break(cast: Any) -> dict[str, Any]:
    # After the last point, so without history: anyone who may change the measure
    # may delete it (the rule for one with history is in tests/test_delete_rule.py).
    ids = _fresh_measure(cast)
    item = Measure.objects.get(pk=ids["measure_id"]).phase_breaks.create(
        period=datetime.date(2025, 1, 1), reason="New rota"
    )
    return {**ids, "break_id": item.pk}


def _annotation(cast: Any) -> dict[str, Any]:
    ids = _fresh_measure(cast)
    item = Measure.objects.get(pk=ids["measure_id"]).annotations.create(
        period=datetime.date(2024, 2, 1), text="Agency staff"
    )
    return {**ids, "annotation_id": item.pk}


def _in_project(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "project_id": _project(cast).pk}


def _in_measure(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "measure_id": _measure(cast).pk}


ROUTES: list[Route] = [
    Route(
        "api:priorities",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "title": f"Cut waits in the emergency department {next(_seq)}",
                    "period_start": "2025-04-01",
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:priority",
        kwargs=lambda c: {**_org(c), "priority_id": make_priority(c.org).pk},
        writes=(
            Write("patch", data=lambda c: {"description": "Fewer falls with harm"}),
            Write("delete", setup=lambda c: {"priority_id": make_priority(c.org).pk}),
        ),
        is_api=True,
    ),
    Route(
        "api:projects",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "title": "Quicker discharge from ward 7",
                    "aim": {"what": "Discharge before noon", "how_much": "60%"},
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:project",
        kwargs=_in_project,
        writes=(
            Write("patch", data=lambda c: {"status": "active"}),
            Write(
                "delete",
                setup=lambda c: {"project_id": make_project(c.org).pk},
                # An object rule: only its own lead (or the QI team) deletes it.
                expect={"project_lead": 403, "member": 403},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:project-ratings",
        kwargs=_in_project,
        writes=(
            Write(
                "post",
                data=lambda c: {"score": 2.5, "rated_by": "coach"},
                # The coach's rating is the QI team's and administrators'.
                expect={"project_lead": 403, "member": 403},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:project-notes",
        kwargs=_in_project,
        writes=(Write("post", data=lambda c: {"text": "Met the ward sister."}),),
        is_api=True,
    ),
    Route(
        "api:project-measures",
        kwargs=_in_project,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "measure_id": make_measure(c.org).pk,
                    "role": "process",
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:project-measure",
        kwargs=lambda c: {**_in_project(c), "measure_id": 0},
        get=False,
        writes=(
            Write(
                "delete",
                setup=lambda c: {
                    "measure_id": _project(c)
                    .measure_links.create(measure=make_measure(c.org))
                    .measure_id
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:driver-nodes",
        kwargs=_in_project,
        writes=(Write("post", data=lambda c: {"kind": "primary", "text": "Staffing"}),),
        is_api=True,
    ),
    Route(
        "api:driver-node",
        kwargs=lambda c: {**_in_project(c), "node_id": _idea(c).pk},
        writes=(
            Write("patch", data=lambda c: {"text": "Rounds every hour, all bays"}),
            Write(
                "delete",
                setup=lambda c: {"node_id": make_tree(_project(c))["idea"].pk},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:cycles",
        kwargs=_in_project,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "change_idea_id": _idea(c).pk,
                    "title": "Rounds on bay B",
                    "plan": "Hourly rounds on bay B for a week.",
                    "prediction": "One fall at most.",
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:cycle",
        kwargs=lambda c: {**_in_project(c), "cycle_id": make_cycle(_idea(c)).pk},
        writes=(
            Write("patch", data=lambda c: {"do": "Ran it for seven nights."}),
            Write("delete", setup=lambda c: {"cycle_id": make_cycle(_idea(c)).pk}),
        ),
        is_api=True,
    ),
    Route(
        "api:measures",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "name": f"Pressure ulcers {next(_seq)}",
                    "kind": "count",
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:measure",
        kwargs=_in_measure,
        writes=(
            Write("patch", data=lambda c: {"target": 4}),
            Write(
                "delete",
                setup=lambda c: {"measure_id": make_measure(c.org).pk},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:data-points",
        kwargs=_in_measure,
        writes=(
            Write(
                "post",
                data=lambda c: [{"period": "2024-09-01", "value": 4}],  # type: ignore[arg-type,return-value]
            ),
        ),
        is_api=True,
    ),
    Route("api:chart", kwargs=_in_measure, is_api=True),
    Route(
        "api:phase-breaks",
        kwargs=_in_measure,
        writes=(
            Write(
                "post",
                data=lambda c: {"period": "2023-11-01", "reason": "Hourly rounds"},
                setup=_fresh_measure,
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:phase-break",
        kwargs=_in_measure,
        get=False,
        writes=(Write("delete", setup=_phase_break),),
        is_api=True,
    ),
    Route(
        "api:annotations",
        kwargs=_in_measure,
        writes=(
            Write(
                "post",
                data=lambda c: {"period": "2023-10-01", "text": "Rounds started"},
                setup=_fresh_measure,
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:annotation",
        kwargs=_in_measure,
        get=False,
        writes=(Write("delete", setup=_annotation),),
        is_api=True,
    ),
]
