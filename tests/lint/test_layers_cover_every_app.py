"""Every OpenQI package has its place in the import layers, and docs/architecture.md
shows the same layers that `make lint` enforces (pyproject.toml, [tool.importlinter])."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return {contract["id"]: contract for contract in contracts}


def _layered_packages() -> list[str]:
    layers = _contracts()["layers"]["layers"]
    assert isinstance(layers, list)
    return [name.strip() for layer in layers for name in layer.split("|")]


def _packages() -> set[str]:
    return {
        f"openqi.{path.parent.name}" for path in (REPO / "openqi").glob("*/__init__.py")
    } | {f"openqi.{path.stem}" for path in (REPO / "openqi").glob("*.py")} - {
        "openqi.__init__"
    }


def test_every_package_of_openqi_sits_in_a_layer() -> None:
    missing = sorted(_packages() - set(_layered_packages()))
    assert not missing, (
        f"{missing} are in no layer of pyproject.toml's [tool.importlinter] "
        "contract: place each above what it imports (docs/architecture.md)"
    )


def test_the_architecture_page_names_every_layered_package() -> None:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = [name for name in _layered_packages() if name not in page]
    assert not unnamed, f"docs/architecture.md does not show {unnamed}"


def test_the_spc_core_may_import_no_other_part_of_openqi() -> None:
    modules = _contracts()["spc-stands-alone"]["forbidden_modules"]
    assert isinstance(modules, list)
    forbidden = set(modules)
    assert {"django", "pandas", "scipy"} <= forbidden
    assert _packages() - {"openqi.spc"} <= forbidden
