"""Demo step: the shared learning library of the Riverside and Wolds system.

From ``data/library.json``: Riverside publishes four projects (falls prevention with
its measure's monthly aggregate series; three to its system, one to every
organisation) and a measure definition to its system; Wolds publishes a project of
its own (made here, with a small driver diagram); Eastmere adopts Riverside's falls
project and the discharge summaries measure (so Riverside is told). Everything goes
through the library's services, on the audit trail as the demo command's.

Idempotent: a publication (organisation, kind and title) or an adoption (publication
and organisation) already there is left as it is. Eastmere's adoptions wait until
the third trust exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from openqi.improvement.models import DriverNode
from openqi.library import services
from openqi.library.models import Adoption, Kind, Publication
from openqi.measures.models import Measure
from openqi.organisations.models import Membership, Organisation, Role
from openqi.projects import services as project_services
from openqi.projects.models import Project

from .base import Demo
from .records import records

__all__ = ["ADOPTIONS", "PROJECTS", "PUBLICATIONS", "add_library"]


@dataclass(frozen=True)
class _Secondary:
    text: str
    ideas: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Primary:
    text: str
    secondaries: tuple[_Secondary, ...] = ()


@dataclass(frozen=True)
class _ProjectSpec:
    organisation: str
    title: str
    problem: str
    aim_what: str
    aim_how_much: str
    drivers: tuple[_Primary, ...] = ()


@dataclass(frozen=True)
class _PublicationSpec:
    organisation: str
    kind: str
    source: str
    audience: str
    summary: str
    topic: str
    setting: str
    outcome_text: str = ""
    method: str = ""
    outcome: str = ""
    keywords: str = ""
    includes_measures: bool = False
    includes_series: bool = False


@dataclass(frozen=True)
class _AdoptionSpec:
    organisation: str
    publication: str


PROJECTS = records(_ProjectSpec, "library", "projects")
PUBLICATIONS = records(_PublicationSpec, "library", "publications")
ADOPTIONS = records(_AdoptionSpec, "library", "adoptions")


def _member(organisation: Organisation, *roles: str) -> Membership | None:
    return (
        Membership.objects.filter(organisation=organisation, role__in=roles)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )


def _project(demo: Demo, spec: _ProjectSpec, organisation: Organisation) -> Project:
    found = Project.objects.filter(organisation=organisation, title=spec.title).first()
    if found is not None:
        return found
    lead = _member(organisation, Role.PROJECT_LEAD, Role.QI_TEAM)
    project = project_services.create_project(
        organisation,
        created_by=lead.user if lead else None,
        lead=lead.user if lead else None,
        title=spec.title,
        problem=spec.problem,
        aim_what=spec.aim_what,
        aim_how_much=spec.aim_how_much,
        status=Project.Status.ACTIVE,
    )
    for p, primary in enumerate(spec.drivers):
        top = DriverNode.objects.create(
            project=project, kind=DriverNode.Kind.PRIMARY, text=primary.text, position=p
        )
        for s, secondary in enumerate(primary.secondaries):
            middle = DriverNode.objects.create(
                project=project,
                parent=top,
                kind=DriverNode.Kind.SECONDARY,
                text=secondary.text,
                position=s,
            )
            for i, idea in enumerate(secondary.ideas):
                DriverNode.objects.create(
                    project=project,
                    parent=middle,
                    kind=DriverNode.Kind.CHANGE_IDEA,
                    text=idea,
                    position=i,
                )
    demo.created["library projects"] += 1
    return project


def _publish(demo: Demo, spec: _PublicationSpec, organisation: Organisation) -> None:
    if Publication.objects.filter(
        organisation=organisation, kind=spec.kind, title=spec.source
    ).exists():
        return
    publisher = _member(organisation, Role.QI_TEAM, Role.ADMIN)
    project = measure = None
    if spec.kind == Kind.MEASURE:
        measure = Measure.objects.get(organisation=organisation, name=spec.source)
    else:
        project = Project.objects.get(organisation=organisation, title=spec.source)
    services.publish(
        organisation,
        by=publisher.user if publisher else None,
        kind=spec.kind,
        project=project,
        measure=measure,
        title=spec.source,
        summary=spec.summary,
        outcome_text=spec.outcome_text,
        topic=spec.topic,
        setting=spec.setting,
        method=spec.method,
        outcome=spec.outcome,
        keywords=spec.keywords,
        audience=spec.audience,
        includes_measures=spec.includes_measures,
        includes_series=spec.includes_series,
    )
    demo.created["library publications"] += 1


def add_library(demo: Demo) -> None:
    """Publications of Riverside and Wolds, and Eastmere's adoptions."""
    for project_spec in PROJECTS:
        organisation = demo.organisations.get(project_spec.organisation)
        if organisation is not None:
            _project(demo, project_spec, organisation)
    for spec in PUBLICATIONS:
        organisation = demo.organisations.get(spec.organisation)
        if organisation is not None:
            _publish(demo, spec, organisation)
    for adoption in ADOPTIONS:
        adopter = demo.organisations.get(adoption.organisation)
        if adopter is None:  # the third trust is not in this demo yet
            continue
        publication = (
            Publication.objects.live()
            .filter(title=adoption.publication)
            .exclude(organisation=adopter)
            .select_related("organisation")
            .first()
        )
        if (
            publication is None
            or Adoption.objects.filter(
                publication=publication, organisation=adopter
            ).exists()
        ):
            continue
        member = _member(adopter, Role.PROJECT_LEAD, Role.QI_TEAM, Role.ADMIN)
        if member is None:
            continue
        services.adopt(publication, member)
        demo.created["library adoptions"] += 1
