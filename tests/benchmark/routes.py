"""The benchmark pages, for the access walk (see tests/access.py).

The cast's organisation owns a units benchmark with one unit taking part (no
organisation of its own, no linked measure), so its members report that unit's
values and its QI team and administrators change the benchmark; the outsider
gets 404 everywhere."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access import Route, Write
from tests.benchmark.helpers import make_benchmark, make_participant, value_data

_codes = itertools.count(1)


def _benchmark(cast: Any) -> dict[str, Any]:
    benchmark = make_benchmark(cast.org)
    return {"slug": cast.org.slug, "pk": benchmark.pk}


def _participant(cast: Any) -> dict[str, Any]:
    benchmark = make_benchmark(cast.org)
    participant = make_participant(benchmark, code="WARD1")
    return {"slug": cast.org.slug, "pk": benchmark.pk, "participant": participant.pk}


def _new_unit(cast: Any) -> dict[str, Any]:
    n = next(_codes)
    return {"name": f"Ward {n}", "code": f"NEW{n}"}


def _csv(cast: Any) -> dict[str, Any]:
    text = "code,period,numerator,denominator\nWARD1,2024-03,40,50\n"
    return {"file": SimpleUploadedFile("values.csv", text.encode(), "text/csv")}


def _with_unit(cast: Any) -> dict[str, Any]:
    benchmark = make_benchmark(cast.org)
    make_participant(benchmark, code="WARD1")
    return {"slug": cast.org.slug, "pk": benchmark.pk}


def _new_benchmark(cast: Any) -> dict[str, Any]:
    return {
        "name": f"Falls {next(_codes)}",
        "numerator_definition": "Falls",
        "denominator_definition": "Bed days",
        "kind": "proportion",
        "frequency": "monthly",
        "improvement": "decrease",
        "multiplier": "100",
    }


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


ROUTES: list[Route] = [
    Route("benchmark:list", _org),
    Route("benchmark:create", _org, writes=(Write(data=_new_benchmark),)),
    Route("benchmark:detail", _benchmark),
    Route("benchmark:participant", _participant),
    Route(
        "benchmark:report",
        _participant,
        writes=(Write(data=lambda cast: value_data()),),
    ),
    Route(
        "benchmark:participant_add",
        _benchmark,
        writes=(Write(data=_new_unit, setup=_benchmark),),
    ),
    Route("benchmark:import", _with_unit, writes=(Write(data=_csv, setup=_with_unit),)),
    Route(
        "benchmark:refresh",
        _benchmark,
        get=False,
        writes=(Write(setup=_benchmark),),
    ),
    Route(
        "benchmark:from_national",
        _benchmark,
        get=False,
        writes=(Write(data=lambda cast: {"file": "ae-4-hour"}, setup=_benchmark),),
    ),
    Route(
        "benchmark:edit",
        _benchmark,
        writes=(
            Write(
                data=lambda cast: {
                    "name": "Discharge summaries on time",
                    "numerator_definition": "Sent within 24 hours",
                    "denominator_definition": "Discharges",
                    "kind": "proportion",
                    "frequency": "monthly",
                    "improvement": "increase",
                    "multiplier": "100",
                    "version": "1",
                },
                setup=_benchmark,
            ),
        ),
    ),
]
