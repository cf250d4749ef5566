"""/organisations/{slug}/units: the tree of divisions, directorates and teams."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Unit
from tests.api.base import SESSION, ApiTestCase
from tests.factories import make_unit


class UnitTests(ApiTestCase):
    def setUp(self) -> None:
        self.units = reverse("api:units", kwargs={"slug": "northfield"})

    def unit_url(self, unit: Unit) -> str:
        return reverse("api:unit", kwargs={"slug": "northfield", "unit_id": unit.pk})

    def test_viewer_lists_the_units(self) -> None:
        body = self.call("get", self.units, self.viewer).json()
        self.assertEqual(body["total"], 3)
        self.assertEqual(
            {(u["name"], u["level"], u["parent_id"]) for u in body["items"]},
            {
                ("Medicine", "division", None),
                ("Emergency care", "directorate", self.division.pk),
                ("Emergency department", "team", self.directorate.pk),
            },
        )

    def test_pagination(self) -> None:
        for n in range(7):
            make_unit(self.org, name=f"Division {n}")
        first = self.call("get", self.units, self.viewer, data={"limit": 4}).json()
        second = self.call(
            "get", self.units, self.viewer, data={"limit": 4, "offset": 4}
        ).json()
        third = self.call(
            "get", self.units, self.viewer, data={"limit": 4, "offset": 8}
        ).json()
        self.assertEqual((first["total"], first["limit"], first["offset"]), (10, 4, 0))
        self.assertEqual([len(p["items"]) for p in (first, second, third)], [4, 4, 2])
        ids = [u["id"] for p in (first, second, third) for u in p["items"]]
        self.assertEqual(len(set(ids)), 10)
        beyond = self.call("get", self.units, self.viewer, data={"offset": 50}).json()
        self.assertEqual((beyond["items"], beyond["total"]), ([], 10))

    def test_default_page_is_50(self) -> None:
        body = self.call("get", self.units, self.viewer).json()
        self.assertEqual((body["limit"], body["offset"]), (50, 0))

    def test_editor_adds_a_directorate(self) -> None:
        data = {
            "name": "Acute medicine",
            "level": "directorate",
            "parent_id": self.division.pk,
        }
        response = self.call("post", self.units, self.editor, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        unit = Unit.objects.get(name="Acute medicine")
        self.assertEqual(response.json(), {**data, "id": unit.pk, "version": 1})
        self.assertEqual((unit.organisation, unit.parent), (self.org, self.division))

    def test_a_division_cannot_sit_under_anything(self) -> None:
        data = {"name": "Surgery", "level": "division", "parent_id": self.division.pk}
        body = self.assert_error(
            self.call("post", self.units, self.editor, data=data), 422
        )
        self.assertEqual([d["field"] for d in body["details"]], ["parent_id"])

    def test_a_directorate_needs_a_division(self) -> None:
        body = self.assert_error(
            self.call(
                "post",
                self.units,
                self.editor,
                data={"name": "Cardiology", "level": "directorate"},
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "parent_id")
        self.assertFalse(Unit.objects.filter(name="Cardiology").exists())

    def test_a_parent_from_another_organisation_is_refused(self) -> None:
        theirs = make_unit(self.other_org, name="Community services")
        data = {"name": "Cardiology", "level": "directorate", "parent_id": theirs.pk}
        body = self.assert_error(
            self.call("post", self.units, self.editor, data=data), 422
        )
        self.assertEqual(body["details"][0]["field"], "parent_id")

    def test_the_same_name_twice_at_the_top_is_refused(self) -> None:
        data = {"name": "medicine", "level": "division"}
        body = self.assert_error(
            self.call("post", self.units, self.editor, data=data), 422
        )
        self.assertEqual(body["details"][0]["field"], "name")

    def test_editor_renames_a_unit_keeping_the_rest(self) -> None:
        response = self.call(
            "patch", self.unit_url(self.team), self.editor, data={"name": "Adult ED"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["parent_id"], self.directorate.pk)
        self.team.refresh_from_db()
        self.assertEqual(
            (self.team.name, self.team.parent), ("Adult ED", self.directorate)
        )

    def test_editor_moves_a_team_under_another_directorate(self) -> None:
        other = make_unit(self.org, name="Planned care", parent=self.division)
        response = self.call(
            "patch", self.unit_url(self.team), self.editor, data={"parent_id": other.pk}
        )
        self.assertEqual(response.json()["parent_id"], other.pk)

    def test_a_move_that_breaks_the_tree_is_refused_and_changes_nothing(self) -> None:
        response = self.call(
            "patch", self.unit_url(self.team), self.editor, data={"parent_id": None}
        )
        body = self.assert_error(response, 422)
        self.assertEqual(body["details"][0]["field"], "parent_id")
        self.team.refresh_from_db()
        self.assertEqual(self.team.parent, self.directorate)

    def test_viewer_cannot_rename(self) -> None:
        self.assert_error(
            self.call(
                "patch", self.unit_url(self.team), self.viewer, data={"name": "X"}
            ),
            403,
        )
        self.team.refresh_from_db()
        self.assertEqual(self.team.name, "Emergency department")

    def test_editor_deletes_a_leaf_unit(self) -> None:
        response = self.call(
            "delete", self.unit_url(self.team), self.editor, via=SESSION
        )
        self.assertEqual(response.status_code, 204)
        self.assertFalse(Unit.objects.filter(pk=self.team.pk).exists())
        event = AuditEvent.objects.get(model="organisations.Unit", action="delete")
        self.assertEqual((event.actor, event.via), (self.editor, "api"))

    def test_a_unit_with_units_under_it_is_kept(self) -> None:
        body = self.assert_error(
            self.call("delete", self.unit_url(self.directorate), self.editor), 409
        )
        self.assertIn("Emergency care", body["error"])
        self.assertTrue(Unit.objects.filter(pk=self.directorate.pk).exists())
