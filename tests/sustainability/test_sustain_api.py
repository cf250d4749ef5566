"""The sustainability API: a project's checks, one check with its scores, and a
team member's ratings."""

from __future__ import annotations

from django.urls import reverse

from openqi.sustainability.builtin import FACTOR_KEYS
from openqi.sustainability.models import Rating
from tests.api.base import SESSION, ApiTestCase
from tests.sustainability.helpers import (
    make_check,
    make_project,
    rate_all,
    team_project,
)

A = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1]
B = [4, 4, 3, 3, 2, 5, 5, 3, 1, 1]
C = [3, 5, 4, 2, 2, 4, 5, 2, 1, 2]


class SustainabilityApiTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = team_project(self)
        self.check = make_check(self.project)
        self.ratings_url = reverse(
            "api:sustainability_ratings",
            kwargs={"slug": self.org.slug, "check_id": self.check.pk},
        )

    def test_list_a_projects_checks_with_their_scores(self) -> None:
        rate_all(self.check, self.editor, [4] * 10)
        url = reverse(
            "api:sustainability_checks",
            kwargs={"slug": self.org.slug, "project_id": self.project.pk},
        )
        token = self.token_for(self.viewer)
        with self.assertNumQueries(6):
            response = self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(response.status_code, 200)
        (item,) = response.json()
        self.assertEqual(item["id"], self.check.pk)
        self.assertEqual(item["score"], 75.0)
        self.assertEqual(item["raters"], 1)

    def test_fetch_a_check_with_each_factors_median_and_range(self) -> None:
        rate_all(self.check, self.editor, A)
        rate_all(self.check, self.qi_lead, B)
        rate_all(self.check, self.member, C)
        url = reverse(
            "api:sustainability_check",
            kwargs={"slug": self.org.slug, "check_id": self.check.pk},
        )
        body = self.call("get", url, self.viewer, via=SESSION).json()
        self.assertEqual(body["score"], 50.0)
        self.assertEqual(body["raters"], 3)
        benefits = body["factors"][0]
        self.assertEqual(
            (benefits["median"], benefits["lowest"], benefits["highest"]), (4, 3, 5)
        )
        self.assertEqual(body["weakest"], ["fit", "infrastructure", "involvement"])
        self.assertIsNone(body["held_gain"])

    def test_a_team_member_posts_their_ratings(self) -> None:
        response = self.call(
            "post",
            self.ratings_url,
            self.member,
            data={"scores": dict.fromkeys(FACTOR_KEYS, 2)},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["score"], 25.0)
        self.assertEqual(Rating.objects.filter(rater=self.member, score=2).count(), 10)

    def test_someone_off_the_team_may_not_rate(self) -> None:
        check = make_check(make_project(self.org, lead=self.editor, title="Other"))
        url = reverse(
            "api:sustainability_ratings",
            kwargs={"slug": self.org.slug, "check_id": check.pk},
        )
        response = self.call(
            "post", url, self.member, data={"scores": dict.fromkeys(FACTOR_KEYS, 3)}
        )
        body = self.assert_error(response, 403)
        self.assertIn("project's team", body["error"])
        self.assertFalse(Rating.objects.exists())

    def test_missing_unknown_or_off_scale_ratings_say_what_is_wrong(self) -> None:
        scores = dict.fromkeys(FACTOR_KEYS, 3)
        scores["evidence"] = 7
        del scores["fit"]
        body = self.assert_error(
            self.call("post", self.ratings_url, self.member, data={"scores": scores}),
            422,
        )
        text = str(body)
        self.assertIn("scores.evidence", text)
        self.assertIn("scores.fit", text)
        body = self.assert_error(
            self.call(
                "post",
                self.ratings_url,
                self.member,
                data={"scores": {**dict.fromkeys(FACTOR_KEYS, 3), "luck": 5}},
            ),
            422,
        )
        self.assertIn("Unknown factors: luck", str(body))
        self.assertFalse(Rating.objects.exists())

    def test_an_outsider_gets_not_found(self) -> None:
        self.assert_error(
            self.call(
                "post",
                self.ratings_url,
                self.outsider,
                data={"scores": dict.fromkeys(FACTOR_KEYS, 3)},
            ),
            404,
        )
