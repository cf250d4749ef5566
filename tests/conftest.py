"""What the whole suite shares: the ``browser`` marker and the access walk's summary.

Nothing here imports Django: the SPC core's tests pick this file up too when
`make test-core` runs them in a virtualenv holding only NumPy and pytest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
ACCESS_WALK = "test_access_walk.py::AccessWalk::test_route["


@pytest.fixture(autouse=True)
def _no_rate_limit_spent() -> None:
    """Rate limits (sign-in, password reset, API tokens) count in the cache: each
    test starts with none spent. Django is imported only where it is installed."""
    try:
        from django.conf import settings
        from django.core.cache import cache
    except ImportError:
        return
    if settings.configured:
        cache.clear()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: a journey in Debian's Chromium; `make test` runs these in a pass of their own",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
        if ACCESS_WALK in item.nodeid:
            # Carried back to the main process (also from pytest-xdist workers).
            item.user_properties.append(("access", getattr(item.obj, "__doc__", "")))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List every route the access walk checked, so nothing is skipped silently."""
    outcomes: dict[str, tuple[str, str]] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if ACCESS_WALK not in nodeid or getattr(report, "when", "call") not in (
                "call",
                "setup",
            ):
                continue
            described = dict(getattr(report, "user_properties", ())).get("access", "")
            if outcome == "passed" and report.when == "setup":
                continue
            outcomes[nodeid] = (outcome, described or nodeid)
    if not outcomes:
        return
    counts = {
        o: sum(1 for v in outcomes.values() if v[0] == o) for o in ("passed", "failed")
    }
    terminalreporter.write_sep(
        "-",
        f"access walk: {len(outcomes)} routes checked, "
        f"{counts['passed']} passed, {len(outcomes) - counts['passed']} not",
    )
    for outcome, described in sorted(outcomes.values(), key=lambda v: v[1]):
        terminalreporter.write_line(f"  {outcome:7} {described}")
