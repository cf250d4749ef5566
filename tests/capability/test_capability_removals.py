"""Recording a completion on a person's training record page, removing one entered
wrongly, and deleting a programme or a cohort nothing uses (pages and API):
happy paths, refusals that say what uses it, and changes made meanwhile."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from openqi.audit.models import AuditEvent
from openqi.capability.models import Cohort, Completion, Enrolment, Programme
from openqi.capability.removal_forms import CHANGED_MEANWHILE
from tests.api.base import ApiTestCase
from tests.base import BaseTestCase
from tests.capability.helpers import (
    date_parts,
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
)
from tests.capability.routes_removals import make_completion

BASE = "/organisations/northfield/capability/"


def _completed(enrolment: Enrolment, day: datetime.date) -> Completion:
    """Mark the enrolment completed, with the completion it records."""
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_on = day
    enrolment.save()
    cohort = enrolment.cohort
    return Completion.objects.create(
        level=cohort.programme.level,
        completed_on=day,
        staff_record=enrolment.staff_record,
        programme=cohort.programme,
        cohort=cohort,
        enrolment=enrolment,
    )


def _deleted(model: str, pk: int) -> bool:
    return AuditEvent.objects.filter(
        model=model, object_pk=str(pk), action=AuditEvent.Action.DELETE
    ).exists()


class RecordCompletionPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.aware = make_level(cls.org, name="Aware")
        cls.coach = make_level(cls.org, name="Coach")
        cls.coaching = make_programme(cls.org, level=cls.coach, name="Coaching")
        cls.sam = make_staff(
            cls.org, reference="10234567", unit=cls.team, staff_group="ahp"
        )
        cls.record_url = f"{BASE}staff/{cls.sam.pk}/"

    def _post(self, **overrides: Any) -> Any:
        data = {
            "level": str(self.aware.pk),
            "programme": "",
            **date_parts("completed_on", datetime.date(2025, 3, 1)),
            **overrides,
        }
        return self.client.post(self.record_url + "completions/", data)

    def test_the_qi_team_records_one_on_the_person_s_page(self) -> None:
        self.sign_in(self.qi_lead)
        page = self.client.get(self.record_url).content.decode()
        self.assertIn("Record a completion", page)
        response = self._post()
        self.assertEqual(response["Location"], self.record_url + "#completions")
        completion = Completion.objects.get(staff_record=self.sam)
        self.assertEqual(
            (completion.level, completion.unit, completion.staff_group),
            (self.aware, self.team, "ahp"),
        )
        self.assertIsNone(completion.enrolment)
        page = self.client.get(self.record_url).content.decode()
        self.assertIn("10234567 completed Aware on 1 March 2025.", page)
        self.assertIn(
            reverse(
                "capability:completion_delete",
                kwargs={"slug": "northfield", "pk": completion.pk},
            ),
            page,
        )

    def test_the_api_s_checks_re_show_the_page_with_the_error(self) -> None:
        self.sign_in(self.qi_lead)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        cases = [
            ({"level": ""}, "Choose the level the person reached."),
            (
                {"programme": str(self.coaching.pk)},
                "Coaching confers Coach, not Aware: choose that level, or another programme.",
            ),
            (date_parts("completed_on", tomorrow), "cannot be in the future"),
            (
                date_parts("completed_on", datetime.date(1985, 1, 1)),
                "must be between 1990 and 2099",
            ),
            ({"level": "99999"}, "Choose one of the framework"),
        ]
        for overrides, message in cases:
            with self.subTest(message=message):
                response = self._post(**overrides)
                self.assertEqual(response.status_code, 200)
                page = response.content.decode()
                self.assertIn(message, page)
                self.assertIn("There is a problem", page)
        self.assertFalse(Completion.objects.exists())
        self._post(programme=str(make_programme(self.org, level=self.aware).pk))
        again = self._post()
        self.assertIn(
            "10234567 already has a completion of Aware on 1 March 2025.",
            again.content.decode(),
        )
        self.assertEqual(Completion.objects.count(), 1)

    def test_another_organisation_s_level_or_person_is_not_taken(self) -> None:
        from tests.base import make_organisation

        elsewhere = make_organisation()
        self.sign_in(self.qi_lead)
        response = self._post(level=str(make_level(elsewhere).pk))
        self.assertIn("Choose one of the framework", response.content.decode())
        stranger = make_staff(elsewhere)
        response = self.client.post(f"{BASE}staff/{stranger.pk}/completions/", {})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Completion.objects.exists())


class RemoveCompletionPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.level = make_level(cls.org, name="Practitioner")
        cls.sam = make_staff(cls.org, reference="10234567")
        cls.record_url = f"{BASE}staff/{cls.sam.pk}/"

    def test_a_completion_entered_by_hand_is_removed_after_confirming(self) -> None:
        completion = make_completion(
            self.org,
            staff_record=self.sam,
            level=self.level,
            completed_on=datetime.date(2025, 2, 3),
        )
        url = f"{BASE}completions/{completion.pk}/delete/"
        self.sign_in(self.qi_lead)
        page = self.client.get(url).content.decode()
        self.assertIn("Remove this completion", page)
        self.assertIn("Training record of 10234567", page)
        self.assertTrue(Completion.objects.filter(pk=completion.pk).exists())
        response = self.client.post(url, {"version": "1"}, follow=True)
        self.assertRedirects(response, self.record_url + "#completions")
        self.assertIn(
            "The completion of Practitioner on 3 February 2025 is removed from the "
            "training record of 10234567.",
            response.content.decode(),
        )
        self.assertFalse(Completion.objects.filter(pk=completion.pk).exists())
        self.assertTrue(_deleted("capability.Completion", completion.pk))

    def test_one_an_enrolment_recorded_is_refused_with_the_enrolment_to_change(
        self,
    ) -> None:
        cohort = make_cohort(make_programme(self.org, level=self.level))
        enrolment = make_enrolment(cohort, self.sam)
        completion = _completed(enrolment, datetime.date(2025, 2, 3))
        self.sign_in(self.qi_lead)
        record = self.client.get(self.record_url).content.decode()
        self.assertIn(f"{BASE}enrolments/{enrolment.pk}/", record)
        self.assertNotIn(f"completions/{completion.pk}/delete/", record)
        url = f"{BASE}completions/{completion.pk}/delete/"
        for response in (self.client.get(url), self.client.post(url, {})):
            page = response.content.decode()
            self.assertEqual(response.status_code, 200)
            self.assertIn("change that enrolment", page)
            self.assertIn(f"{BASE}enrolments/{enrolment.pk}/", page)
            self.assertNotIn("Remove the completion</button>", page)
        self.assertTrue(Completion.objects.filter(pk=completion.pk).exists())

    def test_a_change_made_meanwhile_stops_the_removal_once(self) -> None:
        completion = make_completion(self.org, staff_record=self.sam, level=self.level)
        completion.completed_on = datetime.date(2025, 1, 9)
        completion.save()  # version 2 now
        url = f"{BASE}completions/{completion.pk}/delete/"
        self.sign_in(self.qi_lead)
        response = self.client.post(url, {"version": "1"})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn(CHANGED_MEANWHILE.replace("'", "&#x27;")[:60], page)
        self.assertIn("9 January 2025", page)
        self.assertIn('value="2"', page)
        self.assertTrue(Completion.objects.filter(pk=completion.pk).exists())
        self.client.post(url, {"version": "2"})
        self.assertFalse(Completion.objects.filter(pk=completion.pk).exists())

    def test_an_erased_person_s_completion_has_no_page(self) -> None:
        completion = make_completion(self.org, staff_record=None, level=self.level)
        self.sign_in(self.qi_lead)
        response = self.client.get(f"{BASE}completions/{completion.pk}/delete/")
        self.assertEqual(response.status_code, 404)


class DeleteProgrammeAndCohortPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.level = make_level(cls.org, name="Practitioner")

    def test_an_unused_programme_goes_with_its_empty_cohorts(self) -> None:
        programme = make_programme(self.org, level=self.level, name="Foundations")
        cohort = make_cohort(programme)
        self.sign_in(self.qi_lead)
        here = f"{BASE}programmes/{programme.pk}/"
        self.assertIn("Delete this programme", self.client.get(here).content.decode())
        page = self.client.get(here + "delete/").content.decode()
        self.assertIn("Delete Foundations", page)
        self.assertIn("1 (no one enrolled)", page)
        self.assertIn("Delete the programme</button>", page)
        response = self.client.post(here + "delete/", {"version": "1"}, follow=True)
        self.assertRedirects(response, f"{BASE}programmes/")
        self.assertIn("Programme Foundations deleted.", response.content.decode())
        self.assertFalse(Programme.objects.filter(pk=programme.pk).exists())
        self.assertFalse(Cohort.objects.filter(pk=cohort.pk).exists())
        self.assertTrue(_deleted("capability.Programme", programme.pk))
        self.assertTrue(_deleted("capability.Cohort", cohort.pk))

    def test_a_programme_in_use_says_what_uses_it_and_stays(self) -> None:
        programme = make_programme(self.org, level=self.level, name="Foundations")
        cohort = make_cohort(programme)
        make_enrolment(cohort, make_staff(self.org))
        make_completion(self.org, level=self.level, programme=programme)
        make_completion(self.org, level=self.level, programme=programme)
        url = f"{BASE}programmes/{programme.pk}/delete/"
        self.sign_in(self.qi_lead)
        message = (
            "Foundations cannot be deleted: 1 enrolment and 2 completions use it. It "
            "stays on the training records of the people who took it: change its "
            "details instead, or keep it."
        )
        for response in (self.client.get(url), self.client.post(url, {"version": "1"})):
            page = response.content.decode()
            self.assertIn(message, page)
            self.assertNotIn("Delete the programme</button>", page)
        self.assertTrue(Programme.objects.filter(pk=programme.pk).exists())
        self.assertTrue(Cohort.objects.filter(pk=cohort.pk).exists())

    def test_a_programme_changed_meanwhile_is_shown_again(self) -> None:
        programme = make_programme(self.org, level=self.level, name="Foundations")
        programme.name = "Foundations of improvement"
        programme.save()
        url = f"{BASE}programmes/{programme.pk}/delete/"
        self.sign_in(self.qi_lead)
        response = self.client.post(url, {"version": "1"})
        page = response.content.decode()
        self.assertIn("Someone else changed this after you opened this page", page)
        self.assertIn("Delete Foundations of improvement", page)
        self.assertTrue(Programme.objects.filter(pk=programme.pk).exists())
        self.client.post(url, {"version": "2"})
        self.assertFalse(Programme.objects.filter(pk=programme.pk).exists())

    def test_an_unused_cohort_is_deleted_and_one_in_use_stays(self) -> None:
        programme = make_programme(self.org, level=self.level, name="Foundations")
        empty = make_cohort(programme, name="Autumn 2025")
        used = make_cohort(programme, name="Spring 2025")
        make_completion(self.org, level=self.level, staff_record=None, cohort=used)
        self.sign_in(self.qi_lead)
        here = f"{BASE}cohorts/{empty.pk}/"
        self.assertIn("Delete this cohort", self.client.get(here).content.decode())
        self.assertIn(
            "Delete the cohort</button>",
            self.client.get(here + "delete/").content.decode(),
        )
        response = self.client.post(here + "delete/", {"version": "1"}, follow=True)
        self.assertRedirects(response, f"{BASE}programmes/{programme.pk}/")
        self.assertIn("Cohort Autumn 2025 deleted.", response.content.decode())
        self.assertFalse(Cohort.objects.filter(pk=empty.pk).exists())
        self.assertTrue(_deleted("capability.Cohort", empty.pk))
        response = self.client.post(f"{BASE}cohorts/{used.pk}/delete/", {})
        self.assertIn(
            "Spring 2025 cannot be deleted: 1 completion use it.",
            response.content.decode(),
        )
        self.assertTrue(Cohort.objects.filter(pk=used.pk).exists())

    def test_a_viewer_sees_no_delete_links(self) -> None:
        programme = make_programme(self.org, level=self.level)
        cohort = make_cohort(programme)
        self.sign_in(self.viewer)
        for url in (f"{BASE}programmes/{programme.pk}/", f"{BASE}cohorts/{cohort.pk}/"):
            self.assertNotIn("/delete/", self.client.get(url).content.decode())

    def test_an_odd_version_is_an_error_not_a_500(self) -> None:
        programme = make_programme(self.org, level=self.level)
        self.sign_in(self.qi_lead)
        for odd in ("abc", "0", "99999999999999999999"):
            with self.subTest(odd=odd):
                response = self.client.post(
                    f"{BASE}programmes/{programme.pk}/delete/", {"version": odd}
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("There is a problem", response.content.decode())
        self.assertTrue(Programme.objects.filter(pk=programme.pk).exists())


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:capability-{name}", kwargs={"slug": "northfield", **kwargs})


class RemovalApiTests(ApiTestCase):
    def test_an_unused_programme_is_deleted_and_one_in_use_is_a_409(self) -> None:
        level = make_level(self.org, name="Practitioner")
        spare = make_programme(self.org, level=level)
        make_cohort(spare)
        response = self.call(
            "delete", _url("programme", programme_id=spare.pk), self.qi_lead
        )
        self.assertEqual(response.status_code, 204, response.content)
        self.assertFalse(Programme.objects.filter(pk=spare.pk).exists())
        used = make_programme(self.org, level=level, name="Foundations")
        make_enrolment(make_cohort(used), make_staff(self.org))
        body = self.assert_error(
            self.call("delete", _url("programme", programme_id=used.pk), self.editor),
            409,
        )
        self.assertEqual(
            body["error"],
            "Foundations cannot be deleted: 1 enrolment use it. It stays on the "
            "training records of the people who took it: change its details "
            "instead, or keep it.",
        )
        self.assert_error(
            self.call("delete", _url("programme", programme_id=used.pk), self.member),
            403,
        )
        self.assertTrue(Programme.objects.filter(pk=used.pk).exists())

    def test_if_match_with_an_older_version_is_a_412(self) -> None:
        programme = make_programme(self.org)
        cohort = make_cohort(programme)
        cohort.name = "Renamed"
        cohort.save()
        url = _url("cohort", cohort_id=cohort.pk)
        self.assert_error(
            self.call("delete", url, self.qi_lead, HTTP_IF_MATCH='"1"'), 412
        )
        self.assertTrue(Cohort.objects.filter(pk=cohort.pk).exists())
        response = self.call("delete", url, self.qi_lead, HTTP_IF_MATCH='"2"')
        self.assertEqual(response.status_code, 204, response.content)
        self.assertFalse(Cohort.objects.filter(pk=cohort.pk).exists())

    def test_a_cohort_in_use_is_a_409(self) -> None:
        cohort = make_cohort(make_programme(self.org), name="Spring 2025")
        make_enrolment(cohort, make_staff(self.org))
        body = self.assert_error(
            self.call("delete", _url("cohort", cohort_id=cohort.pk), self.qi_lead),
            409,
        )
        self.assertIn(
            "Spring 2025 cannot be deleted: 1 enrolment use it.", body["error"]
        )

    def test_a_completion_entered_by_hand_is_removed_not_one_an_enrolment_made(
        self,
    ) -> None:
        by_hand = make_completion(self.org)
        erased = make_completion(self.org, staff_record=None)
        cohort = make_cohort(make_programme(self.org))
        made = _completed(
            make_enrolment(cohort, make_staff(self.org)), datetime.date(2025, 2, 3)
        )
        for completion in (by_hand, erased):
            response = self.call(
                "delete",
                _url("completion", completion_id=completion.pk),
                self.qi_lead,
            )
            self.assertEqual(response.status_code, 204, response.content)
            self.assertFalse(Completion.objects.filter(pk=completion.pk).exists())
        body = self.assert_error(
            self.call("delete", _url("completion", completion_id=made.pk), self.editor),
            409,
        )
        self.assertIn("change that enrolment's status instead", body["error"])
        self.assertTrue(Completion.objects.filter(pk=made.pk).exists())
        missing = self.assert_error(
            self.call(
                "delete", _url("completion", completion_id=by_hand.pk), self.editor
            ),
            404,
        )
        self.assertIn("capability/completions lists them", missing["error"])
        event = AuditEvent.objects.get(
            model="capability.Completion",
            object_pk=str(by_hand.pk),
            action=AuditEvent.Action.DELETE,
        )
        self.assertEqual(event.via, "api")
