"""Flag views that query organisation-owned models without the organisation scope.

House style §3: views look objects up through the user's organisation (the
``membership_for`` helper, or a ``for_organisation(...)``/``for_user(...)``
scope). This script reads every ``views.py`` (and ``openqi/api/*.py``) and
reports each ``X.objects`` use that is not immediately scoped. A line may opt
out with a trailing ``# access: <reason>`` comment saying why it is safe.

Exit status 1 when something is flagged (run by ``make lint``).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# available_to: the built-in instruments, shared by all, plus the organisation's own.
SCOPES = {"for_organisation", "for_user", "available_to"}


def _files() -> list[Path]:
    files = sorted(ROOT.glob("openqi/*/views.py")) + sorted(
        ROOT.glob("openqi/*/views/*.py")
    )
    files += sorted(p for p in ROOT.glob("openqi/api/*.py") if p.name != "__init__.py")
    return files


def _is_scoped(node: ast.Attribute, parents: dict[ast.AST, ast.AST]) -> bool:
    """True when ``X.objects`` is followed directly by a scope method call."""
    parent = parents.get(node)
    return isinstance(parent, ast.Attribute) and parent.attr in SCOPES


def check(path: Path) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    parents = {
        child: parent
        for parent in ast.walk(tree)
        for child in ast.iter_child_nodes(parent)
    }
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            line = lines[node.lineno - 1]
            if "# access:" in line or _is_scoped(node, parents):
                continue
            name = ast.unparse(node.value)
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
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
