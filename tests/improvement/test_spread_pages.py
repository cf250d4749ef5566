"""The spread pages: the changes spreading, a change idea's spread, adopting a proven
idea, and the links both ends of an adoption show on the driver diagram."""

from __future__ import annotations

from unittest.mock import patch

from openqi.improvement import spread
from openqi.improvement.models import DriverNode
from openqi.projects.models import Project
from tests.base import BaseTestCase
from tests.improvement.routes_spread import make_proven, make_team_project

LIST = "/organisations/northfield/spread/"


class SpreadPageCase(BaseTestCase):
    def setUp(self) -> None:
        self.source, nodes = make_team_project(self.org, "Falls on ward 1", self.team)
        self.idea = nodes["idea"]
        make_proven(self.idea)
        self.target, target_nodes = make_team_project(
            self.org, "Falls on ward 2", self.directorate, lead=self.lead
        )
        self.parent = target_nodes["secondary"]

    def adopt_url(self, idea: DriverNode) -> str:
        return f"/organisations/northfield/spread/{idea.pk}/adopt/"

    def idea_url(self, idea: DriverNode) -> str:
        return f"/organisations/northfield/spread/{idea.pk}/"

    def drivers_url(self, project_pk: int) -> str:
        return f"/organisations/northfield/projects/{project_pk}/drivers/"


