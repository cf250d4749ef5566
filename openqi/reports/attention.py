"""What needs a person in an organisation: the home page's list, and what the
reminders send.

For the person signed in and their role, each thing waiting for them is an
:class:`Item` linking to where it is dealt with:

- measures they own (``Measure.owner``) whose latest point is a special-cause
  concern, or that consistently fail their target (read from the stored chart
  summaries: no chart is computed here);
- data due or overdue for measures they own (see :func:`data_due`; the rule is
  in docs/methods.md, "Data due");
- PDSA cycles of projects they lead or work on whose Do is recorded and whose
  Study is not;
- projects they lead, active or sustaining, not rated for eight weeks;
- open barriers they own that are escalated to the board;
- for the QI team and administrators: overdue journey milestones and every open
  barrier escalated to the board.

Most urgent first: overdue, then due, then new; within each the oldest first.
Each kind reads at most :data:`MOST_OF_A_KIND` rows, in one query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from openqi.barriers.models import Barrier
from openqi.improvement.models import PDSACycle
from openqi.journey.models import Milestone
from openqi.library.services import adoptions_since
from openqi.measures.charts import period_label
from openqi.measures.models import Measure
from openqi.measures.summaries import briefs_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import has
from openqi.projects.models import Project
from openqi.spc.explain import period_words

from .permissions import SEE_ORGANISATION_PICTURE

__all__ = [
    "KINDS",
    "MOST_OF_A_KIND",
    "RATING_WEEKS",
    "URGENCIES",
    "Item",
    "data_due",
    "items_for",
]

#: The urgencies, most urgent first.
URGENCIES = ("overdue", "due", "new")
#: Each kind of item and its heading on the home page, in the order shown when
#: their urgencies tie.
KINDS: dict[str, str] = {
    "data": "Data to enter",
    "concern": "Measures showing a concern",
    "failing": "Measures failing their target",
    "study": "PDSA cycles waiting for their Study",
    "rating": "Projects to rate",
    "milestone": "Journey milestones overdue",
    "barrier": "Barriers escalated to the board",
    "adopted": "Your published work adopted by others",
}
#: The most items of one kind read (a bound on the work, not on what is shown:
#: the home page shows fewer, with a link to the rest).
MOST_OF_A_KIND = 200
#: A project is due a progress rating when it has not had one for this long.
RATING_WEEKS = 8
#: Measures of events, not periods: no data fall due.
_EVENT_KINDS = (Measure.Kind.TIME_BETWEEN, Measure.Kind.CASES_BETWEEN)
#: How far back an adoption of the organisation's published work is news.
ADOPTED_DAYS = 30
#: Projects whose progress is rated: under way.
_RATED_STATUSES = (Project.Status.ACTIVE, Project.Status.SUSTAINING)
_ENDED = (Project.Status.COMPLETED, Project.Status.STOPPED)


@dataclass(frozen=True)
class Item:
    """One thing that needs the person: ``url`` is the path where it is dealt
    with, ``when`` the day it fell (or falls) due or happened, if known."""

    kind: str
    title: str
    detail: str
    url: str
    when: datetime.date | None
    urgency: str  # "overdue" | "due" | "new" (most urgent first)


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _next_period(start: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period after the one starting on ``start``."""
    if frequency == Measure.Frequency.DAILY:
        return start + datetime.timedelta(days=1)
    if frequency == Measure.Frequency.WEEKLY:
        return start + datetime.timedelta(days=7)
    months = 3 if frequency == Measure.Frequency.QUARTERLY else 1
    month = start.month - 1 + months
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def data_due(
    latest: datetime.date, frequency: str, today: datetime.date
) -> tuple[str, datetime.date, datetime.date] | None:
    """Whether the data of the period after ``latest`` (the first day of the
    latest period with data) are due: ("due" or "overdue", the first day of the
    period waited for, the day its data fell due), or None while its period
    has not ended.

    A period's data are due once it has ended, and overdue once a further period
    has passed: March's data are due from 1 April and overdue from 1 May.
    """
    waited = _next_period(latest, frequency)
    due_on = _next_period(waited, frequency)
    if today < due_on:
        return None
    overdue = today >= _next_period(due_on, frequency)
    return ("overdue" if overdue else "due"), waited, due_on


