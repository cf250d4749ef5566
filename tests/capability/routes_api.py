"""The capability API (openqi/api/capability.py), for the access walk (see
tests/access.py): every role by session and by token, and the outsider, who gets
nothing."""

from __future__ import annotations

import itertools
from typing import Any

from openqi.capability.models import CapabilityLevel
from tests.access import Route, Write
from tests.capability.helpers import (
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
    make_target,
)

_names = itertools.count(1)

#: Every path the capability API serves (tests/api/test_api_openapi.py lists them all).
_C = "/api/v1/organisations/{slug}/capability"
CAPABILITY_PATHS = {
    f"{_C}/levels",
    f"{_C}/levels/built-in",
    f"{_C}/levels/{{level_id}}",
    f"{_C}/levels/{{level_id}}/move",
    f"{_C}/programmes",
    f"{_C}/programmes/{{programme_id}}",
    f"{_C}/programmes/{{programme_id}}/cohorts",
    f"{_C}/cohorts/{{cohort_id}}",
    f"{_C}/cohorts/{{cohort_id}}/enrolments",
    f"{_C}/enrolments/{{enrolment_id}}",
    f"{_C}/completions",
    f"{_C}/completions/{{completion_id}}",
    f"{_C}/targets",
    f"{_C}/targets/{{target_id}}",
    f"{_C}/coverage",
    f"{_C}/doing",
    f"{_C}/staff/{{staff_id}}/training-record",
    f"{_C}/staff/{{staff_id}}/training-record/erase",
}


def _org(cast: Any) -> dict[str, Any]:
    return {"slug": cast.org.slug}


def _level(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "level_id": make_level(cast.org).pk}


def _programme(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "programme_id": make_programme(cast.org).pk}


def _cohort(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "cohort_id": make_cohort(make_programme(cast.org)).pk}


def _enrolment(cast: Any) -> dict[str, Any]:
    cohort = make_cohort(make_programme(cast.org))
    return {
        **_org(cast),
        "enrolment_id": make_enrolment(cohort, make_staff(cast.org)).pk,
    }


def _target(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "target_id": make_target(cast.org).pk}


def _staff(cast: Any) -> dict[str, Any]:
    return {**_org(cast), "staff_id": make_staff(cast.org).pk}


def _empty_framework(cast: Any) -> dict[str, Any]:
    """The built-in levels go only into an empty framework: empty it for each try."""
    CapabilityLevel.objects.filter(organisation=cast.org).delete()
    return {}


def _new_level(cast: Any) -> dict[str, Any]:
    return {
        "name": f"Improvement champion {next(_names)}",
        "who_for": "Staff who encourage improvement in their own team.",
        "skills": "Spots problems worth solving and helps colleagues test changes.",
        "audience": "all_staff",
    }


def _new_programme(cast: Any) -> dict[str, Any]:
    return {
        "name": f"Improvement foundations {next(_names)}",
        "level_id": make_level(cast.org).pk,
        "provider": "The QI team",
        "duration_hours": 3,
        "format": "face_to_face",
        "project_requirement": "join",
    }


def _new_target(cast: Any) -> dict[str, Any]:
    return {
        "level_id": make_level(cast.org).pk,
        "kind": "share",
        "value": 80,
        "starts_on": "2025-04-01",
        "due_on": "2027-03-31",
    }


def _new_completion(cast: Any) -> dict[str, Any]:
    return {
        "level_id": make_level(cast.org).pk,
        "person": make_staff(cast.org).reference,
        "completed_on": "2025-02-03",
    }


def _erase_setup(cast: Any) -> dict[str, Any]:
    record = make_staff(cast.org, email=f"person{next(_names)}@example.nhs.uk")
    return {"staff_id": record.pk}


ROUTES: list[Route] = [
    Route(
        "api:capability-levels",
        kwargs=_org,
        writes=(Write("post", data=_new_level),),
        is_api=True,
    ),
    Route(
        "api:capability-builtin",
        kwargs=_org,
        get=False,
        writes=(Write("post", setup=_empty_framework),),
        is_api=True,
    ),
    Route(
        "api:capability-level",
        kwargs=_level,
        writes=(
            Write("patch", data=lambda c: {"name": f"Renamed {next(_names)}"}),
            Write("delete", setup=lambda c: {"level_id": make_level(c.org).pk}),
        ),
        is_api=True,
    ),
    Route(
        "api:capability-level-move",
        kwargs=_level,
        get=False,
        writes=(Write("post", data=lambda c: {"direction": "up"}),),
        is_api=True,
    ),
    Route(
        "api:capability-programmes",
        kwargs=_org,
        writes=(Write("post", data=_new_programme),),
        is_api=True,
    ),
    Route(
        "api:capability-programme",
        kwargs=_programme,
        writes=(
            Write("patch", data=lambda c: {"provider": "A university"}),
            Write("delete", setup=lambda c: {"programme_id": make_programme(c.org).pk}),
        ),
        is_api=True,
    ),
    Route(
        "api:capability-cohorts",
        kwargs=_programme,
        writes=(
            Write(
                "post",
                data=lambda c: {
                    "name": f"Spring {next(_names)}",
                    "starts_on": "2025-03-03",
                    "ends_on": "2025-06-30",
                },
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:capability-cohort",
        kwargs=_cohort,
        writes=(
            Write("patch", data=lambda c: {"name": f"Renamed {next(_names)}"}),
            Write(
                "delete",
                setup=lambda c: {"cohort_id": make_cohort(make_programme(c.org)).pk},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:capability-enrolments",
        kwargs=_cohort,
        writes=(Write("post", data=lambda c: {"person": make_staff(c.org).reference}),),
        is_api=True,
    ),
    Route(
        "api:capability-enrolment",
        kwargs=_enrolment,
        writes=(
            Write(
                "patch",
                data=lambda c: {"status": "completed", "completed_on": "2025-02-03"},
            ),
        ),
        is_api=True,
    ),
    Route(
        "api:capability-completions",
        kwargs=_org,
        writes=(Write("post", data=_new_completion),),
        is_api=True,
    ),
    Route(
        "api:capability-targets",
        kwargs=_org,
        writes=(Write("post", data=_new_target),),
        is_api=True,
    ),
    Route(
        "api:capability-target",
        kwargs=_target,
        writes=(
            Write("patch", data=lambda c: {"kind": "ratio", "value": 20}),
            Write("delete", setup=lambda c: {"target_id": make_target(c.org).pk}),
        ),
        is_api=True,
    ),
    Route("api:capability-coverage", kwargs=_org, is_api=True),
    Route("api:capability-doing", kwargs=_org, is_api=True),
    Route("api:capability-training-record", kwargs=_staff, is_api=True),
    Route(
        "api:capability-training-record-erase",
        kwargs=_staff,
        get=False,
        writes=(Write("post", setup=_erase_setup, data=lambda c: {"confirm": True}),),
        is_api=True,
    ),
]
