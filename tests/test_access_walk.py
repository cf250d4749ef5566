"""The access walk: every URL pattern, pages and API alike, tried as each member
of the cast, by session and, for the API, by personal token.

Every app's tests declare their routes in ``tests/<app>/routes*.py`` (the
contract is in ``tests/access.py``). This module walks the project's URL
resolver and fails for a pattern with no ``Route`` — so a new route without a
permission test fails the suite — then, for each route, proves that:

- anonymous requests are sent to sign in (pages) or refused with 401 (API), and a
  page treats a request carrying only an API token as anonymous;
- the outsider gets 404 for every method, and the API says so in its error shape;
- where the view declares its access (``page_access``/``api_access``), each role
  of the cast gets what ``permissions.has`` says for the permission the method
  needs (a success, else 403), by session and, for the API, by token; a method
  the view does not declare answers 405; a declared write with no ``Write`` to
  try fails, so a new write cannot slip through;
- where it does not declare it yet, the viewer and the administrator get what
  the Route's flags say;
- no refused request leaves a trace in the audit trail.

Each route is one test, named after it: ``AccessWalk::test_route[organisations:detail]``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator, Mapping
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

from openqi.accounts.models import ApiToken
from openqi.audit.models import AuditEvent
from openqi.organisations.access import membership_for
from openqi.organisations.models import Membership
from openqi.organisations.permissions import (
    ACCESS_ATTRIBUTE,
    MANAGE_ORGANISATION,
    VIEW_ORGANISATION,
    Access,
    has,
    page_access,
)
from tests.access import CAST_ROLES, Route, Write
from tests.base import BaseTestCase

TESTS = Path(__file__).resolve().parent

#: The methods a page or an endpoint may be sent; HEAD follows GET.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

#: How a failure names each role of the cast.
ROLE_WORDS = {
    "admin": "the administrator",
    "qi_team": "the QI team member",
    "project_lead": "the project lead",
    "member": "the member",
    "viewer": "the viewer",
}


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


# What the URL patterns declare ---------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str | None
    path: str
    #: The HTTP methods an API endpoint serves; None for pages (read ``access``).
    methods: frozenset[str] | None
    #: Method → the permission the view declares for it: for a page, the methods
    #: it accepts (None when it declares nothing); for an API endpoint, each
    #: method it serves (a method → None when its operation declares nothing).
    access: Mapping[str, str | None] | None = None

    @property
    def organisation_scoped(self) -> bool:
        return "<slug" in self.path

    @property
    def undeclared(self) -> bool:
        """Whether the view (or one of the endpoint's operations) declares no access."""
        return self.access is None or None in self.access.values()


def _path_view(callback: Any) -> PathView | None:
    # django-ninja wraps each path's operations in a closure over a PathView
    # (openqi/api/urls.py wraps that again, closing over the same PathView).
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _api_methods(callback: Any) -> frozenset[str] | None:
    """The methods an API endpoint serves, read from its operations."""
    view = _path_view(callback)
    if view is None:
        return None
    return frozenset(m.upper() for op in view.operations for m in op.methods)


def _declared(view: Any) -> Access | None:
    """The ``Access`` a view (or a view it wraps) carries, if any."""
    while view is not None:
        access = getattr(view, ACCESS_ATTRIBUTE, None)
        if isinstance(access, Access):
            return access
        view = getattr(view, "__wrapped__", None)
    return None


def _access(callback: Any) -> Mapping[str, str | None] | None:
    """Method → declared permission (see ``Pattern.access``)."""
    view = _path_view(callback)
    if view is not None:
        permissions: dict[str, str | None] = {}
        for operation in view.operations:
            access = _declared(operation.view_func)
            for method in operation.methods:
                permissions[method.upper()] = (
                    access.permission_for("ANY") if access else None
                )
        return permissions
    access = _declared(callback)
    if access is None:
        return None
    return {m.upper(): name for m, name in access.methods.items() if m != "HEAD"}


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
                    name,
                    prefix + str(entry.pattern),
                    _api_methods(entry.callback),
                    _access(entry.callback),
                )

    return list(walk(get_resolver(), "", "/"))


