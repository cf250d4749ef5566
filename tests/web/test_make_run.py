"""`make run` serves on 127.0.0.1, on port 8000 unless PORT says otherwise."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make not found")


def _run_command(*arguments: str) -> str:
    """The command `make run` would serve with (dry run: nothing is executed)."""
    done = subprocess.run(
        ["make", "--dry-run", "run", *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return next(line for line in done.stdout.splitlines() if "runserver" in line)


def test_make_run_serves_on_port_8000_by_default() -> None:
    assert _run_command().endswith("runserver 127.0.0.1:8000")


def test_make_run_serves_on_the_port_given() -> None:
    assert _run_command("PORT=8100").endswith("runserver 127.0.0.1:8100")


def test_readme_says_how_to_choose_the_port() -> None:
    assert "make run PORT=8100" in (REPO / "README.md").read_text(encoding="utf-8")
