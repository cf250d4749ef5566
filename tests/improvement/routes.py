"""The driver diagram and PDSA cycle pages, for the access walk (see tests/access.py),
and the small builders their tests share.

Pages that show a form to change something refuse viewers already on GET, so
they are declared ``manage_only`` (viewer 403 on GET; the cast's editor is an
administrator; a plain member may use them too, see test_driver_pages.py).
"""

from __future__ import annotations

from typing import Any

from openqi.improvement.models import DriverNode, PDSACycle
from openqi.organisations.models import Organisation
from openqi.projects.models import Project
from tests.access import Route, Write


def make_driver_project(organisation: Organisation, **fields: Any) -> Project:
    fields.setdefault("title", "Reduce falls on older people's wards")
    fields.setdefault("aim_what", "Reduce inpatient falls with harm")
    fields.setdefault("aim_how_much", "by 30%")
    return Project.objects.create(organisation=organisation, **fields)


def make_node(
    project: Project, kind: str, text: str, parent: DriverNode | None = None
) -> DriverNode:
    position = DriverNode.objects.filter(project=project, parent=parent).count()
    return DriverNode.objects.create(
        project=project, kind=kind, text=text, parent=parent, position=position
    )


def make_cycle(idea: DriverNode, **fields: Any) -> PDSACycle:
    fields.setdefault("title", f"Test {PDSACycle.objects.count() + 1}")
    fields.setdefault("plan", "Try it on one bay for a week.")
    fields.setdefault("prediction", "8 of 10 patients will have it done.")
    return PDSACycle.objects.create(project=idea.project, change_idea=idea, **fields)


def make_diagram(project: Project) -> dict[str, DriverNode]:
    """A primary driver with a secondary driver and a change idea under it."""
    primary = make_node(project, "primary", "Reliable risk assessment")
    secondary = make_node(
        project, "secondary", "Assessment within 6 hours of admission", primary
    )
    idea = make_node(
        project, "change_idea", "Falls checklist in the admission bundle", secondary
    )
    return {"primary": primary, "secondary": secondary, "idea": idea}


def _project(cast: Any) -> dict[str, Any]:
    project = Project.objects.filter(organisation=cast.org, title="Access walk").first()
    if project is None:
        project = make_driver_project(cast.org, title="Access walk")
        make_diagram(project)
    return {"slug": cast.org.slug, "pk": project.pk}


def _project_object(cast: Any) -> Project:
    return Project.objects.get(pk=_project(cast)["pk"])


def _node(cast: Any) -> dict[str, Any]:
    project = _project_object(cast)
    node = DriverNode.objects.filter(project=project, kind="primary").first()
    return {**_project(cast), "node_pk": node.pk}


def _new_node(cast: Any) -> dict[str, Any]:
    node = make_node(_project_object(cast), "primary", "Spare driver")
    return {"node_pk": node.pk}


def _idea(cast: Any) -> DriverNode:
    return DriverNode.objects.filter(
        project=_project_object(cast), kind="change_idea"
    ).first()


def _cycle(cast: Any) -> dict[str, Any]:
    cycle = PDSACycle.objects.filter(change_idea=_idea(cast)).first() or make_cycle(
        _idea(cast)
    )
    return {**_project(cast), "cycle_pk": cycle.pk}


def _new_cycle(cast: Any) -> dict[str, Any]:
    return {"cycle_pk": make_cycle(_idea(cast)).pk}


ROUTES: list[Route] = [
    Route("improvement:drivers", kwargs=_project),
    Route("improvement:driver_svg", kwargs=_project),
    Route(
        "improvement:driver_add",
        manage_only=True,
        kwargs=_project,
        writes=(Write(data=lambda c: {"kind": "primary", "text": "Safe environment"}),),
    ),
    Route(
        "improvement:driver_edit",
        manage_only=True,
        kwargs=_node,
        writes=(Write(data=lambda c: {"text": "Reliable risk assessment for all"}),),
    ),
    Route(
        "improvement:driver_move",
        kwargs=_node,
        get=False,
        writes=(Write(data=lambda c: {"direction": "down"}),),
    ),
    Route(
        "improvement:driver_delete",
        manage_only=True,
        kwargs=_node,
        writes=(Write(setup=_new_node),),
    ),
    Route("improvement:cycles", kwargs=_project),
    Route(
        "improvement:cycle_create",
        manage_only=True,
        kwargs=_project,
        writes=(
            Write(
                data=lambda c: {
                    "change_idea": _idea(c).pk,
                    "follow_on": "true",
                    "title": "Checklist on bay 2",
                    "plan": "Bay 2 for a week.",
                    "prediction": "8 of 10 done within 6 hours.",
                }
            ),
        ),
    ),
    Route("improvement:cycle_detail", kwargs=_cycle),
    Route(
        "improvement:cycle_edit",
        manage_only=True,
        kwargs=_cycle,
        writes=(Write(data=lambda c: {"step": "do", "do": "Used for 12 admissions."}),),
    ),
    Route(
        "improvement:cycle_delete",
        kwargs=_cycle,
        get=False,
        writes=(Write(setup=_new_cycle),),
    ),
]
