"""Shared fixtures for the SPC core tests: plain functions, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Real public NHS data carried in the repository (see openqi/data/README.md). Found by
#: path, not by importing openqi, so the core tests need nothing but NumPy and pytest.
PUBLIC_DATA = REPO / "openqi" / "data"


@pytest.fixture
def shared_data() -> Path:
    return PUBLIC_DATA


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too, so the core tests run clean from their own folder.
    config.addinivalue_line(
        "markers",
        "reference: checks values against an independent implementation or published example",
    )
