"""The driver diagram (drawn and as an editable outline) and the PDSA cycles of a project.

Each view names the permission every HTTP method needs (``page_access``, with the
permissions of :mod:`openqi.improvement.permissions`): outsiders get a 404,
viewers may look, and anyone who can edit may change the diagram and the cycles.
Without JavaScript every action is a form post and a redirect; with htmx the
outline (``improvement/_drivers.html``) is swapped in place.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from markupsafe import Markup

from openqi.core.forms import model_choice_field
from openqi.core.requests import is_htmx, posted
from openqi.core.versioning import VersionConflict
from openqi.organisations.access import require_delete
from openqi.organisations.models import Membership
from openqi.organisations.permissions import MemberRequest, has, page_access
from openqi.projects.models import Project
from openqi.projects.services import get_project_for

from . import services, spread
from .forms import (
    STEP_FORMS,
    CycleCreateForm,
    DriverNodeForm,
    DriverNodeTextForm,
    MoveForm,
)
from .models import DriverNode, PDSACycle
from .permissions import CHANGE_IMPROVEMENT_WORK, VIEW_IMPROVEMENT_WORK


def _node(membership: Membership, project: Project, node_pk: int) -> DriverNode:
    return services.get_driver_node_for(membership, project, node_pk)


def _cycle(membership: Membership, project: Project, cycle_pk: int) -> PDSACycle:
    return services.get_cycle_for(membership, project, cycle_pk)


def _crumbs(project: Project, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs after the organisation: projects, the project, then ``extra``."""
    slug = project.organisation.slug
    return [
        ("Projects", reverse("projects:list", kwargs={"slug": slug})),
        (
            project.title,
            reverse("projects:detail", kwargs={"slug": slug, "pk": project.pk}),
        ),
        *extra,
    ]


# --------------------------------------------------------------- the diagram


def _drivers_context(
    membership: Membership, project: Project, **extra: Any
) -> dict[str, Any]:
    tree = services.driver_tree(project)
    notes = services.cycle_notes(project)
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "project": project,
        "tree": tree,
        "spread_notes": spread.notes_for_project(project),
        "diagram": Markup(services.diagram_svg(project, tree, notes)),
        "crumbs": _crumbs(project),
        "can_edit": has(membership, CHANGE_IMPROVEMENT_WORK),
        "allowed_kinds": services.allowed_kinds,
        "aim_edit_href": reverse(
            "projects:edit",
            kwargs={"slug": project.organisation.slug, "pk": project.pk},
        ),
        "form": None,
        "form_at": None,
        "focus": None,
        **extra,
    }


def _drivers_page(
    request: HttpRequest, membership: Membership, project: Project, **extra: Any
) -> HttpResponse:
    """The page, or just the outline and drawing for htmx."""
    context = _drivers_context(membership, project, **extra)
    template = (
        "improvement/_drivers.html" if is_htmx(request) else "improvement/drivers.html"
    )
    return render(request, template, context)


def _drivers_saved(
    request: HttpRequest,
    membership: Membership,
    project: Project,
    message: str,
    focus: tuple[Any, ...],
) -> HttpResponse:
    """After a change: the outline with ``message`` announced and ``focus`` (what takes
    focus, see improvement/_drivers.html) for htmx; a redirect with a message otherwise."""
    if is_htmx(request):
        response = _drivers_page(
            request, membership, project, notice=message, focus=focus
        )
        # No scrolling of its own: the element focused is brought into view.
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, message)
    return redirect(
        "improvement:drivers", slug=membership.organisation.slug, pk=project.pk
    )


