"""Shared fixtures for the SPC core tests: plain functions, no database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Real public NHS data lives beside the repository (see ../shared/data/README.md);
#: OPENQI_SHARED_DATA points elsewhere when it does not.
SHARED_DATA = Path(
    os.environ.get("OPENQI_SHARED_DATA", REPO.parent / "shared" / "data")
)


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "ae_attendances.csv").exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}; set OPENQI_SHARED_DATA")
    return SHARED_DATA


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so the core tests run clean from their own folder.
    config.addinivalue_line(
        "markers",
        "reference: checks values against an independent implementation or published example",
    )
