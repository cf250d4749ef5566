"""The capability pages as the QI team, an administrator, a member and a viewer:
forms re-shown with their errors, concurrent changes caught, nothing answered
with a 500 whatever is posted."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from openqi.capability.models import (
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    Programme,
    Target,
)
from openqi.core.versioning import CONFLICT_MESSAGE
from tests.base import BaseTestCase
from tests.capability.helpers import (
    cohort_data,
    date_parts,
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

BASE = "/organisations/northfield/capability/"


class FrameworkPageTests(BaseTestCase):
    def test_the_first_visit_shows_the_built_in_framework_to_a_viewer(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(BASE + "framework/")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Improvement awareness", page)
        self.assertIn("Board and executive development", page)
        self.assertLess(
            page.index("Improvement awareness"), page.index("Expert adviser")
        )
        self.assertNotIn("Add a level", page)
        self.assertNotIn("Move up", page)

    def test_the_qi_team_may_add_change_and_reorder(self) -> None:
        self.sign_in(self.qi_lead)
        page = self.client.get(BASE + "framework/").content.decode()
        self.assertIn("Add a level", page)
        self.assertIn("Move down", page)

    def test_an_emptied_framework_offers_the_built_in_one_again(self) -> None:
        self.sign_in(self.qi_lead)
        self.client.get(BASE + "framework/")
        CapabilityLevel.objects.filter(organisation=self.org).delete()
        page = self.client.get(BASE + "framework/").content.decode()
        self.assertIn("Use the built-in framework", page)
        response = self.client.post(BASE + "framework/built-in/")
        self.assertRedirects(response, BASE + "framework/")
        self.assertEqual(
            CapabilityLevel.objects.filter(organisation=self.org).count(), 6
        )
        response = self.client.post(BASE + "framework/built-in/", follow=True)
        self.assertIn("only put into an empty framework", response.content.decode())
        self.assertEqual(
            CapabilityLevel.objects.filter(organisation=self.org).count(), 6
        )

    def test_a_level_is_added_at_the_end(self) -> None:
        self.sign_in(self.qi_lead)
        self.client.get(BASE + "framework/")
        response = self.client.post(BASE + "levels/new/", level_data())
        self.assertRedirects(response, BASE + "framework/")
        last = CapabilityLevel.objects.filter(organisation=self.org).last()
        assert last is not None
        self.assertEqual(last.name, "Improvement champion")
        self.assertEqual(last.position, 7)

    def test_a_level_form_with_errors_is_shown_again_with_them(self) -> None:
        make_level(self.org, name="Improvement Champion")
        self.sign_in(self.qi_lead)
        response = self.client.post(
            BASE + "levels/new/",
            level_data(
                name="  improvement   champion ", who_for="", skills="", audience="x"
            ),
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn(
            "The framework already has a level called improvement champion", page
        )
        self.assertIn("Say who the level is for.", page)
        self.assertIn("Say what skills and behaviours the level covers.", page)
        self.assertIn("Select a valid choice", page)
        self.assertEqual(
            CapabilityLevel.objects.filter(organisation=self.org).count(), 1
        )

    def test_a_change_saved_meanwhile_is_not_overwritten(self) -> None:
        level = make_level(self.org, name="Practitioner")
        self.sign_in(self.qi_lead)
        stale = level.version
        CapabilityLevel.objects.get(pk=level.pk).save()  # someone else's save
        response = self.client.post(
            f"{BASE}levels/{level.pk}/edit/",
            {**level_data(name="Renamed"), "version": str(stale)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(CONFLICT_MESSAGE, response.content.decode().replace("&#39;", "'"))
        level.refresh_from_db()
        self.assertEqual(level.name, "Practitioner")

    def test_a_level_in_use_is_not_deleted_and_the_page_says_why(self) -> None:
        level = make_level(self.org, name="Practitioner")
        make_programme(self.org, level=level)
        self.sign_in(self.qi_lead)
        page = self.client.get(f"{BASE}levels/{level.pk}/edit/").content.decode()
        self.assertIn("cannot be deleted while 1 programme use it", page)
        response = self.client.post(f"{BASE}levels/{level.pk}/delete/", follow=True)
        self.assertIn(
            "Practitioner cannot be deleted: 1 programme use it",
            response.content.decode(),
        )
        self.assertTrue(CapabilityLevel.objects.filter(pk=level.pk).exists())

    def test_reordering_from_the_page(self) -> None:
        self.sign_in(self.qi_lead)
        self.client.get(BASE + "framework/")
        board = CapabilityLevel.objects.get(
            organisation=self.org, name="Board and executive development"
        )
        self.client.post(f"{BASE}levels/{board.pk}/move/", {"direction": "up"})
        names = list(
            CapabilityLevel.objects.filter(organisation=self.org).values_list(
                "name", flat=True
            )
        )
        self.assertEqual(
            names[-2:], ["Board and executive development", "Expert adviser"]
        )

    def test_another_organisation_s_level_is_not_found(self) -> None:
        level = make_level(self.other_org)
        self.sign_in(self.qi_lead)
        self.assertEqual(
            self.client.get(f"{BASE}levels/{level.pk}/edit/").status_code, 404
        )


class ProgrammeAndCohortPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.level = make_level(cls.org, name="Practitioner")

    def test_a_programme_is_added_and_listed_for_a_viewer(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(
            BASE + "programmes/new/", programme_data(self.level, duration_hours="1.5")
        )
        programme = Programme.objects.get()
        self.assertRedirects(response, f"{BASE}programmes/{programme.pk}/")
        self.assertEqual(programme.duration_hours, Decimal("1.5"))
        self.sign_in(self.viewer)
        page = self.client.get(BASE + "programmes/").content.decode()
        self.assertIn("Improvement foundations", page)
        self.assertIn("1.5 hours", page)
        self.assertNotIn("Add a programme", page)

    def test_programme_errors(self) -> None:
        other_level = make_level(self.other_org)
        self.sign_in(self.editor)
        for overrides, message in (
            ({"duration_hours": "a lot"}, "Enter a number"),
            (
                {"duration_hours": "0"},
                "The duration must be between 0.5 and 2,000 hours.",
            ),
            ({"duration_hours": "1.25"}, "nearest tenth of an hour"),
            ({"duration_hours": "1e300"}, "The duration must be between"),
            ({"level": str(other_level.pk)}, "Select a valid choice"),
            ({"level": ""}, "Choose the level the programme confers."),
            ({"name": "x" * 201}, "at most 200 characters"),
            ({"format": "podcast"}, "Select a valid choice"),
        ):
            with self.subTest(overrides):
                response = self.client.post(
                    BASE + "programmes/new/", programme_data(self.level, **overrides)
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertFalse(Programme.objects.exists())

    def test_a_cohort_takes_its_project_requirement_from_the_programme(self) -> None:
        programme = make_programme(
            self.org, level=self.level, project_requirement="lead"
        )
        self.sign_in(self.qi_lead)
        page = self.client.get(
            f"{BASE}programmes/{programme.pk}/cohorts/new/"
        ).content.decode()
        self.assertRegex(page, r'value="lead"\s+checked')
        response = self.client.post(
            f"{BASE}programmes/{programme.pk}/cohorts/new/", cohort_data()
        )
        cohort = Cohort.objects.get()
        self.assertRedirects(response, f"{BASE}cohorts/{cohort.pk}/")
        self.assertEqual(cohort.starts_on, datetime.date(2025, 3, 3))

    def test_cohort_date_errors(self) -> None:
        programme = make_programme(self.org, level=self.level)
        self.sign_in(self.qi_lead)
        url = f"{BASE}programmes/{programme.pk}/cohorts/new/"
        for overrides, message in (
            (
                date_parts("ends_on", datetime.date(2025, 1, 1)),
                "The end date must be the same as or after the start date.",
            ),
            (
                date_parts("starts_on", datetime.date(1850, 1, 1)),
                "between 1990 and 2099",
            ),
            (
                {
                    "starts_on_day": "31",
                    "starts_on_month": "2",
                    "starts_on_year": "2025",
                },
                "Enter a real date",
            ),
            (
                {"starts_on_day": "", "starts_on_month": "", "starts_on_year": ""},
                "Enter the date the cohort starts.",
            ),
            ({"starts_on_year": "99999999999999999999"}, "Enter a real date"),
        ):
            with self.subTest(overrides):
                response = self.client.post(url, cohort_data(**overrides))
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertFalse(Cohort.objects.exists())


class EnrolmentPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.level = make_level(cls.org, name="Practitioner")
        cls.programme = make_programme(cls.org, level=cls.level)
        cls.cohort = make_cohort(cls.programme, starts_on=datetime.date(2025, 1, 6))
        cls.sam = make_staff(
            cls.org,
            reference="10234567",
            email="sam.jones@example.nhs.uk",
            unit=cls.team,
        )
        cls.url = f"{BASE}cohorts/{cls.cohort.pk}/"

    def test_enrol_by_employee_number_and_by_e_mail_in_any_case(self) -> None:
        kim = make_staff(self.org, reference="10999999", email="kim@example.nhs.uk")
        self.sign_in(self.qi_lead)
        response = self.client.post(self.url + "enrol/", {"person": " 10234567 "})
        self.assertRedirects(response, self.url)
        self.client.post(self.url + "enrol/", {"person": "KIM@Example.NHS.uk"})
        self.assertEqual(
            set(self.cohort.enrolments.values_list("staff_record", flat=True)),
            {self.sam.pk, kim.pk},
        )
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertIn("10234567", page)
        self.assertNotIn("Enrol someone", page)
        self.assertNotIn("sam.jones@", page)

    def test_enrolment_errors_are_shown_on_the_cohort_page(self) -> None:
        elsewhere = make_staff(self.other_org, reference="20000000")
        gone = make_staff(self.org, reference="10000001", is_active=False)
        make_enrolment(self.cohort, self.sam)
        self.sign_in(self.qi_lead)
        for person, message in (
            ("", "Enter the employee number or e-mail address of the person to enrol."),
            (
                "nobody@example.org",
                "No staff record has the e-mail address nobody@example.org",
            ),
            (elsewhere.reference, "No staff record has the employee number 20000000"),
            (gone.reference, "10000001 is no longer an active member of staff."),
            ("10234567", "10234567 is already enrolled in this cohort."),
            ("x" * 300, "at most 254 characters"),
        ):
            with self.subTest(person=person):
                response = self.client.post(self.url + "enrol/", {"person": person})
                self.assertEqual(response.status_code, 200)
                page = response.content.decode()
                self.assertIn("There is a problem", page)
                self.assertIn(message, page)
        self.assertEqual(self.cohort.enrolments.count(), 1)

    def test_marking_completed_records_the_completion(self) -> None:
        enrolment = make_enrolment(self.cohort, self.sam)
        self.sign_in(self.qi_lead)
        response = self.client.post(
            f"{BASE}enrolments/{enrolment.pk}/",
            {
                **status_data("completed", datetime.date(2025, 3, 14)),
                "version": str(enrolment.version),
            },
        )
        self.assertRedirects(response, self.url)
        completion = Completion.objects.get()
        self.assertEqual(
            (completion.level, completion.completed_on, completion.unit),
            (self.level, datetime.date(2025, 3, 14), self.team),
        )
        self.client.post(f"{BASE}enrolments/{enrolment.pk}/", status_data("withdrawn"))
        self.assertFalse(Completion.objects.exists())
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, Enrolment.Status.WITHDRAWN)

    def test_completion_errors(self) -> None:
        enrolment = make_enrolment(self.cohort, self.sam)
        self.sign_in(self.qi_lead)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        for data, message in (
            (status_data("completed"), "Enter the date the person completed it."),
            (
                status_data("completed", tomorrow),
                "The completion date cannot be in the future.",
            ),
            (
                status_data("completed", datetime.date(2024, 12, 31)),
                "The cohort started on 6 January 2025",
            ),
            (
                status_data("withdrawn", datetime.date(2025, 3, 1)),
                "Only a completed enrolment has a completion date",
            ),
            (status_data("passed"), "Select a valid choice"),
        ):
            with self.subTest(data=data):
                response = self.client.post(f"{BASE}enrolments/{enrolment.pk}/", data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertFalse(Completion.objects.exists())

    def test_a_stale_completion_is_caught(self) -> None:
        enrolment = make_enrolment(self.cohort, self.sam)
        stale = enrolment.version
        Enrolment.objects.get(pk=enrolment.pk).save()
        self.sign_in(self.qi_lead)
        response = self.client.post(
            f"{BASE}enrolments/{enrolment.pk}/",
            {
                **status_data("completed", datetime.date(2025, 3, 14)),
                "version": str(stale),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Saved by someone else", response.content.decode())
        self.assertFalse(Completion.objects.exists())


class TargetPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.level = make_level(cls.org, name="Improvement coach")

    def test_a_ratio_target_for_a_unit_and_staff_group(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(
            BASE + "targets/new/",
            target_data(
                self.level,
                kind="ratio",
                value="200",
                unit=str(self.division.pk),
                staff_group="nursing",
            ),
        )
        self.assertRedirects(response, BASE + "targets/")
        target = Target.objects.get()
        self.assertEqual(
            (target.kind, target.value, target.unit),
            ("ratio", Decimal("200"), self.division),
        )
        self.sign_in(self.viewer)
        page = self.client.get(BASE + "targets/").content.decode()
        self.assertIn("One per 200 staff", page)
        self.assertIn("Medicine", page)
        self.assertIn("Nursing and midwifery", page)

    def test_target_errors(self) -> None:
        make_target(self.org, level=self.level, due_on=datetime.date(2027, 3, 31))
        other_unit_level = make_level(self.other_org)
        self.sign_in(self.editor)
        for overrides, message in (
            ({"value": "0"}, "Enter a share between 0.1 and 100 per cent."),
            ({"value": "101"}, "Enter a share between 0.1 and 100 per cent."),
            ({"value": "72.55"}, "one decimal place"),
            ({"kind": "ratio", "value": "0"}, "between 1 and 100,000"),
            ({"kind": "ratio", "value": "20.5"}, "whole number of staff"),
            ({"kind": "ratio", "value": "1,000,000"}, "between 1 and 100,000"),
            ({"value": "nan"}, "Enter a number"),
            ({"value": ""}, "Enter the target, for example 80 or 20."),
            (
                date_parts("due_on", datetime.date(2025, 1, 1)),
                "The date due must be after the start date.",
            ),
            (date_parts("due_on", datetime.date(2150, 1, 1)), "between 1990 and 2099"),
            ({"level": str(other_unit_level.pk)}, "Select a valid choice"),
            ({"staff_group": "surgeons"}, "Select a valid choice"),
            (
                date_parts("starts_on", datetime.date(2025, 6, 1)),
                "There is already a target for Improvement coach",
            ),
        ):
            with self.subTest(overrides):
                response = self.client.post(
                    BASE + "targets/new/", target_data(self.level, **overrides)
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertEqual(Target.objects.count(), 1)

    def test_change_with_a_stale_version_then_delete(self) -> None:
        target = make_target(self.org, level=self.level)
        stale = target.version
        Target.objects.get(pk=target.pk).save()
        self.sign_in(self.qi_lead)
        response = self.client.post(
            f"{BASE}targets/{target.pk}/edit/",
            {**target_data(self.level, value="90"), "version": str(stale)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Saved by someone else", response.content.decode())
        target.refresh_from_db()
        self.assertEqual(target.value, Decimal("80"))
        response = self.client.post(f"{BASE}targets/{target.pk}/delete/")
        self.assertRedirects(response, BASE + "targets/")
        self.assertFalse(Target.objects.exists())


class TrainingRecordPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        level = make_level(cls.org, name="Practitioner")
        cohort = make_cohort(make_programme(cls.org, level=level))
        cls.sam = make_staff(
            cls.org,
            reference="10234567",
            email="sam.jones@example.nhs.uk",
            unit=cls.team,
        )
        enrolment = make_enrolment(cohort, cls.sam)
        enrolment.status = Enrolment.Status.COMPLETED
        enrolment.completed_on = datetime.date(2025, 2, 1)
        enrolment.save()
        Completion.objects.create(
            level=level,
            completed_on=datetime.date(2025, 2, 1),
            staff_record=cls.sam,
            unit=cls.team,
            staff_group=cls.sam.staff_group,
            enrolment=enrolment,
        )
        cls.record_url = f"{BASE}staff/{cls.sam.pk}/"

    def test_the_qi_team_finds_a_record_by_e_mail(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.get(
            BASE + "staff/", {"person": "Sam.Jones@example.nhs.uk"}
        )
        self.assertRedirects(response, self.record_url)
        page = self.client.get(self.record_url).content.decode()
        self.assertIn("sam.jones@example.nhs.uk", page)
        self.assertIn("Practitioner", page)
        self.assertNotIn("Erase this training record", page)  # administrators only

    def test_an_unknown_person_is_an_error(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.get(BASE + "staff/", {"person": "10000000"})
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "No staff record has the employee number 10000000",
            response.content.decode(),
        )

    def test_an_administrator_erases_after_confirming(self) -> None:
        self.sign_in(self.editor)
        self.assertIn(
            "Erase this training record",
            self.client.get(self.record_url).content.decode(),
        )
        response = self.client.post(self.record_url + "erase/", {})
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Confirm that the person has asked for their training record to be erased.",
            response.content.decode(),
        )
        self.assertTrue(Enrolment.objects.filter(staff_record=self.sam).exists())
        response = self.client.post(
            self.record_url + "erase/", {"confirm": "true"}, follow=True
        )
        page = response.content.decode()
        self.assertIn("1 enrolment deleted, 1 completion is still counted", page)
        self.assertFalse(Enrolment.objects.filter(staff_record=self.sam).exists())
        self.assertEqual(
            Completion.objects.filter(staff_record__isnull=True).count(), 1
        )
        self.assertNotIn("sam.jones@", page)

    def test_the_qi_team_may_not_erase(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(self.record_url + "erase/", {"confirm": "true"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Enrolment.objects.filter(staff_record=self.sam).exists())


class OverviewPageTests(BaseTestCase):
    def test_every_member_sees_the_overview_and_the_header_links_it(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(BASE)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Improvement capability", page)
        self.assertIn("6 levels", page)
        self.assertIn(f'href="{BASE}"', page)
        self.assertNotIn("Find a person", page)
