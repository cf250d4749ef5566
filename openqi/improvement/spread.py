"""Spread of change ideas: a change idea proven in one project, adopted by other teams.

- A change idea is **proven** when a PDSA cycle testing it ended in "Adopt"
  (``PDSACycle.act == "adopt"``).
- Another project **adopts** a proven idea: a new change idea in its driver
  diagram, under a driver it chooses, linked to the idea it came from
  (``DriverNode.adopted_from``) and to the original the spread is counted to
  (``DriverNode.spread_source``: the source itself, or the source's own source
  when the idea adopted is itself an adoption). Deleting a source keeps the link's
  wording (``adopted_from_text``); an adoption whose original was deleted counts
  as an original of its own.
- **Spread** is counted per original: the distinct projects (teams) holding an
  adoption of it, directly or through an adoption of an adoption, and the distinct
  units of those projects. A project holds at most one adoption of an original.

The organisation's list of spreading and proven-but-never-adopted ideas is kept
(:func:`openqi.audit.kept.kept`) until its data change; pages filter it in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from openqi.audit.kept import kept
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation
from openqi.organisations.permissions import has
from openqi.projects.models import Project

from . import services
from .models import DriverNode, PDSACycle
from .permissions import ADOPT_CHANGE_IDEA

__all__ = [
    "AdoptionRefused",
    "IdeaNote",
    "SpreadRow",
    "adopt",
    "adopters",
    "adoptable_projects",
    "get_change_idea_for",
    "is_proven",
    "notes_for_project",
    "split_rows",
    "spread_rows",
]

Kind = DriverNode.Kind

#: Projects that no longer take new change ideas.
CLOSED = (Project.Status.COMPLETED, Project.Status.STOPPED)


def _proven() -> Exists:
    return Exists(
        PDSACycle.objects.filter(change_idea=OuterRef("pk"), act=PDSACycle.Act.ADOPT)
    )


def is_proven(idea: DriverNode) -> bool:
    """Whether a PDSA cycle testing the change idea ended in "Adopt"."""
    return idea.cycles.filter(act=PDSACycle.Act.ADOPT).exists()


def source_of(idea: DriverNode) -> DriverNode:
    """The original the idea's spread is counted to (itself when it is one)."""
    return idea.spread_source or idea


def get_change_idea_for(membership: Membership, pk: int) -> DriverNode:
    """The organisation's change idea ``pk`` (any project's), or a 404 that says
    where the API lists the spreading ones."""
    ideas: QuerySet[DriverNode] = (
        DriverNode.objects.for_organisation(membership.organisation)
        .filter(kind=Kind.CHANGE_IDEA)
        .select_related(
            "project__unit",
            "adopted_from__project",
            "spread_source__project__unit",
        )
    )
    return find_for(membership, ideas, pk, "change idea", "spread")


# ------------------------------------------------------------------ adopting


class AdoptionRefused(Exception):
    """Why an adoption cannot be made: ``field`` ("idea", "project" or "parent")
    and the sentence to show there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def adoptable_projects(membership: Membership, idea: DriverNode) -> QuerySet[Project]:
    """The open projects ``membership`` may adopt ``idea`` into: every other project
    for the QI team and administrators, the projects they lead for anyone else;
    never the idea's own project nor one that already holds it."""
    source = source_of(idea)
    projects = (
        Project.objects.for_organisation(membership.organisation)
        .exclude(status__in=CLOSED)
        .exclude(pk__in={idea.project_id, source.project_id})
        .exclude(
            Exists(
                DriverNode.objects.filter(project=OuterRef("pk"), spread_source=source)
            )
        )
        .select_related("unit")
        .order_by("title")
    )
    if has(membership, ADOPT_CHANGE_IDEA):
        return projects
    return projects.filter(lead_id=membership.user_id)


def drivers_of(project: Project) -> QuerySet[DriverNode]:
    """The drivers a change idea may sit under in ``project``."""
    return project.driver_nodes.filter(
        kind__in=DriverNode.PARENT_KIND[Kind.CHANGE_IDEA]
    ).order_by("kind", "position", "pk")


def check_adoption(idea: DriverNode, project: Project) -> None:
    """Raise :class:`AdoptionRefused` unless ``project`` may adopt ``idea``."""
    if idea.kind != Kind.CHANGE_IDEA:
        raise AdoptionRefused("idea", "Only a change idea can be adopted.")
    if not is_proven(idea):
        raise AdoptionRefused(
            "idea",
            f"“{idea.text}” is not proven yet: no PDSA cycle testing it ended in "
            "“Adopt”. Spread it once a cycle in its project has.",
        )
    if project.organisation_id != idea.project.organisation_id:
        raise AdoptionRefused("project", "Choose a project of this organisation.")
    source = source_of(idea)
    if project.pk in (idea.project_id, source.project_id):
        raise AdoptionRefused(
            "project",
            f"“{idea.text}” came from {project.title}: choose another team's project.",
        )
    if DriverNode.objects.filter(project=project, spread_source=source).exists():
        raise AdoptionRefused(
            "project",
            f"{project.title} has already adopted “{source.text}”: a project adopts "
            "an idea once. Choose another project.",
        )
    if project.status in CLOSED:
        raise AdoptionRefused(
            "project",
            f"{project.title} is {project.get_status_display().lower()}: choose an "
            "open project.",
        )