def pattern_named(name: str) -> Pattern | None:
    return next((p for p in url_patterns() if p.name == name), None)


def describe(route: Route, pattern: Pattern | None = None) -> str:
    """What the walk checks for a route, in one line (printed in the summary)."""
    writes = ", ".join(w.method.upper() for w in route.writes) or "no writes"
    reads = "GET" if route.get else "no GET"
    if route.public:
        who = "public: anyone"
    elif route.personal:
        who = "personal: anonymous and every role"
    elif pattern is not None and not pattern.undeclared:
        assert pattern.access is not None
        needs = ", ".join(f"{m} {name}" for m, name in sorted(pattern.access.items()))
        who = f"anonymous, outsider and every role; declared: {needs}"
    else:
        who = "anonymous, outsider, viewer and administrator; by the Route's flags"
    via = "session and token" if route.is_api else "session"
    return f"{'API' if route.is_api else 'page'} by {via}; {who}; {reads}; {writes}"


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
        untried += [
            f"{route.name} {m} {pattern.path}"
            for m in sorted(pattern.methods - _tried(route))
        ]
    return untried


def undeclared_access(patterns: list[Pattern]) -> list[str]:
    """Organisation-scoped patterns whose view declares no access (or, for an API
    endpoint, the methods whose operation declares none)."""
    found = []
    for p in patterns:
        if not p.organisation_scoped or not p.undeclared:
            continue
        if p.access is None:
            found.append(f"{p.name}  {p.path}")
        else:
            missing = sorted(m for m, name in p.access.items() if name is None)
            found.append(f"{p.name}  {' '.join(missing)} {p.path}")
    return found


def _tried(route: Route) -> set[str]:
    return {w.method.upper() for w in route.writes} | ({"GET"} if route.get else set())


def declaration_problems(route: Route, pattern: Pattern) -> list[str]:
    """Where a route and what its view declares disagree on the methods."""
    if pattern.access is None:
        return []
    declared = set(pattern.access)
    tried = _tried(route)
    where = "its Route (tests/<app>/routes*.py)"
    problems = [
        f"{route.name} declares {m} (needs {pattern.access[m]!r}) but {where} has "
        + ("get=False" if m == "GET" else f"no Write({m.lower()!r}, …)")
        + ": add it, so the walk tries it"
        for m in sorted(declared - tried)
    ]
    problems += [
        f"{route.name}: {where} tries {m}, which the view does not declare "
        f"(it declares {', '.join(sorted(declared))})"
        for m in sorted(tried - declared)
    ]
    return problems


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

    def test_every_organisation_route_declares_its_access(self) -> None:
        if undeclared := undeclared_access(url_patterns()):
            self.fail(
                "Organisation routes whose view names no permission (decorate the "
                "page with page_access(get=…, post=…) or the API operation with "
                "api_access(…), from openqi.organisations.permissions):\n  "
                + "\n  ".join(undeclared)
            )


# The checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One request to make: who, how, and the statuses that would be right."""

    who: str
    client: Client
    expected: tuple[int, ...]
    #: Anonymous (or a page sent only a token): expect the way to sign in.
    anonymous: bool = False

    @property
    def refused(self) -> bool:
        return self.anonymous or min(self.expected) >= 400


