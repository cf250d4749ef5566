"""The sustainability pages: opening checks, rating, the team's score, actions,
repeated checks and the portfolio's projects by score."""

from __future__ import annotations

import datetime
from unittest.mock import patch

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.projects.models import Project
from openqi.sustainability.models import (
    Rating,
    SustainabilityAction,
    SustainabilityCheck,
)
from tests.base import BaseTestCase
from tests.sustainability.helpers import (
    make_check,
    make_project,
    rate_all,
    rating_data,
    team_project,
)

A = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1]
B = [4, 4, 3, 3, 2, 5, 5, 3, 1, 1]
C = [3, 5, 4, 2, 2, 4, 5, 2, 1, 2]


def _date(day: datetime.date) -> dict[str, str]:
    return {
        "opened_on_day": str(day.day),
        "opened_on_month": str(day.month),
        "opened_on_year": str(day.year),
    }


class OpeningChecksTests(BaseTestCase):
    def open_url(self, project: Project) -> str:
        return reverse(
            "sustainability:open", kwargs={"slug": self.org.slug, "pk": project.pk}
        )

    def test_lead_opens_a_check_of_their_project(self) -> None:
        project = team_project(self)
        self.sign_in(self.lead)
        response = self.client.post(
            self.open_url(project), _date(datetime.date.today())
        )
        check = SustainabilityCheck.objects.get(project=project)
        self.assertRedirects(
            response,
            reverse(
                "sustainability:check", kwargs={"slug": self.org.slug, "pk": check.pk}
            ),
        )
        self.assertEqual(check.opened_by, self.lead)
        self.assertTrue(
            AuditEvent.objects.filter(
                model__icontains="sustainabilitycheck", object_pk=str(check.pk)
            ).exists()
        )

    def test_lead_of_another_project_may_not_open_a_check(self) -> None:
        project = team_project(self, lead=self.editor)
        self.sign_in(self.lead)
        response = self.client.post(
            self.open_url(project), _date(datetime.date.today())
        )
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "this project&#39;s lead", status_code=403)
        self.assertFalse(SustainabilityCheck.objects.exists())

    def test_a_project_that_is_only_an_idea_is_refused_with_the_reason(self) -> None:
        for status in (
            Project.Status.IDEA,
            Project.Status.COMPLETED,
            Project.Status.STOPPED,
        ):
            project = team_project(self, status=status, title=f"Project {status}")
            self.sign_in(self.qi_lead)
            response = self.client.post(
                self.open_url(project), _date(datetime.date.today())
            )
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "testing, implementing or sustaining")
            self.assertContains(response, "Change the project&#39;s status first")
        self.assertFalse(SustainabilityCheck.objects.exists())

    def test_active_and_sustaining_projects_may_be_checked(self) -> None:
        self.sign_in(self.qi_lead)
        for status in (Project.Status.ACTIVE, Project.Status.SUSTAINING):
            project = team_project(self, status=status, title=f"Project {status}")
            self.client.post(self.open_url(project), _date(datetime.date.today()))
        self.assertEqual(SustainabilityCheck.objects.count(), 2)

    def test_a_date_far_in_the_past_or_future_says_what_to_enter(self) -> None:
        project = team_project(self)
        self.sign_in(self.qi_lead)
        for day, message in (
            (datetime.date(1999, 1, 1), "within the last 5 years"),
            (
                datetime.date.today() + datetime.timedelta(days=90),
                "at most 31 days ahead",
            ),
        ):
            response = self.client.post(self.open_url(project), _date(day))
            self.assertContains(response, message)
        response = self.client.post(self.open_url(project), {"opened_on_day": "x"})
        self.assertContains(response, "There is a problem")
        self.assertFalse(SustainabilityCheck.objects.exists())


class RatingTests(BaseTestCase):
    def rate_url(self, check: SustainabilityCheck) -> str:
        return reverse(
            "sustainability:rate", kwargs={"slug": self.org.slug, "pk": check.pk}
        )

    def test_team_member_rates_and_sees_the_team_score(self) -> None:
        check = make_check(team_project(self))
        rate_all(check, self.editor, A)
        rate_all(check, self.qi_lead, B)
        self.sign_in(self.member)
        response = self.client.post(self.rate_url(check), rating_data(C))
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Team score: 50.0 out of 100")
        self.assertContains(page, "3 people have rated")
        self.assertContains(page, "Change your ratings")

    def test_rating_again_changes_the_ratings_and_keeps_one_per_factor(self) -> None:
        check = make_check(team_project(self))
        self.sign_in(self.member)
        self.client.post(self.rate_url(check), rating_data([2] * 10))
        self.client.post(self.rate_url(check), rating_data([4] * 10))
        ratings = Rating.objects.filter(sustainability_check=check, rater=self.member)
        self.assertEqual(ratings.count(), 10)
        self.assertEqual({r.score for r in ratings}, {4})
        self.assertEqual({r.version for r in ratings}, {2})
        form = self.client.get(self.rate_url(check))
        self.assertContains(form, 'value="4" checked', count=10)

    def test_only_members_of_the_project_team_rate(self) -> None:
        check = make_check(team_project(self, team=[self.editor]))
        self.sign_in(self.member)
        response = self.client.post(self.rate_url(check), rating_data())
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "project&#39;s team", status_code=403)
        self.assertEqual(self.client.get(self.rate_url(check)).status_code, 403)
        self.assertFalse(Rating.objects.exists())
        page = self.client.get(
            reverse(
                "sustainability:check", kwargs={"slug": self.org.slug, "pk": check.pk}
            )
        )
        self.assertNotContains(page, "Rate this check")

    def test_a_missing_or_off_scale_rating_re_shows_the_form_with_errors(self) -> None:
        check = make_check(team_project(self))
        self.sign_in(self.member)
        data = rating_data()
        del data["fit"]
        data["evidence"] = "9"
        response = self.client.post(self.rate_url(check), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "Choose how far this is true: fit with goals and culture."
        )
        self.assertContains(
            response, "Choose a rating from 1 to 5 for credible evidence."
        )
        self.assertFalse(Rating.objects.exists())


