"""The shared learning library: what an organisation may see, publishing (content
frozen from the source), withdrawing, searching, adopting, and what the source is told.

``visible_publications(organisation)`` and ``published_by(organisation)`` are read
by the system's portfolio; ``adoptions_since(organisation, since)`` by the home page.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from openqi.audit.kept import data_changed
from openqi.improvement import services as improvement_services
from openqi.improvement.models import DriverNode
from openqi.measures import charts
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Membership, Organisation
from openqi.projects import services as project_services
from openqi.projects import similarity
from openqi.projects.models import PROGRESS_SCALE, Project

from .models import (
    MAX_SERIES_POINTS,
    Adoption,
    Audience,
    Kind,
    Publication,
    PublicationQuerySet,
)

#: The most nodes of a driver diagram a publication carries.
MAX_NODES = 400
#: The most measures of a project a publication carries.
MAX_MEASURES = 30
#: The longest search text read, and the most of its terms used.
MAX_QUERY = 200
MAX_QUERY_TERMS = 12
#: The most publications a search ranks (the newest that share a term).
MAX_CANDIDATES = 500
#: Weights of where a term is found when ranking (a title says most).
TITLE_WEIGHT = 3
#: The title of the primary driver adopted change ideas go under.
ADOPTED_DRIVER = "Ideas adopted from the shared learning library"


class PublishRefused(Exception):
    """A publication or adoption that cannot be made: ``field`` and the message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# Who sees what --------------------------------------------------------------------


def visible_publications(organisation: Organisation) -> PublicationQuerySet:
    """The live publications members of ``organisation`` may find and read."""
    return Publication.objects.visible_to(organisation).select_related("organisation")


def published_by(
    organisation: Organisation, *, include_withdrawn: bool = False
) -> PublicationQuerySet:
    """The organisation's own publications, newest first."""
    found = Publication.objects.filter(organisation=organisation)
    return found if include_withdrawn else found.live()


def get_publication_for(membership: Membership, pk: int) -> Publication:
    """The publication ``pk`` if the member's organisation may read it (its own,
    withdrawn or not, or one whose audience takes it in), else a 404."""
    organisation = membership.organisation
    found = Publication.objects.filter(
        Q(pk__in=Publication.objects.visible_to(organisation).values("pk"))
        | Q(organisation=organisation),
        pk=pk,
    )
    publication = found.select_related("organisation", "published_by").first()
    if publication is None:
        raise Http404(
            f"No publication {pk} in the library of {organisation.name}. "
            f"GET /api/v1/organisations/{organisation.slug}/library lists what it holds."
        )
    return publication


def get_own_publication_for(membership: Membership, pk: int) -> Publication:
    """The member's organisation's own publication ``pk`` (for withdrawing), or 404."""
    publication = get_publication_for(membership, pk)
    if publication.organisation_id != membership.organisation_id:
        raise Http404("Only the organisation that published this can withdraw it.")
    return publication


# Freezing the content -------------------------------------------------------------


