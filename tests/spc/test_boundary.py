"""The hard line: openqi.spc imports only the standard library and NumPy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SPC = Path(__file__).resolve().parents[2] / "openqi" / "spc"
ALLOWED_THIRD_PARTY = {"numpy"}


def _imports(path: Path) -> list[tuple[int, str, int]]:
    """(line, module, relative level) of every import in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or "", node.level))
    return found


def test_spc_imports_only_stdlib_numpy_and_itself():
    offending = []
    for path in sorted(SPC.rglob("*.py")):
        for line, module, level in _imports(path):
            top = module.split(".")[0]
            if level > 0:
                continue  # a sibling inside openqi.spc
            if top == "openqi" and not module.startswith("openqi.spc"):
                offending.append(f"{path.name}:{line} imports {module}")
            elif (
                top != "openqi"
                and top not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY
            ):
                offending.append(f"{path.name}:{line} imports {module}")
    assert offending == []


def test_boundary_check_catches_a_django_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import numpy\nfrom django.conf import settings\nfrom openqi.measures import x\n"
    )
    modules = [m for _, m, _ in _imports(bad)]
    assert "django.conf" in modules and "openqi.measures" in modules
    assert "django" not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY


def test_importing_spc_loads_no_web_or_dataframe_library():
    code = (
        "import sys, openqi.spc, openqi.spc.batch, openqi.spc.funnel, openqi.spc.render_chart, openqi.spc.render_funnel, openqi.spc.inputs\n"
        "bad = sorted(m for m in ('django', 'pandas', 'scipy', 'openpyxl', 'pyarrow') if m in sys.modules)\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=SPC.parents[1],
    )
    assert out.stdout.strip() == ""