def _measure_items(membership: Membership, today: datetime.date) -> list[Item]:
    organisation = membership.organisation
    slug = organisation.slug
    measures = list(
        Measure.objects.for_organisation(organisation)
        .filter(owner_id=membership.user_id)
        .annotate(latest=Max("points__period"))
        .only("id", "name", "kind", "frequency", "updated_at", "organisation_id")
        .order_by("name", "pk")[:MOST_OF_A_KIND]
    )
    briefs = briefs_for(measures)
    items = []
    for measure in measures:
        href = reverse("measures:detail", kwargs={"slug": slug, "pk": measure.pk})
        brief = briefs.get(measure.pk)
        if brief is not None and brief.variation.startswith("concern"):
            items.append(Item("concern", measure.name, brief.phrase, href, None, "new"))
        elif brief is not None and brief.assurance == "consistent_fail":
            items.append(Item("failing", measure.name, brief.phrase, href, None, "new"))
        if measure.kind in _EVENT_KINDS:
            continue
        add = reverse("measures:add_point", kwargs={"slug": slug, "pk": measure.pk})
        latest: datetime.date | None = getattr(measure, "latest", None)
        if latest is None:
            items.append(
                Item("data", measure.name, "No data entered yet.", add, None, "due")
            )
            continue
        found = data_due(latest, measure.frequency, today)
        if found is None:
            continue
        urgency, waited, due_on = found
        period = period_words(period_label(measure, waited))
        state = "overdue" if urgency == "overdue" else "due"
        detail = f"Data for {period} are {state}: due from {_long(due_on)}."
        items.append(Item("data", measure.name, detail, add, due_on, urgency))
    return items


def _cycle_items(membership: Membership) -> list[Item]:
    user = membership.user_id
    cycles = (
        PDSACycle.objects.for_organisation(membership.organisation)
        .filter(Q(project__lead_id=user) | Q(project__team=user))
        .exclude(project__status__in=_ENDED)
        .exclude(do="")
        .filter(study="", act="")
        .select_related("project")
        .only("id", "title", "end_date", "start_date", "project__id", "project__title")
        .distinct()
        .order_by("end_date", "pk")[:MOST_OF_A_KIND]
    )
    slug = membership.organisation.slug
    items = []
    for cycle in cycles:
        href = reverse(
            "improvement:cycle_edit",
            kwargs={"slug": slug, "pk": cycle.project_id, "cycle_pk": cycle.pk},
        )
        ended = f", ended {_long(cycle.end_date)}" if cycle.end_date else ""
        detail = (
            f"{cycle.project.title}{ended}: study the results against the prediction."
        )
        items.append(
            Item(
                "study",
                cycle.title,
                detail,
                href + "?step=study",
                cycle.end_date,
                "due",
            )
        )
    return items


def _rating_items(membership: Membership, today: datetime.date) -> list[Item]:
    since = today - datetime.timedelta(weeks=RATING_WEEKS)
    projects = (
        Project.objects.for_organisation(membership.organisation)
        .filter(lead_id=membership.user_id, status__in=_RATED_STATUSES)
        .annotate(last_rated=Max("ratings__rated_on"))
        .filter(Q(last_rated__lt=since) | Q(last_rated__isnull=True))
        .only("id", "title", "start_date", "created_at")
        .order_by("last_rated", "title", "pk")[:MOST_OF_A_KIND]
    )
    slug = membership.organisation.slug
    items = []
    for project in projects:
        last: datetime.date | None = getattr(project, "last_rated", None)
        started = project.start_date or timezone.localdate(project.created_at)
        if last is None and started > since:
            continue  # new: not yet eight weeks without a rating
        due_on = (last or started) + datetime.timedelta(weeks=RATING_WEEKS)
        detail = (
            f"Last rated on {_long(last)}." if last else "Not rated yet."
        ) + f" A rating was due on {_long(due_on)}."
        href = reverse("projects:rate", kwargs={"slug": slug, "pk": project.pk})
        items.append(Item("rating", project.title, detail, href, due_on, "overdue"))
    return items