class CheckPageTests(BaseTestCase):
    def check_url(self, check: SustainabilityCheck) -> str:
        return reverse(
            "sustainability:check", kwargs={"slug": self.org.slug, "pk": check.pk}
        )

    def test_spread_weakest_factors_and_a_text_alternative(self) -> None:
        check = make_check(team_project(self))
        rate_all(check, self.editor, A)
        rate_all(check, self.qi_lead, B)
        rate_all(check, self.member, C)
        self.sign_in(self.viewer)
        response = self.client.get(self.check_url(check))
        body = response.content.decode()
        self.assertIn("<svg", body)
        self.assertIn('<title id="factor-spread-title">', body)
        self.assertIn("3 to 5", body)  # benefits: the range in the table
        weakest = body[body.index('id="weakest"') : body.index('id="actions"')]
        self.assertLess(
            weakest.index("Fit with goals"), weakest.index("Infrastructure")
        )
        self.assertLess(
            weakest.index("Infrastructure"), weakest.index("Staff involvement")
        )
        self.assertNotIn("Add to the action plan", body)  # a viewer

    def test_lead_adds_a_weak_factor_to_the_action_plan_once(self) -> None:
        check = make_check(team_project(self))
        rate_all(check, self.member, A)
        self.sign_in(self.lead)
        self.assertContains(
            self.client.get(self.check_url(check)), "Add to the action plan"
        )
        url = reverse(
            "sustainability:add_action", kwargs={"slug": self.org.slug, "pk": check.pk}
        )
        self.client.post(url, {"factor": "infrastructure"})
        self.client.post(url, {"factor": "infrastructure"})
        action = SustainabilityAction.objects.get()
        self.assertIn("policy, procedure or job description", action.title)
        self.assertContains(
            self.client.get(self.check_url(check)), "In the action plan."
        )
        response = self.client.post(url, {"factor": "nonsense"}, follow=True)
        self.assertContains(response, "Choose one of the ten factors.")
        self.assertEqual(SustainabilityAction.objects.count(), 1)

    def test_the_lead_marks_an_action_done_and_back_and_a_stale_page_changes_nothing(
        self,
    ) -> None:
        check = make_check(team_project(self))
        action = SustainabilityAction.objects.create(
            sustainability_check=check,
            factor="fit",
            title="Put it in the business plan",
        )
        self.sign_in(self.lead)
        url = reverse(
            "sustainability:action_status",
            kwargs={"slug": self.org.slug, "pk": action.pk},
        )
        self.assertContains(self.client.get(self.check_url(check)), "Mark as done")
        response = self.client.post(url, {"status": "done", "version": "1"})
        self.assertRedirects(response, self.check_url(check) + "#actions")
        action.refresh_from_db()
        self.assertEqual((action.status, action.version), ("done", 2))
        page = self.client.get(self.check_url(check))
        self.assertContains(page, "Mark as not started")
        self.assertContains(page, "<strong>done</strong>", html=False)
        # A second tab still showing version 1 changes nothing and says why.
        stale = self.client.post(url, {"status": "open", "version": "1"}, follow=True)
        self.assertContains(
            stale, "Someone changed this action after you loaded the page"
        )
        action.refresh_from_db()
        self.assertEqual((action.status, action.version), ("done", 2))
        bad = self.client.post(url, {"status": "finished", "version": "2"}, follow=True)
        self.assertContains(bad, "Choose Done or Not started.")
        action.refresh_from_db()
        self.assertEqual(action.status, "done")
        self.client.post(url, {"status": "open", "version": "2"})
        action.refresh_from_db()
        self.assertEqual((action.status, action.version), ("open", 3))

    def test_a_viewer_sees_no_status_buttons_and_may_not_change_one(self) -> None:
        check = make_check(team_project(self))
        action = SustainabilityAction.objects.create(
            sustainability_check=check,
            factor="fit",
            title="Put it in the business plan",
        )
        self.sign_in(self.viewer)
        self.assertNotContains(self.client.get(self.check_url(check)), "Mark as done")
        url = reverse(
            "sustainability:action_status",
            kwargs={"slug": self.org.slug, "pk": action.pk},
        )
        response = self.client.post(url, {"status": "done", "version": "1"})
        self.assertEqual(response.status_code, 403)
        action.refresh_from_db()
        self.assertEqual(action.status, "open")

    def test_the_portfolio_comes_a_page_at_a_time(self) -> None:
        for n in range(5):
            make_project(self.org, title=f"Sustained change {n}")
        self.sign_in(self.viewer)
        url = reverse("sustainability:portfolio", kwargs={"slug": self.org.slug})
        with patch("openqi.core.paging.PAGE_SIZE", 2):
            first = self.client.get(url).content.decode()
            self.assertEqual(first.count("Sustained change"), 2)
            self.assertIn("(1 to 2 of 5)", first)
            self.assertIn("?page=2#sustaining-caption", first)
            last = self.client.get(url, {"page": "3"}).content.decode()
            self.assertEqual(last.count("Sustained change"), 1)
            self.assertIn("(5 to 5 of 5)", last)
            self.assertNotIn("Page 4", last)

    def test_a_member_not_leading_the_project_may_not_add_actions(self) -> None:
        check = make_check(team_project(self, lead=self.editor))
        self.sign_in(self.lead)
        url = reverse(
            "sustainability:add_action", kwargs={"slug": self.org.slug, "pk": check.pk}
        )
        self.assertEqual(self.client.post(url, {"factor": "fit"}).status_code, 403)
        self.assertFalse(SustainabilityAction.objects.exists())

    def test_repeated_checks_show_the_score_over_time(self) -> None:
        project = team_project(self)
        first = make_check(project, opened_on=datetime.date(2025, 1, 6))
        second = make_check(project, opened_on=datetime.date(2025, 4, 7))
        make_check(project, opened_on=datetime.date(2025, 7, 7))  # not rated yet
        rate_all(first, self.member, [2] * 10)  # 25
        rate_all(second, self.member, [4] * 10)  # 75
        self.sign_in(self.viewer)
        response = self.client.get(
            reverse(
                "sustainability:project",
                kwargs={"slug": self.org.slug, "pk": project.pk},
            )
        )
        body = response.content.decode()
        history = body[body.index('id="history-caption"') :]
        self.assertLess(history.index("6 Jan 2025"), history.index("7 Apr 2025"))
        self.assertIn(">25.0<", history)
        self.assertIn(">75.0<", history)
        self.assertIn("Not rated yet", history)
        self.assertIn("<polyline", body)
        self.assertIn("Score over repeated checks", body)

    def test_project_page_links_to_its_sustainability_checks(self) -> None:
        project = team_project(self)
        self.sign_in(self.viewer)
        response = self.client.get(
            reverse("projects:detail", kwargs={"slug": self.org.slug, "pk": project.pk})
        )
        self.assertContains(
            response,
            reverse(
                "sustainability:project",
                kwargs={"slug": self.org.slug, "pk": project.pk},
            ),
        )

    def test_another_organisations_check_is_not_found(self) -> None:
        check = make_check(make_project(self.other_org))
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.check_url(check)).status_code, 404)

    def test_check_page_queries_are_pinned(self) -> None:
        project = team_project(self)
        check = make_check(project)
        for user in (self.editor, self.qi_lead, self.member):
            rate_all(check, user, A)
        for i in range(5):
            make_check(project, opened_on=datetime.date(2024, 1 + i, 1))
        self.sign_in(self.member)
        with self.assertNumQueries(12):
            self.assertEqual(self.client.get(self.check_url(check)).status_code, 200)


