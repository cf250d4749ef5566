"""The API document names a schema by its class name alone (django-ninja), so two
schema classes of one name in different modules would share one component and one of
them would be described wrongly: every schema class name in openqi.api is unique."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import openqi.api

API = Path(openqi.api.__file__).parent


def test_every_schema_class_name_is_used_once() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for module in sorted(API.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name | ast.Subscript | ast.Attribute)
                and "Schema" in ast.unparse(base)
                for base in node.bases
            ):
                where[node.name].append(module.name)
    twice = {name: modules for name, modules in where.items() if len(modules) > 1}
    assert twice == {}, (
        f"rename one of each (the API document would merge them): {twice}"
    )
