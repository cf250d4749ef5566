"""The benchmark API (openqi/api/benchmark.py), for the access walk (see
tests/access.py): every role by session and by token; the outsider gets nothing."""

from __future__ import annotations

from typing import Any

from tests.access import Route, Write
from tests.benchmark.helpers import make_benchmark, make_participant

#: Every path the benchmark API serves (tests/api/test_api_openapi.py lists them all).
_B = "/api/v1/organisations/{slug}/benchmarks"
BENCHMARK_PATHS = {
    _B,
    f"{_B}/{{benchmark_id}}",
    f"{_B}/{{benchmark_id}}/participants/{{participant_id}}/values",
    f"{_B}/{{benchmark_id}}/import",
}


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _benchmark(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "benchmark_id": make_benchmark(cast.org).pk}


def _participant(cast: Any) -> dict[str, Any]:
    benchmark = make_benchmark(cast.org)
    participant = make_participant(benchmark, code="WARD1")
    return {
        "slug": cast.org.slug,
        "benchmark_id": benchmark.pk,
        "participant_id": participant.pk,
    }


def _with_unit(cast: Any) -> dict[str, Any]:
    benchmark = make_benchmark(cast.org)
    make_participant(benchmark, code="WARD1")
    return {"slug": cast.org.slug, "benchmark_id": benchmark.pk}


ROUTES: list[Route] = [
    Route("api:benchmarks", kwargs=_org, is_api=True),
    Route("api:benchmark", kwargs=_benchmark, is_api=True),
    Route(
        "api:benchmark_values",
        kwargs=_participant,
        get=False,
        writes=(
            Write(
                "post",
                data=lambda cast: {
                    "period": "2024-03",
                    "numerator": 40,
                    "denominator": 50,
                },
                setup=_participant,
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:benchmark_import",
        kwargs=_with_unit,
        get=False,
        writes=(
            Write(
                "post",
                data=lambda cast: {
                    "csv": "code,period,numerator,denominator\nWARD1,2024-03,40,50\n"
                },
                setup=_with_unit,
            ),
        ),
        is_api=True,
    ),
]