def _tree(nodes: Sequence[DriverNode]) -> list[dict[str, Any]]:
    children: dict[int | None, list[DriverNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def branch(parent: int | None) -> list[dict[str, Any]]:
        return [
            {"kind": n.kind, "text": n.text, "children": branch(n.pk)}
            for n in children.get(parent, [])
        ]

    return branch(None)


def _nodes_of(project: Project) -> list[DriverNode]:
    return list(
        DriverNode.objects.filter(project=project).order_by("position", "pk")[
            :MAX_NODES
        ]
    )


def measure_content(measure: Measure, *, series: bool) -> dict[str, Any]:
    """A measure's definition (and its aggregate series: period, value, denominator —
    never notes or exclusion reasons, never patient-level data)."""
    content: dict[str, Any] = {
        "name": measure.name,
        "definition": measure.definition,
        "kind": measure.kind,
        "kind_label": measure.get_kind_display(),
        "numerator": measure.numerator_definition,
        "denominator": measure.denominator_definition,
        "unit_label": measure.unit_label,
        "frequency": measure.frequency,
        "direction": measure.improvement,
        "direction_label": measure.get_improvement_display(),
        "multiplier": measure.multiplier,
    }
    if series:
        points = (
            DataPoint.objects.filter(measure=measure, value__isnull=False)
            .order_by("-period")
            .values_list("period", "value", "denominator")[:MAX_SERIES_POINTS]
        )
        content["series"] = [
            {"period": p.isoformat(), "value": v, "denominator": d}
            for p, v, d in reversed(list(points))
        ]
    return content


def _project_words(project: Project) -> dict[str, Any]:
    rating = project.ratings.order_by("-rated_on", "-pk").first()
    return {
        "title": project.title,
        "aim": project.aim_statement(),
        "aim_what": project.aim_what,
        "aim_how_much": project.aim_how_much,
        "problem": project.problem,
        "method": project.get_method_display()
        if project.method != Project.Method.OTHER
        else project.method_other,
        "status": project.get_status_display(),
        "progress": {
            "score": str(rating.score),
            "label": PROGRESS_SCALE[rating.score][0],
        }
        if rating is not None and rating.score in PROGRESS_SCALE
        else None,
    }


def freeze_content(
    kind: str,
    *,
    project: Project | None = None,
    measure: Measure | None = None,
    node: DriverNode | None = None,
    includes_measures: bool = False,
    includes_series: bool = False,
) -> dict[str, Any]:
    """What a publication shares, read from its source now and kept as it is."""
    if kind == Kind.MEASURE:
        assert measure is not None
        return {"measure": measure_content(measure, series=includes_series)}
    if kind == Kind.CHANGE_IDEA:
        assert node is not None
        path: list[str] = []
        parent = node.parent
        while parent is not None and len(path) < 10:
            path.insert(0, parent.text)
            parent = parent.parent
        return {
            "change_idea": node.text,
            "drivers": path,
            "project": {
                "title": node.project.title,
                "aim": node.project.aim_statement(),
            },
            "cycles": node.cycles.count(),
        }
    assert project is not None
    nodes = _nodes_of(project)
    if kind == Kind.DRIVER_DIAGRAM:
        return {
            "project": {"title": project.title, "aim": project.aim_statement()},
            "driver_diagram": _tree(nodes),
        }
    content: dict[str, Any] = {
        "project": _project_words(project),
        "change_ideas": [
            n.text for n in nodes if n.kind == DriverNode.Kind.CHANGE_IDEA
        ],
        "driver_diagram": _tree(nodes),
    }
    if includes_measures:
        measures = Measure.objects.filter(project_links__project=project).order_by(
            "name", "pk"
        )[:MAX_MEASURES]
        content["measures"] = [
            measure_content(m, series=includes_series) for m in measures
        ]
    return content


def _strings(value: Any) -> Iterable[str]:
    """Every string in the content, but not the series (numbers say nothing to search)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("series", "kind", "frequency", "direction"):
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _keys(text: str) -> list[str]:
    """The text's search terms: light stems, and two-word phrases joined by "_"."""
    return [key.replace(" ", "_") for key, _ in similarity.terms(text)]


def search_text_of(publication: Publication) -> str:
    """The publication's terms, space-separated with a space either end; the title's
    terms are written :data:`TITLE_WEIGHT` times (a title says most)."""
    title = _keys(publication.title)
    rest = _keys(
        " \n".join(
            [
                publication.summary,
                publication.outcome_text,
                publication.keywords,
                *_strings(publication.content),
            ]
        )
    )
    return " " + " ".join(title * TITLE_WEIGHT + rest) + " "


# Publishing and withdrawing -------------------------------------------------------


def existing_publication(
    organisation: Organisation,
    kind: str,
    *,
    project: Project | None = None,
    measure: Measure | None = None,
    node: DriverNode | None = None,
) -> Publication | None:
    """The organisation's live publication of this source, which publishing again updates."""
    found = published_by(organisation).filter(kind=kind)
    if kind == Kind.MEASURE:
        found = found.filter(source_measure=measure)
    elif kind == Kind.CHANGE_IDEA:
        found = found.filter(source_node=node)
    else:
        found = found.filter(source_project=project)
    return found.first()


def publish(
    organisation: Organisation,
    *,
    by: Any,
    kind: str,
    project: Project | None = None,
    measure: Measure | None = None,
    node: DriverNode | None = None,
    **fields: Any,
) -> Publication:
    """Publish (or publish again, updating) the source with the form's ``fields``:
    title, summary, outcome_text, topic, setting, method, outcome, keywords,
    audience, includes_measures, includes_series."""
    if fields.get("audience") == Audience.SYSTEM and not (
        organisation.system_id or organisation.kind == Organisation.Kind.SYSTEM
    ):
        raise PublishRefused(
            "audience",
            f"{organisation.name} belongs to no system: choose every organisation "
            "on this server, or ask an administrator to join it to its system.",
        )
    if kind != Kind.PROJECT:
        fields["includes_measures"] = False
    if kind not in (Kind.PROJECT, Kind.MEASURE):
        fields["includes_series"] = False
    if kind == Kind.PROJECT and not fields.get("includes_measures"):
        fields["includes_series"] = False
    with transaction.atomic():
        publication = existing_publication(
            organisation, kind, project=project, measure=measure, node=node
        )
        if publication is None:
            publication = Publication(organisation=organisation, kind=kind)
        for name, value in fields.items():
            setattr(publication, name, value)
        publication.source_project = node.project if node is not None else project
        publication.source_measure = measure
        publication.source_node = node
        publication.content = freeze_content(
            kind,
            project=project,
            measure=measure,
            node=node,
            includes_measures=publication.includes_measures,
            includes_series=publication.includes_series,
        )
        publication.search_text = search_text_of(publication)
        publication.published_by = by
        publication.published_at = timezone.now()
        publication.save()
    return publication


def withdraw(publication: Publication, *, by: Any) -> Publication:
    """Hide it from everyone else; adopters keep their copies."""
    if publication.withdrawn_at is None:
        publication.withdrawn_at = timezone.now()
        publication.withdrawn_by = by
        publication.save()
    return publication


# Searching ------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    publication: Publication
    score: float


def query_keys(text: str) -> list[str]:
    """The search's terms (bounded: :data:`MAX_QUERY` characters, :data:`MAX_QUERY_TERMS` terms)."""
    keys: list[str] = []
    for key in _keys(text[:MAX_QUERY]):
        if key not in keys:
            keys.append(key)
    return keys[:MAX_QUERY_TERMS]


def search(
    organisation: Organisation, *, text: str = "", **filters: str
) -> Sequence[Publication]:
    """The publications members of ``organisation`` may read, filtered (topic, setting,
    method, outcome, kind, audience; ``publisher``: an organisation's id), ranked by
    the search words when there are any (else newest first).

    Ranking is TF-IDF over the stored terms (:func:`search_text_of`): each query term
    found counts ``(1 + ln tf) × idf`` with ``idf = ln((1 + n) / (1 + df)) + 1`` over
    the matching publications; a two-word phrase is a term of its own, so a phrase
    match ranks above its words apart. The same on SQLite and PostgreSQL.
    """
    found = visible_publications(organisation).defer("content")
    for name in ("topic", "setting", "method", "outcome", "kind", "audience"):
        if filters.get(name):
            found = found.filter(**{name: filters[name]})
    if filters.get("publisher"):
        found = found.filter(organisation_id=filters["publisher"])
    keys = query_keys(text)
    if not keys:
        # A QuerySet pages like a sequence (the Paginator counts it in the database).
        return cast(Sequence[Publication], found)
    matching = Q()
    for key in keys:
        matching |= Q(search_text__contains=f" {key}")
    candidates = list(found.filter(matching)[:MAX_CANDIDATES])
    return rank(candidates, keys)


def rank(candidates: Sequence[Publication], keys: Sequence[str]) -> list[Publication]:
    """``candidates`` that hold a term of ``keys`` (a term matches a stored term it
    begins, so "fall" finds "falls"), best first; each gets ``.score`` (0–1)."""
    counted: list[tuple[Publication, Counter[str]]] = []
    frequency: Counter[str] = Counter()
    for publication in candidates:
        words = publication.search_text.split()
        counts: Counter[str] = Counter()
        for key in keys:
            hits = sum(1 for w in words if w.startswith(key))
            if hits:
                counts[key] = hits
        if counts:
            counted.append((publication, counts))
            frequency.update(counts.keys())
    total = len(counted)
    idf = {k: math.log((1 + total) / (1 + frequency[k])) + 1 for k in keys}
    best = sum(idf.values()) or 1.0
    scored: list[tuple[float, Publication]] = []
    for publication, counts in counted:
        raw = sum((1 + math.log(n)) * idf[k] for k, n in counts.items())
        length = math.log(2 + len(publication.search_text) / 400)
        publication.score = min(1.0, raw / (best * length))  # type: ignore[attr-defined]  # a search's own figure
        scored.append((raw / length, publication))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].published_at.timestamp()))
    return [publication for _, publication in scored]


