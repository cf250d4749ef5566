"""/organisations/{slug}/audit (administrators) and /staff (administrators and the QI team)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Role, StaffRecord
from tests.api.base import ApiTestCase
from tests.factories import make_member


class AuditTests(ApiTestCase):
    def setUp(self) -> None:
        self.audit = reverse("api:audit", kwargs={"slug": "northfield"})
        units = reverse("api:units", kwargs={"slug": "northfield"})
        self.call(
            "post", units, self.editor, data={"name": "Surgery", "level": "division"}
        )
        unit_id = self.org.units.get(name="Surgery").pk
        url = reverse("api:unit", kwargs={"slug": "northfield", "unit_id": unit_id})
        self.call("patch", url, self.editor, data={"name": "Surgery and theatres"})

    def test_newest_first_attributed_to_the_token_user(self) -> None:
        body = self.call("get", self.audit, self.editor).json()
        first, second = body["items"][:2]
        self.assertEqual((first["action"], second["action"]), ("update", "create"))
        self.assertEqual(
            (first["actor"], first["actor_id"], first["via"]),
            ("Ada Editor", self.editor.pk, "api"),
        )
        self.assertEqual(first["before"]["name"], "Surgery")
        self.assertEqual(first["after"]["name"], "Surgery and theatres")
        self.assertEqual(first["model"], "organisations.Unit")

    def test_filters(self) -> None:
        body = self.call(
            "get", self.audit, self.editor, data={"action": "update"}
        ).json()
        self.assertEqual([e["object"] for e in body["items"]], ["Surgery and theatres"])
        body = self.call(
            "get", self.audit, self.editor, data={"model": "organisations.membership"}
        ).json()
        self.assertTrue(body["items"])
        self.assertEqual(
            {e["model"] for e in body["items"]}, {"organisations.Membership"}
        )
        later = (timezone.now() + timedelta(minutes=5)).isoformat()
        body = self.call("get", self.audit, self.editor, data={"since": later}).json()
        self.assertEqual(body["total"], 0)
        body = self.call(
            "get", self.audit, self.editor, data={"since": "2000-01-01"}
        ).json()
        self.assertEqual(
            body["total"], AuditEvent.objects.filter(organisation=self.org).count()
        )

    def test_a_bad_filter_is_422(self) -> None:
        body = self.assert_error(
            self.call("get", self.audit, self.editor, data={"action": "rename"}), 422
        )
        self.assertEqual(body["details"][0]["field"], "action")

    def test_only_administrators_read_it(self) -> None:
        self.assert_error(self.call("get", self.audit, self.viewer), 403)
        qi = make_member(self.org, Role.QI_TEAM)
        self.assert_error(self.call("get", self.audit, qi), 403)

    def test_another_organisations_trail_is_not_shown(self) -> None:
        body = self.call("get", self.audit, self.editor).json()
        self.assertNotIn("Olu Outsider", {e["object"] for e in body["items"]})


class StaffTests(ApiTestCase):
    def setUp(self) -> None:
        self.staff = reverse("api:staff", kwargs={"slug": "northfield"})
        StaffRecord.objects.create(
            organisation=self.org,
            reference="N0001",
            unit=self.team,
            staff_group="nursing",
        )
        StaffRecord.objects.create(
            organisation=self.org, reference="N0002", is_active=False
        )
        StaffRecord.objects.create(organisation=self.other_org, reference="S0001")

    def test_qi_team_and_administrators_read_staff_records(self) -> None:
        qi = make_member(self.org, Role.QI_TEAM)
        for user in (self.editor, qi):
            with self.subTest(user=str(user)):
                body = self.call("get", self.staff, user).json()
                self.assertEqual(
                    [s["reference"] for s in body["items"]], ["N0001", "N0002"]
                )
        self.assertEqual(body["items"][0]["staff_group"], "nursing")

    def test_filters(self) -> None:
        body = self.call(
            "get", self.staff, self.editor, data={"is_active": "false"}
        ).json()
        self.assertEqual([s["reference"] for s in body["items"]], ["N0002"])
        body = self.call(
            "get", self.staff, self.editor, data={"unit_id": self.team.pk}
        ).json()
        self.assertEqual([s["reference"] for s in body["items"]], ["N0001"])

    def test_others_get_403(self) -> None:
        for role in (Role.VIEWER, Role.MEMBER, Role.PROJECT_LEAD):
            with self.subTest(role):
                body = self.assert_error(
                    self.call("get", self.staff, make_member(self.org, role)), 403
                )
                self.assertIn("QI team", body["error"])