class PortfolioTests(BaseTestCase):
    def test_sustaining_projects_by_score_lowest_first(self) -> None:
        low = team_project(self, title="Low scorer")
        high = team_project(self, title="High scorer", status=Project.Status.ACTIVE)
        team_project(self, title="Not checked yet")
        team_project(self, title="Only an idea", status=Project.Status.IDEA)
        rate_all(make_check(low), self.member, [2] * 9 + [1])
        rate_all(make_check(high), self.member, [5] * 8 + [3, 5])
        self.sign_in(self.viewer)
        url = reverse("sustainability:portfolio", kwargs={"slug": self.org.slug})
        with self.assertNumQueries(8):
            response = self.client.get(url)
        body = response.content.decode()
        self.assertLess(body.index("Low scorer"), body.index("High scorer"))
        self.assertLess(body.index("High scorer"), body.index("Not checked yet"))
        self.assertNotIn("Only an idea", body)
        self.assertIn("Infrastructure to sustain it", body)  # low's weakest
        self.assertIn("Fit with goals and culture", body)  # high's weakest
        self.assertIn("of which 2 have had a sustainability check", body)

    def test_portfolio_page_links_to_it(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(
            reverse("portfolio:portfolio", kwargs={"slug": self.org.slug})
        )
        self.assertContains(
            response,
            reverse("sustainability:portfolio", kwargs={"slug": self.org.slug}),
        )