def _milestone_items(membership: Membership, today: datetime.date) -> list[Item]:
    milestones = (
        Milestone.objects.for_organisation(membership.organisation)
        .filter(due_on__lt=today, done_on__isnull=True)
        .select_related("step")
        .order_by("due_on", "pk")[:MOST_OF_A_KIND]
    )
    slug = membership.organisation.slug
    items = []
    for milestone in milestones:
        assert milestone.due_on is not None  # filtered on
        href = reverse(
            "journey:milestone_edit", kwargs={"slug": slug, "pk": milestone.pk}
        )
        detail = f"Step {milestone.step.number}, {milestone.step.name}: due on {_long(milestone.due_on)}."
        items.append(
            Item(
                "milestone", milestone.title, detail, href, milestone.due_on, "overdue"
            )
        )
    return items


def _barrier_items(membership: Membership, everyone: bool) -> list[Item]:
    barriers = Barrier.objects.for_organisation(membership.organisation).filter(
        escalate_to_board=True,
        status__in=(Barrier.Status.OPEN, Barrier.Status.IN_PROGRESS),
    )
    if not everyone:
        barriers = barriers.filter(owner_id=membership.user_id)
    slug = membership.organisation.slug
    items = []
    rows = barriers.only("id", "title", "severity", "raised_on").order_by(
        "raised_on", "pk"
    )[:MOST_OF_A_KIND]
    for barrier in rows:
        href = reverse("barriers:detail", kwargs={"slug": slug, "pk": barrier.pk})
        detail = (
            f"{barrier.get_severity_display()} severity, raised on "
            f"{_long(barrier.raised_on)}."
        )
        items.append(
            Item("barrier", barrier.title, detail, href, barrier.raised_on, "new")
        )
    return items


def _adopted_items(membership: Membership, today: datetime.date) -> list[Item]:
    """Adoptions by other organisations of what this one published to the shared
    learning library, in the last :data:`ADOPTED_DAYS` days (the source is told)."""
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=ADOPTED_DAYS),
        datetime.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    slug = membership.organisation.slug
    items = []
    for adoption in adoptions_since(membership.organisation, since)[:MOST_OF_A_KIND]:
        publication = adoption.publication
        href = reverse(
            "library:publication", kwargs={"slug": slug, "pk": publication.pk}
        )
        day = timezone.localdate(adoption.adopted_at)
        detail = f"Adopted by {adoption.organisation.name} on {_long(day)}."
        items.append(Item("adopted", publication.title, detail, href, day, "new"))
    return items


def _order(item: Item) -> tuple[int, int, datetime.date, int, str]:
    when = item.when or datetime.date.max
    return (
        URGENCIES.index(item.urgency),
        0 if item.when else 1,
        when,
        list(KINDS).index(item.kind),
        item.title.lower(),
    )


def items_for(membership: Membership, today: datetime.date | None = None) -> list[Item]:
    """What needs this person in this organisation, most urgent first, each
    ``url`` a path where it is dealt with (six queries and one more for the QI
    team, and one more when a stored
    chart summary has to be brought up to date)."""
    today = today or timezone.localdate()
    is_qi = has(membership, SEE_ORGANISATION_PICTURE)
    items = [
        *_measure_items(membership, today),
        *_cycle_items(membership),
        *_rating_items(membership, today),
        *_barrier_items(membership, everyone=is_qi),
    ]
    if is_qi:
        items += _milestone_items(membership, today)
        items += _adopted_items(membership, today)
    return sorted(items, key=_order)
