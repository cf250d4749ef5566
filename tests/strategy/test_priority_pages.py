from __future__ import annotations

import datetime

from openqi.organisations.models import Role
from openqi.strategy.models import StrategicPriority
from openqi.strategy.services import priorities_for
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import make_measure, make_priority, make_project


def priority_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Zero avoidable deaths",
        "description": "Learning from every death.",
        "period_start_day": "1",
        "period_start_month": "4",
        "period_start_year": "2025",
        "period_end_day": "31",
        "period_end_month": "3",
        "period_end_year": "2028",
        "headline_measure": "",
        "position": "2",
    }
    data.update(overrides)
    return data


class PriorityListTests(BaseTestCase):
    url = "/organisations/northfield/priorities/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.measure = make_measure(cls.org, name="Falls with harm per 1,000 bed days")
        cls.falls = make_priority(
            cls.org,
            title="Reduce harm from falls",
            period_end=datetime.date(2028, 3, 31),
            headline_measure=cls.measure,
        )
        cls.flow = make_priority(cls.org, title="Timely care", position=2)
        for title in ("Night falls", "Falls in care homes"):
            make_project(cls.org, title=title).priorities.add(cls.falls)
        make_priority(cls.other_org, title="Southmere only priority")

    def test_editor_sees_each_priority_with_period_measure_and_project_count(
        self,
    ) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Reduce harm from falls", page)
        self.assertIn("1 April 2025 to 31 March 2028", page)
        self.assertIn("From 1 April 2025", page)
        self.assertIn("Falls with harm per 1,000 bed days", page)
        self.assertIn(f"?priority={self.falls.pk}", page)
        self.assertIn("Add a priority", page)
        self.assertLess(page.index("Reduce harm from falls"), page.index("Timely care"))
        self.assertNotIn("Southmere only priority", page)

    def test_the_count_counts_linked_projects(self) -> None:
        rows = {p.title: p.project_count for p in priorities_for(self.org)}
        self.assertEqual(rows, {"Reduce harm from falls": 2, "Timely care": 0})

    def test_viewer_reads_without_the_change_links(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Reduce harm from falls", page)
        self.assertNotIn("Add a priority", page)
        self.assertNotIn(f"/priorities/{self.falls.pk}/", page)

    def test_plain_member_reads_without_the_change_links(self) -> None:
        self.sign_in(make_member(self.org, Role.PROJECT_LEAD))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Add a priority", response.content.decode())

    def test_qi_team_sees_the_change_links(self) -> None:
        self.sign_in(make_member(self.org, Role.QI_TEAM))
        page = self.client.get(self.url).content.decode()
        self.assertIn("Add a priority", page)
        self.assertIn(f"/priorities/{self.falls.pk}/", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class PriorityCreateTests(BaseTestCase):
    url = "/organisations/northfield/priorities/new/"

    def test_editor_adds_a_priority(self) -> None:
        self.sign_in(self.editor)
        measure = make_measure(self.org)
        response = self.client.post(
            self.url, priority_data(headline_measure=str(measure.pk))
        )
        self.assertRedirects(response, "/organisations/northfield/priorities/")
        priority = StrategicPriority.objects.get(title="Zero avoidable deaths")
        self.assertEqual(priority.organisation, self.org)
        self.assertEqual(priority.period_start, datetime.date(2025, 4, 1))
        self.assertEqual(priority.period_end, datetime.date(2028, 3, 31))
        self.assertEqual(priority.headline_measure, measure)

    def test_qi_team_adds_a_priority(self) -> None:
        self.sign_in(make_member(self.org, Role.QI_TEAM))
        self.assertEqual(self.client.post(self.url, priority_data()).status_code, 302)
        self.assertTrue(
            StrategicPriority.objects.filter(organisation=self.org).exists()
        )

    def test_project_lead_and_member_get_403(self) -> None:
        for role in (Role.PROJECT_LEAD, Role.MEMBER):
            self.sign_in(make_member(self.org, role))
            self.assertEqual(self.client.get(self.url).status_code, 403)
            self.assertEqual(
                self.client.post(self.url, priority_data()).status_code, 403
            )
        self.assertFalse(StrategicPriority.objects.exists())

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, priority_data()).status_code, 403)
        self.assertFalse(StrategicPriority.objects.exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, priority_data()).status_code, 404)
        self.assertFalse(StrategicPriority.objects.exists())

    def test_bad_input_reshows_the_form_and_saves_nothing(self) -> None:
        self.sign_in(self.editor)
        make_priority(self.org, title="Zero avoidable deaths")
        other_measure = make_measure(self.other_org, name="Southmere measure")
        cases = [
            ({"title": ""}, "Enter the priority."),
            ({"title": "zero AVOIDABLE deaths"}, "already a priority called"),
            ({"title": "New", "period_end_year": "2024"}, "must end after it starts"),
            ({"title": "New", "period_start_month": "13"}, "Enter a real date"),
            (
                {"title": "New", "headline_measure": str(other_measure.pk)},
                "Select a valid choice",
            ),
        ]
        for overrides, message in cases:
            with self.subTest(overrides):
                response = self.client.post(self.url, priority_data(**overrides))
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertEqual(StrategicPriority.objects.count(), 1)

    def test_the_headline_measure_offers_only_this_organisations_measures(self) -> None:
        make_measure(self.org, name="Northfield measure")
        make_measure(self.other_org, name="Southmere measure")
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Northfield measure", page)
        self.assertNotIn("Southmere measure", page)


class PriorityEditDeleteTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.priority = make_priority(cls.org)
        cls.project = make_project(cls.org)
        cls.project.priorities.add(cls.priority)
        cls.edit_url = f"/organisations/northfield/priorities/{cls.priority.pk}/"
        cls.delete_url = f"{cls.edit_url}delete/"

    def test_editor_changes_a_priority(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.edit_url).content.decode()
        self.assertIn("Change Reduce harm from falls", page)
        response = self.client.post(
            self.edit_url,
            priority_data(title="Reduce harm from falls and pressure ulcers"),
        )
        self.assertRedirects(response, "/organisations/northfield/priorities/")
        self.priority.refresh_from_db()
        self.assertEqual(
            self.priority.title, "Reduce harm from falls and pressure ulcers"
        )

    def test_keeping_the_same_title_is_not_a_duplicate(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.edit_url, priority_data(title="Reduce harm from falls")
        )
        self.assertEqual(response.status_code, 302)

    def test_editor_deletes_a_priority_and_the_projects_stay(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.delete_url)
        self.assertRedirects(response, "/organisations/northfield/priorities/")
        self.assertFalse(StrategicPriority.objects.filter(pk=self.priority.pk).exists())
        self.assertEqual(list(self.project.priorities.all()), [])

    def test_delete_needs_post(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.delete_url).status_code, 405)

    def test_viewer_and_member_get_403(self) -> None:
        for user in (self.viewer, make_member(self.org, Role.MEMBER)):
            self.sign_in(user)
            self.assertEqual(self.client.get(self.edit_url).status_code, 403)
            self.assertEqual(
                self.client.post(self.edit_url, priority_data()).status_code, 403
            )
            self.assertEqual(self.client.post(self.delete_url).status_code, 403)
        self.priority.refresh_from_db()
        self.assertEqual(self.priority.title, "Reduce harm from falls")

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.edit_url).status_code, 404)
        self.assertEqual(self.client.post(self.delete_url).status_code, 404)
        self.assertTrue(StrategicPriority.objects.filter(pk=self.priority.pk).exists())

    def test_another_organisations_priority_is_404(self) -> None:
        theirs = make_priority(self.other_org)
        self.sign_in(self.editor)
        url = f"/organisations/northfield/priorities/{theirs.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(f"{url}delete/").status_code, 404)