class SpreadListTests(SpreadPageCase):
    def test_a_proven_idea_never_adopted_is_a_candidate(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(LIST).content.decode()
        self.assertIn("Spreading (0)", page)
        self.assertIn("Proven, not adopted elsewhere (1)", page)
        self.assertIn(self.idea_url(self.idea), page)
        self.assertNotIn(self.adopt_url(self.idea), page)  # a viewer adopts nothing

    def test_a_long_list_comes_a_page_at_a_time_keeping_the_other_list(
        self,
    ) -> None:
        spread.adopt(self.idea, self.target, self.parent)
        for n in range(4):
            _, nodes = make_team_project(self.org, f"Pressure ulcers, ward {n}")
            make_proven(nodes["idea"])
        self.sign_in(self.viewer)
        with patch("openqi.core.paging.PAGE_SIZE", 3):
            page = self.client.get(LIST).content.decode()
            self.assertIn("Proven, not adopted elsewhere (4)", page)
            self.assertEqual(page.count("Pressure ulcers, ward"), 3)
            self.assertIn("?candidates=2#candidates-heading", page)
            self.assertIn("Page 2 of 2", page)
            second = self.client.get(
                LIST, {"candidates": "2", "spreading": "1"}
            ).content.decode()
            self.assertEqual(second.count("Pressure ulcers, ward"), 1)
            self.assertIn("Falls on ward 1", second)  # the spreading list stays
            self.assertIn("candidates=1", second)  # back to page 1 of 2
            for bad in ("x", "9" * 50, "-1"):
                response = self.client.get(LIST, {"candidates": bad})
                self.assertEqual(response.status_code, 200)

    def test_an_adopted_idea_is_spreading_with_its_counts(self) -> None:
        spread.adopt(self.idea, self.target, self.parent)
        self.sign_in(self.member)
        page = self.client.get(LIST).content.decode()
        self.assertIn("Spreading (1)", page)
        self.assertIn("Proven, not adopted elsewhere (0)", page)

    def test_the_filters_narrow_and_a_bad_value_is_explained(self) -> None:
        self.sign_in(self.member)
        _, nodes = make_team_project(self.org, "Elsewhere", self.division)
        make_proven(nodes["idea"])
        self.assertIn(
            "Proven, not adopted elsewhere (2)", self.client.get(LIST).content.decode()
        )
        page = self.client.get(LIST, {"unit": self.team.pk}).content.decode()
        self.assertIn("Proven, not adopted elsewhere (1)", page)
        self.assertIn("Falls on ward 1", page)
        self.assertNotIn("Elsewhere", page)
        response = self.client.get(LIST, {"unit": "x" * 500})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose one of the units listed.", response.content.decode())

    def test_the_portfolio_links_to_it(self) -> None:
        self.sign_in(self.member)
        page = self.client.get("/organisations/northfield/portfolio/").content.decode()
        self.assertIn(LIST, page)

    def test_the_number_of_queries_does_not_grow_with_the_ideas(self) -> None:
        self.sign_in(self.member)
        self.client.get(LIST)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.client.get(LIST)
        for n in range(6):
            project, nodes = make_team_project(self.org, f"Ward {n + 3}", self.division)
            make_proven(nodes["idea"])
            spread.adopt(self.idea, project, nodes["secondary"])
        with self.assertNumQueries(len(few)):
            response = self.client.get(LIST)
        self.assertIn("Proven, not adopted elsewhere (6)", response.content.decode())
        # session, user, memberships; the proven ideas with their spread and their
        # projects' priorities, once (computed here inside the test's transaction;
        # kept in the cache otherwise, test_spread_kept.py).
        self.assertEqual(len(few), 5)


class SpreadQueryTests(SpreadPageCase):
    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_the_pages_do_not_grow_with_the_adoptions(self) -> None:
        node = spread.adopt(self.idea, self.target, self.parent)
        self.sign_in(self.member)
        urls = (
            self.idea_url(self.idea),
            self.idea_url(node),
            self.drivers_url(self.source.pk),
            self.drivers_url(self.target.pk),
        )
        before = [self.count(url) for url in urls]
        for n in range(4):
            project, nodes = make_team_project(self.org, f"Ward {n + 3}", self.division)
            spread.adopt(self.idea, project, nodes["secondary"])
        self.assertEqual([self.count(url) for url in urls], before)


class SpreadIdeaTests(SpreadPageCase):
    def test_both_ends_show_the_link(self) -> None:
        node = spread.adopt(self.idea, self.target, self.parent)
        self.sign_in(self.member)
        page = self.client.get(self.idea_url(self.idea)).content.decode()
        self.assertIn("Proven in Falls on ward 1; adopted by 1 team in 1 unit.", page)
        self.assertIn(f"{self.drivers_url(self.target.pk)}#node-{node.pk}", page)
        page = self.client.get(self.idea_url(node)).content.decode()
        self.assertIn("Adopted from", page)
        self.assertIn(self.idea_url(self.idea), page)
        # The driver diagrams: the source's spread, the adoption's source.
        page = self.client.get(self.drivers_url(self.source.pk)).content.decode()
        self.assertIn("Proven here; adopted by 1 team in 1 unit.", page)
        page = self.client.get(self.drivers_url(self.target.pk)).content.decode()
        self.assertIn(f"{self.drivers_url(self.source.pk)}#node-{self.idea.pk}", page)

    def test_an_unproven_idea_says_so(self) -> None:
        _, nodes = make_team_project(self.org, "Untested")
        self.sign_in(self.editor)
        page = self.client.get(self.idea_url(nodes["idea"])).content.decode()
        self.assertIn("Not yet", page)
        self.assertNotIn(self.adopt_url(nodes["idea"]), page)

    def test_a_driver_is_not_a_change_idea(self) -> None:
        self.sign_in(self.member)
        self.assertEqual(self.client.get(self.idea_url(self.parent)).status_code, 404)

    def test_the_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.idea_url(self.idea)).status_code, 404)


