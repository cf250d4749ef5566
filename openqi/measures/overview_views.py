"""The measures overview page: every measure with its icons, concerns first, a
page at a time, searchable by name and filtered by group (served under the
portfolio's address, /organisations/<slug>/portfolio/measures/). With htmx the
filter form swaps only the results (``_overview_results.html``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openqi.core.links import object_href, with_query
from openqi.core.paging import numbered_pager
from openqi.core.requests import is_htmx
from openqi.organisations.permissions import MemberRequest, page_access

from . import overview
from .overview_forms import OverviewFilterForm
from .permissions import VIEW_MEASURES
from .sparklines import sparkline


@page_access(get=VIEW_MEASURES)
def overview_page(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    form = OverviewFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    search, group = data.get("q") or "", data.get("group") or ""
    found = overview.overview_page(
        organisation, search=search, group=group, page=request.GET.get("page")
    )
    path = reverse("measures:overview", kwargs={"slug": slug})
    query = {k: v for k, v in (("q", search), ("group", group)) if v}
    context = {
        "membership": membership,
        "organisation": organisation,
        "form": form,
        "overview": found,
        "search": search,
        "group": group,
        "group_links": [
            (key, name, found.counts[key], with_query(path, {**query, "group": key}))
            for key, name in overview.GROUP_NAMES.items()
        ],
        "every_group_href": with_query(
            path, {k: v for k, v in query.items() if k != "group"}
        ),
        "overview_path": path,
        "pagination": numbered_pager(found.page, query, path, "Pages of measures"),
        "measure_href": object_href("measures:detail"),
        "project_href": object_href("projects:detail"),
        "sparkline": sparkline,
    }
    if is_htmx(request):
        return render(request, "measures/_overview_results.html", context)
    return render(request, "measures/overview.html", context)
