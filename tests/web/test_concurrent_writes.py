"""Writes never fail with "database is locked" under a small team's load.

Twenty writers go at once while a long import holds the write lock
(tests/web/concurrent_writers.py), in a process of its own reading the real settings:
on a SQLite file (not the suite's in-memory database, which has no file to lock) and,
in the PostgreSQL pass of `make test`, on a scratch PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.scratch_database import is_postgres, scratch_postgres

REPO = Path(__file__).resolve().parents[2]


def _run_writers(database_url: str) -> dict[str, object]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENQI_", "DATABASE_"))
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.web.concurrent_writers"],
        cwd=REPO,
        env={
            **environment,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "openqi.web.settings",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_twenty_writers_and_a_long_import_all_succeed_on_a_sqlite_file(
    tmp_path: Path,
) -> None:
    summary = _run_writers(f"sqlite:///{tmp_path / 'busy.sqlite3'}")

    assert summary["vendor"] == "sqlite"
    assert summary["errors"] == []
    assert summary["units"] == summary["expected_units"]


@pytest.mark.skipif(
    not is_postgres(os.environ.get("DATABASE_URL", "")),
    reason="runs in the PostgreSQL pass of `make test`",
)
def test_twenty_writers_and_a_long_import_all_succeed_on_postgresql() -> None:
    with scratch_postgres(os.environ["DATABASE_URL"]) as database_url:
        summary = _run_writers(database_url)

    assert summary["vendor"] == "postgresql"
    assert summary["errors"] == []
    assert summary["units"] == summary["expected_units"]
