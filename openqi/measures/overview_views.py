"""The measures overview page: every measure with its icons, concerns first
(served under the portfolio's address, /organisations/<slug>/portfolio/measures/)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from openqi.organisations.permissions import MemberRequest, page_access

from . import overview
from .permissions import VIEW_MEASURES


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


@page_access(get=VIEW_MEASURES)
def overview_page(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    organisation = membership.organisation
    statuses = overview.measures_overview(organisation)
    groups = [
        (key, heading, [s for s in statuses if s.group == key])
        for key, heading in overview.GROUPS
    ]
    context = {
        "membership": membership,
        "organisation": organisation,
        "groups": groups,
        "total": len(statuses),
        "measure_href": object_href("measures:detail"),
        "project_href": object_href("projects:detail"),
    }
    return render(request, "measures/overview.html", context)
