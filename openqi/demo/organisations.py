"""Demo step: the system, its two trusts, their units, people and staff records.

Every name here is invented: the organisations, the people and their e-mail
addresses (on the reserved domain example.org).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _OrganisationSpec:
    slug: str
    name: str
    kind: str
    domain: str
    staff_prefix: str = ""
    #: Staff records as a share of the size's count.
    staff_share: float = 0.0


SYSTEM = _OrganisationSpec(
    "riverside-wolds",
    "Riverside and Wolds Integrated Care System",
    Organisation.Kind.SYSTEM,
    "riversidewolds.example.org",
)
RIVERSIDE = _OrganisationSpec(
    "riverside",
    "Riverside University Hospitals NHS Foundation Trust",
    Organisation.Kind.PROVIDER,
    "riverside.example.org",
    staff_prefix="RUH",
    staff_share=1.0,
)
WOLDS = _OrganisationSpec(
    "wolds",
    "Wolds Community and Mental Health NHS Trust",
    Organisation.Kind.PROVIDER,
    "wolds.example.org",
    staff_prefix="WCM",
    staff_share=0.1,
)

#: division → directorate → teams. Team names are unique within a trust, so
#: people below name their team alone.
UNITS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    RIVERSIDE.slug: {
        "Medicine": {
            "Emergency care": (
                "Emergency department",
                "Acute medical unit",
                "Same day emergency care",
            ),
            "Specialty medicine": (
                "Cardiology",
                "Respiratory medicine",
                "Gastroenterology",
                "Diabetes and endocrinology",
            ),
            "Older people's medicine": (
                "Frailty assessment unit",
                "Stroke unit",
                "Elderly care wards",
            ),
        },
        "Surgery": {
            "General surgery": (
                "Colorectal surgery",
                "Upper gastrointestinal surgery",
                "Surgical assessment unit",
            ),
            "Trauma and orthopaedics": ("Trauma ward", "Elective orthopaedics"),
            "Theatres and critical care": (
                "Main theatres",
                "Day surgery unit",
                "Intensive care unit",
            ),
        },
        "Women's and children's": {
            "Maternity": (
                "Labour ward",
                "Maternity outpatients",
                "Community midwifery",
            ),
            "Paediatrics": ("Children's ward", "Neonatal unit"),
        },
        "Clinical support": {
            "Diagnostics": ("Radiology", "Pathology"),
            "Pharmacy and therapies": (
                "Pharmacy",
                "Physiotherapy",
                "Occupational therapy",
            ),
        },
        "Community": {
            "Community services": (
                "District nursing",
                "Intermediate care",
                "Community therapy",
            ),
        },
    },
    WOLDS.slug: {
        "Mental health": {
            "Adult mental health": ("Crisis resolution team", "Inpatient wards"),
            "Older adult mental health": ("Memory assessment service",),
        },
        "Community health": {
            "Community nursing": ("District nursing north", "District nursing south"),
        },
    },
}


@dataclass(frozen=True)
class _Person:
    name: str
    organisation: str
    role: str
    team: str = ""
    #: Further memberships: (organisation slug, role).
    also: tuple[tuple[str, str], ...] = ()

    @property
    def email(self) -> str:
        domain = {s.slug: s.domain for s in (SYSTEM, RIVERSIDE, WOLDS)}[
            self.organisation
        ]
        return f"{self.name.lower().replace(' ', '.')}@{domain}"


_R, _W, _S = RIVERSIDE.slug, WOLDS.slug, SYSTEM.slug
PEOPLE: tuple[_Person, ...] = (
    # Riverside University Hospitals
    _Person("Amara Okonkwo-Hale", _R, Role.ADMIN, "Pharmacy"),
    _Person("Declan Marsh", _R, Role.ADMIN),
    _Person("Priya Venkataraman", _R, Role.QI_TEAM),
    _Person("Tobias Whitlock", _R, Role.QI_TEAM),
    _Person("Hannah Ferreira", _R, Role.QI_TEAM),
    _Person("Callum Rennard", _R, Role.QI_TEAM),
    _Person("Imogen Castellan", _R, Role.QI_TEAM, also=((_W, Role.PROJECT_LEAD),)),
    _Person("Ruth Aldane", _R, Role.PROJECT_LEAD, "Emergency department"),
    _Person("Kwame Asante-Bell", _R, Role.PROJECT_LEAD, "Acute medical unit"),
    _Person("Saoirse Dunleavy", _R, Role.PROJECT_LEAD, "Cardiology"),
    _Person("Mehmet Orhan", _R, Role.PROJECT_LEAD, "Stroke unit"),
    _Person("Eleri Pryce", _R, Role.PROJECT_LEAD, "Colorectal surgery"),
    _Person("Jonah Templeton", _R, Role.PROJECT_LEAD, "Main theatres"),
    _Person("Farah Quraishi", _R, Role.PROJECT_LEAD, "Labour ward"),
    _Person("Lachlan Brody", _R, Role.PROJECT_LEAD, "Children's ward"),
    _Person("Nadia Kowalczyk", _R, Role.PROJECT_LEAD, "Radiology"),
    _Person("Oren Castleford", _R, Role.PROJECT_LEAD, "District nursing"),
    _Person("Beatrix Hollins", _R, Role.MEMBER, "Emergency department"),
    _Person("Chidi Okafor-Lane", _R, Role.MEMBER, "Emergency department"),
    _Person("Delphine Arkwright", _R, Role.MEMBER, "Same day emergency care"),
    _Person("Euan Strachan-Moss", _R, Role.MEMBER, "Respiratory medicine"),
    _Person("Gwen Tallis", _R, Role.MEMBER, "Gastroenterology"),
    _Person("Harpreet Sandhar", _R, Role.MEMBER, "Frailty assessment unit"),
    _Person("Isla Mawdsley", _R, Role.MEMBER, "Elderly care wards"),
    _Person("Jude Penhallow", _R, Role.MEMBER, "Surgical assessment unit"),
    _Person("Keira Lindqvist", _R, Role.MEMBER, "Trauma ward"),
    _Person("Luca Benedetti-Shaw", _R, Role.MEMBER, "Day surgery unit"),
    _Person("Morwenna Tregear", _R, Role.MEMBER, "Intensive care unit"),
    _Person("Nikhil Raghavan", _R, Role.MEMBER, "Maternity outpatients"),
    _Person("Olufemi Adeyemo-Clarke", _R, Role.MEMBER, "Neonatal unit"),
    _Person("Rosalind Fenwick", _R, Role.MEMBER, "Pathology"),
    _Person("Tariq Mahmoudi", _R, Role.MEMBER, "Physiotherapy"),
    _Person("Wilhelmina Drury", _R, Role.MEMBER, "Intermediate care"),
    _Person("Yusuf Hargreaves", _R, Role.MEMBER, "Community therapy"),
    _Person("Arthur Pennycott", _R, Role.VIEWER),
    _Person("Bronwen Ellory", _R, Role.VIEWER),
    _Person("Cosmo Fairbairn", _R, Role.VIEWER),
    _Person("Dervla Quinlan", _R, Role.VIEWER),
    _Person("Ezekiel Harrowby", _R, Role.VIEWER),
    _Person("Florence Ashdown", _R, Role.VIEWER),
    # Wolds Community and Mental Health
    _Person("Gideon Wolstenholme", _W, Role.ADMIN),
    _Person("Hester Blakeney", _W, Role.QI_TEAM),
    _Person("Ines Carvalho-Reid", _W, Role.PROJECT_LEAD, "Crisis resolution team"),
    _Person("Jasper Oakenfold", _W, Role.PROJECT_LEAD, "Memory assessment service"),
    _Person("Kirsty Lomax", _W, Role.MEMBER, "Inpatient wards"),
    _Person("Leopold Ahenkorah", _W, Role.MEMBER, "District nursing north"),
    _Person("Maisie Trelawney", _W, Role.MEMBER, "District nursing south"),
    _Person("Nils Gunnarsen", _W, Role.VIEWER),
    # Riverside and Wolds Integrated Care System
    _Person("Ottilie Vance-Harper", _S, Role.ADMIN),
    _Person("Percival Nkemelu", _S, Role.VIEWER),
)

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
    """The system, its two trusts, their unit trees, people and staff records."""
    system = _organisation(demo, SYSTEM, None)
    teams: dict[str, dict[str, Unit]] = {}
    for spec in (RIVERSIDE, WOLDS):
        organisation = _organisation(demo, spec, system)
        teams[spec.slug] = _units(demo, organisation, UNITS[spec.slug])
    _people(demo, teams)
    for spec in (RIVERSIDE, WOLDS):
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
