"""Long lists a page at a time: a page of rows and the NHS.UK pagination links
that keep the rest of the address (filters, other lists' pages)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from openqi.core.links import with_query

#: Rows on each page of a long list.
PAGE_SIZE = 50
#: The longest page number read (a longer one is no page: the first is shown).
_MAX_DIGITS = 6


def page_of(
    request: HttpRequest,
    rows: Sequence[Any],
    parameter: str = "page",
    size: int | None = None,
) -> Page[Any]:
    """The page of ``rows`` the address asks for in ``parameter`` (the first for a
    missing or unreadable number, the last for one past the end), ``size`` rows
    (:data:`PAGE_SIZE` unless given)."""
    number = str(request.GET.get(parameter, ""))[:_MAX_DIGITS]
    return Paginator(rows, size or PAGE_SIZE).get_page(number)


def page_href(request: HttpRequest, parameter: str, number: int, anchor: str) -> str:
    """This page's address with ``parameter`` set to ``number``, everything else of
    the query string kept."""
    query = request.GET.copy()
    query[parameter] = str(number)
    return f"?{query.urlencode()}#{anchor}"


def pager(
    request: HttpRequest, page: Page[Any], parameter: str, anchor: str
) -> dict[str, Any]:
    """The NHS.UK pagination component's previous and next links for ``page``
    (empty when everything fits on one page)."""
    count = page.paginator.num_pages
    if count <= 1:
        return {}
    links: dict[str, Any] = {}
    if page.has_previous():
        number = page.previous_page_number()
        links["previous"] = {
            "href": page_href(request, parameter, number, anchor),
            "labelText": f"Page {number} of {count}",
        }
    if page.has_next():
        number = page.next_page_number()
        links["next"] = {
            "href": page_href(request, parameter, number, anchor),
            "labelText": f"Page {number} of {count}",
        }
    return links


def numbered_pager(
    page: Page[Any], query: dict[str, str], path: str, label: str
) -> dict[str, Any]:
    """Parameters for the NHS.UK pagination macro: first, last and nearby pages
    (none when everything fits on one page)."""
    count = page.paginator.num_pages
    if count <= 1:
        return {}

    def href(number: int) -> str:
        return with_query(path, {**query, "page": str(number)})

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


#: The most choices a "choose one of many" list offers at once; beyond them, the
#: person searches by title.
OFFERED = 25
#: The longest title search read.
_MAX_SEARCH = 100


@dataclass(frozen=True)
class TitleSearch:
    """The first :data:`OFFERED` rows whose title holds ``search`` (all rows when it
    is empty), and whether there were more."""

    search: str
    rows: list[Any]
    more: bool
    offered: int = OFFERED


def title_search(request: HttpRequest, queryset: QuerySet[Any]) -> TitleSearch:
    """A page of ``queryset`` (already in title order) for a choice list, narrowed by
    the address's ``q`` (spaces collapsed, at most 100 characters)."""
    search = " ".join(str(request.GET.get("q", "")).split())[:_MAX_SEARCH]
    if search:
        queryset = queryset.filter(title__icontains=search)
    rows = list(queryset[: OFFERED + 1])
    return TitleSearch(search, rows[:OFFERED], len(rows) > OFFERED)