@page_access(get=VIEW_IMPROVEMENT_WORK)
def drivers(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    return _drivers_page(request, membership, project)


@page_access(get=VIEW_IMPROVEMENT_WORK)
def driver_svg(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """The drawing on its own, to download or put in a document."""
    membership = request.membership
    project = get_project_for(membership, pk)
    tree = services.driver_tree(project)
    svg = services.diagram_svg(project, tree, services.cycle_notes(project))
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg,
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'inline; filename="driver-diagram-{project.pk}.svg"'
    )
    return response


@page_access(get=CHANGE_IMPROVEMENT_WORK, post=CHANGE_IMPROVEMENT_WORK)
def driver_add(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Add a node under the aim (no ``parent``) or under a node (``parent``: its id)."""
    membership = request.membership
    project = get_project_for(membership, pk)
    source = request.POST if request.method == "POST" else request.GET
    parent_id = source.get("parent", "")
    if parent_id and not parent_id.isdigit():
        raise Http404("No such node")
    parent = _node(membership, project, int(parent_id)) if parent_id else None
    if not services.allowed_kinds(parent):
        # Nothing sits under a change idea; the outline never offers it.
        raise Http404("Nothing can be added under a change idea")
    form = DriverNodeForm(posted(request), project=project, parent=parent)
    if request.method == "POST" and form.is_valid():
        node = services.add_node(form.save(commit=False))
        return _drivers_saved(
            request,
            membership,
            project,
            f"{node.get_kind_display()} added.",
            focus=("node", node.pk),
        )
    at = ("add", parent.pk if parent else "aim")
    return _drivers_page(
        request, membership, project, form=form, form_at=at, parent=parent
    )


@page_access(get=CHANGE_IMPROVEMENT_WORK, post=CHANGE_IMPROVEMENT_WORK)
def driver_edit(
    request: MemberRequest, slug: str, pk: int, node_pk: int
) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    node = _node(membership, project, node_pk)
    form = DriverNodeTextForm(posted(request), instance=node)
    if request.method == "POST" and form.is_valid():
        try:
            node = form.save()
        except VersionConflict:
            form.report_conflict()
        else:
            return _drivers_saved(
                request,
                membership,
                project,
                f"{node.get_kind_display()} saved.",
                focus=("node", node.pk),
            )
    return _drivers_page(
        request, membership, project, form=form, form_at=("edit", node.pk)
    )


@page_access(post=CHANGE_IMPROVEMENT_WORK)
def driver_move(
    request: MemberRequest, slug: str, pk: int, node_pk: int
) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    node = _node(membership, project, node_pk)
    form = MoveForm(request.POST)
    direction = form.cleaned_data["direction"] if form.is_valid() else ""
    if direction and services.move_node(node, direction):
        message = f"{node.get_kind_display()} moved {direction}."
    else:
        message = f"{node.get_kind_display()} cannot move that way."
    return _drivers_saved(
        request, membership, project, message, focus=("move", node.pk, direction)
    )


@page_access(get=CHANGE_IMPROVEMENT_WORK, post=CHANGE_IMPROVEMENT_WORK)
def driver_delete(
    request: MemberRequest, slug: str, pk: int, node_pk: int
) -> HttpResponse:
    """Ask first (GET), then delete the node with everything under it (POST)."""
    membership = request.membership
    project = get_project_for(membership, pk)
    node = _node(membership, project, node_pk)
    require_delete(
        membership,
        has_history=node.has_history(),
        what="a driver diagram entry with PDSA cycles",
    )
    if request.method == "POST":
        parent_id = node.parent_id
        services.delete_node(node)
        return _drivers_saved(
            request,
            membership,
            project,
            f"{node.get_kind_display()} deleted.",
            # The node it sat under, or the outline's heading for a primary driver.
            focus=("node", parent_id) if parent_id else ("outline",),
        )
    branch = services.find_branch(services.driver_tree(project), node.pk)
    impact = services.delete_impact(branch) if branch else None
    return _drivers_page(
        request,
        membership,
        project,
        form_at=("delete", node.pk),
        impact=impact,
        who_may_delete=services.NODE_DELETION_RULE,
    )


# ------------------------------------------------------------- PDSA cycles


def _cycle_context(
    membership: Membership, project: Project, **extra: Any
) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "project": project,
        "can_edit": has(membership, CHANGE_IMPROVEMENT_WORK),
        "stage_tags": services.STAGE_TAGS,
        "act_tags": services.ACT_TAGS,
        **extra,
    }


def _cycles_crumbs(project: Project) -> list[tuple[str, str]]:
    href = reverse(
        "improvement:cycles",
        kwargs={"slug": project.organisation.slug, "pk": project.pk},
    )
    return _crumbs(project, ("PDSA cycles", href))


@page_access(get=VIEW_IMPROVEMENT_WORK)
def cycles(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    ramps = services.ramps(project)
    drawings = {
        ramp.change_idea.pk: Markup(
            services.ramp_svg(ramp, f"ramp-{ramp.change_idea.pk}")
        )
        for ramp in ramps
    }
    context = _cycle_context(
        membership,
        project,
        tested=[r for r in ramps if r.cycles],
        untested=[r for r in ramps if not r.cycles],
        drawings=drawings,
        crumbs=_crumbs(project),
    )
    return render(request, "improvement/pdsa_cycles.html", context)


@page_access(get=CHANGE_IMPROVEMENT_WORK, post=CHANGE_IMPROVEMENT_WORK)
def cycle_create(request: MemberRequest, slug: str, pk: int) -> HttpResponse:
    """Plan a cycle; ``?change_idea=`` or ``?after=<cycle>`` fill the form in."""
    membership = request.membership
    project = get_project_for(membership, pk)
    initial: dict[str, Any] = {}
    after = request.GET.get("after", "")
    if after.isdigit():
        before = _cycle(membership, project, int(after))
        initial = {
            "change_idea": before.change_idea_id,
            "follow_on": True,
            "title": _next_title(before.title),
        }
    elif request.GET.get("change_idea", "").isdigit():
        initial = {"change_idea": int(request.GET["change_idea"])}
    form = CycleCreateForm(posted(request), project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        cycle = services.save_step(form.save(commit=False), PDSACycle.Stage.PLAN)
        messages.success(
            request,
            f"{cycle.title} planned. When you have run the test, record what happened.",
        )
        return redirect("improvement:cycle_detail", slug=slug, pk=pk, cycle_pk=cycle.pk)
    context = _cycle_context(
        membership,
        project,
        form=form,
        # The first choice is the "Choose a change idea" prompt (forms.CycleCreateForm).
        has_ideas=len(cast(list[Any], model_choice_field(form, "change_idea").choices))
        > 1,
        crumbs=_cycles_crumbs(project),
    )
    return render(request, "improvement/pdsa_create.html", context)


def _next_title(title: str) -> str:
    """'Checklist on bay 2 (cycle 2)' after 'Checklist on bay 2'."""
    stem, _, number = title.rstrip(")").rpartition(" (cycle ")
    if stem and number.isdigit():
        return f"{stem} (cycle {int(number) + 1})"
    return f"{title} (cycle 2)"


@page_access(get=VIEW_IMPROVEMENT_WORK)
def cycle_detail(
    request: MemberRequest, slug: str, pk: int, cycle_pk: int
) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    cycle = _cycle(membership, project, cycle_pk)
    ramp = services.ramp_for(cycle.change_idea)
    number = next(n for n, c in enumerate(ramp.cycles, start=1) if c.pk == cycle.pk)
    following = next((c for c in ramp.cycles if c.previous_id == cycle.pk), None)
    context = _cycle_context(
        membership,
        project,
        cycle=cycle,
        ramp=ramp,
        number=number,
        following=following,
        reached=services.step_index(cycle.stage),
        next_step=services.next_step(cycle),
        steps=services.STEPS,
        step_names=services.STEP_NAMES,
        drawing=Markup(services.ramp_svg(ramp, "ramp", current=cycle)),
        crumbs=_cycles_crumbs(project),
        who_may_delete=services.CYCLE_DELETION_RULE,
    )
    return render(request, "improvement/pdsa_detail.html", context)


@page_access(get=CHANGE_IMPROVEMENT_WORK, post=CHANGE_IMPROVEMENT_WORK)
def cycle_edit(
    request: MemberRequest, slug: str, pk: int, cycle_pk: int
) -> HttpResponse:
    """Record one step of the cycle (``?step=plan|do|study|act``; the next one by default)."""
    membership = request.membership
    project = get_project_for(membership, pk)
    cycle = _cycle(membership, project, cycle_pk)
    source = request.POST if request.method == "POST" else request.GET
    step = source.get("step") or services.next_step(cycle)
    if step not in STEP_FORMS:
        raise Http404("No such step")
    form = STEP_FORMS[step](posted(request), instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.save_step(form.save(commit=False), step)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(
                request, f"{services.STEP_NAMES[PDSACycle.Stage(step)]} saved."
            )
            return redirect(
                "improvement:cycle_detail", slug=slug, pk=pk, cycle_pk=cycle.pk
            )
    context = _cycle_context(
        membership,
        project,
        cycle=PDSACycle.objects.for_organisation(project.organisation).get(pk=cycle.pk),
        form=form,
        step=step,
        steps=services.STEPS,
        step_names=services.STEP_NAMES,
        crumbs=_cycles_crumbs(project),
    )
    return render(request, "improvement/pdsa_edit.html", context)


@page_access(post=CHANGE_IMPROVEMENT_WORK)
def cycle_delete(
    request: MemberRequest, slug: str, pk: int, cycle_pk: int
) -> HttpResponse:
    membership = request.membership
    project = get_project_for(membership, pk)
    cycle = _cycle(membership, project, cycle_pk)
    require_delete(
        membership, has_history=cycle.has_history(), what="a PDSA cycle that has run"
    )
    services.delete_cycle(cycle)
    messages.success(request, f"{cycle.title} deleted.")
    return redirect("improvement:cycles", slug=slug, pk=pk)
