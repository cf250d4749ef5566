"""The portfolio pages: every project filtered and counted, and the priority × unit
matrix (the third view, the measures overview, is the measures app's).

Every page is a GET form that works without JavaScript; with htmx the form
swaps only the results (the ``_portfolio*.html`` fragments).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openqi.measures.overview_views import object_href
from openqi.organisations.models import Unit
from openqi.organisations.permissions import MemberRequest, page_access
from openqi.strategy.models import StrategicPriority

from . import matrix as matrices
from . import services
from .forms import MatrixForm, PortfolioFilterForm
from .permissions import VIEW_PORTFOLIO

PAGE_SIZE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _href(path: str, query: dict[str, str] | None) -> str:
    return f"{path}?{urlencode(query)}" if query else path


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


@page_access(get=VIEW_PORTFOLIO)
def portfolio(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
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
    path = reverse("portfolio:portfolio", kwargs={"slug": slug})
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
        "project_href": object_href("projects:detail"),
        "measure_href": object_href("measures:detail"),
        "is_filtered": bool(query),
    }
    if _is_htmx(request):
        return render(request, "portfolio/_portfolio_results.html", context)
    return render(request, "portfolio/portfolio.html", context)


@page_access(get=VIEW_PORTFOLIO)
def portfolio_matrix(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = MatrixForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    matrix = matrices.priority_unit_matrix(
        organisation,
        level=data.get("level") or Unit.Level.DIVISION,
        status=data.get("status", ""),
    )
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "matrix": matrix,
        "portfolio_path": reverse("portfolio:portfolio", kwargs={"slug": slug}),
        "href": _href,
    }
    if _is_htmx(request):
        return render(request, "portfolio/_portfolio_matrix.html", context)
    return render(request, "portfolio/portfolio_matrix.html", context)