# Adopting -------------------------------------------------------------------------


def adoptable_projects(organisation: Organisation) -> QuerySet[Project]:
    """The organisation's projects a change idea or driver diagram may go into."""
    return (
        Project.objects.for_organisation(organisation)
        .exclude(status__in=[Project.Status.COMPLETED, Project.Status.STOPPED])
        .order_by("title", "pk")
    )


def _copy_tree(
    project: Project, branches: list[dict[str, Any]], parent: DriverNode | None
) -> int:
    made = 0
    for branch in branches:
        kind = branch.get("kind")
        if kind not in DriverNode.Kind.values:
            continue
        node = DriverNode(
            project=project,
            parent=parent,
            kind=kind,
            text=str(branch.get("text", ""))[:300],
        )
        try:
            node.full_clean(exclude=["position", "version"])
        except ValidationError:  # a branch the model would refuse is left out
            continue
        improvement_services.add_node(node)
        made += 1 + _copy_tree(project, branch.get("children") or [], node)
    return made


def _free_name(organisation: Organisation, name: str) -> str:
    """``name``, or with " (adopted)" (and a number) if the organisation has a
    measure of that name already (a measure's name is unique in its organisation)."""
    taken = set(
        Measure.objects.for_organisation(organisation)
        .filter(name__startswith=name[:150])
        .values_list("name", flat=True)
    )
    candidate = name[:200]
    number = 1
    while candidate in taken:
        suffix = " (adopted)" if number == 1 else f" (adopted {number})"
        candidate = name[: 200 - len(suffix)] + suffix
        number += 1
    return candidate


