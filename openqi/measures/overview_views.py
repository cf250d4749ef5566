"""The measures overview page: every measure with its icons, concerns first, a
page at a time, searchable by name and filtered by group (served under the
portfolio's address, /organisations/<slug>/portfolio/measures/). With htmx the
filter form swaps only the results (``_overview_results.html``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openqi.core.requests import is_htmx
from openqi.organisations.permissions import MemberRequest, page_access

from . import overview
from .overview_forms import OverviewFilterForm
from .permissions import VIEW_MEASURES
from .sparklines import sparkline


def object_href(name: str) -> Callable[[str, int], str]:
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


def _href(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def pagination(
    page: Page[Any], query: dict[str, str], path: str, label: str
) -> dict[str, Any]:
    """Parameters for the NHS.UK pagination macro: first, last and nearby pages
    (none when everything fits on one page)."""
    count = page.paginator.num_pages
    if count <= 1:
        return {}

    def href(number: int) -> str:
        return _href(path, {**query, "page": str(number)})

    items: list[dict[str, Any]] = []
    previous = 0
    for number in sorted({1, count, *range(page.number - 2, page.number + 3)}):
        if not 1 <= number <= count:
            continue
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {"number": number, "href": href(number), "current": number == page.number}
        )
        previous = number
    params: dict[str, Any] = {"items": items, "ariaLabel": label}
    if page.has_previous():
        params["previous"] = {"href": href(page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": href(page.next_page_number())}
    return params


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
            (key, name, found.counts[key], _href(path, {**query, "group": key}))
            for key, name in overview.GROUP_NAMES.items()
        ],
        "every_group_href": _href(
            path, {k: v for k, v in query.items() if k != "group"}
        ),
        "overview_path": path,
        "pagination": pagination(found.page, query, path, "Pages of measures"),
        "measure_href": object_href("measures:detail"),
        "project_href": object_href("projects:detail"),
        "sparkline": sparkline,
    }
    if is_htmx(request):
        return render(request, "measures/_overview_results.html", context)
    return render(request, "measures/overview.html", context)
