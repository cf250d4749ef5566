from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from openqi.organisations.models import Role
from openqi.projects.models import ProgressRating
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.projects.project_helpers import make_project


def rating_data(**overrides: str) -> dict[str, str]:
    data = {
        "score": "3.0",
        "rated_by": "team",
        "rated_on_day": "2",
        "rated_on_month": "6",
        "rated_on_year": "2025",
        "comment": "First signs of improvement in the run chart.",
    }
    data.update(overrides)
    return data


class RateTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lead = make_member(cls.org, Role.PROJECT_LEAD)
        cls.team_member = make_member(cls.org, Role.MEMBER)
        cls.qi_coach = make_member(cls.org, Role.QI_TEAM)
        cls.project = make_project(cls.org, lead=cls.lead)
        cls.project.team.add(cls.team_member)
        cls.url = f"/organisations/northfield/projects/{cls.project.pk}/ratings/new/"

    def test_editor_sees_the_scale_with_meanings_and_both_sources(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("0.5 – Intent to participate", page)
        self.assertIn("5.0 – Outstanding sustainable results", page)
        self.assertIn("initial signs of improvement", page)
        self.assertIn('value="team"', page)
        self.assertIn('value="coach"', page)
        today = timezone.localdate()
        self.assertIn(f'value="{today.year}"', page)

    def test_editor_adds_a_coach_rating(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, rating_data(rated_by="coach"))
        self.assertRedirects(
            response,
            f"/organisations/northfield/projects/{self.project.pk}/#progress",
            fetch_redirect_response=False,
        )
        rating = ProgressRating.objects.get()
        self.assertEqual(rating.score, Decimal("3.0"))
        self.assertEqual(rating.rated_by, "coach")
        self.assertEqual(rating.rated_on, datetime.date(2025, 6, 2))
        self.assertEqual(rating.rater, self.editor)

    def test_ratings_are_kept_as_history(self) -> None:
        self.sign_in(self.lead)
        self.client.post(self.url, rating_data(score="2.0"))
        self.client.post(self.url, rating_data(score="2.5", rated_on_day="9"))
        self.assertEqual(
            [r.score for r in ProgressRating.objects.all()],
            [Decimal("2.5"), Decimal("2.0")],
        )

    def test_the_lead_and_team_give_the_team_rating_only(self) -> None:
        for user in (self.lead, self.team_member):
            self.sign_in(user)
            page = self.client.get(self.url).content.decode()
            self.assertNotIn('value="coach"', page)
            self.assertEqual(self.client.post(self.url, rating_data()).status_code, 302)
            response = self.client.post(self.url, rating_data(rated_by="coach"))
            self.assertEqual(response.status_code, 200)
            self.assertIn("Select a valid choice", response.content.decode())
        self.assertEqual(
            list(ProgressRating.objects.values_list("rated_by", flat=True)),
            ["team", "team"],
        )

    def test_the_qi_team_gives_either_rating(self) -> None:
        self.sign_in(self.qi_coach)
        self.assertEqual(
            self.client.post(self.url, rating_data(rated_by="coach")).status_code, 302
        )
        self.assertEqual(self.client.post(self.url, rating_data()).status_code, 302)

    def test_a_member_off_the_team_gets_403(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, rating_data()).status_code, 403)
        self.assertFalse(ProgressRating.objects.exists())

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, rating_data()).status_code, 403)
        self.assertFalse(ProgressRating.objects.exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, rating_data()).status_code, 404)

    def test_bad_input_reshows_the_form(self) -> None:
        self.sign_in(self.editor)
        future = timezone.localdate() + datetime.timedelta(days=3)
        cases = [
            ({"score": ""}, "Choose a level of the progress scale."),
            ({"score": "3.3"}, "Select a valid choice"),
            ({"score": "6"}, "Select a valid choice"),
            ({"rated_by": ""}, "Say whose rating this is."),
            ({"rated_on_day": "31", "rated_on_month": "2"}, "Enter a real date"),
            (
                {
                    "rated_on_day": str(future.day),
                    "rated_on_month": str(future.month),
                    "rated_on_year": str(future.year),
                },
                "cannot be in the future",
            ),
        ]
        for overrides, message in cases:
            with self.subTest(overrides):
                response = self.client.post(self.url, rating_data(**overrides))
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
        self.assertFalse(ProgressRating.objects.exists())


class RatingDefaultsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lead = make_member(cls.org, Role.PROJECT_LEAD)
        cls.project = make_project(cls.org, lead=cls.lead)
        cls.url = f"/organisations/northfield/projects/{cls.project.pk}/ratings/new/"

    def test_the_qi_team_off_the_project_starts_on_the_coach_rating(self) -> None:
        self.sign_in(make_member(self.org, Role.QI_TEAM))
        page = self.client.get(self.url).content.decode()
        self.assertRegex(page, r'value="coach"\s+checked')

    def test_the_lead_starts_on_the_team_rating(self) -> None:
        self.sign_in(self.lead)
        page = self.client.get(self.url).content.decode()
        self.assertRegex(page, r'value="team"\s+checked')
