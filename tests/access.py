"""How each app declares its routes for the access walk (tests/test_access_walk.py).

Every app's tests keep a ``tests/<app>/routes.py`` with ``ROUTES: list[Route]``.
The walk resolves every URL pattern of the project (pages and API alike) and
fails when one has no ``Route`` — so a new route without a permission test fails
the suite. For each route it proves, with the cast of ``tests.base``:

- the outsider (a member of another organisation only) gets 404 for every method;
- the viewer gets 200 for reads (403 where ``manage_only``) and 403 for every write;
- the editor (an administrator of the organisation) gets a success for reads and
  for each write in ``writes``.

``public`` routes (sign-in, the health check, the OpenAPI document) skip the
outsider and viewer checks and must answer anyone. Every other route sends an
anonymous request to sign in (pages) or answers it 401 (API).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The cast handed to the callables below: a ``tests.base.BaseTestCase`` instance
#: (``cast.org``, ``cast.other_org``, ``cast.division``, ``cast.directorate``,
#: ``cast.team``, ``cast.editor``, ``cast.viewer``, ``cast.outsider``).
Cast = Any


@dataclass(frozen=True)
class Write:
    """One write to try: the method, the body (form data, or JSON for the API) and
    the statuses that count as success for the editor."""

    method: str = "post"
    data: Callable[[Cast], dict[str, Any]] = field(default=lambda cast: {})
    ok: tuple[int, ...] = (200, 201, 204, 302, 303)
    #: Set up state first (for example, create the object to delete); gets the
    #: cast and returns extra URL kwargs, merged over ``Route.kwargs``.
    setup: Callable[[Cast], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[Cast], dict[str, Any]] = field(default=lambda cast: {})
    #: Whether GET is served (False for write-only endpoints).
    get: bool = True
    writes: tuple[Write, ...] = ()
    #: Reads, too, are for administrators only (viewer gets 403 on GET).
    manage_only: bool = False
    public: bool = False
    #: About the signed-in person only (the home page, profile, API tokens):
    #: anyone signed in may use it; the outsider check is skipped, and an
    #: anonymous request is sent to sign in (pages) or refused with 401 (API).
    personal: bool = False
    #: Statuses that count as success for a read (a redirect for some pages).
    get_ok: tuple[int, ...] = (200,)
    is_api: bool = False
