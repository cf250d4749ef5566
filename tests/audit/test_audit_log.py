from __future__ import annotations

import datetime

from django.utils import timezone

from openqi.audit.models import AuditEvent
from openqi.audit.services import acting_as
from openqi.organisations.models import Role
from tests.base import BaseTestCase
from tests.factories import make_member, make_unit


class AuditLogTests(BaseTestCase):
    url = "/organisations/northfield/audit/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with acting_as(cls.editor, "web"):
            cls.team.name = "Emergency department (adults)"
            cls.team.save()
            cls.renal = make_unit(cls.org, name="Renal", parent=cls.directorate)
        with acting_as(cls.viewer, "api"):
            cls.renal.delete()
        make_unit(cls.other_org, name="Southmere secret ward")

    def test_editor_sees_changes_newest_first_with_before_and_after(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Emergency department → Emergency department (adults)", page)
        self.assertIn("Ada Editor", page)
        self.assertIn("(via api)", page)
        self.assertLess(
            page.index("Deleted"), page.index("Emergency department (adults)")
        )
        self.assertNotIn("Southmere secret ward", page)

    def test_foreign_keys_and_choices_are_shown_in_words(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(
            self.url + "?model=organisations.Unit&action=create"
        ).content.decode()
        self.assertIn("<strong>Parent</strong>: Emergency care", page)
        self.assertIn("<strong>Level</strong>: Team", page)
        self.assertNotIn("<strong>Id</strong>", page)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_members_other_than_administrators_get_403(self) -> None:
        for role in (Role.QI_TEAM, Role.PROJECT_LEAD, Role.MEMBER):
            with self.subTest(role=role):
                self.sign_in(make_member(self.org, role))
                self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_filter_by_model_action_and_person(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(
            self.url,
            {
                "model": "organisations.Unit",
                "action": "delete",
                "person": self.viewer.pk,
            },
        ).content.decode()
        self.assertIn("Showing 1 to 1 of 1 change matching the filters", page)
        self.assertIn("Unit: Renal", page)
        page = self.client.get(self.url, {"person": self.editor.pk}).content.decode()
        self.assertIn("Showing 1 to 2 of 2 changes", page)
        self.assertNotIn("(via api)", page)

    def test_filter_by_date_range(self) -> None:
        old = AuditEvent.objects.for_organisation(self.org).get(action="delete")
        moved = timezone.now() - datetime.timedelta(days=40)
        AuditEvent.objects.filter(pk=old.pk).update(at=moved)
        self.sign_in(self.editor)
        # The local date of the moved event (not today's minus 40: near midnight
        # a change of summer time moves the day).
        day = timezone.localdate(moved)
        page = self.client.get(
            self.url,
            {
                "date_from_day": day.day,
                "date_from_month": day.month,
                "date_from_year": day.year,
                "date_to_day": day.day,
                "date_to_month": day.month,
                "date_to_year": day.year,
            },
        ).content.decode()
        self.assertIn("Showing 1 to 1 of 1 change", page)
        self.assertIn("Unit: Renal", page)

    def test_bad_filters_are_shown_as_errors(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(
            self.url,
            {
                "action": "explode",
                "date_from_day": "2",
                "date_from_month": "3",
                "date_from_year": "2025",
                "date_to_day": "1",
                "date_to_month": "3",
                "date_to_year": "2025",
            },
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn("The end date must be on or after the start date.", page)
        self.assertIn("Select a valid choice", page)

    def test_unknown_person_in_filter_is_an_error_not_a_leak(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url, {"person": self.outsider.pk}).content.decode()
        self.assertIn("Select a valid choice", page)

    def test_pages_of_fifty_keep_the_filters(self) -> None:
        with acting_as(self.editor, "web"):
            for n in range(60):
                self.division.name = f"Medicine {n}"
                self.division.save()
        self.sign_in(self.editor)
        page = self.client.get(self.url, {"action": "update"}).content.decode()
        self.assertIn("Showing 1 to 50 of 61 changes", page)
        self.assertIn("action=update&amp;page=2", page)
        page = self.client.get(
            self.url, {"action": "update", "page": 2}
        ).content.decode()
        self.assertIn("Showing 51 to 61 of 61 changes", page)
        self.assertIn("Emergency department (adults)", page)


class AuditEventTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with acting_as(cls.editor, "web"):
            cls.team.name = "Emergency department (adults)"
            cls.team.save()
        cls.event = AuditEvent.objects.for_organisation(cls.org).get(action="update")
        cls.url = f"/organisations/northfield/audit/{cls.event.pk}/"

    def test_editor_sees_every_field_before_and_after(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Updated unit: Emergency department (adults)", page)
        self.assertIn("<strong>Emergency department</strong>", page)
        self.assertIn("<strong>Emergency department (adults)</strong>", page)
        self.assertIn("Emergency care", page)  # the unchanged parent, by name

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_outsider_gets_404_even_through_their_own_organisation(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        response = self.client.get(f"/organisations/southmere/audit/{self.event.pk}/")
        self.assertEqual(response.status_code, 404)
