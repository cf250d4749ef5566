"""Exports of any size stream (issue 11): the CSV and JSON export of a measure of
10,000, 100,000 and 1,000,000 daily points, their time and their peak memory, and
how the peak grows a point.

The measures live in a SQLite file in the temporary folder, named after a hash of
every migration and of the code that builds them, built once (a minute) and
reused. The measurement runs in a child process (Django is set up once per
process, and the page timings set up their own): Django's test client requests
each export as a member of the organisation and reads the streamed body to the
end, piece by piece, discarding it. Time is measured on a pass without
``tracemalloc``; the peak on a pass under it (Python's and NumPy's allocations;
the peak above the memory held when the request starts).

"Constant memory" is measured, not asserted: the growth a point is the slope of
the peak from 100,000 to 1,000,000 points. The CSV's must be about nothing. The
JSON export streams its chart (:mod:`openqi.spc.stream`): its points are computed
and written a block at a time, from each phase's figures kept with the measure's
chart summary when its data changed (``ChartSummary.stream_facts``), so it must
not grow either. The baseline is the chart computed whole, as it was before it
streamed (:func:`openqi.spc.spc_chart` on the same numbers, already in memory).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.report import Row, si

__all__ = ["export_streaming"]

REPO = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000, 1_000_000)
#: The CSV export's peak may not pass this, whatever the measure's length.
CSV_TARGET_MB = 16.0
#: Nor grow by more than this a point (1 MB a million points: constant).
CSV_TARGET_BYTES_PER_POINT = 1.0
#: Nor the JSON export's (its chart's facts are kept with the measure's summary).
JSON_TARGET_BYTES_PER_POINT = 1.0
EMAIL = "bench.exports@example.org"


def _database() -> Path:
    digest = hashlib.sha256(inspect.getsource(_setup).encode())
    digest.update(repr(SIZES).encode())
    for path in sorted(REPO.glob("openqi/*/migrations/*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    name = f"openqi-bench-exports-{digest.hexdigest()[:12]}.sqlite3"
    return Path(tempfile.gettempdir()) / name


def export_streaming() -> list[Row]:
    """Time and peak memory of the CSV and JSON exports of 10,000, 100,000 and
    1,000,000 points, and the growth a point (measured in a child process)."""
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
    return _rows(results)


def _growth(
    results: dict[str, dict[str, float]], kind: str, figure: str = "peak"
) -> float:
    """Bytes a point the peak grows by, from 100,000 to 1,000,000 points."""
    small, large = results[f"{kind}-{SIZES[-2]}"], results[f"{kind}-{SIZES[-1]}"]
    return (large[figure] - small[figure]) / (SIZES[-1] - SIZES[-2])


def _rows(results: dict[str, dict[str, float]]) -> list[Row]:
    rows: list[Row] = []
    for kind in ("csv", "json"):
        all_ok = all(results[f"{kind}-{size}"]["status"] == 200 for size in SIZES)
        for size in SIZES:
            one = results[f"{kind}-{size}"]
            note = (
                f"{si(one['seconds'])} s, {one['points'] / one['seconds']:,.0f} points/s, "
                f"{si(one['bytes'] / 1e6)} MB sent in {int(one['pieces']):,} pieces, "
                f"status {int(one['status'])}"
            )
            if kind == "json":
                chart = results[f"chart-{size}"]
                note += (
                    f"; the chart computed whole, from numbers in memory: "
                    f"{si(chart['peak'] / 1e6)} MB "
                    f"({si(chart['peak'] / max(one['peak'], 1))}× the export)"
                )
            is_met: bool | None = None
            target = ""
            if kind == "csv":
                target = f"<= {CSV_TARGET_MB:g} MB"
                is_met = one["peak"] / 1e6 <= CSV_TARGET_MB and one["status"] == 200
            rows.append(
                Row(
                    f"export: {kind.upper()} of {size:,} points, peak memory",
                    one["peak"] / 1e6,
                    "MB",
                    target,
                    is_met,
                    note,
                )
            )
        growth = _growth(results, kind)
        if kind == "csv":
            rows.append(
                Row(
                    "export: CSV peak growth a point",
                    growth,
                    "B",
                    f"<= {CSV_TARGET_BYTES_PER_POINT:g} B",
                    growth <= CSV_TARGET_BYTES_PER_POINT and all_ok,
                    f"slope of the peak from {SIZES[-2]:,} to {SIZES[-1]:,} points",
                )
            )
        else:
            whole = _growth(results, "chart")
            rows.append(
                Row(
                    "export: JSON peak growth a point",
                    growth,
                    "B",
                    f"<= {JSON_TARGET_BYTES_PER_POINT:g} B",
                    growth <= JSON_TARGET_BYTES_PER_POINT and all_ok,
                    f"slope of the peak from {SIZES[-2]:,} to {SIZES[-1]:,} points; "
                    f"the chart computed whole grows {si(whole)} B a point "
                    f"({si(whole / growth if growth > 0 else float('inf'))}× as much)",
                )
            )
        large = results[f"{kind}-{SIZES[-1]}"]
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
    from openqi.measures import summaries
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
        # As the services do when data change: the chart summary, with a long
        # measure's chart facts (the points came past the services).
        summaries.refresh_summaries([measure])
        out[size] = measure.pk
    return out


def _export(client: Any, url: str) -> dict[str, float]:
    """The status, bytes and pieces of one streamed export, read piece by piece."""
    response = client.get(url)
    sent = pieces = 0
    for piece in response.streaming_content:
        sent += len(piece)
        pieces += 1
    response.close()
    return {"status": response.status_code, "bytes": sent, "pieces": pieces}


def _peak(run: Callable[[], Any]) -> tuple[float, Any]:
    """The peak memory (above that held at the start) of ``run()``, and its result."""
    import gc

    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    out = run()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak, out


def _chart_arrays(measure: Any) -> dict[str, float]:
    """The baseline: the peak of computing the measure's chart whole
    (:func:`openqi.spc.spc_chart`) from its numbers and labels, read beforehand."""
    import numpy as np

    from openqi.spc import spc_chart

    rows = measure.points.order_by("period").values_list("period", "value")
    labels, values = [], []
    for period, value in rows.iterator(chunk_size=5000):
        labels.append(period.isoformat())
        values.append(value)
    numbers = np.array(values, dtype=np.float64)
    del values
    peak, chart = _peak(lambda: spc_chart("xmr", numbers, None, labels))
    return {"peak": peak, "points": len(chart)}


def _child(database: Path) -> dict[str, dict[str, float]]:
    measures = _setup(database)
    import gc

    from django.test import Client
    from django.urls import reverse

    from openqi.accounts.models import User
    from openqi.measures.models import Measure

    client = Client()
    client.force_login(User.objects.get(email=EMAIL))
    results = {}
    for size, pk in measures.items():
        results[f"chart-{size}"] = _chart_arrays(Measure.objects.get(pk=pk))
    for kind in ("csv", "json"):
        for size, pk in measures.items():
            url = reverse("measures:export", kwargs={"slug": "bench-exports", "pk": pk})
            url += f"?format={kind}"
            gc.collect()
            started = time.perf_counter()  # timed without tracemalloc, which slows it
            _export(client, url)
            seconds = time.perf_counter() - started
            peak, sent = _peak(functools.partial(_export, client, url))
            results[f"{kind}-{size}"] = {
                **sent,
                "seconds": seconds,
                "peak": peak,
                "points": size,
            }
            print(
                f"  {kind} {size:,}: {peak / 1e6:.1f} MB", file=sys.stderr, flush=True
            )
    return results


if __name__ == "__main__":
    print(json.dumps(_child(Path(sys.argv[1]))))
