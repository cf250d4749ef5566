"""The library API: search, read, publish, withdraw and adopt, in the API's one error shape."""

from __future__ import annotations

from openqi.library.models import Adoption, Audience, Publication
from openqi.organisations.models import Role
from tests.api.base import ApiTestCase
from tests.factories import make_member, make_organisation
from tests.library.helpers import (
    fields,
    make_diagram,
    make_measure,
    make_project,
    make_publication,
)


class LibraryApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.system = make_organisation(name="Riverbend Care System", kind="system")
        cls.org.system = cls.system
        cls.org.save()
        cls.neighbour = make_organisation(name="Brookside Trust", system=cls.system)
        cls.neighbour_lead = make_member(cls.neighbour, Role.PROJECT_LEAD)
        cls.base = f"/api/v1/organisations/{cls.org.slug}/library"
        cls.theirs = f"/api/v1/organisations/{cls.neighbour.slug}/library"

    def _publish(self, **overrides: object) -> dict[str, object]:
        project = make_project(self.org)
        make_diagram(project)
        make_measure(self.org, project)
        data: dict[str, object] = {
            **fields(audience=Audience.SYSTEM),
            "kind": "project",
            "source_id": project.pk,
            "includes_measures": True,
            "includes_series": True,
        }
        data.update(overrides)
        return data

    def test_publish_search_read_adopt_withdraw(self) -> None:
        response = self.call("post", self.base, self.qi_lead, data=self._publish())
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            body["content"]["measures"][0]["series"][0].keys(),
            {"period", "value", "denominator"},
        )
        pk = body["id"]
        found = self.call(
            "get", self.theirs, self.neighbour_lead, data={"q": "falls"}
        ).json()
        self.assertEqual([item["id"] for item in found["items"]], [pk])
        self.assertGreater(found["items"][0]["score"], 0)
        read = self.call("get", f"{self.theirs}/{pk}", self.neighbour_lead).json()
        self.assertEqual(
            read["adoptions"], []
        )  # the adoptions are the publisher's to see
        adopted = self.call(
            "post", f"{self.theirs}/{pk}/adopt", self.neighbour_lead, data={}
        )
        self.assertEqual(adopted.status_code, 201, adopted.content)
        self.assertIsNotNone(adopted.json()["project_id"])
        own = self.call("get", f"{self.base}/{pk}", self.viewer).json()
        self.assertEqual(own["adoptions"][0]["organisation"], "Brookside Trust")
        withdrawn = self.call("post", f"{self.base}/{pk}/withdraw", self.editor)
        self.assertEqual(withdrawn.status_code, 200)
        self.assertIsNotNone(withdrawn.json()["withdrawn_at"])
        self.assert_error(
            self.call("get", f"{self.theirs}/{pk}", self.neighbour_lead), 404
        )
        self.assertEqual(
            self.call("get", self.theirs, self.neighbour_lead).json()["total"], 0
        )

    def test_outsiders_get_nothing(self) -> None:
        publication = make_publication(self.org, audience=Audience.SYSTEM)
        url = f"/api/v1/organisations/{self.other_org.slug}/library"
        self.assert_error(
            self.call("get", f"{url}/{publication.pk}", self.outsider), 404
        )
        self.assertEqual(self.call("get", url, self.outsider).json()["total"], 0)
        self.assert_error(
            self.call("post", f"{url}/{publication.pk}/adopt", self.outsider, data={}),
            404,
        )
        self.assert_error(
            self.call("get", f"{self.base}/{publication.pk}", self.outsider), 404
        )
        self.assertFalse(Adoption.objects.exists())

    def test_bad_input_answers_422_naming_the_field(self) -> None:
        for overrides, field in (
            ({"title": ""}, "title"),
            ({"topic": "nonsense"}, "topic"),
            ({"method": "astrology"}, "method"),
            ({"includes_measures": False}, "includes_series"),
            ({"kind": "change_idea"}, "change_idea_id"),
        ):
            with self.subTest(field):
                response = self.call(
                    "post", self.base, self.qi_lead, data=self._publish(**overrides)
                )
                body = self.assert_error(response, 422)
                self.assertIn(field, str(body["details"]))
        alone = make_organisation(name="Lonely Trust")
        admin = make_member(alone, Role.ADMIN)
        project = make_project(alone)
        response = self.call(
            "post",
            f"/api/v1/organisations/{alone.slug}/library",
            admin,
            data={**self._publish(), "source_id": project.pk},
        )
        self.assertIn("no system", str(self.assert_error(response, 422)["details"]))
        self.assert_error(
            self.call(
                "post", self.base, self.qi_lead, data=self._publish(source_id=999999)
            ),
            404,
        )
        self.assert_error(
            self.call("get", self.base, self.member, data={"q": "x" * 300}), 422
        )
        self.assertFalse(Publication.objects.exists())

    def test_roles(self) -> None:
        self.assert_error(
            self.call("post", self.base, self.lead, data=self._publish()), 403
        )
        publication = make_publication(self.neighbour, audience=Audience.SYSTEM)
        self.assert_error(
            self.call(
                "post", f"{self.base}/{publication.pk}/adopt", self.viewer, data={}
            ),
            403,
        )
        response = self.call(
            "post", f"{self.base}/{publication.pk}/withdraw", self.editor
        )
        self.assert_error(response, 404)  # only the publisher withdraws
        own = make_publication(self.org)
        response = self.call("post", f"{self.base}/{own.pk}/adopt", self.lead, data={})
        self.assertIn("own organisation", str(self.assert_error(response, 422)))