class AdoptPageTests(SpreadPageCase):
    def test_the_lead_chooses_their_project_then_the_driver_and_adopts(self) -> None:
        self.sign_in(self.lead)
        page = self.client.get(self.adopt_url(self.idea)).content.decode()
        self.assertIn("Falls on ward 2", page)
        self.assertNotIn(f'value="{self.source.pk}"', page)
        page = self.client.get(
            self.adopt_url(self.idea), {"project": self.target.pk}
        ).content.decode()
        self.assertIn(f'value="{self.parent.pk}"', page)
        response = self.client.post(
            self.adopt_url(self.idea),
            {"project": self.target.pk, "parent": self.parent.pk},
        )
        node = DriverNode.objects.get(project=self.target, adopted_from=self.idea)
        self.assertRedirects(
            response,
            f"{self.drivers_url(self.target.pk)}#node-{node.pk}",
            fetch_redirect_response=False,
        )

    def test_many_projects_are_offered_a_page_at_a_time_with_a_title_search(
        self,
    ) -> None:
        from openqi.core.paging import OFFERED

        for n in range(OFFERED + 5):
            Project.objects.create(
                organisation=self.org, title=f"Hand hygiene audit {n:02d}"
            )
        self.sign_in(self.qi_lead)
        page = self.client.get(self.adopt_url(self.idea)).content.decode()
        self.assertIn(f"More than {OFFERED} projects", page)
        self.assertEqual(page.count('<option value="'), OFFERED + 1)  # and "Choose"
        page = self.client.get(
            self.adopt_url(self.idea), {"q": "  audit   07 "}
        ).content.decode()
        self.assertNotIn("More than", page)
        self.assertIn("Hand hygiene audit 07", page)
        self.assertEqual(page.count('<option value="'), 2)
        page = self.client.get(
            self.adopt_url(self.idea), {"q": "no such title" + "x" * 500}
        ).content.decode()
        self.assertIn("has “no such title", page)
        self.assertIn("List them all", page)

    def test_a_member_who_does_not_lead_the_project_is_refused(self) -> None:
        self.sign_in(self.member)
        response = self.client.post(
            self.adopt_url(self.idea),
            {"project": self.target.pk, "parent": self.parent.pk},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(DriverNode.objects.filter(adopted_from=self.idea).exists())
        page = self.client.get(self.adopt_url(self.idea)).content.decode()
        self.assertIn("There is no project you may adopt it into", page)

    def test_the_driver_is_required(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(
            self.adopt_url(self.idea), {"project": self.target.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose the driver of Falls on ward 2", response.content.decode())

    def test_adopting_twice_is_explained(self) -> None:
        spread.adopt(self.idea, self.target, self.parent)
        self.sign_in(self.qi_lead)
        response = self.client.post(
            self.adopt_url(self.idea),
            {"project": self.target.pk, "parent": self.parent.pk},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("has already adopted", response.content.decode())
        self.assertEqual(DriverNode.objects.filter(adopted_from=self.idea).count(), 1)

    def test_its_own_project_is_explained(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(
            self.adopt_url(self.idea),
            {"project": self.source.pk, "parent": self.idea.parent_id},
        )
        self.assertIn("choose another team", response.content.decode())

    def test_an_unproven_idea_is_explained(self) -> None:
        _, nodes = make_team_project(self.org, "Untested")
        self.sign_in(self.qi_lead)
        response = self.client.post(
            self.adopt_url(nodes["idea"]),
            {"project": self.target.pk, "parent": self.parent.pk},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("is not proven yet", response.content.decode())
        self.assertFalse(DriverNode.objects.filter(adopted_from=nodes["idea"]).exists())

    def test_bad_values_are_explained_not_a_500(self) -> None:
        self.sign_in(self.qi_lead)
        for value in ("abc", "9" * 40, "-1", ""):
            response = self.client.post(
                self.adopt_url(self.idea), {"project": value, "parent": value}
            )
            self.assertEqual(response.status_code, 200, value)
        theirs, nodes = make_team_project(self.other_org, "Theirs")
        response = self.client.post(
            self.adopt_url(self.idea),
            {"project": theirs.pk, "parent": nodes["secondary"].pk},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose one of this organisation", response.content.decode())

    def test_a_driver_of_another_project_is_explained(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(
            self.adopt_url(self.idea),
            {"project": self.target.pk, "parent": self.idea.parent_id},
        )
        self.assertIn("belongs to another project", response.content.decode())
