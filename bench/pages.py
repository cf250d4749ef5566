"""Page timings on the large demo organisation (issue 4): the portfolio, a measure
with five years of weekly data and the measures overview, against a trivial page.

The large demo (2,000 projects, 500 measures of 260 weeks) is built once into a
SQLite file in the temporary folder, named after a hash of the demo's code and
every migration, so a changed demo or schema builds a fresh one and an unchanged
one is reused (building takes a few seconds, migrating a few more). Django's test
client then requests each page as a demo administrator: the time is the server's
(middleware, view, queries, template) without a network or a browser. The
settings are the test settings with ``DEBUG`` off, as in production.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import Row, si

__all__ = ["REQUESTS", "TARGET_MS", "demo_database", "page_timings"]

#: The 95th percentile every page must stay under, in milliseconds.
TARGET_MS = 150.0
#: Timed requests per page, after a few untimed ones to warm caches.
REQUESTS = 30
WARM_UP = 3
#: The trivial pages every other page is compared with: no session and no
#: queries, then the smallest signed-in page of the organisation.
BASELINES = ("core:healthz", "organisations:detail")
ADMIN = "amara.okonkwo-hale@riverside.example.org"
REPO = Path(__file__).resolve().parents[1]


def demo_database() -> Path:
    """The cached large demo's SQLite file (it may not exist yet)."""
    digest = hashlib.sha256()
    sources = sorted(
        [
            *(REPO / "openqi" / "demo").glob("*.py"),
            *(REPO / "openqi" / "demo" / "data").glob("*"),
            *REPO.glob("openqi/*/migrations/*.py"),
        ]
    )
    for path in sources:
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return (
        Path(tempfile.gettempdir())
        / f"openqi-bench-large-{digest.hexdigest()[:12]}.sqlite3"
    )


def _setup(database: Path) -> None:
    """Django on the cached database, with the large demo built into it if needed."""
    import django
    from django.conf import settings

    if settings.configured:
        raise RuntimeError(
            "Django is already set up in this process; run the page timings with "
            "python -m bench pages"
        )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="openqi.web.test_settings",
        DATABASE_URL=f"sqlite:///{database}",
        OPENQI_DEBUG="false",
        OPENQI_SECRET_KEY="openqi-bench-not-a-secret",
        OPENQI_SECURE_SSL_REDIRECT="false",
    )
    django.setup()
    from django.core.management import call_command

    from openqi.demo import build_demo
    from openqi.projects.models import Project

    call_command("migrate", verbosity=0)
    if Project.objects.filter(organisation__slug="riverside").count() < 2_000:
        print("  building the large demo (cached for next time) ...", file=sys.stderr)
        started = time.perf_counter()
        build_demo(size="large")
        print(
            f"  built {database.name} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )


def _time(client: Any, url: str) -> list[float]:
    """Milliseconds for each of :data:`REQUESTS` requests (after the warm-up)."""
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    out = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        out.append((time.perf_counter() - started) * 1000)
    return out


def page_timings() -> list[Row]:
    """Median and 95th percentile server time of the large organisation's pages."""
    database = demo_database()
    for stale in database.parent.glob("openqi-bench-large-*.sqlite3"):
        if stale != database:  # built from an older demo or schema
            stale.unlink()
    _setup(database)
    import gc

    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from openqi.accounts.models import User
    from openqi.measures.models import Measure

    # As openqi/web/wsgi.py does in a real server: objects from start-up move out
    # of the garbage collector's way, so its full collections stay short.
    gc.freeze()
    client = Client()
    client.force_login(User.objects.get(email=ADMIN))
    measure = (
        Measure.objects.filter(organisation__slug="riverside", name__contains=" – ")
        .order_by("pk")
        .first()
    )
    if measure is None:
        raise RuntimeError(f"{database} holds no large demo measures; delete it")
    slug = {"slug": "riverside"}
    pages: list[tuple[str, str, Callable[[], str]]] = [
        ("health check", "core:healthz", lambda: reverse("core:healthz")),
        (
            "organisation page",
            "organisations:detail",
            lambda: reverse("organisations:detail", kwargs=slug),
        ),
        (
            "portfolio",
            "portfolio:portfolio",
            lambda: reverse("portfolio:portfolio", kwargs=slug),
        ),
        (
            "measure, 260 weeks",
            "measures:detail",
            lambda: reverse("measures:detail", kwargs={**slug, "pk": measure.pk}),
        ),
        (
            "measures overview",
            "measures:overview",
            lambda: reverse("measures:overview", kwargs=slug),
        ),
    ]
    rows: list[Row] = []
    medians: dict[str, float] = {}
    # The overview reads the summaries stored when data change, so its first view
    # after a start (an empty cache) costs what every other view costs.
    cache.clear()
    started = time.perf_counter()
    client.get(reverse("measures:overview", kwargs=slug))
    cold = (time.perf_counter() - started) * 1000
    for label, route, url in pages:
        path = url()
        times = _time(client, path)
        median = statistics.median(times)
        p95 = float(np.percentile(times, 95))
        ratios = "".join(
            f", {median / base:.1f}× the {name}"
            for name, base in medians.items()
            if base > 0
        )
        note = f"median {si(median)} ms{ratios}; {REQUESTS} requests to {path}"
        if route in BASELINES:
            medians[label] = median
            rows.append(
                Row(f"page: {label} (baseline), 95th pct", p95, "ms", note=note)
            )
        else:
            rows.append(
                Row(
                    f"page: {label}, 95th pct",
                    p95,
                    "ms",
                    target=f"< {TARGET_MS:g}",
                    is_met=p95 < TARGET_MS,
                    note=note,
                )
            )
    rows.append(
        Row(
            "page: measures overview, first view (empty cache)",
            cold,
            "ms",
            note="one request after cache.clear(): stored summaries, no chart computed (500 measures)",
        )
    )
    return rows
