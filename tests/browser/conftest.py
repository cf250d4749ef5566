"""Playwright in Debian's Chromium against pytest-django's live server.

The live server serves static files through django.contrib.staticfiles, so the
NHS.UK styles load as in production. Playwright never downloads a browser here:
it drives /usr/bin/chromium. `make test` runs this folder in a pass of its own
(`pytest -m browser -p no:xdist tests/browser`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.helpers import AXE_FINDINGS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API runs an event loop in this thread, so Django would
    # refuse the tests' own database calls as "async unsafe"; they are not.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: skipped (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _context(
    browser: Browser, live_server: object, **options: object
) -> BrowserContext:
    base_url = str(live_server)
    context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    # Only the live server is reachable: the NHS.UK stylesheet asks assets.nhs.uk
    # for the Frutiger fonts, and waiting for that to fail would slow every page.
    context.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
    return context


@pytest.fixture
def page(
    browser: Browser, live_server: object, transactional_db: None
) -> Iterator[Page]:
    context = _context(browser, live_server)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_javascript(
    browser: Browser, live_server: object, transactional_db: None
) -> Iterator[Page]:
    context = _context(browser, live_server, java_script_enabled=False)
    yield context.new_page()
    context.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if AXE_FINDINGS:
        terminalreporter.write_sep(
            "-", "axe-core: moderate and minor findings (not failures)"
        )
        for line in AXE_FINDINGS:
            terminalreporter.write_line(f"  {line}")
