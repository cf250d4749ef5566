"""The spread API: the changes spreading, and adopting a proven change idea."""

from __future__ import annotations

from typing import Any

from openqi.improvement.models import DriverNode
from tests.api.base import ApiTestCase
from tests.improvement.routes_spread import make_proven, make_team_project

SPREAD = "/api/v1/organisations/northfield/spread"


def fields(body: dict[str, Any]) -> set[tuple[str, str]]:
    """(field, a telling phrase) for each detail whose message holds the phrase."""
    phrases = ("already adopted", "not proven yet", "another team")
    return {
        (d["field"], phrase)
        for d in body["details"]
        for phrase in phrases
        if phrase in d["message"]
    }


class SpreadApiTests(ApiTestCase):
    def setUp(self) -> None:
        self.source, nodes = make_team_project(self.org, "Falls on ward 1", self.team)
        self.idea = nodes["idea"]
        make_proven(self.idea)
        self.target, target_nodes = make_team_project(
            self.org, "Falls on ward 2", self.directorate, lead=self.lead
        )
        self.parent = target_nodes["secondary"]

    def adopt(self, user: object, **data: object) -> object:
        body = {"project_id": self.target.pk, "parent_id": self.parent.pk, **data}
        return self.call("post", f"{SPREAD}/{self.idea.pk}/adopt", user, data=body)

    def test_the_lead_adopts_and_the_list_counts_it(self) -> None:
        response = self.adopt(self.lead)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["adopted_from_id"], self.idea.pk)
        self.assertEqual(body["spread_source_id"], self.idea.pk)
        self.assertEqual(body["parent_id"], self.parent.pk)
        listed = self.call("get", SPREAD, self.viewer).json()
        self.assertEqual(
            [(r["id"], r["teams"], r["units"]) for r in listed["spreading"]],
            [(self.idea.pk, 1, 1)],
        )
        self.assertEqual(listed["not_adopted"], [])

    def test_a_member_who_does_not_lead_it_is_refused(self) -> None:
        self.assert_error(self.adopt(self.member), 403)
        self.assertFalse(DriverNode.objects.filter(adopted_from=self.idea).exists())

    def test_refusals_are_422_naming_the_field(self) -> None:
        self.assertEqual(self.adopt(self.qi_lead).status_code, 201)
        body = self.assert_error(self.adopt(self.qi_lead), 422)
        self.assertIn(("project_id", "already adopted"), fields(body))
        _, nodes = make_team_project(self.org, "Untested")
        body = self.assert_error(
            self.call(
                "post",
                f"{SPREAD}/{nodes['idea'].pk}/adopt",
                self.qi_lead,
                data={"project_id": self.target.pk, "parent_id": self.parent.pk},
            ),
            422,
        )
        self.assertIn(("idea_id", "not proven yet"), fields(body))
        body = self.assert_error(
            self.adopt(
                self.qi_lead, project_id=self.source.pk, parent_id=self.idea.parent_id
            ),
            422,
        )
        self.assertIn(("project_id", "another team"), fields(body))

    def test_unknown_projects_are_404_and_bad_bodies_422(self) -> None:
        self.assert_error(self.adopt(self.qi_lead, project_id=999999), 404)
        self.assert_error(self.adopt(self.qi_lead, parent_id=-1), 422)
        self.assert_error(self.adopt(self.qi_lead, parent_id=self.idea.parent_id), 422)

    def test_the_list_filters_and_refuses_bad_filters(self) -> None:
        listed = self.call(
            "get", SPREAD, self.member, data={"unit_id": self.division.pk}
        )
        self.assertEqual(listed.json(), {"spreading": [], "not_adopted": []})
        listed = self.call("get", SPREAD, self.member, data={"unit_id": self.team.pk})
        self.assertEqual(
            [r["id"] for r in listed.json()["not_adopted"]], [self.idea.pk]
        )
        self.assert_error(
            self.call("get", SPREAD, self.member, data={"unit_id": "x"}), 422
        )
