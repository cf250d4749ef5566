"""The driver diagram (drawn and as an editable outline) and the PDSA cycles of a project.

Every view starts from the signed-in person's membership: outsiders get a 404,
viewers may look, and anyone who can edit may change the diagram and the cycles.
Without JavaScript every action is a form post and a redirect; with htmx the
outline (``projects/_drivers.html``) is swapped in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from markupsafe import Markup

from openqi.core.versioning import VersionConflict
from openqi.organisations.access import membership_for, require_delete
from openqi.organisations.models import Membership

from .. import drivers as services
from ..forms_drivers import (
    STEP_FORMS,
    CycleCreateForm,
    DriverNodeForm,
    DriverNodeTextForm,
    MoveForm,
)
from ..models import DriverNode, PDSACycle, Project
from ..services import (
    CYCLE_DELETION_RULE,
    NODE_DELETION_RULE,
    can_edit_project,
    project_for,
    require_project_edit,
)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _node(project: Project, node_pk: int) -> DriverNode:
    nodes = DriverNode.objects.for_organisation(project.organisation)
    return get_object_or_404(nodes.filter(project=project), pk=node_pk)


def _cycle(project: Project, cycle_pk: int) -> PDSACycle:
    cycles = PDSACycle.objects.for_organisation(project.organisation)
    return get_object_or_404(
        cycles.filter(project=project).select_related("change_idea", "previous"),
        pk=cycle_pk,
    )


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
        "diagram": Markup(services.diagram_svg(project, tree, notes)),
        "crumbs": _crumbs(project),
        "can_edit": can_edit_project(membership),
        "allowed_kinds": services.allowed_kinds,
        "aim_edit_href": reverse(
            "projects:edit",
            kwargs={"slug": project.organisation.slug, "pk": project.pk},
        ),
        "form": None,
        "form_at": None,
        **extra,
    }


def _drivers_page(
    request: HttpRequest, membership: Membership, project: Project, **extra: Any
) -> HttpResponse:
    """The page, or just the outline and drawing for htmx."""
    context = _drivers_context(membership, project, **extra)
    template = (
        "projects/_drivers.html" if _is_htmx(request) else "projects/drivers.html"
    )
    return render(request, template, context)


def _drivers_saved(
    request: HttpRequest, membership: Membership, project: Project, message: str
) -> HttpResponse:
    if _is_htmx(request):
        response = _drivers_page(request, membership, project, notice=message)
        response["HX-Reswap"] = "outerHTML show:#drivers:top"
        return response
    messages.success(request, message)
    return redirect(
        "projects:drivers", slug=membership.organisation.slug, pk=project.pk
    )


@login_required
def drivers(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    return _drivers_page(request, membership, project)


@login_required
def driver_svg(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The drawing on its own, to download or put in a document."""
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
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


