"""The demo organisation: its shape, its people, its size, and that it is built once."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth import authenticate
from django.test import TestCase

from openqi.accounts.models import User
from openqi.audit.models import AuditEvent
from openqi.demo import PASSWORD, SIZES, STEPS, DemoError, build_demo
from openqi.organisations.models import (
    Invitation,
    Membership,
    Organisation,
    Role,
    StaffRecord,
    Unit,
)

MODELS = (Organisation, Unit, User, Membership, Invitation, StaffRecord, AuditEvent)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


class BuildDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.demo = build_demo()
        cls.riverside = Organisation.objects.get(slug="riverside")
        cls.wolds = Organisation.objects.get(slug="wolds")
        cls.eastmere = Organisation.objects.get(slug="eastmere")

    def test_a_provider_trust_and_a_second_provider_in_one_system(self) -> None:
        system = Organisation.objects.get(kind=Organisation.Kind.SYSTEM)
        self.assertEqual(system.name, "Riverside and Wolds Integrated Care System")
        self.assertEqual(
            self.riverside.name, "Riverside University Hospitals NHS Foundation Trust"
        )
        self.assertEqual(
            set(system.providers.values_list("slug", flat=True)),
            {"riverside", "wolds", "eastmere"},
        )
        for provider in (self.riverside, self.wolds, self.eastmere):
            self.assertEqual(provider.kind, Organisation.Kind.PROVIDER)
            provider.full_clean()

    def test_units_form_a_division_directorate_team_tree(self) -> None:
        units = Unit.objects.for_organisation(self.riverside)
        levels = Counter(units.values_list("level", flat=True))
        self.assertEqual(levels, {"division": 5, "directorate": 11, "team": 31})
        for unit in units.select_related("parent"):
            unit.full_clean()  # a division at the top, directorates under divisions, …
        department = units.get(name="Emergency department")
        self.assertEqual(
            [u.name for u in department.path()],
            ["Medicine", "Emergency care", "Emergency department"],
        )
        self.assertEqual(
            Counter(
                Unit.objects.for_organisation(self.wolds).values_list(
                    "level", flat=True
                )
            ),
            {"division": 2, "directorate": 3, "team": 5},
        )
        self.assertEqual(
            Counter(
                Unit.objects.for_organisation(self.eastmere).values_list(
                    "level", flat=True
                )
            ),
            {"division": 2, "directorate": 3, "team": 5},
        )

    def test_about_sixty_people_across_every_role(self) -> None:
        self.assertEqual(User.objects.count(), 57)
        roles = Counter(
            Membership.objects.for_organisation(self.riverside).values_list(
                "role", flat=True
            )
        )
        self.assertEqual(
            roles,
            {
                Role.ADMIN: 2,
                Role.QI_TEAM: 5,
                Role.PROJECT_LEAD: 10,
                Role.MEMBER: 17,
                Role.VIEWER: 6,
            },
        )
        wolds_roles = set(
            Membership.objects.for_organisation(self.wolds).values_list(
                "role", flat=True
            )
        )
        self.assertEqual(wolds_roles, set(Role.values))
        self.assertEqual(
            Counter(
                Membership.objects.for_organisation(self.eastmere).values_list(
                    "role", flat=True
                )
            ),
            {
                Role.ADMIN: 1,
                Role.QI_TEAM: 1,
                Role.PROJECT_LEAD: 2,
                Role.MEMBER: 2,
                Role.VIEWER: 1,
            },
        )

    def test_every_address_is_on_the_reserved_example_domain(self) -> None:
        for email in User.objects.values_list("email", flat=True):
            self.assertRegex(email, r"^[a-z-]+\.[a-z-]+@[a-z]+\.example\.org$")

    def test_one_person_belongs_to_both_trusts(self) -> None:
        both = User.objects.filter(memberships__organisation=self.riverside).filter(
            memberships__organisation=self.wolds
        )
        self.assertEqual(both.count(), 1)

    def test_members_of_a_team_sit_in_their_own_trusts_tree(self) -> None:
        for membership in Membership.objects.exclude(unit=None).select_related("unit"):
            self.assertEqual(
                membership.unit.organisation_id, membership.organisation_id
            )

    def test_everyone_signs_in_with_the_demo_password(self) -> None:
        for signed in self.demo.sign_ins[:3] + self.demo.sign_ins[-3:]:
            self.assertIsNotNone(authenticate(email=signed.email, password=PASSWORD))
        self.assertEqual(len(self.demo.sign_ins), Membership.objects.count())

    def test_small_staff_records_spread_over_teams_and_groups(self) -> None:
        staff = StaffRecord.objects.for_organisation(self.riverside)
        self.assertEqual(staff.count(), SIZES["small"])
        self.assertEqual(
            StaffRecord.objects.for_organisation(self.wolds).count(),
            SIZES["small"] // 10,
        )
        eastmere = StaffRecord.objects.for_organisation(self.eastmere)
        self.assertEqual(eastmere.count(), SIZES["small"] // 10)
        self.assertEqual(eastmere.order_by("reference").first().reference, "EGH000001")
        self.assertFalse(staff.exclude(unit__level=Unit.Level.TEAM).exists())
        self.assertGreater(staff.values("unit").distinct().count(), 25)
        self.assertEqual(
            staff.values("staff_group").distinct().count(), len(StaffRecord.StaffGroup)
        )
        self.assertEqual(staff.order_by("reference").first().reference, "RUH000001")

    def test_running_again_changes_nothing(self) -> None:
        before = _counts()
        snapshot = list(
            Membership.objects.values_list("user__email", "organisation__slug", "role")
        )
        again = build_demo()
        self.assertEqual(_counts(), before)
        self.assertEqual(
            list(
                Membership.objects.values_list(
                    "user__email", "organisation__slug", "role"
                )
            ),
            snapshot,
        )
        self.assertEqual(sum(again.created.values()), 0)
        self.assertEqual(again.sign_ins, self.demo.sign_ins)

    def test_leaves_what_people_changed(self) -> None:
        membership = Membership.objects.filter(role=Role.VIEWER).first()
        membership.role = Role.MEMBER
        membership.save()
        build_demo()
        membership.refresh_from_db()
        self.assertEqual(membership.role, Role.MEMBER)

    def test_changes_are_on_the_audit_trail_as_the_command(self) -> None:
        events = AuditEvent.objects.filter(organisation=self.riverside)
        self.assertTrue(events.filter(model="organisations.Unit").exists())
        self.assertTrue(events.filter(model="organisations.Membership").exists())
        self.assertEqual(set(events.values_list("via", flat=True)), {"command"})
        self.assertFalse(events.exclude(actor=None).exists())
        # The bulk staff rows are left off the trail (docs/cli.md says why).
        self.assertFalse(events.filter(model="organisations.StaffRecord").exists())

    def test_large_size_makes_ten_thousand_staff_records(self) -> None:
        large = build_demo(size="large")
        staff = StaffRecord.objects.for_organisation(self.riverside)
        self.assertEqual(staff.count(), 10_000)
        self.assertEqual(
            StaffRecord.objects.for_organisation(self.wolds).count(), 1_000
        )
        self.assertEqual(
            StaffRecord.objects.for_organisation(self.eastmere).count(), 1_000
        )
        self.assertEqual(
            large.created["staff records"],
            10_000 + 2 * 1_000 - SIZES["small"] - 2 * (SIZES["small"] // 10),
        )
        self.assertEqual(staff.filter(reference="RUH010000").count(), 1)

    def test_records_keep_their_team_and_group_at_every_size(self) -> None:
        first = list(
            StaffRecord.objects.values_list("reference", "unit", "staff_group")
        )
        build_demo(size="large")
        self.assertEqual(
            list(
                StaffRecord.objects.filter(
                    reference__in=[r for r, _, _ in first]
                ).values_list("reference", "unit", "staff_group")
            ),
            first,
        )

    def test_an_unknown_size_is_refused(self) -> None:
        with self.assertRaisesMessage(DemoError, "size must be one of small, large"):
            build_demo(size="huge")

    def test_each_app_adds_a_step(self) -> None:
        self.assertTrue(all(callable(step) for step in STEPS))
