"""A small system for the system app's tests: two member trusts that share and a
third that does not, each with people, projects and (one) capability."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from openqi.capability.models import CapabilityLevel, Completion
from openqi.organisations.models import Organisation, Role, StaffRecord
from openqi.projects.models import ProgressRating, Project
from openqi.system.services import save_sharing
from tests.factories import make_member, make_organisation

DAY = datetime.date(2026, 6, 1)


def make_system(slug: str = "moorland-ics") -> Organisation:
    return make_organisation(
        name=f"{slug.title()} Integrated Care System",
        slug=slug,
        kind=Organisation.Kind.SYSTEM,
    )


def make_member_trust(system: Organisation, slug: str) -> Organisation:
    return make_organisation(name=f"{slug.title()} NHS Trust", slug=slug, system=system)


def make_project(organisation: Organisation, title: str, **fields: Any) -> Project:
    return Project.objects.create(organisation=organisation, title=title, **fields)


def rate(project: Project, score: str) -> None:
    ProgressRating.objects.create(
        project=project,
        score=Decimal(score),
        rated_by=ProgressRating.RatedBy.TEAM,
        rated_on=DAY,
    )


def reach(organisation: Organisation, level: CapabilityLevel, people: int) -> None:
    """``people`` new staff records who reached ``level``."""
    for n in range(people):
        record = StaffRecord.objects.create(
            organisation=organisation,
            reference=f"{organisation.slug[:3].upper()}{level.pk:03d}{n:05d}",
        )
        Completion.objects.create(
            level=level,
            staff_record=record,
            completed_on=DAY - datetime.timedelta(days=10),
        )


class SystemCast:
    """Builds the cast on a test class: ``system`` (administered by
    ``system_admin``), members ``north`` and ``south`` sharing, ``west`` not, and
    ``elsewhere``, another system with its own administrator."""

    @classmethod
    def build(cls, target: Any) -> None:
        target.system = make_system()
        target.north = make_member_trust(target.system, "northmoor")
        target.south = make_member_trust(target.system, "southmoor")
        target.west = make_member_trust(target.system, "westmoor")
        target.elsewhere = make_system("faraway-ics")
        target.system_admin = make_member(
            target.system, Role.ADMIN, full_name="Sol Steward"
        )
        target.system_viewer = make_member(
            target.system, Role.VIEWER, full_name="Vera Watcher"
        )
        target.north_admin = make_member(
            target.north, Role.ADMIN, full_name="Nia Northmoor"
        )
        target.north_member = make_member(
            target.north, Role.MEMBER, full_name="Ned Northmoor"
        )
        target.west_admin = make_member(
            target.west, Role.ADMIN, full_name="Wyn Westmoor"
        )
        target.far_admin = make_member(
            target.elsewhere, Role.ADMIN, full_name="Fen Faraway"
        )
        target.north_project = make_project(
            target.north, "Hip fracture theatre within 36 hours", status="active"
        )
        rate(target.north_project, "3.0")
        make_project(target.north, "Fewer missed doses", status="idea")
        target.south_project = make_project(
            target.south, "Virtual ward for frailty", status="active"
        )
        target.west_project = make_project(
            target.west, "Westmoor secret pilot", status="active"
        )
        # Capability: 12 and 3 people at the first level, 7 and 8 at the second.
        north_aware = CapabilityLevel.objects.create(
            organisation=target.north, name="Awareness", position=1
        )
        north_practice = CapabilityLevel.objects.create(
            organisation=target.north, name="Practitioner", position=2
        )
        south_aware = CapabilityLevel.objects.create(
            organisation=target.south, name="Awareness", position=1
        )
        south_practice = CapabilityLevel.objects.create(
            organisation=target.south, name="Practitioner", position=2
        )
        reach(target.north, north_aware, 12)
        reach(target.north, north_practice, 7)
        reach(target.south, south_aware, 3)
        reach(target.south, south_practice, 8)
        for member in (target.north, target.south):
            save_sharing(member, portfolio=True, capability=True, readiness=False)