def _label(publication: Publication) -> str:
    return f"{publication.title} ({publication.organisation.name})"


def adopt(
    publication: Publication,
    membership: Membership,
    *,
    project: Project | None = None,
) -> Adoption:
    """Make the adopter's own copy: a project publication → a new project (title, aim,
    problem, and its driver diagram if carried); a measure definition → a new measure
    (no data); a change idea or driver diagram → added to ``project``."""
    organisation = membership.organisation
    if publication.organisation_id == organisation.pk:
        raise PublishRefused(
            "publication",
            "This is your own organisation's work: it is already yours to use.",
        )
    if publication.is_withdrawn:
        raise PublishRefused(
            "publication",
            "This has been withdrawn by its publisher; it cannot be adopted.",
        )
    content = publication.content
    adoption = Adoption(
        publication=publication,
        organisation=organisation,
        adopted_by=membership.user,
    )
    with transaction.atomic():
        if publication.kind == Kind.PROJECT:
            words = content.get("project", {})
            made = project_services.create_project(
                organisation,
                created_by=membership.user,
                title=str(words.get("title", publication.title))[:200],
                aim_what=str(words.get("aim_what") or words.get("aim") or ""),
                aim_how_much=str(words.get("aim_how_much", ""))[:200],
                problem=str(words.get("problem", "")),
                lead=membership.user,
                status=Project.Status.IDEA,
            )
            _copy_tree(made, content.get("driver_diagram") or [], None)
            adoption.project = made
            adoption.created_label = f"Project: {made.title}"
        elif publication.kind == Kind.MEASURE:
            words = content.get("measure", {})
            kind = words.get("kind", Measure.Kind.COUNT)
            if kind not in Measure.Kind.values:
                kind = Measure.Kind.COUNT
            measure = Measure(
                organisation=organisation,
                owner=membership.user,
                name=_free_name(
                    organisation, str(words.get("name", publication.title))
                ),
                definition=str(words.get("definition", "")),
                kind=kind,
                numerator_definition=str(words.get("numerator", "")),
                denominator_definition=str(words.get("denominator", "")),
                unit_label=str(words.get("unit_label", ""))[:60],
                frequency=words.get("frequency", Measure.Frequency.MONTHLY),
                improvement=words.get("direction", Measure.Improvement.NEITHER),
                multiplier=float(words.get("multiplier") or 1.0),
                chart_type=Measure.DEFAULT_CHART[Measure.Kind(kind)],
                is_chart_automatic=True,
            )
            measure.full_clean(exclude=["version"])
            measure.save()
            charts.refresh_chart_choice(measure)
            adoption.measure = measure
            adoption.created_label = f"Measure: {measure.name}"
        else:
            if project is None or project.organisation_id != organisation.pk:
                raise PublishRefused(
                    "project",
                    "Choose one of your organisation's projects to add it to.",
                )
            if publication.kind == Kind.CHANGE_IDEA:
                driver = DriverNode.objects.filter(
                    project=project,
                    parent__isnull=True,
                    kind=DriverNode.Kind.PRIMARY,
                    text=ADOPTED_DRIVER,
                ).first() or improvement_services.add_node(
                    DriverNode(
                        project=project,
                        kind=DriverNode.Kind.PRIMARY,
                        text=ADOPTED_DRIVER,
                    )
                )
                node = improvement_services.add_node(
                    DriverNode(
                        project=project,
                        parent=driver,
                        kind=DriverNode.Kind.CHANGE_IDEA,
                        text=str(content.get("change_idea", publication.title))[:300],
                        adopted_from_text=_label(publication)[:520],
                    )
                )
                adoption.driver_node = node
                adoption.created_label = f"Change idea in {project.title}: {node.text}"
            else:
                made_nodes = _copy_tree(
                    project, content.get("driver_diagram") or [], None
                )
                adoption.project = project
                adoption.created_label = (
                    f"Driver diagram ({made_nodes} entries) in {project.title}"
                )
        adoption.created_label = adoption.created_label[:300]
        adoption.save()
        # The source is told (its home page): what is kept for it is out of date.
        data_changed(publication.organisation_id)
    return adoption


