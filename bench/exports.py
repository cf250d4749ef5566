"""Exports of any size stream (issue 11): the CSV and JSON export of a measure of
1,000,000 daily points, its time and its peak memory, beside one of 100,000.

The measures live in a SQLite file in the temporary folder, named after a hash of
every migration and of this file, built once (a minute) and reused. The
measurement runs in a child process (Django is set up once per process, and the
page timings set up their own): Django's test client requests each export as a
member of the organisation and reads the streamed body to the end, discarding
it. Time is measured on one pass (of the larger measure); the peak on a pass under
``tracemalloc`` (Python's and NumPy's allocations; the peak is above the memory
held when the request starts). The CSV's peak must not grow with the measure;
the JSON's grows with its chart, computed once (a few hundred bytes a point).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.report import Row, si

__all__ = ["export_streaming"]

REPO = Path(__file__).resolve().parents[1]
SIZES = (100_000, 1_000_000)
#: The CSV export's peak may not pass this, whatever the measure's length.
CSV_TARGET_MB = 16.0
#: Nor may the JSON's grow by more than this per point (its chart's arrays).
JSON_TARGET_BYTES_PER_POINT = 500.0
EMAIL = "bench.exports@example.org"


def _database() -> Path:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(REPO.glob("openqi/*/migrations/*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    name = f"openqi-bench-exports-{digest.hexdigest()[:12]}.sqlite3"
    return Path(tempfile.gettempdir()) / name


def export_streaming() -> list[Row]:
    """Time and peak memory of the CSV and JSON exports of 100,000 and
    1,000,000 points (measured in a child process)."""
    database = _database()
    for stale in database.parent.glob("openqi-bench-exports-*.sqlite3"):
        if stale != database:
            stale.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "bench.exports", str(database)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export benchmark failed:\n{done.stderr[-3000:]}")
    sys.stderr.write(done.stderr)
    results: dict[str, dict[str, float]] = json.loads(done.stdout.splitlines()[-1])
    rows: list[Row] = []
    for kind in ("csv", "json"):
        small, large = results[f"{kind}-{SIZES[0]}"], results[f"{kind}-{SIZES[-1]}"]
        mb = large["peak"] / 1e6
        growth = (large["peak"] - small["peak"]) / (SIZES[-1] - SIZES[0])
        if kind == "csv":
            target, is_met = f"<= {CSV_TARGET_MB:g} MB", mb <= CSV_TARGET_MB
        else:
            target = f"<= {JSON_TARGET_BYTES_PER_POINT:g} B/point"
            is_met = growth <= JSON_TARGET_BYTES_PER_POINT
        note = (
            f"{si(large['seconds'])} s and {si(large['bytes'] / 1e6)} MB sent; "
            f"{si(small['peak'] / 1e6)} MB for {SIZES[0]:,} points "
            f"({si(growth)} B a point more); status {int(large['status'])}"
        )
        rows.append(
            Row(
                f"export: {kind.upper()} of {SIZES[-1]:,} points, peak memory",
                mb,
                "MB",
                target,
                is_met and large["status"] == 200,
                note,
            )
        )
        rows.append(
            Row(
                f"export: {kind.upper()} of {SIZES[-1]:,} points, time",
                large["seconds"],
                "s",
                note=f"{large['points'] / large['seconds']:,.0f} points/s",
            )
        )
    return rows


# ---------------------------------------------------------------------------
# The child process


def _setup(database: Path) -> dict[int, int]:
    """Django on the cached database, with a measure of each size; their pks."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="openqi.web.test_settings",
        DATABASE_URL=f"sqlite:///{database}",
        OPENQI_DEBUG="false",
        OPENQI_SECRET_KEY="openqi-bench-not-a-secret",
        OPENQI_SECURE_SSL_REDIRECT="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from openqi.accounts.models import User
    from openqi.measures.models import DataPoint, Measure
    from openqi.organisations.models import Membership, Organisation, Role

    call_command("migrate", verbosity=0)
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-exports", defaults={"name": "Bench Exports Trust"}
    )
    if not User.objects.filter(email=EMAIL).exists():
        user = User.objects.create_user(email=EMAIL, full_name="Bench", password=None)
        Membership.objects.create(
            user=user, organisation=organisation, role=Role.MEMBER
        )
    out = {}
    first = datetime.date(1, 1, 1)
    for size in SIZES:
        measure, _ = Measure.objects.get_or_create(
            organisation=organisation,
            name=f"{size:,} days",
            defaults={"frequency": Measure.Frequency.DAILY},
        )
        if measure.points.count() != size:
            print(f"  building {size:,} points ...", file=sys.stderr, flush=True)
            measure.points.all().delete()
            DataPoint.objects.bulk_create(
                (
                    DataPoint(
                        measure=measure,
                        period=first + datetime.timedelta(days=i),
                        value=float(100 + (i * 7919) % 31),
                    )
                    for i in range(size)
                ),
                batch_size=10_000,
            )
        out[size] = measure.pk
    return out


def _export(client: Any, url: str) -> tuple[int, int]:
    """The status and the number of bytes of one streamed export."""
    response = client.get(url)
    size = sum(len(piece) for piece in response.streaming_content)
    response.close()
    return response.status_code, size


def _child(database: Path) -> dict[str, dict[str, float]]:
    measures = _setup(database)
    import gc

    from django.test import Client
    from django.urls import reverse

    from openqi.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=EMAIL))
    results = {}
    for kind in ("csv", "json"):
        for size, pk in measures.items():
            url = reverse("measures:export", kwargs={"slug": "bench-exports", "pk": pk})
            url += f"?format={kind}"
            seconds = math.nan
            if size == SIZES[-1]:  # timed without tracemalloc, which slows it
                gc.collect()
                started = time.perf_counter()
                _export(client, url)
                seconds = time.perf_counter() - started
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            status, sent = _export(client, url)
            peak = tracemalloc.get_traced_memory()[1] - before
            tracemalloc.stop()
            results[f"{kind}-{size}"] = {
                "status": status,
                "seconds": seconds,
                "bytes": sent,
                "peak": peak,
                "points": size,
            }
    return results


if __name__ == "__main__":
    print(json.dumps(_child(Path(sys.argv[1]))))