class RouteChecks(BaseTestCase):
    """The checks for one Route, as the cast of tests.base (see tests/access.py)."""

    #: Role → the cast's membership of ``org`` (for ``permissions.has``).
    memberships: dict[str, Membership]
    #: The cast's attribute name → a raw personal API token of theirs.
    tokens: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.memberships = {
            role: Membership.objects.get(user=getattr(cls, who), organisation=cls.org)
            for role, who in CAST_ROLES.items()
        }
        cls.tokens = {
            who: ApiToken.issue(getattr(cls, who), "access walk")[1]
            for who in [*CAST_ROLES.values(), "outsider"]
        }

    def setUp(self) -> None:
        super().setUp()
        self._clients: dict[tuple[str, str], Client] = {}

    def _client(self, who: str | None = None, via: str = "session") -> Client:
        """A client for the cast's ``who`` (None: anonymous), reused within a test."""
        key = (who or "", via)
        if key not in self._clients:
            if who is not None and via == "token":
                client = Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}")
            else:
                client = Client()
                if who is not None:
                    client.force_login(getattr(self, who))
            self._clients[key] = client
        return self._clients[key]

    def _send(
        self, client: Client, route: Route, method: str, url: str, data: Any
    ) -> Any:
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

    def _check(
        self, route: Route, attempt: Attempt, method: str, url: str, data: Any
    ) -> None:
        """Send the request and check the status (and the API's error shape, or
        the way to sign in); a refused request must leave no audit event."""
        events = AuditEvent.objects.count()
        response = self._send(attempt.client, route, method, url, data)
        what = f"{route.name}: {attempt.who} {method.upper()} {url}"
        status = response.status_code
        if attempt.anonymous and not route.is_api:
            sign_in = resolve_url(settings.LOGIN_URL)
            self.assertIn(
                status,
                (302, 303),
                f"{what} answered {status}, expected a redirect to {sign_in}",
            )
            self.assertTrue(
                response["Location"].startswith(sign_in),
                f"{what} went to {response['Location']}, expected {sign_in}",
            )
        else:
            self.assertIn(
                status,
                attempt.expected,
                f"{what} answered {status}, expected {attempt.expected}",
            )
            if route.is_api and status >= 400:
                body = response.json()
                shaped = (
                    isinstance(body.get("error"), str) and body.get("status") == status
                )
                self.assertTrue(shaped, f"{what}: not the error shape: {body}")
        if attempt.refused and method.upper() != "GET":
            self.assertEqual(
                AuditEvent.objects.count(),
                events,
                f"{what} was refused ({status}) but still changed data",
            )

    # Who tries what --------------------------------------------------------------

    def _channels(self, route: Route) -> tuple[str, ...]:
        return ("session", "token") if route.is_api else ("session",)

    def _attempts(
        self,
        route: Route,
        pattern: Pattern | None,
        method: str,
        ok: tuple[int, ...],
        expect: Mapping[str, int],
    ) -> list[Attempt]:
        """Everyone who tries ``method`` on the route, with what they should get."""
        method = method.upper()
        if route.public:
            public = [Attempt("anonymous", self._client(), ok)]
            if method == "GET":
                public.append(Attempt("the administrator", self._client("editor"), ok))
            return public
        attempts = [Attempt("anonymous", self._client(), (401,), anonymous=True)]
        if not route.is_api:
            attempts.append(
                Attempt(
                    "a token without a session",
                    self._client("editor", "token"),
                    (302,),
                    anonymous=True,
                )
            )
        access = pattern.access if pattern else None
        permission = access.get(method) if access else None

        def expected(role: str, default: tuple[int, ...]) -> tuple[int, ...]:
            return (expect[role],) if role in expect else default

        for via in self._channels(route):
            suffix = " by token" if via == "token" else ""
            if route.personal:
                # A personal write (a token to revoke) belongs to the editor; the
                # others would rightly get 404 for it, so only the editor tries it.
                roles = list(CAST_ROLES) if method == "GET" else ["admin"]
                attempts += [
                    Attempt(
                        ROLE_WORDS[r] + suffix, self._client(CAST_ROLES[r], via), ok
                    )
                    for r in roles
                ]
                continue
            attempts.append(
                Attempt("the outsider" + suffix, self._client("outsider", via), (404,))
            )
            if permission is not None:
                for role, who in CAST_ROLES.items():
                    allowed = has(self.memberships[role], permission)
                    attempts.append(
                        Attempt(
                            f"{ROLE_WORDS[role]}{suffix} ({permission}: "
                            f"{'granted' if allowed else 'refused'})",
                            self._client(who, via),
                            expected(role, ok if allowed else (403,)),
                        )
                    )
            else:  # not declared yet: today's flags, for the viewer and the editor
                refused = method != "GET" or route.manage_only
                attempts += [
                    Attempt(
                        ROLE_WORDS["viewer"] + suffix,
                        self._client("viewer", via),
                        expected("viewer", (403,) if refused else ok),
                    ),
                    Attempt(
                        ROLE_WORDS["admin"] + suffix,
                        self._client("editor", via),
                        expected("admin", ok),
                    ),
                ]
        return attempts

    def check_route(self, route: Route) -> None:
        pattern = pattern_named(route.name)
        if pattern is not None and not (route.public or route.personal):
            if problems := declaration_problems(route, pattern):
                self.fail("\n".join(problems))
        for expect in [route.get_expect, *(w.expect for w in route.writes)]:
            if unknown := set(expect) - set(CAST_ROLES):
                self.fail(f"{route.name}: expect names no role of the cast: {unknown}")
        kwargs = route.kwargs(self)
        if route.get:
            url = reverse(route.name, kwargs=kwargs)
            for attempt in self._attempts(
                route, pattern, "GET", route.get_ok, route.get_expect
            ):
                self._check(route, attempt, "GET", url, {})
        for write in route.writes:
            self.check_write(route, pattern, write, kwargs)
        if pattern is not None and not route.public:
            self.check_undeclared_methods(route, pattern, kwargs)

    def check_write(
        self,
        route: Route,
        pattern: Pattern | None,
        write: Write,
        kwargs: dict[str, Any],
    ) -> None:
        """Each attempt meets an object of its own: after an attempt that may
        have changed or removed it, the Write's setup runs again (so a second
        delete finds something to delete); ``data`` is built for each attempt."""
        extra: dict[str, Any] | None = None
        for attempt in self._attempts(
            route, pattern, write.method, write.ok, write.expect
        ):
            if extra is None:
                extra = write.setup(self) if write.setup else {}
            url = reverse(route.name, kwargs={**kwargs, **extra})
            self._check(route, attempt, write.method, url, write.data(self))
            if not attempt.refused:
                extra = None

    def check_undeclared_methods(
        self, route: Route, pattern: Pattern, kwargs: dict[str, Any]
    ) -> None:
        """A member sending a method the view does not declare (or the endpoint does
        not serve) gets 405."""
        served = pattern.methods if route.is_api else pattern.access
        if served is None:
            return
        if not route.get and route.writes and route.writes[0].setup:
            # A write-only route's object.
            kwargs = {**kwargs, **route.writes[0].setup(self)}
        url = reverse(route.name, kwargs=kwargs)
        member = Attempt(
            "the administrator",
            self._client("editor", self._channels(route)[-1]),
            (405,),
        )
        for method in METHODS:
            if method not in served:
                self._check(route, member, method, url, {})


