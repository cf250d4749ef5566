"""Flag views that skip the access check or query organisation-owned models unscoped.

House style §3 and docs/architecture.md: an organisation's page names the
permission each HTTP method needs with ``@page_access(...)``, and an API
operation on an organisation with ``@api_access(...)`` directly under its
``@router.<method>(...)`` decorator (openqi/organisations/permissions.py). Both
look up the caller's membership (404 for outsiders) and check the role (403).
Inside, objects are looked up through the organisation: a
``for_organisation(...)``/``for_user(...)`` scope or a ``get_<thing>_for``.

This script reads every ``views.py`` and ``*_views.py`` (and ``openqi/api/*.py``) and reports:

- a view taking the organisation's ``slug`` that has no ``@page_access`` (pages)
  or no ``@api_access`` under its router decorator (API operations);
- each ``X.objects`` use that is not immediately scoped. A line may opt out
  with a trailing ``# access: <reason>`` comment saying why it is safe.

Personal and public pages (the home page, your profile and tokens, signing in,
the survey, the health check) take no ``slug`` and are not organisation-scoped.

Exit status 1 when something is flagged (run by ``make lint``).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# available_to: the built-in instruments, shared by all, plus the organisation's own.
SCOPES = {"for_organisation", "for_user", "available_to"}
PAGE_CHECK = "page_access"
API_CHECK = "api_access"
ROUTER_METHODS = {"get", "post", "put", "patch", "delete", "api_operation"}


def _files() -> list[Path]:
    # views.py and its companions (report_views.py, import_views.py, …).
    files = sorted(ROOT.glob("openqi/*/*views.py")) + sorted(
        ROOT.glob("openqi/*/views/*.py")
    )
    files += sorted(p for p in ROOT.glob("openqi/api/*.py") if p.name != "__init__.py")
    return files


def _is_scoped(node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """True when ``X.objects`` is followed directly by a scope method call."""
    parent = parents.get(node)
    return isinstance(parent, ast.Attribute) and parent.attr in SCOPES


def _decorator_name(decorator: ast.expr) -> str:
    """``page_access`` for ``@page_access(...)``, ``router.get`` for ``@router.get(...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target)


def _is_router_operation(name: str) -> bool:
    return "." in name and name.rsplit(".", 1)[1] in ROUTER_METHODS


def _takes_slug(function: ast.FunctionDef) -> bool:
    return any(arg.arg == "slug" for arg in function.args.args)


def _access_problem(function: ast.FunctionDef, is_api: bool) -> str | None:
    """What is wrong with the access check of a view or operation (None: nothing)."""
    names = [_decorator_name(d).rsplit(".", 1)[-1] for d in function.decorator_list]
    full = [_decorator_name(d) for d in function.decorator_list]
    routes = [i for i, name in enumerate(full) if _is_router_operation(name)]
    if routes:
        if not _takes_slug(function):
            return None  # the caller's own things (GET /me), not an organisation's
        following = names[routes[-1] + 1 : routes[-1] + 2]
        if following != [API_CHECK]:
            return (
                f"API operation {function.name}() has no @{API_CHECK}(PERMISSION) "
                "directly under its router decorator"
            )
        return None
    if is_api or function.name.startswith("_") or not _takes_slug(function):
        return None
    if PAGE_CHECK not in names:
        return (
            f"view {function.name}() takes an organisation's slug but has no "
            f"@{PAGE_CHECK}(get=..., post=...)"
        )
    return None


def check(path: Path) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    parents = {
        child: parent
        for parent in ast.walk(tree)
        for child in ast.iter_child_nodes(parent)
    }
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    is_api = shown.parts[:2] == ("openqi", "api")
    problems = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            problem = _access_problem(node, is_api)
            if problem and "# access:" not in lines[node.lineno - 1]:
                problems.append(f"{shown}:{node.lineno}: {problem}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            line = lines[node.lineno - 1]
            if "# access:" in line or _is_scoped(node, parents):
                continue
            name = ast.unparse(node.value)
            problems.append(
                f"{shown}:{node.lineno}: {name}.objects used without "
                "for_organisation()/for_user(); go through the access helper, or add "
                "'# access: <why this is safe>'"
            )
    return problems


def main() -> int:
    problems = [p for f in _files() for p in check(f)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
