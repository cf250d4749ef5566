"""The organisation's home page: what needs the person signed in, their
measures as small multiples, and for the QI team and administrators the
organisation's picture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from markupsafe import Markup

from openqi.audit.kept import kept
from openqi.measures.models import Measure
from openqi.measures.sparklines import sparkline
from openqi.measures.summaries import summaries_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import (
    MANAGE_ORGANISATION,
    VIEW_ORGANISATION,
    MemberRequest,
    has,
    page_access,
)

from .attention import KINDS, Item, items_for
from .permissions import SEE_ORGANISATION_PICTURE
from .picture import picture_for

#: Items of one kind shown before "and K more".
SHOWN_OF_A_KIND = 5
#: Sparklines shown in each set.
SPARKLINES_SHOWN = 12

_URGENCY_TAGS = {
    "overdue": ("Overdue", "red"),
    "due": ("Due", "yellow"),
    "new": ("New", "blue"),
}


_NO_MEASURES: dict[str, Any] = {
    "owned": [],
    "owned_more": False,
    "concerns": [],
    "concerns_more": False,
}


@dataclass(frozen=True)
class Group:
    """The items of one kind, as shown: the first few and how many more."""

    kind: str
    heading: str
    items: list[Item]
    more: int
    more_href: str


@dataclass(frozen=True)
class Spark:
    measure: Measure
    href: str
    svg: Markup
    phrase: str


def _groups(items: list[Item], home: str, kind: str) -> list[Group]:
    """The items by kind, each kind where its most urgent item falls."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    shown = len(items) if kind else SHOWN_OF_A_KIND
    return [
        Group(
            each,
            KINDS[each],
            found[:shown],
            max(0, len(found) - shown),
            f"{home}?{urlencode({'kind': each})}#attention",
        )
        for each, found in by_kind.items()
    ]


def _concerns_first(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    order = Case(
        When(chart_summary__group="concern", then=Value(0)),
        When(chart_summary__group="inconsistent", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return measures.order_by(order, "chart_summary__rank", "name", "pk")


def _sparks(measures: list[Measure], slug: str) -> list[Spark]:
    summaries = summaries_for(measures)
    out = []
    for measure in measures:
        summary = summaries.get(measure.pk)
        points = summary.sparkline if summary is not None else []
        out.append(
            Spark(
                measure,
                reverse("measures:detail", kwargs={"slug": slug, "pk": measure.pk}),
                sparkline(measure.name, points, measure.unit_label),
                summary.phrase if summary is not None else "No data yet.",
            )
        )
    return out


def _measure_sets(membership: Membership, is_qi: bool) -> dict[str, Any]:
    organisation = membership.organisation
    measures = Measure.objects.for_organisation(organisation)
    fields = ("id", "name", "unit_label", "updated_at", "organisation_id")
    owned = list(
        _concerns_first(measures.filter(owner_id=membership.user_id)).only(*fields)[
            : SPARKLINES_SHOWN + 1
        ]
    )
    concerns: list[Measure] = []
    if is_qi:
        concerns = list(
            _concerns_first(measures.filter(chart_summary__group="concern")).only(
                *fields
            )[: SPARKLINES_SHOWN + 1]
        )
    sparks = _sparks(
        list(
            {
                m.pk: m for m in owned[:SPARKLINES_SHOWN] + concerns[:SPARKLINES_SHOWN]
            }.values()
        ),
        organisation.slug,
    )
    by_pk = {spark.measure.pk: spark for spark in sparks}
    return {
        "owned": [by_pk[m.pk] for m in owned[:SPARKLINES_SHOWN]],
        "owned_more": len(owned) > SPARKLINES_SHOWN,
        "concerns": [by_pk[m.pk] for m in concerns[:SPARKLINES_SHOWN]],
        "concerns_more": len(concerns) > SPARKLINES_SHOWN,
    }


@page_access(get=VIEW_ORGANISATION)
def home(request: MemberRequest, slug: str) -> HttpResponse:
    """What needs the person, their measures, and (QI team and administrators)
    the organisation's picture; ``?kind=`` shows every item of one kind."""
    membership = request.membership
    organisation = membership.organisation
    is_qi = has(membership, SEE_ORGANISATION_PICTURE)
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    today = timezone.localdate()
    # Kept until the organisation's data change (every source of an item is
    # audited, and a new chart summary moves the version too) or the day does.
    items = kept(
        organisation.pk,
        f"attention:1:{membership.pk}:{membership.role}:{today.isoformat()}",
        lambda: items_for(membership, today),
    )
    if kind:
        items = [item for item in items if item.kind == kind]
    home_href = reverse("reports:home", kwargs={"slug": organisation.slug})
    context = {
        "membership": membership,
        "organisation": organisation,
        "groups": _groups(items, home_href, kind),
        "kind": kind,
        "kind_heading": KINDS.get(kind, ""),
        "home_href": home_href,
        "urgency_tags": _URGENCY_TAGS,
        "is_qi": is_qi,
        "can_manage": has(membership, MANAGE_ORGANISATION),
        "picture": picture_for(organisation) if is_qi and not kind else None,
        **(_measure_sets(membership, is_qi) if not kind else _NO_MEASURES),
        "can_see_trail": has(membership, "audit.view_trail"),
        "overview_href": reverse(
            "measures:overview", kwargs={"slug": organisation.slug}
        ),
        "query": urlencode,
    }
    return render(request, "reports/home.html", context)