class AccessWalk(RouteChecks):
    """One test per declared Route, named after it; the methods are added below."""


def _test_for(route: Route) -> Callable[[AccessWalk], None]:
    def test(self: AccessWalk) -> None:
        self.check_route(route)

    test.__doc__ = f"{route.name}: {describe(route, _PATTERNS.get(route.name))}"
    return test


def _patterns_by_name() -> dict[str | None, Pattern]:
    try:
        return {p.name: p for p in url_patterns()}
    except Exception:  # the URL map does not load: RouteCoverage says why
        return {}


_PATTERNS = _patterns_by_name()
for _route in ROUTES:
    setattr(AccessWalk, f"test_route[{_route.name}]", _test_for(_route))


# The walk's own test: views that leak ---------------------------------------------


def _no_checks(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("everything, for anyone")


@login_required
def _no_membership_check(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("everything, for anyone signed in")


@login_required
def _no_role_check(request: HttpRequest, slug: str) -> HttpResponse:
    membership_for(request.user, slug)
    return HttpResponse("saved")


def _declaring(**methods: str) -> Callable[[Any], Any]:
    """Claim an access declaration without enforcing it (a view that lies)."""

    def decorate(view: Any) -> Any:
        setattr(
            view, ACCESS_ATTRIBUTE, Access({m.upper(): n for m, n in methods.items()})
        )
        return view

    return decorate


@_declaring(get=VIEW_ORGANISATION)
@login_required
def _any_method(request: HttpRequest, slug: str) -> HttpResponse:
    membership_for(request.user, slug)
    return HttpResponse("read, or saved: whatever was asked")


@_declaring(get=MANAGE_ORGANISATION)
@login_required
def _manage_for_anyone(request: HttpRequest, slug: str) -> HttpResponse:
    membership_for(request.user, slug)
    return HttpResponse("the settings, for any member")


@page_access(get=VIEW_ORGANISATION, post=MANAGE_ORGANISATION)
def _declares_a_write(request: HttpRequest, slug: str) -> HttpResponse:
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
                    path("<slug:slug>/any/", _any_method, name="any_method"),
                    path("<slug:slug>/manage/", _manage_for_anyone, name="manage"),
                    path("<slug:slug>/write/", _declares_a_write, name="write"),
                    path("unnamed/", _no_checks),
                ]
            ),
        ),
        path("", include(settings.ROOT_URLCONF)),
    ]


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


