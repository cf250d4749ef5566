"""The capability pages, for the access walk (see tests/access.py)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from tests.access import Route, Write
from tests.capability.helpers import (
    cohort_data,
    level_data,
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
    make_target,
    programme_data,
    status_data,
    target_data,
)

_names = itertools.count(1)


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _level(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_level(cast.org).pk}


def _programme(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_programme(cast.org).pk}


def _cohort(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_cohort(make_programme(cast.org)).pk}


def _enrolment(cast: Any) -> dict[str, Any]:
    cohort = make_cohort(make_programme(cast.org))
    pk = make_enrolment(cohort, make_staff(cast.org)).pk
    return {"slug": cast.org.slug, "pk": pk}


def _target(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_target(cast.org).pk}


def _staff(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": make_staff(cast.org).pk}


def _write_only(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug, "pk": 0}


def _spare_level(cast: Any) -> dict[str, Any]:
    return {"pk": make_level(cast.org).pk}


def _spare_target(cast: Any) -> dict[str, Any]:
    return {"pk": make_target(cast.org).pk}


def _spare_cohort(cast: Any) -> dict[str, Any]:
    return {"pk": make_cohort(make_programme(cast.org)).pk}


def _new_level(cast: Any) -> dict[str, Any]:
    return level_data(name=f"Champion {make_level(cast.org).pk}")


def _new_programme(cast: Any) -> dict[str, Any]:
    level = make_level(cast.org)
    return programme_data(level, name=f"Foundations {level.pk}")


def _new_target(cast: Any) -> dict[str, Any]:
    return target_data(make_level(cast.org))


def _enrol(cast: Any) -> dict[str, Any]:
    return {"person": make_staff(cast.org).reference}


def _erase_setup(cast: Any) -> dict[str, Any]:
    record = make_staff(cast.org, email="sam.jones@example.nhs.uk")
    return {"pk": record.pk}


ROUTES: list[Route] = [
    Route("capability:overview", kwargs=_org),
    Route("capability:coverage", kwargs=_org),
    Route("capability:framework", kwargs=_org),
    Route(
        "capability:framework_builtin",
        kwargs=_org,
        get=False,
        writes=(Write(),),
    ),
    Route("capability:level_create", kwargs=_org, writes=(Write(data=_new_level),)),
    Route(
        "capability:level_edit",
        kwargs=_level,
        writes=(Write(data=lambda cast: level_data(name=f"Renamed {next(_names)}")),),
    ),
    Route(
        "capability:level_move",
        kwargs=_level,
        get=False,
        writes=(Write(data=lambda cast: {"direction": "up"}),),
    ),
    Route(
        "capability:level_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_level),),
    ),
    Route("capability:programmes", kwargs=_org),
    Route(
        "capability:programme_create",
        kwargs=_org,
        writes=(Write(data=_new_programme),),
    ),
    Route("capability:programme", kwargs=_programme),
    Route(
        "capability:programme_edit",
        kwargs=_programme,
        writes=(
            Write(
                data=lambda cast: programme_data(
                    make_level(cast.org), name=f"Renamed {next(_names)}"
                )
            ),
        ),
    ),
    Route(
        "capability:cohort_create",
        kwargs=_programme,
        writes=(Write(data=lambda cast: cohort_data()),),
    ),
    Route("capability:cohort", kwargs=_cohort),
    Route(
        "capability:cohort_edit",
        kwargs=_cohort,
        writes=(Write(data=lambda cast: cohort_data(name=f"Renamed {next(_names)}")),),
    ),
    Route(
        "capability:enrol",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_cohort, data=_enrol),),
    ),
    Route(
        "capability:enrolment_edit",
        kwargs=_enrolment,
        writes=(
            Write(
                data=lambda cast: status_data("completed", datetime.date(2025, 2, 3))
            ),
        ),
    ),
    Route("capability:targets", kwargs=_org),
    Route("capability:target_create", kwargs=_org, writes=(Write(data=_new_target),)),
    Route(
        "capability:target_edit",
        kwargs=_target,
        writes=(
            Write(
                data=lambda cast: target_data(
                    make_level(cast.org), kind="ratio", value="20"
                )
            ),
        ),
    ),
    Route(
        "capability:target_delete",
        kwargs=_write_only,
        get=False,
        writes=(Write(setup=_spare_target),),
    ),
    Route("capability:staff_search", kwargs=_org),
    Route("capability:staff_record", kwargs=_staff),
    Route(
        "capability:staff_erase",
        kwargs=_staff,
        writes=(Write(setup=_erase_setup, data=lambda cast: {"confirm": "true"}),),
    ),
]
