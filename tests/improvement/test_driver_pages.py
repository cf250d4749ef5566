"""The driver diagram pages as the editor, a plain member, the viewer and the outsider."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from openqi.audit.models import AuditEvent
from openqi.improvement.models import DriverNode
from openqi.organisations.models import Role
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.improvement.routes import (
    make_cycle,
    make_diagram,
    make_driver_project,
    make_node,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


class DriverPageCase(BaseTestCase):
    def setUp(self) -> None:
        self.project = make_driver_project(self.org)
        self.nodes = make_diagram(self.project)
        self.base = f"/organisations/northfield/projects/{self.project.pk}/drivers/"

    def node_url(self, node: DriverNode, action: str) -> str:
        return f"{self.base}{node.pk}/{action}/"


class DriversPageTests(DriverPageCase):
    def test_editor_sees_the_drawing_the_outline_and_the_actions(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.base)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("<svg", page)
        self.assertIn('id="driver-diagram-desc"', page)
        for node in self.nodes.values():
            self.assertIn(node.text, page)
        self.assertIn("Add a primary driver", page)
        self.assertIn(self.node_url(self.nodes["primary"], "edit"), page)
        self.assertIn(self.node_url(self.nodes["idea"], "delete"), page)

    def test_viewer_reads_without_the_actions(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.base)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Falls checklist in the admission bundle", page)
        self.assertNotIn("Add a primary driver", page)
        self.assertNotIn(self.node_url(self.nodes["primary"], "edit"), page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.base).status_code, 404)

    def test_another_organisations_project_is_404(self) -> None:
        theirs = make_driver_project(self.other_org)
        self.sign_in(self.editor)
        url = f"/organisations/northfield/projects/{theirs.pk}/drivers/"
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_htmx_request_returns_fragment_only(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.base, **HTMX).content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="drivers">'), page[:80])
        self.assertNotIn("<html", page)

    def test_empty_diagram_invites_the_first_driver(self) -> None:
        project = make_driver_project(self.org, title="Empty")
        self.sign_in(self.editor)
        page = self.client.get(
            f"/organisations/northfield/projects/{project.pk}/drivers/"
        ).content.decode()
        self.assertIn("No drivers yet", page)
        self.assertNotIn("driver-diagram-desc", page)


class DriverSvgTests(DriverPageCase):
    def test_member_downloads_the_drawing(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(f"{self.base}diagram.svg")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("image/svg+xml"))
        root = ET.fromstring(response.content)
        self.assertIn("Reliable risk assessment", " ".join(root.itertext()))

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(f"{self.base}diagram.svg").status_code, 404)


class DriverAddTests(DriverPageCase):
    def test_editor_gets_the_form_under_a_primary_with_both_kinds(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(f"{self.base}add/?parent={self.nodes['primary'].pk}")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Add a secondary driver or change idea", page)
        self.assertIn('value="secondary"', page)
        self.assertIn('value="change_idea"', page)
        self.assertNotIn('value="primary"', page)

    def test_editor_adds_a_primary_driver_under_the_aim(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            f"{self.base}add/",
            {"parent": "", "kind": "primary", "text": "Safe environment"},
        )
        self.assertRedirects(response, self.base)
        node = DriverNode.objects.get(text="Safe environment")
        self.assertIsNone(node.parent)
        self.assertGreater(node.position, self.nodes["primary"].position)
        self.assertTrue(
            AuditEvent.objects.filter(model="improvement.DriverNode").exists()
        )

    def test_plain_member_may_add(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        response = self.client.post(
            f"{self.base}add/",
            {
                "parent": self.nodes["secondary"].pk,
                "kind": "change_idea",
                "text": "Huddle",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            DriverNode.objects.get(text="Huddle").parent, self.nodes["secondary"]
        )

    def test_bad_input_reshows_with_errors_and_changes_nothing(self) -> None:
        self.sign_in(self.editor)
        before = DriverNode.objects.count()
        response = self.client.post(
            f"{self.base}add/", {"parent": "", "kind": "change_idea", "text": ""}
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn("cannot sit under the aim", page)
        self.assertEqual(DriverNode.objects.count(), before)

    def test_htmx_add_returns_the_outline_with_a_notice(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            f"{self.base}add/",
            {"parent": "", "kind": "primary", "text": "Engaged families"},
            **HTMX,
        )
        page = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(page.lstrip().startswith('<div id="drivers">'))
        self.assertIn("Primary driver added.", page)
        self.assertIn("Engaged families", page)

    def test_nothing_goes_under_a_change_idea(self) -> None:
        self.sign_in(self.editor)
        url = f"{self.base}add/?parent={self.nodes['idea'].pk}"
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_node_of_another_project_is_404(self) -> None:
        other = make_node(make_driver_project(self.org, title="Other"), "primary", "X")
        self.sign_in(self.editor)
        response = self.client.post(
            f"{self.base}add/", {"parent": other.pk, "kind": "secondary", "text": "Y"}
        )
        self.assertEqual(response.status_code, 404)

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(f"{self.base}add/").status_code, 403)
        response = self.client.post(
            f"{self.base}add/", {"kind": "primary", "text": "Sneaky"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(DriverNode.objects.filter(text="Sneaky").exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.post(
            f"{self.base}add/", {"kind": "primary", "text": "X"}
        )
        self.assertEqual(response.status_code, 404)


class DriverEditTests(DriverPageCase):
    def test_editor_changes_the_text(self) -> None:
        self.sign_in(self.editor)
        url = self.node_url(self.nodes["secondary"], "edit")
        page = self.client.get(url).content.decode()
        self.assertIn("Change the text", page)
        response = self.client.post(url, {"text": "Assessment within 4 hours"})
        self.assertRedirects(response, self.base)
        self.nodes["secondary"].refresh_from_db()
        self.assertEqual(self.nodes["secondary"].text, "Assessment within 4 hours")

    def test_empty_text_reshows_with_errors(self) -> None:
        self.sign_in(self.editor)
        url = self.node_url(self.nodes["secondary"], "edit")
        response = self.client.post(url, {"text": "  "}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.nodes["secondary"].refresh_from_db()
        self.assertEqual(
            self.nodes["secondary"].text, "Assessment within 6 hours of admission"
        )

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        url = self.node_url(self.nodes["primary"], "edit")
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(url, {"text": "X"}).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(url, {"text": "X"}).status_code, 404)


class DriverMoveTests(DriverPageCase):
    def test_editor_moves_a_driver_up(self) -> None:
        second = make_node(self.project, "primary", "Safe environment")
        self.sign_in(self.editor)
        response = self.client.post(self.node_url(second, "move"), {"direction": "up"})
        self.assertRedirects(response, self.base)
        page = self.client.get(self.base).content.decode()
        self.assertLess(page.index("Safe environment"), page.index("Reliable risk"))

    def test_htmx_move_returns_the_fragment(self) -> None:
        second = make_node(self.project, "primary", "Safe environment")
        self.sign_in(self.editor)
        response = self.client.post(
            self.node_url(second, "move"), {"direction": "up"}, **HTMX
        )
        self.assertIn("moved up", response.content.decode())

    def test_get_is_not_allowed(self) -> None:
        self.sign_in(self.editor)
        url = self.node_url(self.nodes["primary"], "move")
        self.assertEqual(self.client.get(url).status_code, 405)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        url = self.node_url(self.nodes["primary"], "move")
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(url, {"direction": "up"}).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(url, {"direction": "up"}).status_code, 404)


class DriverDeleteTests(DriverPageCase):
    def test_editor_is_asked_first_with_what_else_goes(self) -> None:
        make_cycle(self.nodes["idea"])
        self.sign_in(self.editor)
        response = self.client.get(self.node_url(self.nodes["primary"], "delete"))
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Delete this primary driver?", page)
        self.assertIn("1 secondary driver, 1 change idea and 1 PDSA cycle", page)
        self.assertEqual(DriverNode.objects.filter(project=self.project).count(), 3)

    def test_post_deletes_the_node_and_its_children(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.node_url(self.nodes["primary"], "delete"))
        self.assertRedirects(response, self.base)
        self.assertFalse(DriverNode.objects.filter(project=self.project).exists())

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        url = self.node_url(self.nodes["idea"], "delete")
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(DriverNode.objects.filter(pk=self.nodes["idea"].pk).exists())
