"""What every page's header shows about organisations: the current organisation's
navigation and the switcher between the person's organisations.

Wired into the Jinja2 engine's ``context_processors`` (openqi/web/settings.py), so
core's layout (core/base.html) can show them without core depending on this app.
Both are handed to the template as functions, called only by a page that shows a
header, and only when the page is rendered for a request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .access import user_organisations as organisations_of
from .models import Membership
from .permissions import MANAGE_ORGANISATION, VIEW_ORGANISATION, has

#: The organisation's navigation in the header: (text, route name, the permission
#: a member needs to see the item). A permission of another app is named by its
#: string ("audit.view_trail"), since this app sits below the apps it links to.
ORGANISATION_NAVIGATION: list[tuple[str, str, str]] = [
    ("Home", "reports:home", VIEW_ORGANISATION),
    ("Journey", "journey:overview", VIEW_ORGANISATION),
    ("Priorities", "strategy:priorities", VIEW_ORGANISATION),
    ("Projects", "projects:list", VIEW_ORGANISATION),
    ("Portfolio", "portfolio:portfolio", VIEW_ORGANISATION),
    ("Measures", "measures:list", VIEW_ORGANISATION),
    ("Assessments", "assessments:list", VIEW_ORGANISATION),
    ("Barriers", "barriers:list", VIEW_ORGANISATION),
    ("Capability", "capability:overview", VIEW_ORGANISATION),
    ("Value", "value:programme", VIEW_ORGANISATION),
    ("Library", "library:search", "library.view"),
    ("Units", "organisations:units", VIEW_ORGANISATION),
    ("Members", "organisations:members", VIEW_ORGANISATION),
    ("Invitations", "organisations:invitations", MANAGE_ORGANISATION),
    ("Audit trail", "audit:log", "audit.view_trail"),
]


def user_organisations(request: HttpRequest) -> list[Any]:
    """The signed-in person's organisations, for the switcher (none when anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return organisations_of(user)


def organisation_navigation(
    request: HttpRequest, membership: Membership | None
) -> list[dict[str, Any]]:
    """Header navigation items for the current organisation (empty without one)."""
    if membership is None or not getattr(membership, "organisation", None):
        return []
    items = []
    slug = membership.organisation.slug
    overview = reverse(ORGANISATION_NAVIGATION[0][1], kwargs={"slug": slug})
    for text, name, permission in ORGANISATION_NAVIGATION:
        if not has(membership, permission):
            continue
        href = reverse(name, kwargs={"slug": slug})
        current = request.path == href or (
            href != overview and request.path.startswith(href)
        )
        items.append({"text": text, "href": href, "current": current})
    return items


def organisation_header(request: HttpRequest) -> dict[str, Any]:
    """The context processor: the two functions core/base.html calls."""
    return {
        "user_organisations": user_organisations,
        "organisation_navigation": organisation_navigation,
    }
