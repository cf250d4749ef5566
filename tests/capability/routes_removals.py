"""Recording a completion on a person's training record page, removing one, and
deleting a programme or a cohort nothing uses (pages and API), for the access walk
(see tests/access.py). The API's DELETE of a programme and of a cohort is tried
by their routes in routes_api.py (one Route per URL name)."""

from __future__ import annotations

import datetime
from typing import Any

from openqi.capability.models import Completion
from openqi.organisations.models import Organisation
from tests.access import Route, Write
from tests.capability.helpers import (
    date_parts,
    make_cohort,
    make_level,
    make_programme,
    make_staff,
)


def make_completion(organisation: Organisation, **fields: Any) -> Completion:
    """A completion entered by hand (no enrolment), of a new person unless given."""
    if "staff_record" not in fields:
        fields["staff_record"] = make_staff(organisation)
    if "level" not in fields:
        fields["level"] = make_level(organisation)
    fields.setdefault("completed_on", datetime.date(2025, 2, 3))
    return Completion.objects.create(**fields)


def _staff(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_staff(cast.org).pk}


def _completion(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_completion(cast.org).pk}


def _programme(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_programme(cast.org).pk}


def _cohort(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_cohort(make_programme(cast.org)).pk}


def _new_completion(cast: Any) -> dict[str, Any]:
    return {
        "level": str(make_level(cast.org).pk),
        **date_parts("completed_on", datetime.date(2025, 2, 3)),
        "programme": "",
    }


ROUTES: list[Route] = [
    Route(
        "capability:completion_add",
        kwargs=_staff,
        get=False,
        writes=(Write(data=_new_completion, ok=(302,)),),
    ),
    Route(
        "capability:completion_delete",
        kwargs=_completion,
        writes=(Write(setup=lambda c: {"pk": make_completion(c.org).pk}, ok=(302,)),),
    ),
    Route(
        "capability:programme_delete",
        kwargs=_programme,
        writes=(Write(setup=lambda c: {"pk": make_programme(c.org).pk}, ok=(302,)),),
    ),
    Route(
        "capability:cohort_delete",
        kwargs=_cohort,
        writes=(
            Write(
                setup=lambda c: {"pk": make_cohort(make_programme(c.org)).pk},
                ok=(302,),
            ),
        ),
    ),
    Route(
        "api:capability-completion",
        kwargs=lambda c: {"slug": c.org.slug},
        get=False,
        writes=(
            Write(
                "delete",
                setup=lambda c: {"completion_id": make_completion(c.org).pk},
                ok=(204,),
            ),
        ),
        is_api=True,
    ),
]
