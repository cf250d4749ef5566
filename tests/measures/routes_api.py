"""The measure API routes added with exclusions, for the access walk (see
tests/access.py; the other measure API routes are in tests/api/routes_strategy_projects_measures.py)."""

from __future__ import annotations

from typing import Any

from openqi.measures.models import Measure
from tests.access import Route, Write
from tests.measures.helpers import add_points, make_measure


def _point(cast: Any) -> dict[str, Any]:
    measure = make_measure(cast.org, name=f"API walk measure {Measure.objects.count()}")
    point = add_points(measure, [3, 4, 5])[1]
    return {"slug": cast.org.slug, "measure_id": measure.pk, "point_id": point.pk}


ROUTES: list[Route] = [
    Route(
        "api:data-point",
        kwargs=_point,
        get=False,
        writes=(
            Write(
                "patch",
                data=lambda c: {"is_excluded": True, "exclusion_reason": "IT outage"},
                ok=(200,),
            ),
        ),
        is_api=True,
    ),
]
