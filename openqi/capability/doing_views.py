"""The learning-by-doing page: whether trained people take part in projects.

Every member sees the figures and the projects; the people behind them (the
coaches' load person by person, and who is trained but never active) are shown
only to those who may read training records (``VIEW_TRAINING_RECORDS``). The
page reads what :func:`openqi.capability.doing.learning_by_doing` keeps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openqi.core.paging import page_of
from openqi.organisations.permissions import MemberRequest, has, page_access

from . import doing as service
from .permissions import CHANGE_CAPABILITY, VIEW_CAPABILITY, VIEW_TRAINING_RECORDS

#: Each list's page parameter.
PAGE_PARAMETERS = ("lead_page", "coach_page", "uncoached_page", "page")


def _link(request: HttpRequest, parameter: str, number: int) -> str:
    """This page's address with ``parameter`` set to ``number``, keeping the
    other lists' pages (and nothing else of the query string)."""
    query = request.GET.copy()
    for name in list(query):
        if name not in PAGE_PARAMETERS:
            del query[name]
    query[parameter] = str(number)
    return "?" + query.urlencode()


@page_access(get=VIEW_CAPABILITY)
def doing(request: MemberRequest, slug: str) -> HttpResponse:
    membership = request.membership
    result = service.learning_by_doing(membership.organisation)
    can_read_records = has(membership, VIEW_TRAINING_RECORDS)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "can_edit": has(membership, CHANGE_CAPABILITY),
        "can_read_records": can_read_records,
        "doing": result,
        "without_lead": page_of(request, result.projects_without_lead, "lead_page"),
        "without_coach": page_of(
            request, result.projects_without_coach, "uncoached_page"
        ),
        # The people themselves only for those who may read training records.
        "coaches": page_of(
            request, result.coaches if can_read_records else [], "coach_page"
        ),
        "never_active": page_of(
            request, result.never_active if can_read_records else [], "page"
        ),
        "page_link": lambda parameter, number: _link(request, parameter, number),
    }
    return render(request, "capability/doing.html", context)
