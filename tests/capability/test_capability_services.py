"""The capability models and services: the built-in framework, levels in use,
completions recorded from enrolments, erasure that keeps the counts, targets."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase

from openqi.audit.models import AuditEvent
from openqi.capability import services
from openqi.capability.builtin import BUILTIN_LEVELS
from openqi.capability.models import (
    Audience,
    CapabilityFramework,
    CapabilityLevel,
    Completion,
    Enrolment,
    Target,
)
from openqi.organisations.models import StaffRecord
from tests.capability.helpers import (
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
    make_target,
)
from tests.factories import make_organisation, make_unit


class BuiltinFrameworkTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation()

    def test_first_visit_installs_six_levels_in_order_from_all_staff_to_the_board(
        self,
    ) -> None:
        levels = services.framework_for(self.org)
        self.assertEqual(len(levels), 6)
        self.assertEqual(levels[0].name, "Improvement awareness")
        self.assertEqual(levels[-1].name, "Board and executive development")
        self.assertEqual(levels[0].audience, Audience.ALL_STAFF)
        self.assertEqual(levels[-1].audience, Audience.BOARD)
        self.assertEqual(
            {level.audience for level in levels},
            {Audience.ALL_STAFF, Audience.LEADERS, Audience.BOARD},
        )
        self.assertEqual([lv.position for lv in levels], [1, 2, 3, 4, 5, 6])
        for level in levels:
            self.assertTrue(level.who_for and level.skills and level.description)
        self.assertTrue(
            CapabilityFramework.objects.get(organisation=self.org).from_builtin
        )

    def test_installed_once_and_never_again_after_the_levels_are_deleted(self) -> None:
        services.framework_for(self.org)
        services.framework_for(self.org)
        self.assertEqual(
            CapabilityLevel.objects.filter(organisation=self.org).count(), 6
        )
        CapabilityLevel.objects.filter(organisation=self.org).delete()
        self.assertEqual(services.framework_for(self.org), [])

    def test_an_edited_framework_is_never_overwritten(self) -> None:
        own = make_level(self.org, name="Our own level")  # made before any visit
        self.assertEqual(services.framework_for(self.org), [own])
        with self.assertRaises(services.FrameworkNotEmpty):
            services.install_builtin_framework(self.org)
        self.assertEqual(list(services.levels_for(self.org)), [own])

    def test_the_installation_is_on_the_trail_as_the_system(self) -> None:
        services.framework_for(self.org)
        events = AuditEvent.objects.filter(
            organisation=self.org, model="capability.CapabilityLevel"
        )
        self.assertEqual(events.count(), 6)
        self.assertEqual({e.via for e in events}, {"system"})
        self.assertIsNone(events.first().actor)  # type: ignore[union-attr]

    def test_the_management_command_installs_and_then_leaves_it(self) -> None:
        out = StringIO()
        call_command("install_capability_framework", self.org.slug, stdout=out)
        self.assertIn("6 levels", out.getvalue())
        call_command("install_capability_framework", self.org.slug, stdout=out)
        self.assertIn("already has levels", out.getvalue())
        self.assertEqual(services.levels_for(self.org).count(), len(BUILTIN_LEVELS))

    def test_levels_of_one_organisation_stay_there(self) -> None:
        other = make_organisation()
        services.framework_for(self.org)
        self.assertEqual(services.levels_for(other).count(), 0)


class LevelTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation()
        self.level = make_level(self.org, name="Practitioner")

    def test_an_unused_level_is_deleted(self) -> None:
        services.delete_level(self.level)
        self.assertFalse(CapabilityLevel.objects.filter(pk=self.level.pk).exists())

    def test_a_level_in_use_cannot_be_deleted_and_says_what_uses_it(self) -> None:
        programme = make_programme(self.org, level=self.level)
        make_programme(self.org, level=self.level)
        make_target(self.org, level=self.level)
        with self.assertRaises(services.LevelInUse) as caught:
            services.delete_level(self.level)
        self.assertEqual(caught.exception.uses, ["2 programmes", "1 target"])
        self.assertIn("2 programmes and 1 target use it", str(caught.exception))
        # A completion alone is enough, even once its programme is gone.
        Target.objects.filter(level=self.level).delete()
        Completion.objects.create(
            level=self.level,
            completed_on=datetime.date(2025, 1, 1),
            programme=programme,
        )
        self.level.programmes.all().delete()
        with self.assertRaises(services.LevelInUse) as caught:
            services.delete_level(self.level)
        self.assertEqual(caught.exception.uses, ["1 completion"])
        self.assertTrue(CapabilityLevel.objects.filter(pk=self.level.pk).exists())

    def test_moving_a_level_swaps_it_with_its_neighbour(self) -> None:
        org = make_organisation()
        first, second, third = (
            services.save_level(
                CapabilityLevel(organisation=org), name=name, who_for="x", skills="y"
            )
            for name in ("One", "Two", "Three")
        )
        self.assertEqual([first.position, second.position, third.position], [1, 2, 3])
        self.assertTrue(services.move_level(third, "up"))
        self.assertEqual(
            [lv.name for lv in services.levels_for(org)], ["One", "Three", "Two"]
        )
        self.assertFalse(services.move_level(first, "up"))
        self.assertTrue(services.move_level(first, "down"))
        self.assertEqual(
            [lv.name for lv in services.levels_for(org)], ["Three", "One", "Two"]
        )

    def test_level_names_are_unique_in_an_organisation(self) -> None:
        make_level(make_organisation(), name="Practitioner")  # another organisation
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_level(self.org, name="Practitioner")


class EnrolmentTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation()
        self.unit = make_unit(self.org, name="Surgery")
        self.level = make_level(self.org, name="Practitioner")
        self.programme = make_programme(self.org, level=self.level)
        self.cohort = make_cohort(self.programme, starts_on=datetime.date(2025, 1, 6))
        self.person = make_staff(
            self.org, unit=self.unit, staff_group=StaffRecord.StaffGroup.NURSING
        )
        self.enrolment = services.enrol(self.cohort, self.person)

    def test_enrolling_twice_is_refused(self) -> None:
        with self.assertRaises(services.AlreadyEnrolled):
            services.enrol(self.cohort, self.person)

    def test_completing_an_enrolment_records_the_completion_of_the_level(self) -> None:
        services.set_enrolment_status(
            self.enrolment, Enrolment.Status.COMPLETED, datetime.date(2025, 3, 14)
        )
        completion = Completion.objects.get()
        self.assertEqual(completion.level, self.level)
        self.assertEqual(completion.completed_on, datetime.date(2025, 3, 14))
        self.assertEqual(completion.staff_record, self.person)
        self.assertEqual(completion.unit, self.unit)
        self.assertEqual(completion.staff_group, "nursing")
        self.assertEqual(completion.programme, self.programme)
        self.assertEqual(completion.cohort, self.cohort)
        self.assertEqual(completion.enrolment, self.enrolment)

    def test_a_new_date_moves_the_completion_and_withdrawing_removes_it(self) -> None:
        services.set_enrolment_status(
            self.enrolment, Enrolment.Status.COMPLETED, datetime.date(2025, 3, 14)
        )
        services.set_enrolment_status(
            self.enrolment, Enrolment.Status.COMPLETED, datetime.date(2025, 3, 21)
        )
        self.assertEqual(
            Completion.objects.get().completed_on, datetime.date(2025, 3, 21)
        )
        services.set_enrolment_status(self.enrolment, Enrolment.Status.WITHDRAWN, None)
        self.assertFalse(Completion.objects.exists())
        self.enrolment.refresh_from_db()
        self.assertIsNone(self.enrolment.completed_on)

    def test_a_completed_enrolment_must_have_its_date(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Enrolment.objects.filter(pk=self.enrolment.pk).update(status="completed")


class ErasureTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation()
        self.unit = make_unit(self.org, name="Surgery")
        self.level = make_level(self.org)
        cohort = make_cohort(make_programme(self.org, level=self.level))
        later = make_cohort(make_programme(self.org, level=self.level))
        self.person = make_staff(
            self.org,
            unit=self.unit,
            staff_group=StaffRecord.StaffGroup.AHP,
            email="Sam.Jones@Example.NHS.uk",
        )
        self.other = make_staff(self.org, unit=self.unit)
        for who in (self.person, self.other):
            enrolment = make_enrolment(cohort, who)
            services.set_enrolment_status(
                enrolment, Enrolment.Status.COMPLETED, datetime.date(2025, 2, 1)
            )
        make_enrolment(later, self.person)

    def test_erasure_removes_the_link_and_the_enrolments_but_keeps_the_counts(
        self,
    ) -> None:
        before = Completion.objects.filter(level=self.level, unit=self.unit).count()
        erased = services.erase_training_record(self.person)
        self.assertEqual((erased.enrolments, erased.completions), (2, 1))
        self.assertFalse(Enrolment.objects.filter(staff_record=self.person).exists())
        self.assertFalse(Completion.objects.filter(staff_record=self.person).exists())
        self.assertEqual(
            Completion.objects.filter(level=self.level, unit=self.unit).count(), before
        )
        anonymous = Completion.objects.get(staff_record__isnull=True)
        self.assertEqual(anonymous.staff_group, "ahp")
        self.assertEqual(anonymous.unit, self.unit)
        self.assertEqual(anonymous.completed_on, datetime.date(2025, 2, 1))
        self.assertIsNone(anonymous.enrolment)
        self.person.refresh_from_db()
        self.assertEqual(self.person.email, "")
        # The staff record itself and everyone else's training stay.
        self.assertTrue(StaffRecord.objects.filter(pk=self.person.pk).exists())
        self.assertTrue(Completion.objects.filter(staff_record=self.other).exists())
        self.assertEqual(Enrolment.objects.filter(staff_record=self.other).count(), 1)

    def test_erasure_is_audited_without_the_e_mail_address(self) -> None:
        services.erase_training_record(self.person)
        deleted = AuditEvent.objects.filter(
            model="capability.Enrolment", action="delete"
        ).count()
        self.assertEqual(deleted, 2)
        unlinked = AuditEvent.objects.filter(
            model="capability.Completion", action="update"
        ).latest("pk")
        self.assertIsNone(unlinked.after["staff_record_id"])
        trail = AuditEvent.objects.filter(organisation=self.org)
        for event in trail:
            self.assertNotIn("sam.jones", str(event.before) + str(event.after))


class StaffRecordEmailTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation()

    def test_the_address_is_lower_cased_and_found_in_any_case(self) -> None:
        record = make_staff(self.org, email="  Sam.Jones@Example.NHS.uk ")
        self.assertEqual(record.email, "sam.jones@example.nhs.uk")
        self.assertEqual(
            services.find_staff_record(self.org, "SAM.JONES@example.nhs.uk"), record
        )
        self.assertEqual(services.find_staff_record(self.org, record.reference), record)
        self.assertIsNone(
            services.find_staff_record(make_organisation(), record.reference)
        )

    def test_an_address_is_unique_in_an_organisation_but_may_be_empty_often(
        self,
    ) -> None:
        make_staff(self.org)
        make_staff(self.org)
        make_staff(self.org, email="a@example.org")
        make_staff(make_organisation(), email="a@example.org")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_staff(self.org, email="A@example.org")


class TargetConstraintTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation()

    def test_values_outside_their_kind_s_range_are_refused_by_the_database(
        self,
    ) -> None:
        for kind, value in (
            ("share", "0"),
            ("share", "100.1"),
            ("ratio", "0"),
            ("ratio", "100001"),
        ):
            with self.subTest(kind=kind, value=value):
                with self.assertRaises(IntegrityError), transaction.atomic():
                    make_target(self.org, kind=kind, value=Decimal(value))
        make_target(self.org, kind="ratio", value=Decimal("100000"))
        make_target(self.org, kind="share", value=Decimal("100"))

    def test_the_date_due_must_be_after_the_start(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_target(
                self.org,
                starts_on=datetime.date(2026, 1, 1),
                due_on=datetime.date(2026, 1, 1),
            )

    def test_described_in_words(self) -> None:
        self.assertEqual(
            make_target(self.org, value=Decimal("72.5")).describe(), "72.5% of staff"
        )
        self.assertEqual(
            make_target(self.org, value=Decimal("80.0")).describe(), "80% of staff"
        )
        self.assertEqual(
            make_target(self.org, kind="ratio", value=Decimal("2000")).describe(),
            "one per 2,000 staff",
        )
