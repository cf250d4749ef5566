"""Who may do what: the named predicates every app's permissions are built from,
and the decorators that make a view or an API operation name the permission it needs.

Permissions are django-rules predicates over a :class:`Membership` (a person's
role in one organisation), kept in one :class:`rules.RuleSet` of our own rather
than Django's user-level permission backend, because a role belongs to a
membership, not to a user. Each app declares its permissions in its own
``permissions.py`` with :func:`define`, built from the predicates here, e.g.::

    CHANGE_PRIORITY = define(
        "strategy.change_priority",
        is_qi,
        refused="Only the QI team or an administrator of this organisation can do this.",
    )

A page names what each HTTP method needs with :func:`page_access`; an API
operation with :func:`api_access`. Both look the membership up (404 for anyone
who is not a member), refuse a method the view does not declare (405), and
refuse a role the permission does not admit (403, with the permission's own
message). The access walk (``tests/test_access_walk.py``) reads what they
declare and checks every role against it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from .models import Membership, Role

__all__ = [
    "ACCESS_ATTRIBUTE",
    "Access",
    "MemberRequest",
    "PERMISSIONS",
    "api_access",
    "define",
    "has",
    "is_admin",
    "is_lead_of_project",
    "is_member",
    "is_on_project_team",
    "is_project_lead",
    "is_qi",
    "is_qi_team",
    "is_viewer",
    "may_change_work",
    "message_for",
    "page_access",
    "require",
    "roles_with",
]


# The predicates -----------------------------------------------------------------
# Each takes the membership (and, for object rules, the object); role predicates
# ignore the object.


def _role_is(role: Role, label: str) -> rules.Predicate:
    def check(membership: Membership) -> bool:
        return membership.role == role

    return rules.predicate(check, name=label)


#: Any member of the organisation, whatever their role.
is_member = rules.predicate(lambda membership: True, name="is_member")
is_admin = _role_is(Role.ADMIN, "is_admin")
is_qi_team = _role_is(Role.QI_TEAM, "is_qi_team")
is_project_lead = _role_is(Role.PROJECT_LEAD, "is_project_lead")
is_viewer = _role_is(Role.VIEWER, "is_viewer")
#: Administrators and the central QI team: priorities, instruments, staff records,
#: and deleting records that have history.
is_qi = is_admin | is_qi_team
#: Everyone but a viewer may create and change the organisation's work.
may_change_work = ~is_viewer


# Object rules: the object is a project (anything with ``lead_id`` and ``team``).


@rules.predicate
def is_lead_of_project(membership: Membership, project: Any) -> bool:
    """The member leads the project."""
    return project is not None and project.lead_id == membership.user_id


@rules.predicate
def is_on_project_team(membership: Membership, project: Any) -> bool:
    """The member leads the project or is on its team."""
    return project is not None and (
        project.lead_id == membership.user_id
        or project.team.filter(pk=membership.user_id).exists()
    )


# The registry -------------------------------------------------------------------

#: Every permission of the application: name → predicate.
PERMISSIONS = rules.RuleSet()
_REFUSED: dict[str, str] = {}


def define(name: str, predicate: rules.Predicate, *, refused: str) -> str:
    """Register the permission ``name`` ("app.verb_thing") and return the name.

    ``refused`` is what a refused person reads (the 403's message): who may do
    it. Defining a name twice is an error, so two apps cannot disagree on one rule.
    """
    if PERMISSIONS.rule_exists(name):
        raise ValueError(f"The permission {name!r} is defined twice.")
    PERMISSIONS.add_rule(name, predicate)
    _REFUSED[name] = refused
    return name


def has(membership: Membership, name: str, obj: Any = None) -> bool:
    """Whether the member holds the permission ``name`` (for ``obj``, if given)."""
    if not PERMISSIONS.rule_exists(name):
        raise KeyError(f"No permission is defined as {name!r}.")
    return bool(PERMISSIONS.test_rule(name, membership, obj))


def message_for(name: str) -> str:
    return _REFUSED[name]


def require(membership: Membership, name: str, obj: Any = None) -> None:
    """Raise 403 with the permission's own message unless the member holds it."""
    if not has(membership, name, obj):
        raise PermissionDenied(_REFUSED[name])


# The permissions of the organisation itself ------------------------------------

VIEW_ORGANISATION = define(
    "organisations.view",
    is_member,
    refused="Only members of this organisation can see its work.",
)
CHANGE_WORK = define(
    "organisations.change_work",
    may_change_work,
    refused="Viewers can look but not change anything here.",
)
MANAGE_ORGANISATION = define(
    "organisations.manage",
    is_admin,
    refused="Only an administrator of this organisation can do this.",
)
READ_STAFF = define(
    "organisations.view_staff",
    is_qi,
    refused="Only administrators and the QI team can read staff records.",
)
#: Deleting a record that has history (a measure with data, a unit with units
#: under it): the second half of the deletion rule in ``access.may_delete``.
DELETE_WITH_HISTORY = define(
    "organisations.delete_with_history",
    is_qi,
    refused="Only an administrator or the QI team can delete a record with history.",
)


def roles_with(name: str) -> list[Role]:
    """The roles a role-only permission admits, for a database query ("the people
    who may lead a project"): the permission decides, not a copy of its roles."""
    return [role for role in Role if has(Membership(role=role), name)]


# Declaring access on views ------------------------------------------------------

#: The attribute a decorated view carries, for the access walk.
ACCESS_ATTRIBUTE = "openqi_access"


class MemberRequest(HttpRequest):
    """The request a view behind :func:`page_access` or :func:`api_access` receives:
    the decorator has set ``membership`` (annotate the view's ``request`` with it)."""

    membership: Membership


@dataclass(frozen=True)
class Access:
    """What a view declares: the permission each HTTP method it serves needs."""

    methods: Mapping[str, str]
    is_api: bool = False

    def permission_for(self, method: str) -> str | None:
        method = method.upper()
        return self.methods.get("GET" if method == "HEAD" else method)


V = TypeVar("V", bound=Callable[..., Any])


def _normalised(methods: Mapping[str, str]) -> dict[str, str]:
    declared = {method.upper(): name for method, name in methods.items()}
    for method, name in declared.items():
        if not PERMISSIONS.rule_exists(name):
            raise KeyError(f"{method} names {name!r}, which no permissions.py defines.")
    return declared


def page_access(**methods: str) -> Callable[[V], V]:
    """A page's access: ``@page_access(get=VIEW_ORGANISATION, post=CHANGE_WORK)``.

    Takes the place of ``login_required``: an anonymous person is sent to sign in,
    a non-member gets 404, a method not named 405 and a role the permission does
    not admit 403. The view reads the membership as ``request.membership``.
    """
    declared = _normalised(methods)
    allowed = sorted({*declared, *(["HEAD"] if "GET" in declared else [])})

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            from .access import membership_for

            membership = membership_for(request.user, kwargs["slug"])
            permission = Access(declared).permission_for(request.method or "GET")
            if permission is None:
                return HttpResponseNotAllowed(allowed)
            require(membership, permission)
            member_request = cast(MemberRequest, request)
            member_request.membership = membership
            return view(member_request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, Access(declared))
        return cast(V, wrapper)

    return decorate


def api_access(permission: str) -> Callable[[V], V]:
    """An API operation's access: ``@api_access(CHANGE_WORK)`` under the router's
    method decorator. The membership comes from the caller's token or session
    (404 in the API's words for a non-member); the view reads it as
    ``request.membership``. The method is the router's, so the walk reads it there.
    """
    _normalised({"ANY": permission})

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            from .access import api_membership_for

            membership = api_membership_for(request, kwargs["slug"])
            require(membership, permission)
            member_request = cast(MemberRequest, request)
            member_request.membership = membership
            return view(member_request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, Access({"ANY": permission}, is_api=True))
        # django-ninja reads the parameters' types from the signature, resolving
        # string annotations (``from __future__ import annotations``) in the
        # wrapper's module: give it the view's own, already resolved.
        wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]  # read by inspect, not declared on the wrapper type
        return cast(V, wrapper)

    return decorate