@login_required
def driver_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add a node under the aim (no ``parent``) or under a node (``parent``: its id)."""
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    source = request.POST if request.method == "POST" else request.GET
    parent_id = source.get("parent", "")
    if parent_id and not parent_id.isdigit():
        raise Http404("No such node")
    parent = _node(project, int(parent_id)) if parent_id else None
    if not services.allowed_kinds(parent):
        # Nothing sits under a change idea; the outline never offers it.
        raise Http404("Nothing can be added under a change idea")
    form = DriverNodeForm(_posted(request), project=project, parent=parent)
    if request.method == "POST" and form.is_valid():
        node = services.add_node(form.save(commit=False))
        return _drivers_saved(
            request, membership, project, f"{node.get_kind_display()} added."
        )
    at = ("add", parent.pk if parent else "aim")
    return _drivers_page(
        request, membership, project, form=form, form_at=at, parent=parent
    )


@login_required
def driver_edit(request: HttpRequest, slug: str, pk: int, node_pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    node = _node(project, node_pk)
    form = DriverNodeTextForm(_posted(request), instance=node)
    if request.method == "POST" and form.is_valid():
        try:
            node = form.save()
        except VersionConflict:
            form.report_conflict()
        else:
            return _drivers_saved(
                request, membership, project, f"{node.get_kind_display()} saved."
            )
    return _drivers_page(
        request, membership, project, form=form, form_at=("edit", node.pk)
    )


@login_required
@require_POST
def driver_move(request: HttpRequest, slug: str, pk: int, node_pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    node = _node(project, node_pk)
    form = MoveForm(request.POST)
    if form.is_valid() and services.move_node(node, form.cleaned_data["direction"]):
        message = f"{node.get_kind_display()} moved {form.cleaned_data['direction']}."
    else:
        message = f"{node.get_kind_display()} cannot move that way."
    return _drivers_saved(request, membership, project, message)


@login_required
def driver_delete(
    request: HttpRequest, slug: str, pk: int, node_pk: int
) -> HttpResponse:
    """Ask first (GET), then delete the node with everything under it (POST)."""
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    node = _node(project, node_pk)
    require_delete(
        membership,
        has_history=node.has_history(),
        what="a driver diagram entry with PDSA cycles",
    )
    if request.method == "POST":
        services.delete_node(node)
        return _drivers_saved(
            request, membership, project, f"{node.get_kind_display()} deleted."
        )
    branch = services.find_branch(services.driver_tree(project), node.pk)
    impact = services.delete_impact(branch) if branch else None
    return _drivers_page(
        request,
        membership,
        project,
        form_at=("delete", node.pk),
        impact=impact,
        who_may_delete=NODE_DELETION_RULE,
    )


# ------------------------------------------------------------- PDSA cycles


def _cycle_context(
    membership: Membership, project: Project, **extra: Any
) -> dict[str, Any]:
    return {
        "membership": membership,
        "organisation": membership.organisation,
        "project": project,
        "can_edit": can_edit_project(membership),
        "stage_tags": services.STAGE_TAGS,
        "act_tags": services.ACT_TAGS,
        **extra,
    }


def _cycles_crumbs(project: Project) -> list[tuple[str, str]]:
    href = reverse(
        "projects:cycles", kwargs={"slug": project.organisation.slug, "pk": project.pk}
    )
    return _crumbs(project, ("PDSA cycles", href))


@login_required
def cycles(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
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
    return render(request, "projects/pdsa_cycles.html", context)


@login_required
def cycle_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Plan a cycle; ``?change_idea=`` or ``?after=<cycle>`` fill the form in."""
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    initial: dict[str, Any] = {}
    after = request.GET.get("after", "")
    if after.isdigit():
        before = _cycle(project, int(after))
        initial = {
            "change_idea": before.change_idea_id,
            "follow_on": True,
            "title": _next_title(before.title),
        }
    elif request.GET.get("change_idea", "").isdigit():
        initial = {"change_idea": int(request.GET["change_idea"])}
    form = CycleCreateForm(_posted(request), project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        cycle = services.save_step(form.save(commit=False), PDSACycle.Stage.PLAN)
        messages.success(
            request,
            f"{cycle.title} planned. When you have run the test, record what happened.",
        )
        return redirect("projects:cycle_detail", slug=slug, pk=pk, cycle_pk=cycle.pk)
    context = _cycle_context(
        membership,
        project,
        form=form,
        has_ideas=bool(form.fields["change_idea"].choices[1:]),
        crumbs=_cycles_crumbs(project),
    )
    return render(request, "projects/pdsa_create.html", context)


def _next_title(title: str) -> str:
    """'Checklist on bay 2 (cycle 2)' after 'Checklist on bay 2'."""
    stem, _, number = title.rstrip(")").rpartition(" (cycle ")
    if stem and number.isdigit():
        return f"{stem} (cycle {int(number) + 1})"
    return f"{title} (cycle 2)"


@login_required
def cycle_detail(
    request: HttpRequest, slug: str, pk: int, cycle_pk: int
) -> HttpResponse:
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    cycle = _cycle(project, cycle_pk)
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
        who_may_delete=CYCLE_DELETION_RULE,
    )
    return render(request, "projects/pdsa_detail.html", context)


@login_required
def cycle_edit(request: HttpRequest, slug: str, pk: int, cycle_pk: int) -> HttpResponse:
    """Record one step of the cycle (``?step=plan|do|study|act``; the next one by default)."""
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    cycle = _cycle(project, cycle_pk)
    source = request.POST if request.method == "POST" else request.GET
    step = source.get("step") or services.next_step(cycle)
    if step not in STEP_FORMS:
        raise Http404("No such step")
    form = STEP_FORMS[step](_posted(request), instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.save_step(form.save(commit=False), step)
        except VersionConflict:
            form.report_conflict()
        else:
            messages.success(request, f"{services.STEP_NAMES[step]} saved.")
            return redirect(
                "projects:cycle_detail", slug=slug, pk=pk, cycle_pk=cycle.pk
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
    return render(request, "projects/pdsa_edit.html", context)


@login_required
@require_POST
def cycle_delete(
    request: HttpRequest, slug: str, pk: int, cycle_pk: int
) -> HttpResponse:
    membership = membership_for(request.user, slug)
    project = project_for(membership, pk)
    require_project_edit(membership)
    cycle = _cycle(project, cycle_pk)
    require_delete(
        membership, has_history=cycle.has_history(), what="a PDSA cycle that has run"
    )
    services.delete_cycle(cycle)
    messages.success(request, f"{cycle.title} deleted.")
    return redirect("projects:cycles", slug=slug, pk=pk)
