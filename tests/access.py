"""How each app declares its routes for the access walk (tests/test_access_walk.py).

Every app's tests keep a ``tests/<app>/routes.py`` (or ``routes_<what>.py``) with
``ROUTES: list[Route]``. The walk resolves every URL pattern of the project (pages
and API alike) and fails when one has no ``Route`` — so a new route without a
permission test fails the suite.

What each member of the cast should get is read from the view where the view
declares it: a page decorated with ``page_access`` names the permission each HTTP
method needs, and an API operation decorated with ``api_access`` names its own.
For each role of the cast (``CAST_ROLES``) the walk expects a success where
``openqi.organisations.permissions.has(membership, permission)`` and 403 where not;
a method a page does not declare must answer 405, and every declared write needs
a ``Write`` here. A view that declares nothing yet falls back to the flags below
(``manage_only``: the viewer gets 403 on GET too), tried as the viewer and the
administrator only.

Object-level rules the role rule cannot know (a project's lead may delete it,
another member may not; a measure with data needs the QI team) are declared per
``Write`` with ``expect={role: status}`` (``Route.get_expect`` for reads).

``public`` routes (sign-in, the health check, the OpenAPI document) must answer
anyone. Every other route sends an anonymous request to sign in (pages) or answers
it 401 (API); a page treats a request carrying only an API token as anonymous.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The cast handed to the callables below: a ``tests.base.BaseTestCase`` instance
#: (``cast.org``, ``cast.other_org``, ``cast.division``, ``cast.directorate``,
#: ``cast.team``, one member per role — see ``CAST_ROLES`` — and ``cast.outsider``).
Cast = Any

#: Each role of ``openqi.organisations.models.Role`` → the cast's member of
#: ``cast.org`` who holds it (the names ``editor`` and ``viewer`` predate the others).
CAST_ROLES: Mapping[str, str] = {
    "admin": "editor",
    "qi_team": "qi_lead",
    "project_lead": "lead",
    "member": "member",
    "viewer": "viewer",
}


@dataclass(frozen=True)
class Write:
    """One write to try: the method, the body (form data, or JSON for the API) and
    the statuses that count as success for a role that may make it."""

    method: str = "post"
    data: Callable[[Cast], dict[str, Any]] = field(default=lambda cast: {})
    ok: tuple[int, ...] = (200, 201, 204, 302, 303)
    #: Set up state first (for example, create the object to delete); gets the
    #: cast and returns extra URL kwargs, merged over ``Route.kwargs``. Run again
    #: before each attempt, so every role meets an object of its own.
    setup: Callable[[Cast], dict[str, Any]] | None = None
    #: Object-level answers the declared permission cannot know: role (a key of
    #: ``CAST_ROLES``) → the status that role gets, e.g. ``{"member": 403}``.
    expect: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[Cast], dict[str, Any]] = field(default=lambda cast: {})
    #: Whether GET is served (False for write-only endpoints).
    get: bool = True
    writes: tuple[Write, ...] = ()
    #: For a view that declares no access yet: reads, too, are refused to the
    #: viewer (403 on GET). Ignored once the view declares its access.
    manage_only: bool = False
    public: bool = False
    #: About the signed-in person only (the home page, profile, API tokens):
    #: anyone signed in may use it; the outsider check is skipped, and an
    #: anonymous request is sent to sign in (pages) or refused with 401 (API).
    personal: bool = False
    #: Statuses that count as success for a read (a redirect for some pages).
    get_ok: tuple[int, ...] = (200,)
    is_api: bool = False
    #: Object-level answers to GET, as ``Write.expect``.
    get_expect: Mapping[str, int] = field(default_factory=dict)