@override_settings(ROOT_URLCONF=LeakyUrls)
class TheWalkCatchesLeaks(RouteChecks):
    """The walk itself fails on views that leak, and on routes nobody declared."""

    def test_an_undeclared_or_unnamed_pattern_fails_coverage(self) -> None:
        leaky = [p for p in url_patterns() if p.path.startswith("/leaky/")]
        routes = [
            Route(name) for name in ("open", "members_only", "any_method", "manage")
        ] + [Route("write"), Route("gone")]
        self.assertEqual(
            unrouted(routes, leaky),
            ["save  /leaky/<slug:slug>/save/", "(unnamed)  /leaky/unnamed/"],
        )
        self.assertEqual(unserved(routes, leaky), ["gone"])

    def test_a_view_that_declares_no_access_fails_coverage(self) -> None:
        leaky = [p for p in url_patterns() if p.path.startswith("/leaky/")]
        self.assertEqual(
            undeclared_access(leaky),
            [
                "open  /leaky/<slug:slug>/open/",
                "members_only  /leaky/<slug:slug>/members-only/",
                "save  /leaky/<slug:slug>/save/",
            ],
        )

    def test_a_page_open_to_anyone_fails_for_anonymous(self) -> None:
        route = Route("open", kwargs=_org)
        with self.assertRaisesRegex(AssertionError, "expected a redirect to"):
            self.check_route(route)

    def test_a_page_without_a_membership_check_fails_for_the_outsider(self) -> None:
        route = Route("members_only", kwargs=_org)
        with self.assertRaisesRegex(AssertionError, "the outsider GET .* answered 200"):
            self.check_route(route)

    def test_a_write_without_a_role_check_fails_for_the_viewer(self) -> None:
        route = Route("save", kwargs=_org, get=False, writes=(Write(),))
        with self.assertRaisesRegex(AssertionError, "the viewer POST .* answered 200"):
            self.check_route(route)

    def test_a_page_that_accepts_a_method_it_does_not_declare_fails(self) -> None:
        route = Route("any_method", kwargs=_org)
        with self.assertRaisesRegex(
            AssertionError, r"the administrator POST .* answered 200, expected \(405,\)"
        ):
            self.check_route(route)

    def test_a_role_the_permission_refuses_that_gets_in_fails(self) -> None:
        route = Route("manage", kwargs=_org)
        with self.assertRaisesRegex(
            AssertionError,
            r"the QI team member \(organisations.manage: refused\) GET .* "
            r"answered 200, expected \(403,\)",
        ):
            self.check_route(route)

    def test_a_declared_write_without_a_write_to_try_fails(self) -> None:
        route = Route("write", kwargs=_org)
        with self.assertRaisesRegex(
            AssertionError, r"write declares POST .* has no Write\('post', …\)"
        ):
            self.check_route(route)

    def test_a_declared_page_passes_for_every_role(self) -> None:
        route = Route("write", kwargs=_org, writes=(Write(ok=(200,)),))
        self.check_route(route)

    def test_an_object_rule_is_declared_per_role(self) -> None:
        route = Route(
            "write", kwargs=_org, writes=(Write(ok=(200,), expect={"admin": 403}),)
        )
        with self.assertRaisesRegex(
            AssertionError,
            r"the administrator .* POST .* answered 200, expected \(403,\)",
        ):
            self.check_route(route)
