"""A project's driver diagram (aim → primary drivers → secondary drivers → change
ideas) and its PDSA cycles, under /organisations/{slug}/projects/{project_id}/.

Everyone in the organisation reads them; everyone but a viewer changes them.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from openqi.improvement import services as drivers
from openqi.improvement.forms import (
    STEP_FORMS,
    CycleCreateForm,
    DriverNodeForm,
    DriverNodeTextForm,
)
from openqi.improvement.models import DriverNode, PDSACycle
from openqi.improvement.permissions import (
    CHANGE_IMPROVEMENT_WORK,
    VIEW_IMPROVEMENT_WORK,
)
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, api_access
from openqi.projects.models import Project
from openqi.projects.services import get_project_for

from . import versions
from .errors import InvalidInput
from .lookups import (
    changes,
    check,
    choose,
    date_fields,
    validate,
)
from .schemas import Day, DriverNodeKind, Page, PageQuery, Position
from .versions import VERSION_IN, VERSION_OUT
from .views import ERRORS, WRITE_ERRORS, paginate

router = Router(tags=["driver diagrams and PDSA cycles"])

NODES = "/organisations/{slug}/projects/{project_id}/driver-nodes"
NODE = NODES + "/{node_id}"
CYCLES = "/organisations/{slug}/projects/{project_id}/cycles"
CYCLE = CYCLES + "/{cycle_id}"


# Shapes -------------------------------------------------------------------------------


class DriverNodeOut(Schema):
    id: int
    kind: DriverNodeKind
    text: str
    position: int
    parent_id: int | None = Field(
        description="Empty for a primary driver (under the aim)."
    )
    version: int = Field(description=VERSION_OUT)
    children: list[DriverNodeOut] = Field(default_factory=list)


DriverNodeOut.model_rebuild()


class DriverTreeOut(Schema):
    aim: str = Field(
        description="The project's aim statement: the root of the diagram."
    )
    total: int = Field(description="How many nodes there are in all.")
    nodes: list[DriverNodeOut] = Field(
        description="The primary drivers, each with its tree."
    )


class DriverNodeIn(Schema):
    kind: DriverNodeKind
    text: str = Field(min_length=1, max_length=300)
    parent_id: int | None = Field(
        None,
        description="A primary driver has none; a secondary driver sits under a primary "
        "one; a change idea under a secondary (or primary) driver. It goes last "
        "among its siblings.",
    )


class DriverNodePatch(Schema):
    version: int | None = Field(None, ge=1, description=VERSION_IN)
    text: str | None = Field(None, min_length=1, max_length=300)
    parent_id: int | None = Field(
        None, description="Move it under another node (its kind must fit there)."
    )
    position: Position | None = Field(None, description="Its place among its siblings.")


class CycleOut(Schema):
    id: int
    change_idea_id: int
    previous_id: int | None = Field(description="The cycle before it on the ramp.")
    next_id: int | None = Field(description="The cycle after it on the ramp.")
    title: str
    plan: str
    prediction: str
    do: str
    study: str
    act: PDSACycle.Act | None
    act_notes: str
    stage: PDSACycle.Stage
    start_date: date | None
    end_date: date | None
    version: int = Field(description=VERSION_OUT)
    created_at: datetime


class CycleIn(Schema):
    """Plan a cycle; do, study and act are recorded later with PATCH."""

    change_idea_id: int = Field(description="The change idea it tests.")
    title: str = Field(min_length=1, max_length=200)
    plan: str = Field(min_length=1, description="What we will test, who, where, when.")
    prediction: str = Field(min_length=1, description="What we expect to happen.")
    start_date: Day | None = None
    follow_on: bool = Field(
        True,
        description="Join the change idea's ramp after its latest cycle (false: "
        "start a ramp of its own).",
    )


class CyclePatch(Schema):
    """Send only the fields of the steps to record; the stage moves on to the
    furthest step recorded."""

    version: int | None = Field(None, ge=1, description=VERSION_IN)
    title: str | None = Field(None, min_length=1, max_length=200)
    plan: str | None = None
    prediction: str | None = None
    start_date: Day | None = None
    do: str | None = Field(None, description="What happened when we ran the test.")
    study: str | None = Field(None, description="Results against the prediction.")
    act: PDSACycle.Act | None = Field(None, description="adopt, adapt or abandon.")
    act_notes: str | None = None
    end_date: Day | None = None


class CycleQuery(PageQuery):
    change_idea_id: int | None = None


# Driver nodes -------------------------------------------------------------------------


def _node(membership: Membership, project: Project, node_id: int) -> DriverNode:
    return drivers.get_driver_node_for(membership, project, node_id)


def _node_out(node: DriverNode, children: dict[int | None, list[DriverNode]]) -> Any:
    return {
        "id": node.pk,
        "kind": node.kind,
        "text": node.text,
        "position": node.position,
        "parent_id": node.parent_id,
        "version": node.version,
        "children": [_node_out(c, children) for c in children.get(node.pk, [])],
    }


def _move(project: Project, node: DriverNode, data: dict[str, Any]) -> None:
    """Put the node under another parent or at another place among its siblings."""
    if "parent_id" in data:
        node.parent = choose(
            project.driver_nodes.exclude(pk=node.pk),
            data["parent_id"],
            "parent_id",
            "driver diagram node of this project",
        )
    if data.get("position") is not None:
        node.position = data["position"]
    validate(node, {"parent": "parent_id"})


@router.get(NODES, response={200: DriverTreeOut, **ERRORS}, url_name="driver-nodes")
@api_access(VIEW_IMPROVEMENT_WORK)
def list_driver_nodes(request: MemberRequest, slug: str, project_id: int) -> Any:
    """The project's driver diagram as a tree, whole (it is not paginated)."""
    project = get_project_for(request.membership, project_id)
    nodes = list(project.driver_nodes.order_by("position", "pk"))
    children: dict[int | None, list[DriverNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    return {
        "aim": project.aim_statement(),
        "total": len(nodes),
        "nodes": [_node_out(n, children) for n in children.get(None, [])],
    }


@router.post(
    NODES, response={201: DriverNodeOut, **WRITE_ERRORS}, url_name="driver-nodes"
)
@api_access(CHANGE_IMPROVEMENT_WORK)
def create_driver_node(
    request: MemberRequest, slug: str, project_id: int, payload: DriverNodeIn
) -> Any:
    """Add a driver or change idea to the diagram (everyone but viewers)."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    parent = choose(
        project.driver_nodes.all(),
        payload.parent_id,
        "parent_id",
        "driver diagram node of this project",
    )
    if parent is not None and not drivers.allowed_kinds(parent):
        raise InvalidInput(
            {"parent_id": ["Nothing sits under a change idea: choose a driver."]}
        )
    form = DriverNodeForm(
        {"kind": payload.kind, "text": payload.text}, project=project, parent=parent
    )
    check(form, {"__all__": "parent_id"})
    node = drivers.add_node(form.save(commit=False))
    return Status(201, _node_out(node, {}))


@router.get(NODE, response={200: DriverNodeOut, **ERRORS}, url_name="driver-node")
@api_access(VIEW_IMPROVEMENT_WORK)
def get_driver_node(
    request: MemberRequest, slug: str, project_id: int, node_id: int
) -> Any:
    """One node with the tree under it."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    node = _node(membership, project, node_id)
    children: dict[int | None, list[DriverNode]] = {}
    for each in project.driver_nodes.order_by("position", "pk"):
        children.setdefault(each.parent_id, []).append(each)
    return _node_out(node, children)


@router.patch(
    NODE, response={200: DriverNodeOut, **WRITE_ERRORS}, url_name="driver-node"
)
@api_access(CHANGE_IMPROVEMENT_WORK)
def update_driver_node(
    request: MemberRequest,
    slug: str,
    project_id: int,
    node_id: int,
    payload: DriverNodePatch,
) -> Any:
    """Reword, reorder or move a node (everyone but viewers); send only the fields to change."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> None:
        node = _node(membership, project, node_id)
        versions.check(node, expect)
        if sent.get("text") is not None:
            check(DriverNodeTextForm({"text": sent["text"]}, instance=node))
        _move(project, node, sent)
        node.save()

    versions.save(expect, attempt)
    return get_driver_node(request, slug=slug, project_id=project_id, node_id=node_id)


@router.delete(NODE, response={204: None, **WRITE_ERRORS}, url_name="driver-node")
@api_access(CHANGE_IMPROVEMENT_WORK)
def delete_driver_node(
    request: MemberRequest, slug: str, project_id: int, node_id: int
) -> Any:
    """Delete a node with everything under it (everyone but viewers; one with PDSA
    cycles on it or under it, administrators and the QI team only)."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    node = _node(membership, project, node_id)
    require_delete(
        membership,
        has_history=node.has_history(),
        what="a driver diagram entry with PDSA cycles",
    )
    drivers.delete_node(node)
    return Status(204, None)


# PDSA cycles --------------------------------------------------------------------------


def _cycle(membership: Membership, project: Project, cycle_id: int) -> PDSACycle:
    return drivers.get_cycle_for(membership, project, cycle_id)


def _cycle_out(cycle: PDSACycle) -> dict[str, Any]:
    following = getattr(cycle, "next_cycle", None)
    return {
        "id": cycle.pk,
        "change_idea_id": cycle.change_idea_id,
        "previous_id": cycle.previous_id,
        "next_id": following.pk if following else None,
        "title": cycle.title,
        "plan": cycle.plan,
        "prediction": cycle.prediction,
        "do": cycle.do,
        "study": cycle.study,
        "act": cycle.act or None,
        "act_notes": cycle.act_notes,
        "stage": cycle.stage,
        "start_date": cycle.start_date,
        "end_date": cycle.end_date,
        "version": cycle.version,
        "created_at": cycle.created_at,
    }


_DATES = ("start_date", "end_date")


def _step_data(cycle: PDSACycle, sent: dict[str, Any]) -> dict[str, Any]:
    """The cycle's fields as the step forms take them, with the fields ``sent`` over them."""
    data: dict[str, Any] = {
        name: getattr(cycle, name)
        for name in ("title", "plan", "prediction", "do", "study", "act", "act_notes")
    }
    data.update({k: v for k, v in sent.items() if k not in ("start_date", "end_date")})
    for name in ("start_date", "end_date"):
        data.update(
            date_fields(name, sent[name] if name in sent else getattr(cycle, name))
        )
    return {k: ("" if v is None else v) for k, v in data.items()}


@router.get(CYCLES, response={200: Page[CycleOut], **ERRORS}, url_name="cycles")
@api_access(VIEW_IMPROVEMENT_WORK)
def list_cycles(
    request: MemberRequest, slug: str, project_id: int, query: Query[CycleQuery]
) -> Any:
    """The project's PDSA cycles by start date; ``change_idea_id`` gives one idea's ramp."""
    project = get_project_for(request.membership, project_id)
    cycles = project.cycles.order_by("start_date", "pk")
    if query.change_idea_id is not None:
        cycles = cycles.filter(change_idea_id=query.change_idea_id)
    result = paginate(cycles, query)
    result["items"] = [_cycle_out(c) for c in result["items"]]
    return result


@router.post(CYCLES, response={201: CycleOut, **WRITE_ERRORS}, url_name="cycles")
@api_access(CHANGE_IMPROVEMENT_WORK)
def create_cycle(
    request: MemberRequest, slug: str, project_id: int, payload: CycleIn
) -> Any:
    """Plan a PDSA cycle on a change idea (everyone but viewers); ``previous_id`` chains
    it into a ramp."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    data = {
        "change_idea": payload.change_idea_id,
        "title": payload.title,
        "plan": payload.plan,
        "prediction": payload.prediction,
        "follow_on": payload.follow_on,
        **date_fields("start_date", payload.start_date),
    }
    form = CycleCreateForm(data, project=project)
    check(form, {"change_idea": "change_idea_id", "previous": "follow_on"})
    return Status(201, _cycle_out(form.save()))


@router.get(CYCLE, response={200: CycleOut, **ERRORS}, url_name="cycle")
@api_access(VIEW_IMPROVEMENT_WORK)
def get_cycle(request: MemberRequest, slug: str, project_id: int, cycle_id: int) -> Any:
    membership = request.membership
    project = get_project_for(membership, project_id)
    return _cycle_out(_cycle(membership, project, cycle_id))


@router.patch(CYCLE, response={200: CycleOut, **WRITE_ERRORS}, url_name="cycle")
@api_access(CHANGE_IMPROVEMENT_WORK)
def update_cycle(
    request: MemberRequest,
    slug: str,
    project_id: int,
    cycle_id: int,
    payload: CyclePatch,
) -> Any:
    """Record what happened, the study and the decision (everyone but viewers); send
    only the fields to change."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    sent = changes(payload)
    expect = versions.expected(request, sent.pop("version", None))

    def attempt() -> PDSACycle:
        cycle = _cycle(membership, project, cycle_id)
        versions.check(cycle, expect)
        data = _step_data(cycle, sent)
        # The model's rules first, on a copy, so that their errors name their fields
        # (the step forms report a rule about a field they lack for the whole form).
        trial = copy.copy(cycle)
        for name, value in sent.items():
            setattr(trial, name, "" if value is None and name not in _DATES else value)
        validate(trial)
        step = None
        # Each step's form checks its own fields (and the model's rules) in turn, on
        # the same cycle, so the act is checked against the study just sent.
        for stage, form_class in STEP_FORMS.items():
            if set(sent) & set(form_class.base_fields):
                check(form_class(data, instance=cycle))
                step = stage
        if step is not None:
            drivers.save_step(cycle, step)
        return cycle

    return _cycle_out(versions.save(expect, attempt))


@router.delete(CYCLE, response={204: None, **WRITE_ERRORS}, url_name="cycle")
@api_access(CHANGE_IMPROVEMENT_WORK)
def delete_cycle(
    request: MemberRequest, slug: str, project_id: int, cycle_id: int
) -> Any:
    """Delete a cycle (everyone but viewers; one whose Do or Study is recorded,
    administrators and the QI team only); the ramp closes up around it."""
    membership = request.membership
    project = get_project_for(membership, project_id)
    cycle = _cycle(membership, project, cycle_id)
    require_delete(
        membership, has_history=cycle.has_history(), what="a PDSA cycle that has run"
    )
    drivers.delete_cycle(cycle)
    return Status(204, None)
