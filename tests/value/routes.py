"""The value pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

from typing import Any

from tests.access import Route, Write
from tests.value.helpers import (
    benefit_data,
    investment_data,
    make_benefit,
    make_investment,
    make_project,
)


def _lead(cast: Any) -> Any:
    """The cast's project lead (the page crawl's cast, played by the demo, has none)."""
    return getattr(cast, "lead", None)


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _project(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_project(cast.org, lead=_lead(cast)).pk}


def _benefit(cast: Any) -> dict[str, Any]:
    project = make_project(cast.org, lead=_lead(cast))
    benefit = make_benefit(project)
    return {"slug": cast.org.slug, "pk": project.pk, "benefit_pk": benefit.pk}


def _write_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0, "benefit_pk": 0}


def _spare_benefit(cast: Any) -> dict[str, Any]:
    project = make_project(cast.org, lead=_lead(cast))
    return {"pk": project.pk, "benefit_pk": make_benefit(project).pk}


def _spare_investment(cast: Any) -> dict[str, Any]:
    return {"pk": make_investment(cast.org, 2024, "1000").pk}


def _api_project(cast: Any) -> dict[str, Any]:
    return {
        "slug": cast.org.slug,
        "project_id": make_project(cast.org, lead=_lead(cast)).pk,
    }


def _api_benefit(cast: Any) -> dict[str, Any]:
    return {
        "title": "Fewer agency shifts",
        "kind": "realised",
        "domain": "cost_reduction",
        "money": 12000,
        "method": "Agency invoices before and after.",
        "confidence": "high",
        "recurrence": "one_off",
        "start_date": "2024-06-01",
    }


ROUTES: list[Route] = [
    Route("value:benefits", kwargs=_project),
    Route(
        "value:benefit_create",
        kwargs=_project,
        writes=(Write(data=lambda cast: benefit_data()),),
    ),
    Route(
        "value:benefit_edit",
        kwargs=_benefit,
        writes=(Write(data=lambda cast: benefit_data(title="Fewer bank shifts")),),
    ),
    Route(
        "value:benefit_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_benefit),),
    ),
    Route("value:programme", kwargs=_org),
    Route("value:investment", kwargs=_org),
    Route(
        "value:investment_create",
        kwargs=_org,
        get=False,
        writes=(Write(data=lambda cast: investment_data()),),
    ),
    Route(
        "value:investment_delete",
        kwargs=lambda cast: {"slug": cast.org.slug, "pk": 0},
        get=False,
        writes=(Write(setup=_spare_investment),),
    ),
    Route(
        "value:turnover",
        kwargs=_org,
        get=False,
        writes=(Write(data=lambda cast: {"year": "2024", "amount": "500,000,000"}),),
    ),
    Route(
        "api:value_benefits",
        kwargs=_api_project,
        writes=(Write("post", data=_api_benefit),),
        is_api=True,
    ),
    Route(
        "api:value_investments",
        kwargs=_org,
        writes=(
            Write(
                "post",
                data=lambda cast: {
                    "year": 2024,
                    "category": "training",
                    "amount": 50000,
                },
            ),
        ),
        is_api=True,
    ),
    Route("api:value_return", kwargs=_org, is_api=True),
]
