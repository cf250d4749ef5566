"""Every environment variable the settings read is documented in docs/configuration.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The files that configure the web application (settings, its helpers, entry points).
SOURCES = [*sorted((REPO / "openqi" / "web").glob("*.py")), REPO / "manage.py"]
HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
ENVIRON_METHODS = {"get", "setdefault", "pop"}


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _first_text(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant):
        value = call.args[0].value
        return value if isinstance(value, str) else None
    return None


def variables_read(source: str) -> set[str]:
    """Names read by env_str/env_bool/env_int/env_list("NAME"), os.environ and os.getenv."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        name = None
        if isinstance(node, ast.Call):
            func = node.func
            called = (
                func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            )
            if isinstance(func, ast.Name) and called in HELPERS:
                name = _first_text(node)
            elif isinstance(func, ast.Attribute) and (
                (called in ENVIRON_METHODS and _is_environ(func.value))
                or (
                    called == "getenv"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "os"
                )
            ):
                name = _first_text(node)
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            if isinstance(node.slice, ast.Constant) and isinstance(
                node.slice.value, str
            ):
                name = node.slice.value
        if name:
            names.add(name)
    return names


def documented() -> dict[str, list[str]]:
    """Each table row of docs/configuration.md that names a variable: its cells."""
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\| `([A-Z][A-Z0-9_]+)` \|", line)
        if match:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows[match.group(1)] = cells
    return rows


def _read_by_the_application() -> set[str]:
    names: set[str] = set()
    for path in SOURCES:
        names |= variables_read(path.read_text(encoding="utf-8"))
    return names


def test_the_parser_finds_every_kind_of_read() -> None:
    source = (
        "import os\n"
        "A = env_str('A_STR')\nB = env_bool('A_BOOL', True)\nC = env_int('A_INT', 1)\n"
        "D = env_list('A_LIST')\nE = os.environ.get('A_GET')\nF = os.environ['A_ITEM']\n"
        "os.environ.setdefault('A_DEFAULT', 'x')\nG = os.getenv('A_GETENV')\n"
        "H = os.environ.get(name)\n"
    )
    assert variables_read(source) == {
        "A_STR", "A_BOOL", "A_INT", "A_LIST", "A_GET", "A_ITEM", "A_DEFAULT", "A_GETENV",
    }  # fmt: skip


def test_the_settings_read_what_we_expect_to_find() -> None:
    names = _read_by_the_application()
    # Guards the parser: if it found nothing, the next test would pass vacuously.
    assert {
        "OPENQI_DEBUG",
        "OPENQI_SECRET_KEY",
        "DATABASE_URL",
        "DATABASE_CONN_MAX_AGE",
    } <= names
    assert "DJANGO_SETTINGS_MODULE" in names


def test_every_variable_read_is_documented() -> None:
    missing = _read_by_the_application() - set(documented())
    assert not missing, f"document these in docs/configuration.md: {sorted(missing)}"


def test_every_documented_variable_is_read() -> None:
    stale = set(documented()) - _read_by_the_application()
    assert not stale, (
        f"docs/configuration.md lists variables nothing reads: {sorted(stale)}"
    )


def test_every_row_gives_default_meaning_and_example() -> None:
    for name, cells in documented().items():
        assert len(cells) == 4 and all(cells[1:]), name
