"""Small builders for the capability tests (house style: no factory library)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from openqi.capability.models import (
    CapabilityLevel,
    Cohort,
    Enrolment,
    Programme,
    Target,
)
from openqi.organisations.models import Organisation, StaffRecord

_seq = itertools.count(1)


def make_level(organisation: Organisation, **fields: Any) -> CapabilityLevel:
    n = next(_seq)
    fields.setdefault("name", f"Level {n}")
    fields.setdefault("who_for", "Staff who take part in a project.")
    fields.setdefault("skills", "Runs small tests of change.")
    fields.setdefault("position", n)
    return CapabilityLevel.objects.create(organisation=organisation, **fields)


def make_programme(organisation: Organisation, **fields: Any) -> Programme:
    n = next(_seq)
    fields.setdefault("name", f"Programme {n}")
    if "level" not in fields:
        fields["level"] = make_level(organisation)
    return Programme.objects.create(organisation=organisation, **fields)


def make_cohort(programme: Programme, **fields: Any) -> Cohort:
    n = next(_seq)
    fields.setdefault("name", f"Cohort {n}")
    fields.setdefault("starts_on", datetime.date(2025, 1, 6))
    return Cohort.objects.create(programme=programme, **fields)


def make_staff(organisation: Organisation, **fields: Any) -> StaffRecord:
    n = next(_seq)
    fields.setdefault("reference", f"E{n:07d}")
    return StaffRecord.objects.create(organisation=organisation, **fields)


def make_enrolment(
    cohort: Cohort, staff_record: StaffRecord, **fields: Any
) -> Enrolment:
    return Enrolment.objects.create(cohort=cohort, staff_record=staff_record, **fields)


def make_target(organisation: Organisation, **fields: Any) -> Target:
    if "level" not in fields:
        fields["level"] = make_level(organisation)
    fields.setdefault("kind", Target.Kind.SHARE)
    fields.setdefault("value", Decimal("80"))
    fields.setdefault("starts_on", datetime.date(2025, 4, 1))
    fields.setdefault("due_on", datetime.date(2027, 3, 31))
    return Target.objects.create(organisation=organisation, **fields)


def date_parts(name: str, day: datetime.date | None) -> dict[str, str]:
    """A date as the NHS.UK date input posts it."""
    if day is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def level_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Improvement champion",
        "who_for": "Staff who encourage improvement in their own team.",
        "description": "",
        "skills": "Spots problems worth solving and helps colleagues test changes.",
        "audience": "all_staff",
    }
    data.update(overrides)
    return data


def programme_data(level: CapabilityLevel, /, **overrides: str) -> dict[str, str]:
    data = {
        "name": "Improvement foundations",
        "level": str(level.pk),
        "provider": "The QI team",
        "duration_hours": "3",
        "format": "face_to_face",
        "project_requirement": "join",
    }
    data.update(overrides)
    return data


def cohort_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Spring 2025",
        "project_requirement": "join",
        **date_parts("starts_on", datetime.date(2025, 3, 3)),
        **date_parts("ends_on", datetime.date(2025, 6, 30)),
    }
    data.update(overrides)
    return data


def target_data(level: CapabilityLevel, /, **overrides: str) -> dict[str, str]:
    data = {
        "level": str(level.pk),
        "kind": "share",
        "value": "80",
        "unit": "",
        "staff_group": "",
        **date_parts("starts_on", datetime.date(2025, 4, 1)),
        **date_parts("due_on", datetime.date(2027, 3, 31)),
    }
    data.update(overrides)
    return data


def status_data(
    status: str, completed_on: datetime.date | None = None, **overrides: str
) -> dict[str, str]:
    data = {"status": status, **date_parts("completed_on", completed_on)}
    data.update(overrides)
    return data
