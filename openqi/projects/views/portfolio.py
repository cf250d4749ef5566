"""The portfolio pages: every project filtered and counted, the priority × unit
matrix, and the measures overview (concerns first).

Every page is a GET form that works without JavaScript; with htmx the form
swaps only the results (the ``_portfolio*.html`` and ``_measures_overview.html``
fragments).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openqi.organisations.access import membership_for
from openqi.organisations.models import Unit
from openqi.strategy.models import StrategicPriority

from .. import portfolio as services
from ..models import PROGRESS_SCALE, Project

PAGE_SIZE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _route(name: str) -> Any:
    """A function giving an object's page URL, reversed once per page.

    Reversing per row cost a fifth of the overview's time for 500 measures, so
    the pattern is reversed once with a placeholder id and filled in.
    """
    patterns: dict[str, str] = {}

    def href(slug: str, pk: int) -> str:
        if slug not in patterns:
            patterns[slug] = reverse(name, kwargs={"slug": slug, "pk": 999999999})
        return patterns[slug].replace("999999999", str(int(pk)), 1)

    return href


def _href(path: str, query: dict[str, str] | None) -> str:
    return f"{path}?{urlencode(query)}" if query else path


_SCORES = [("", "Any")] + [
    (str(score), f"{score} – {label}") for score, (label, _) in PROGRESS_SCALE.items()
]


class PortfolioFilterForm(forms.Form):
    priority = forms.ChoiceField(label="Strategic priority", required=False)
    unit = forms.ChoiceField(label="Unit (and the units beneath it)", required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Project.Status.choices]
    )
    method = forms.ChoiceField(
        required=False, choices=[("", "Any method"), *Project.Method.choices]
    )
    score_min = forms.ChoiceField(
        label="Team rating from", required=False, choices=_SCORES
    )
    score_max = forms.ChoiceField(label="to", required=False, choices=_SCORES)

    def __init__(
        self,
        data: Any,
        *,
        nodes: list[services.UnitRow],
        priorities: list[StrategicPriority],
    ) -> None:
        super().__init__(data)
        self.fields["priority"].choices = [  # type: ignore[attr-defined]
            ("", "Any priority"),
            *((str(p.pk), p.title) for p in priorities),
            (services.NONE, "No priority"),
        ]
        self.fields["unit"].choices = [  # type: ignore[attr-defined]
            ("", "Any unit"),
            *((str(n.unit.pk), n.path) for n in nodes),
            (services.NONE, "No unit"),
        ]

    @staticmethod
    def _key(value: str) -> int | str | None:
        if not value:
            return None
        return value if value == services.NONE else int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("score_min"), data.get("score_max")
        if low and high and Decimal(low) > Decimal(high):
            self.add_error(
                "score_max", "The highest rating must not be below the lowest."
            )
        return data

    def filters(self) -> services.Filters:
        data = self.cleaned_data
        return services.Filters(
            priority=self._key(data["priority"]),
            unit=self._key(data["unit"]),
            status=data["status"],
            method=data["method"],
            score_min=Decimal(data["score_min"]) if data["score_min"] else None,
            score_max=Decimal(data["score_max"]) if data["score_max"] else None,
        )


def _page_items(page: Page[Any], query: dict[str, str], path: str) -> dict[str, Any]:
    """Parameters for the NHS.UK pagination macro: first, last and nearby pages."""
    if page.paginator.num_pages <= 1:
        return {}
    count = page.paginator.num_pages

    def href(number: int) -> str:
        return _href(path, {**query, "page": str(number)})

    wanted = sorted({1, count, *range(page.number - 2, page.number + 3)})
    items: list[dict[str, Any]] = []
    previous = 0
    for number in wanted:
        if not 1 <= number <= count:
            continue
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {"number": number, "href": href(number), "current": number == page.number}
        )
        previous = number
    params: dict[str, Any] = {"items": items, "ariaLabel": "Pages of projects"}
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return params


@login_required
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    organisation = membership.organisation
    nodes = services.unit_rows(organisation)
    priorities = list(StrategicPriority.objects.for_organisation(organisation))
    form = PortfolioFilterForm(request.GET, nodes=nodes, priorities=priorities)
    filters = form.filters() if form.is_valid() else services.Filters()
    projects = services.filter_projects(
        organisation, filters, services.subtrees(nodes)
    ).order_by("title", "pk")
    paginator = Paginator(services.page_queryset(projects), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    path = reverse("projects:portfolio", kwargs={"slug": slug})
    query = filters.query()
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "filters": filters,
        "page": page,
        "rows": services.portfolio_rows(page.object_list),
        "facets": services.facet_counts(organisation, filters, nodes, priorities),
        "pagination": _page_items(page, query, path),
        "portfolio_path": path,
        "href": _href,
        "project_href": _route("projects:detail"),
        "measure_href": _route("measures:detail"),
        "is_filtered": bool(query),
    }
    if _is_htmx(request):
        return render(request, "projects/_portfolio_results.html", context)
    return render(request, "projects/portfolio.html", context)


class MatrixForm(forms.Form):
    level = forms.ChoiceField(
        label="Columns", required=False, choices=Unit.Level.choices
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Project.Status.choices]
    )


@login_required
def portfolio_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    organisation = membership.organisation
    form = MatrixForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    matrix = services.priority_unit_matrix(
        organisation,
        level=data.get("level") or Unit.Level.DIVISION,
        status=data.get("status", ""),
    )
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "matrix": matrix,
        "portfolio_path": reverse("projects:portfolio", kwargs={"slug": slug}),
        "href": _href,
    }
    if _is_htmx(request):
        return render(request, "projects/_portfolio_matrix.html", context)
    return render(request, "projects/portfolio_matrix.html", context)


@login_required
def measures_overview(request: HttpRequest, slug: str) -> HttpResponse:
    membership = membership_for(request.user, slug)
    organisation = membership.organisation
    statuses = services.measures_overview(organisation)
    groups = [
        (key, heading, [s for s in statuses if s.group == key])
        for key, heading in services.GROUPS
    ]
    context = {
        "membership": membership,
        "organisation": organisation,
        "groups": groups,
        "total": len(statuses),
        "measure_href": _route("measures:detail"),
        "project_href": _route("projects:detail"),
    }
    return render(request, "projects/measures_overview.html", context)
