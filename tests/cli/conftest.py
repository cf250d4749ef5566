"""Fixtures for the command-line tests: run ``openqi`` in-process and write inputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from openqi.cli import main
from openqi.data import DATA

#: (exit status, standard output, standard error)
Outcome = tuple[int, str, str]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """Call ``openqi.cli.main`` with the given arguments and capture what it prints."""

    def _run(*argv: object) -> Outcome:
        capsys.readouterr()
        status = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return status, out, err

    return _run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write text to a file in the test's temporary folder and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def shared_data() -> Path:
    """Real public NHS data carried in the repository (openqi/data/README.md)."""
    return DATA
