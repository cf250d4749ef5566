"""The access walk (issue 3): every URL pattern, pages and API alike, tried as
each member of the cast.

Every app's tests declare their routes in ``tests/<app>/routes*.py`` (the
contract is in ``tests/access.py``). This module walks the project's URL
resolver and fails for a pattern with no ``Route`` — so a new route without a
permission test fails the suite — then, for each route, proves that:

- anonymous requests are sent to sign in (pages) or refused with 401 (API);
- the outsider gets 404 for every method, and the API says so in its error shape;
- the viewer may read (unless ``manage_only``) and gets 403 for every write;
- the editor (an administrator) may read and write;
- no refused write leaves a trace in the audit trail.

Each route is one test, named after it: ``AccessWalk::test_route[organisations:detail]``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, SimpleTestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from ninja.operation import PathView

from openqi.audit.models import AuditEvent
from openqi.organisations.access import membership_for
from tests.access import Route, Write
from tests.base import BaseTestCase

TESTS = Path(__file__).resolve().parent


def _route_modules() -> list[str]:
    """``tests.<app>.routes`` (and ``routes_*``) for every app folder that has one."""
    return sorted(
        f"tests.{path.parent.name}.{path.stem}" for path in TESTS.glob("*/routes*.py")
    )


def _load_routes() -> tuple[list[Route], list[str]]:
    """Every declared Route, and the problems met while collecting them."""
    routes: list[Route] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for module_name in _route_modules():
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # report it as a failure, keep walking the rest
            problems.append(f"{module_name} does not import: {error!r}")
            continue
        declared = getattr(module, "ROUTES", None)
        if not isinstance(declared, list | tuple):
            problems.append(f"{module_name} has no ROUTES list")
            continue
        for route in declared:
            if not isinstance(route, Route):
                problems.append(f"{module_name}: {route!r} is not a tests.access.Route")
            elif route.name in seen:
                problems.append(
                    f"{route.name} is declared twice: {seen[route.name]} and {module_name}"
                )
            else:
                seen[route.name] = module_name
                routes.append(route)
    return routes, problems


ROUTES, ROUTE_PROBLEMS = _load_routes()


@dataclass(frozen=True)
class Pattern:
    name: str | None
    path: str
    #: The HTTP methods an API endpoint serves; None for pages (not knowable).
    methods: frozenset[str] | None


def _api_methods(callback: Any) -> frozenset[str] | None:
    # django-ninja wraps each path's operations in a closure over a PathView;
    # its operations say which methods the endpoint serves.
    for cell in getattr(callback, "__closure__", None) or ():
        view = cell.cell_contents
        if isinstance(view, PathView):
            return frozenset(m.upper() for op in view.operations for m in op.methods)
    return None


def url_patterns() -> list[Pattern]:
    """Every URL pattern the project serves, with its namespaced name."""

    def walk(resolver: URLResolver, namespace: str, prefix: str) -> Iterator[Pattern]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = (
                        f"{namespace}:{entry.namespace}"
                        if namespace
                        else entry.namespace
                    )
                yield from walk(entry, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                name = entry.name and (
                    f"{namespace}:{entry.name}" if namespace else entry.name
                )
                yield Pattern(
                    name, prefix + str(entry.pattern), _api_methods(entry.callback)
                )

    return list(walk(get_resolver(), "", "/"))


def describe(route: Route) -> str:
    """What the walk checks for a route, in one line (printed in the summary)."""
    writes = ", ".join(w.method.upper() for w in route.writes) or "no writes"
    reads = "GET" if route.get else "no GET"
    if route.public:
        who = "public: anyone"
    elif route.personal:
        who = "personal: anonymous, viewer, editor"
    else:
        who = "anonymous, outsider, viewer, editor"
        if route.manage_only:
            who += " (manage only)"
    return f"{'API' if route.is_api else 'page'}; {who}; {reads}; {writes}"


def unrouted(routes: list[Route], patterns: list[Pattern]) -> list[str]:
    """URL patterns that no Route covers (unnamed patterns count too)."""
    declared = {route.name for route in routes}
    return [
        f"{p.name or '(unnamed)'}  {p.path}"
        for p in patterns
        if p.name is None or p.name not in declared
    ]


def unserved(routes: list[Route], patterns: list[Pattern]) -> list[str]:
    """Routes whose name names no URL pattern."""
    served = {p.name for p in patterns}
    return sorted(route.name for route in routes if route.name not in served)


def untried_api_methods(routes: list[Route], patterns: list[Pattern]) -> list[str]:
    """API methods served that no Route tries (GET, or a Write of that method)."""
    by_name = {route.name: route for route in routes}
    untried = []
    for pattern in patterns:
        route = by_name.get(pattern.name or "")
        if route is None or pattern.methods is None:
            continue
        tried = {w.method.upper() for w in route.writes} | (
            {"GET"} if route.get else set()
        )
        untried += [
            f"{route.name} {m} {pattern.path}" for m in sorted(pattern.methods - tried)
        ]
    return untried


class RouteCoverage(SimpleTestCase):
    """The routes declared match the URL patterns served, one for one."""

    def test_route_modules_load(self) -> None:
        if ROUTE_PROBLEMS:
            self.fail("\n".join(ROUTE_PROBLEMS))
        self.assertTrue(ROUTES, "no tests/<app>/routes.py declares any Route")

    def test_every_url_pattern_has_a_route(self) -> None:
        if missing := unrouted(ROUTES, url_patterns()):
            self.fail(
                "URL patterns with no Route in any tests/<app>/routes.py "
                "(declare one, so the access walk covers it):\n  "
                + "\n  ".join(missing)
            )

    def test_every_route_names_a_url_pattern(self) -> None:
        if unknown := unserved(ROUTES, url_patterns()):
            self.fail(f"Routes whose name does not resolve: {', '.join(unknown)}")

    def test_every_api_method_is_tried(self) -> None:
        if untried := untried_api_methods(ROUTES, url_patterns()):
            self.fail(
                "API methods served but not tried by the walk (add a Write):\n  "
                + "\n  ".join(untried)
            )


class RouteChecks(BaseTestCase):
    """The checks for one Route, as the cast of tests.base (see tests/access.py)."""

    def _client(self, user: Any = None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def _send(
        self, client: Client, route: Route, method: str, url: str, data: dict[str, Any]
    ) -> HttpResponse:
        method = method.upper()
        if method == "GET":
            return client.get(url)
        if route.is_api:
            return client.generic(
                method, url, json.dumps(data), content_type="application/json"
            )
        if method == "POST":
            return client.post(url, data)
        return client.generic(
            method,
            url,
            urlencode(data, doseq=True),
            content_type="application/x-www-form-urlencoded",
        )

    def _try(
        self,
        route: Route,
        who: str,
        client: Client,
        method: str,
        url: str,
        data: dict[str, Any],
        expected: tuple[int, ...],
    ) -> None:
        """Send the request and check the status (and the API's error shape)."""
        response = self._send(client, route, method, url, data)
        what = f"{route.name}: {who} {method.upper()} {url}"
        status = response.status_code
        self.assertIn(
            status, expected, f"{what} answered {status}, expected {expected}"
        )
        if route.is_api and status >= 400:
            body = response.json()
            shaped = isinstance(body.get("error"), str) and body.get("status") == status
            self.assertTrue(shaped, f"{what}: not the error shape: {body}")

    def _try_anonymous(
        self, route: Route, method: str, url: str, data: dict[str, Any]
    ) -> None:
        """Pages send an anonymous person to sign in; the API answers 401."""
        if route.is_api:
            self._try(route, "anonymous", self._client(), method, url, data, (401,))
            return
        response = self._send(self._client(), route, method, url, data)
        sign_in = resolve_url(settings.LOGIN_URL)
        self.assertIn(
            response.status_code,
            (302, 303),
            f"{route.name}: anonymous {method.upper()} {url} answered "
            f"{response.status_code}, expected a redirect to {sign_in}",
        )
        self.assertTrue(
            response["Location"].startswith(sign_in),
            f"{route.name}: anonymous {method.upper()} {url} went to {response['Location']}",
        )

    def check_route(self, route: Route) -> None:
        kwargs = route.kwargs(self)
        if route.get:
            self.check_read(route, reverse(route.name, kwargs=kwargs))
        for write in route.writes:
            extra = write.setup(self) if write.setup else {}
            self.check_write(
                route, write, reverse(route.name, kwargs={**kwargs, **extra})
            )

    def check_read(self, route: Route, url: str) -> None:
        editor, viewer = self._client(self.editor), self._client(self.viewer)
        if route.public:
            self._try(route, "anonymous", self._client(), "get", url, {}, route.get_ok)
            self._try(route, "the editor", editor, "get", url, {}, route.get_ok)
            return
        self._try_anonymous(route, "get", url, {})
        if not route.personal:
            self._try(
                route,
                "the outsider",
                self._client(self.outsider),
                "get",
                url,
                {},
                (404,),
            )
        viewer_ok = (403,) if route.manage_only else route.get_ok
        self._try(route, "the viewer", viewer, "get", url, {}, viewer_ok)
        self._try(route, "the editor", editor, "get", url, {}, route.get_ok)

    def check_write(self, route: Route, write: Write, url: str) -> None:
        data = write.data(self)
        if route.public:
            self._try(
                route, "anonymous", self._client(), write.method, url, data, write.ok
            )
            return
        refused = [("anonymous", None)]
        if not route.personal:
            # A personal write (a token to revoke) belongs to the editor; the
            # viewer would rightly get 404 for it, so only the editor tries it.
            refused += [("the outsider", self.outsider), ("the viewer", self.viewer)]
        events = AuditEvent.objects.count()
        for who, user in refused:
            if user is None:
                self._try_anonymous(route, write.method, url, data)
            else:
                status = (404,) if user == self.outsider else (403,)
                self._try(
                    route, who, self._client(user), write.method, url, data, status
                )
            self.assertEqual(
                AuditEvent.objects.count(),
                events,
                f"{route.name}: a {write.method.upper()} refused to {who} still changed data",
            )
        self._try(
            route,
            "the editor",
            self._client(self.editor),
            write.method,
            url,
            data,
            write.ok,
        )


class AccessWalk(RouteChecks):
    """One test per declared Route, named after it; the methods are added below."""


def _test_for(route: Route) -> Any:
    def test(self: AccessWalk) -> None:
        self.check_route(route)

    test.__doc__ = f"{route.name}: {describe(route)}"
    return test


for _route in ROUTES:
    setattr(AccessWalk, f"test_route[{_route.name}]", _test_for(_route))


def _no_checks(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("everything, for anyone")


@login_required
def _no_membership_check(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("everything, for anyone signed in")


@login_required
def _no_role_check(request: HttpRequest, slug: str) -> HttpResponse:
    membership_for(request.user, slug)
    return HttpResponse("saved")


class LeakyUrls:
    """The project's URL map plus views that forget their checks (a class, because
    ROOT_URLCONF must be hashable)."""

    urlpatterns = [
        path(
            "leaky/",
            include(
                [
                    path("<slug:slug>/open/", _no_checks, name="open"),
                    path(
                        "<slug:slug>/members-only/",
                        _no_membership_check,
                        name="members_only",
                    ),
                    path("<slug:slug>/save/", _no_role_check, name="save"),
                    path("unnamed/", _no_checks),
                ]
            ),
        ),
        path("", include(settings.ROOT_URLCONF)),
    ]


@override_settings(ROOT_URLCONF=LeakyUrls)
class TheWalkCatchesLeaks(RouteChecks):
    """The walk itself fails on views that leak, and on routes nobody declared."""

    def test_an_undeclared_or_unnamed_pattern_fails_coverage(self) -> None:
        leaky = [p for p in url_patterns() if p.path.startswith("/leaky/")]
        routes = [Route("open"), Route("members_only"), Route("gone")]
        self.assertEqual(
            unrouted(routes, leaky),
            ["save  /leaky/<slug:slug>/save/", "(unnamed)  /leaky/unnamed/"],
        )
        self.assertEqual(unserved(routes, leaky), ["gone"])

    def test_a_page_open_to_anyone_fails_for_anonymous(self) -> None:
        route = Route("open", kwargs=lambda cast: {"slug": cast.org.slug})
        with self.assertRaisesRegex(AssertionError, "expected a redirect to"):
            self.check_route(route)

    def test_a_page_without_a_membership_check_fails_for_the_outsider(self) -> None:
        route = Route("members_only", kwargs=lambda cast: {"slug": cast.org.slug})
        with self.assertRaisesRegex(AssertionError, "the outsider GET .* answered 200"):
            self.check_route(route)

    def test_a_write_without_a_role_check_fails_for_the_viewer(self) -> None:
        route = Route(
            "save",
            kwargs=lambda cast: {"slug": cast.org.slug},
            get=False,
            writes=(Write(),),
        )
        with self.assertRaisesRegex(AssertionError, "the viewer POST .* answered 200"):
            self.check_route(route)
