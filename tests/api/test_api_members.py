"""/organisations/{slug}/members: roles and units, keeping at least one administrator."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Membership, Role
from tests.api.base import ApiTestCase
from tests.factories import make_member, make_unit


class MemberTests(ApiTestCase):
    def setUp(self) -> None:
        self.members = reverse("api:members", kwargs={"slug": "northfield"})
        self.lead = make_member(self.org, Role.PROJECT_LEAD, full_name="Pat Lead")

    def url(self, user: object) -> str:
        membership = Membership.objects.get(user=user, organisation=self.org)
        return reverse(
            "api:member", kwargs={"slug": "northfield", "member_id": membership.pk}
        )

    def test_viewer_lists_the_members(self) -> None:
        body = self.call("get", self.members, self.viewer).json()
        self.assertEqual(body["total"], 6)
        self.assertEqual(
            [(m["person"]["full_name"], m["role"]) for m in body["items"]],
            [
                ("Ada Editor", "admin"),
                ("Lee Lead", "project_lead"),
                ("Mo Member", "member"),
                ("Pat Lead", "project_lead"),
                ("Quinn Improver", "qi_team"),
                ("Vic Viewer", "viewer"),
            ],
        )

    def test_filter_by_role(self) -> None:
        body = self.call(
            "get", self.members, self.viewer, data={"role": "admin"}
        ).json()
        self.assertEqual(
            [m["person"]["email"] for m in body["items"]], [self.editor.email]
        )

    def test_editor_changes_a_role_and_unit(self) -> None:
        data = {"role": "qi_team", "unit_id": self.team.pk}
        response = self.call("patch", self.url(self.lead), self.editor, data=data)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["role"], response.json()["unit_id"]),
            ("qi_team", self.team.pk),
        )
        membership = Membership.objects.get(user=self.lead)
        self.assertEqual((membership.role, membership.unit), (Role.QI_TEAM, self.team))
        event = AuditEvent.objects.get(
            model="organisations.Membership", action="update"
        )
        self.assertEqual((event.actor, event.via), (self.editor, "api"))
        self.assertEqual(
            (event.before["role"], event.after["role"]), ("project_lead", "qi_team")
        )

    def test_sending_only_the_unit_keeps_the_role(self) -> None:
        self.call(
            "patch", self.url(self.lead), self.editor, data={"unit_id": self.team.pk}
        )
        self.assertEqual(Membership.objects.get(user=self.lead).role, Role.PROJECT_LEAD)

    def test_a_unit_of_another_organisation_is_refused(self) -> None:
        theirs = make_unit(self.other_org, name="Community services")
        response = self.call(
            "patch", self.url(self.lead), self.editor, data={"unit_id": theirs.pk}
        )
        body = self.assert_error(response, 422)
        self.assertEqual(body["details"][0]["field"], "unit_id")

    def test_the_last_administrator_cannot_step_down(self) -> None:
        response = self.call(
            "patch", self.url(self.editor), self.editor, data={"role": "member"}
        )
        body = self.assert_error(response, 409)
        self.assertIn("only administrator", body["error"])
        self.assertEqual(Membership.objects.get(user=self.editor).role, Role.ADMIN)

    def test_an_administrator_can_step_down_when_there_is_another(self) -> None:
        self.call("patch", self.url(self.lead), self.editor, data={"role": "admin"})
        response = self.call(
            "patch", self.url(self.editor), self.editor, data={"role": "member"}
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_the_last_administrator_cannot_be_removed(self) -> None:
        self.assert_error(self.call("delete", self.url(self.editor), self.editor), 409)
        self.assertTrue(Membership.objects.filter(user=self.editor).exists())

    def test_editor_removes_a_member(self) -> None:
        self.assertEqual(
            self.call("delete", self.url(self.lead), self.editor).status_code, 204
        )
        self.assertFalse(Membership.objects.filter(user=self.lead).exists())
        event = AuditEvent.objects.get(
            model="organisations.Membership", action="delete"
        )
        self.assertEqual((event.actor, event.via), (self.editor, "api"))

    def test_viewer_cannot_change_or_remove(self) -> None:
        self.assert_error(
            self.call(
                "patch", self.url(self.lead), self.viewer, data={"role": "admin"}
            ),
            403,
        )
        self.assert_error(self.call("delete", self.url(self.lead), self.viewer), 403)
        self.assertEqual(Membership.objects.get(user=self.lead).role, Role.PROJECT_LEAD)

    def test_a_member_of_another_organisation_is_404(self) -> None:
        theirs = Membership.objects.get(user=self.outsider)
        url = reverse(
            "api:member", kwargs={"slug": "northfield", "member_id": theirs.pk}
        )
        self.assert_error(self.call("delete", url, self.editor), 404)
        self.assertTrue(Membership.objects.filter(pk=theirs.pk).exists())