@transaction.atomic
def adopt(idea: DriverNode, project: Project, parent: DriverNode) -> DriverNode:
    """Add ``idea`` to ``project``'s driver diagram under ``parent``, linked to it
    (and counted to its original); raises :class:`AdoptionRefused`."""
    # Lock the project's row so two adoptions at once cannot both pass the check.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    check_adoption(idea, project)
    if parent.project_id != project.pk or parent.kind not in (
        Kind.PRIMARY,
        Kind.SECONDARY,
    ):
        raise AdoptionRefused(
            "parent", f"Choose a driver of {project.title} to put the idea under."
        )
    label = f"{idea.text} ({idea.project.title})"
    node = DriverNode(
        project=project,
        parent=parent,
        kind=Kind.CHANGE_IDEA,
        text=idea.text,
        adopted_from=idea,
        spread_source=source_of(idea),
        adopted_from_text=label[:520],
    )
    return services.add_node(node)


# ------------------------------------------------------------------ counting


@dataclass(frozen=True)
class SpreadRow:
    """A proven original change idea and its spread (kept, so plain values)."""

    pk: int
    text: str
    project_pk: int
    project_title: str
    unit_pk: int | None
    unit_name: str
    priorities: tuple[tuple[int, str], ...]
    teams: int
    units: int


def _count_spread(queryset: QuerySet[DriverNode]) -> QuerySet[DriverNode]:
    return queryset.annotate(
        teams=Count("spread_adoptions__project", distinct=True),
        units=Count(
            "spread_adoptions__project__unit",
            distinct=True,
            filter=Q(spread_adoptions__project__unit__isnull=False),
        ),
    )


def _compute_rows(organisation_id: int) -> list[SpreadRow]:
    ideas = _count_spread(
        DriverNode.objects.filter(
            project__organisation_id=organisation_id,
            kind=Kind.CHANGE_IDEA,
            spread_source__isnull=True,
        ).filter(_proven())
    ).select_related("project__unit")
    ideas_list = list(ideas)
    through = Project.priorities.through
    priorities: dict[int, list[tuple[int, str]]] = {}
    for project_id, priority_id, title in through.objects.filter(
        project_id__in={idea.project_id for idea in ideas_list}
    ).values_list("project_id", "strategicpriority_id", "strategicpriority__title"):
        priorities.setdefault(project_id, []).append((priority_id, title))
    rows = [
        SpreadRow(
            pk=idea.pk,
            text=idea.text,
            project_pk=idea.project_id,
            project_title=idea.project.title,
            unit_pk=idea.project.unit_id,
            unit_name=idea.project.unit.name if idea.project.unit else "",
            priorities=tuple(sorted(priorities.get(idea.project_id, []))),
            teams=idea.teams,  # type: ignore[attr-defined]  # annotated by _count_spread
            units=idea.units,  # type: ignore[attr-defined]  # annotated by _count_spread
        )
        for idea in ideas_list
    ]
    rows.sort(key=lambda row: (-row.teams, -row.units, row.text.lower(), row.pk))
    return rows


def all_spread_rows(organisation: Organisation) -> list[SpreadRow]:
    """Every proven original change idea of the organisation with its spread, kept
    until the organisation's data change."""
    return kept(
        organisation.pk,
        "improvement:spread:1",
        lambda: _compute_rows(organisation.pk),
    )


def spread_rows(
    organisation: Organisation,
    *,
    priority: int | None = None,
    unit: int | None = None,
) -> tuple[list[SpreadRow], list[SpreadRow]]:
    """The organisation's proven original change ideas: those spreading (at least
    one adoption, most teams first) and those never adopted elsewhere (candidates
    to spread); filtered by the source project's priority or unit."""
    return split_rows(all_spread_rows(organisation), priority=priority, unit=unit)


def split_rows(
    rows: list[SpreadRow], *, priority: int | None = None, unit: int | None = None
) -> tuple[list[SpreadRow], list[SpreadRow]]:
    """``rows`` filtered, as spreading (adopted at least once) and not adopted."""
    if priority is not None:
        rows = [row for row in rows if priority in dict(row.priorities)]
    if unit is not None:
        rows = [row for row in rows if row.unit_pk == unit]
    return [r for r in rows if r.teams], [r for r in rows if not r.teams]


def adopters(source: DriverNode) -> list[DriverNode]:
    """The adoptions counted to ``source`` (its projects and units selected), by project."""
    return list(
        DriverNode.objects.filter(spread_source=source)
        .select_related("project__unit", "adopted_from__project")
        .order_by("project__title", "pk")
    )


@dataclass(frozen=True)
class IdeaNote:
    """What the driver page says about a change idea's spread."""

    proven: bool
    teams: int
    units: int
    #: The idea it was adopted from (None once deleted: ``adopted_text`` remains).
    adopted_from: DriverNode | None
    adopted_text: str

    @property
    def is_adoption(self) -> bool:
        return bool(self.adopted_text) or self.adopted_from is not None


def notes_for_project(project: Project) -> dict[int, IdeaNote]:
    """Spread notes for the project's change ideas that have anything to say (one query)."""
    ideas = _count_spread(
        DriverNode.objects.filter(project=project, kind=Kind.CHANGE_IDEA).annotate(
            proven=_proven()
        )
    ).select_related("adopted_from__project")
    notes = {}
    for idea in ideas:
        note = IdeaNote(
            proven=idea.proven,  # type: ignore[attr-defined]  # annotated above
            teams=idea.teams,  # type: ignore[attr-defined]  # annotated above
            units=idea.units,  # type: ignore[attr-defined]  # annotated above
            adopted_from=idea.adopted_from,
            adopted_text=idea.adopted_from_text,
        )
        if note.proven or note.is_adoption:
            notes[idea.pk] = note
    return notes


def proven_in(ideas: Iterable[DriverNode]) -> set[int]:
    """The keys of the ideas among ``ideas`` that are proven (one query)."""
    return set(
        PDSACycle.objects.filter(
            change_idea__in=list(ideas), act=PDSACycle.Act.ADOPT
        ).values_list("change_idea_id", flat=True)
    )
