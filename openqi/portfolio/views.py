"""The portfolio pages: every project filtered and counted, and the priority × unit
matrix (the third view, the measures overview, is the measures app's).

Every page is a GET form that works without JavaScript; with htmx the form
swaps only the results (the ``_portfolio*.html`` fragments).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openqi.core.links import object_href, with_query
from openqi.core.paging import numbered_pager
from openqi.core.requests import is_htmx
from openqi.organisations.models import Unit
from openqi.organisations.permissions import MemberRequest, page_access
from openqi.strategy.models import StrategicPriority

from . import matrix as matrices
from . import services
from .forms import MatrixForm, PortfolioFilterForm
from .permissions import VIEW_PORTFOLIO

PAGE_SIZE = 25


@page_access(get=VIEW_PORTFOLIO)
def portfolio(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    nodes = services.unit_rows(organisation)
    priorities = list(StrategicPriority.objects.for_organisation(organisation))
    form = PortfolioFilterForm(request.GET, nodes=nodes, priorities=priorities)
    filters = form.filters() if form.is_valid() else services.Filters()
    facets = services.facet_counts(organisation, filters, nodes, priorities)
    # The counts give the number of projects: the paginator needs no query.
    page = Paginator(range(facets.total), PAGE_SIZE).get_page(request.GET.get("page"))
    projects = services.filter_projects(
        organisation, filters, services.subtrees(nodes)
    ).order_by("title", "pk")
    rows = (
        services.page_rows(projects[page.start_index() - 1 : page.end_index()])
        if facets.total
        else []
    )
    path = reverse("portfolio:portfolio", kwargs={"slug": slug})
    query = filters.query()
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "facets": facets,
        "pagination": numbered_pager(page, query, path, "Pages of projects"),
        "portfolio_path": path,
        "href": with_query,
        "project_href": object_href("projects:detail"),
        "measure_href": object_href("measures:detail"),
        "is_filtered": bool(query),
    }
    if is_htmx(request):
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
        "href": with_query,
    }
    if is_htmx(request):
        return render(request, "portfolio/_portfolio_matrix.html", context)
    return render(request, "portfolio/portfolio_matrix.html", context)