# What the source is told; where a copy came from ----------------------------------


def adoptions_of(publication: Publication) -> QuerySet[Adoption]:
    return publication.adoptions.select_related("organisation", "adopted_by")


def adoptions_since(
    organisation: Organisation, since: datetime.datetime
) -> QuerySet[Adoption]:
    """Adoptions of the organisation's published work since ``since``, newest first
    (for "your published work was adopted" on the publisher's home page)."""
    return Adoption.objects.filter(
        publication__organisation=organisation, adopted_at__gte=since
    ).select_related("publication", "organisation")


def origin_of_project(project: Project) -> Adoption | None:
    """The adoption a project was made by (a whole project adopted), if any."""
    return (
        Adoption.objects.filter(project=project, publication__kind=Kind.PROJECT)
        .select_related("publication__organisation")
        .first()
    )


def origin_of_measure(measure: Measure) -> Adoption | None:
    return (
        Adoption.objects.filter(measure=measure)
        .select_related("publication__organisation")
        .first()
    )


def adoption_counts(publication_ids: Sequence[int]) -> dict[int, int]:
    """How many times each of these publications was adopted (one query)."""
    rows = (
        Adoption.objects.filter(publication_id__in=publication_ids)
        .values_list("publication_id")
        .annotate(n=Count("pk"))
    )
    return {pk: n for pk, n in rows}


def adopted_by(publication: Publication, organisation: Organisation) -> list[Adoption]:
    """What ``organisation`` already made of the publication."""
    return list(
        Adoption.objects.filter(publication=publication, organisation=organisation)
    )


def adoption_refusal(
    publication: Publication, organisation: Organisation
) -> str | None:
    """Why ``organisation`` cannot adopt the publication, or None."""
    if publication.organisation_id == organisation.pk:
        return "This is your own organisation's work: it is already yours to use."
    if publication.is_withdrawn:
        return "This has been withdrawn by its publisher; it cannot be adopted."
    return None


def republish_url(publication: Publication, slug: str) -> str | None:
    """The publish form that updates the publication from its source, while the source exists."""
    if publication.kind == Kind.MEASURE:
        if publication.source_measure_id is None:
            return None
        pk = publication.source_measure_id
    else:
        if publication.source_project_id is None:
            return None
        pk = publication.source_project_id
    url = reverse(
        "library:publish", kwargs={"slug": slug, "kind": publication.kind, "pk": pk}
    )
    if publication.kind == Kind.CHANGE_IDEA:
        if publication.source_node_id is None:
            return None
        url += f"?idea={publication.source_node_id}"
    return url


def adopted_url(adoption: Adoption, slug: str) -> str:
    """Where the adopter's copy is."""
    if adoption.measure_id is not None:
        return reverse(
            "measures:detail", kwargs={"slug": slug, "pk": adoption.measure_id}
        )
    if adoption.driver_node_id is not None:
        assert adoption.driver_node is not None
        return reverse(
            "improvement:drivers",
            kwargs={"slug": slug, "pk": adoption.driver_node.project_id},
        )
    if adoption.publication.kind == Kind.DRIVER_DIAGRAM and adoption.project_id:
        return reverse(
            "improvement:drivers", kwargs={"slug": slug, "pk": adoption.project_id}
        )
    return reverse("projects:detail", kwargs={"slug": slug, "pk": adoption.project_id})
