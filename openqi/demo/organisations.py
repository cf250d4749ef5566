"""Demo step: the system, its three trusts, their units, people and staff records.

Read from ``data/organisations.json``. Every name there is invented: the organisations, the people and their e-mail
addresses (on the reserved domain example.org).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.hashers import make_password

from openqi.accounts.models import User
from openqi.organisations.models import (
    Membership,
    Organisation,
    Role,
    StaffRecord,
    Unit,
)

from .base import PASSWORD, Demo, SignIn
from .records import read, records


@dataclass(frozen=True)
class _OrganisationSpec:
    slug: str
    name: str
    kind: str
    domain: str
    staff_prefix: str = ""
    #: Staff records as a share of the size's count.
    staff_share: float = 0.0


ORGANISATIONS = records(_OrganisationSpec, "organisations", "organisations")
#: The system first, then its member trusts in order.
SYSTEM, PROVIDERS = ORGANISATIONS[0], ORGANISATIONS[1:]
RIVERSIDE, WOLDS, EASTMERE = PROVIDERS
_DOMAINS = {spec.slug: spec.domain for spec in ORGANISATIONS}

#: division → directorate → teams. Team names are unique within a trust, so
#: people name their team alone.
UNITS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = read(
    dict[str, dict[str, dict[str, tuple[str, ...]]]], "organisations", "units"
)


class _Place(NamedTuple):
    """A further membership of a person: where, and in what role."""

    organisation: str
    role: str


@dataclass(frozen=True)
class _Person:
    name: str
    organisation: str
    role: str
    team: str = ""
    #: Further memberships.
    also: tuple[_Place, ...] = ()

    @property
    def email(self) -> str:
        domain = _DOMAINS[self.organisation]
        return f"{self.name.lower().replace(' ', '.')}@{domain}"


PEOPLE = records(_Person, "organisations", "people")

#: Rough shares of NHS staff groups, for realistic-looking capability figures.
STAFF_GROUPS = (
    (StaffRecord.StaffGroup.NURSING, 30),
    (StaffRecord.StaffGroup.MEDICAL, 10),
    (StaffRecord.StaffGroup.AHP, 8),
    (StaffRecord.StaffGroup.SCIENTIFIC, 5),
    (StaffRecord.StaffGroup.ADMIN, 20),
    (StaffRecord.StaffGroup.ESTATES, 10),
    (StaffRecord.StaffGroup.MANAGEMENT, 5),
    (StaffRecord.StaffGroup.OTHER, 12),
)


def add_organisations(demo: Demo) -> None:
    """The system, its trusts, their unit trees, people and staff records."""
    system = _organisation(demo, SYSTEM, None)
    teams: dict[str, dict[str, Unit]] = {}
    for spec in PROVIDERS:
        organisation = _organisation(demo, spec, system)
        teams[spec.slug] = _units(demo, organisation, UNITS[spec.slug])
    _people(demo, teams)
    for spec in PROVIDERS:
        _staff(demo, spec, list(teams[spec.slug].values()))
    shared = [p for p in PEOPLE if p.also]
    for person in shared:
        others = ", ".join(demo.organisations[slug].name for slug, _ in person.also)
        demo.notes.append(
            f"{person.name} ({person.email}) belongs to "
            f"{demo.organisations[person.organisation].name} and {others}: "
            "sign in as them to try the organisation switcher."
        )


def _organisation(
    demo: Demo, spec: _OrganisationSpec, system: Organisation | None
) -> Organisation:
    organisation, created = Organisation.objects.get_or_create(
        slug=spec.slug,
        defaults={"name": spec.name, "kind": spec.kind, "system": system},
    )
    demo.created["organisations"] += created
    demo.organisations[spec.slug] = organisation
    return organisation


def _unit(
    demo: Demo, organisation: Organisation, parent: Unit | None, level: str, name: str
) -> Unit:
    unit, created = Unit.objects.get_or_create(
        organisation=organisation, parent=parent, name=name, defaults={"level": level}
    )
    demo.created["units"] += created
    return unit


def _units(
    demo: Demo,
    organisation: Organisation,
    tree: dict[str, dict[str, tuple[str, ...]]],
) -> dict[str, Unit]:
    """Create the tree; return the teams by name."""
    teams = {}
    for division_name, directorates in tree.items():
        division = _unit(demo, organisation, None, Unit.Level.DIVISION, division_name)
        for directorate_name, team_names in directorates.items():
            directorate = _unit(
                demo, organisation, division, Unit.Level.DIRECTORATE, directorate_name
            )
            for team_name in team_names:
                teams[team_name] = _unit(
                    demo, organisation, directorate, Unit.Level.TEAM, team_name
                )
    return teams


def _people(demo: Demo, teams: dict[str, dict[str, Unit]]) -> None:
    # One hash for everyone: hashing the password fifty times with the production
    # hasher would take most of a minute, and the password is published anyway.
    password = make_password(PASSWORD)
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            email=person.email,
            defaults={"full_name": person.name, "password": password},
        )
        demo.created["people"] += created
        demo.users[person.email] = user
        home_team = teams[person.organisation][person.team] if person.team else None
        places = ((person.organisation, person.role, home_team),) + tuple(
            (slug, role, None) for slug, role in person.also
        )
        for slug, role, unit in places:
            organisation = demo.organisations[slug]
            _, created = Membership.objects.get_or_create(
                user=user,
                organisation=organisation,
                defaults={"role": role, "unit": unit},
            )
            demo.created["memberships"] += created
            demo.sign_ins.append(
                SignIn(
                    person.email, person.name, organisation.name, str(Role(role).label)
                )
            )


def _staff(demo: Demo, spec: _OrganisationSpec, teams: list[Unit]) -> None:
    """Staff records ``<prefix>000001`` onwards, topped up to the size's count.

    One seeded random stream per trust, drawn in reference order, so record n
    gets the same team and staff group at every size and on every run. Bulk
    inserts bypass the model signals, so these synthetic rows are not put on
    the audit trail (see docs/cli.md).
    """
    organisation = demo.organisations[spec.slug]
    wanted = round(demo.staff_records * spec.staff_share)
    existing = set(
        StaffRecord.objects.for_organisation(organisation).values_list(
            "reference", flat=True
        )
    )
    stream = random.Random(spec.slug)
    groups = [group for group, _ in STAFF_GROUPS]
    weights = [weight for _, weight in STAFF_GROUPS]
    rows = []
    for n in range(1, wanted + 1):
        team = stream.choice(teams)
        group = stream.choices(groups, weights)[0]
        reference = f"{spec.staff_prefix}{n:06d}"
        if reference not in existing:
            rows.append(
                StaffRecord(
                    organisation=organisation,
                    reference=reference,
                    unit=team,
                    staff_group=group,
                )
            )
    StaffRecord.objects.bulk_create(rows, batch_size=2000)
    demo.created["staff records"] += len(rows)
