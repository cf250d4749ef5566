from __future__ import annotations

import re

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Role, Unit
from tests.base import BaseTestCase
from tests.factories import make_member, make_unit
from tests.organisations.helpers import HTMX, events_for


def missing_htmx_targets(page: str) -> list[str]:
    """The hx-target selectors of ``page`` that name an id the page does not have:
    an htmx request aimed at one of them goes nowhere, so its button does nothing."""
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    targets = re.findall(r'hx-target="#([^"]+)"', page)
    return [target for target in targets if target not in ids]


class UnitListTests(BaseTestCase):
    url = "/organisations/northfield/units/"

    def test_editor_sees_the_tree_and_the_add_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for name in ("Medicine", "Emergency care", "Emergency department"):
            self.assertIn(name, page)
        # The tree nests: the team's list item sits inside the directorate's.
        self.assertLess(page.index("Medicine"), page.index("Emergency care"))
        self.assertLess(
            page.index("Emergency care"), page.index("Emergency department")
        )
        self.assertIn("Add a unit", page)
        self.assertIn(f"/organisations/northfield/units/{self.team.pk}/", page)

    def test_viewer_sees_the_tree_without_the_form(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Emergency department", page)
        self.assertNotIn("Add a unit", page)
        self.assertNotIn(f"/organisations/northfield/units/{self.team.pk}/", page)

    def test_plain_member_sees_the_tree_without_the_form(self) -> None:
        self.sign_in(make_member(self.org, Role.QI_TEAM))
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Add a unit", response.content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_only_the_organisations_own_units_are_listed(self) -> None:
        make_unit(self.other_org, name="Southmere community nursing")
        self.sign_in(self.editor)
        self.assertNotIn(
            "Southmere community nursing", self.client.get(self.url).content.decode()
        )

    def test_htmx_request_returns_fragment_only(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url, **HTMX)
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="units">'), page[:80])
        self.assertNotIn("<html", page)
        self.assertIn("Emergency department", page)


class UnitCreateTests(BaseTestCase):
    url = "/organisations/northfield/units/new/"

    def valid(self) -> dict[str, object]:
        return {
            "name": "Acute medicine",
            "level": "directorate",
            "parent": self.division.pk,
        }

    def test_editor_sees_the_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("<h1>Add a unit</h1>", response.content.decode())

    def test_editor_adds_a_unit_and_it_is_audited(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, self.valid())
        self.assertRedirects(response, "/organisations/northfield/units/")
        unit = Unit.objects.get(name="Acute medicine")
        self.assertEqual(unit.organisation, self.org)
        self.assertEqual(unit.parent, self.division)
        [event] = events_for(
            self.org, "organisations.Unit", action="create", object_pk=str(unit.pk)
        )
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.via, "web")
        self.assertEqual(event.after["name"], "Acute medicine")

    def test_viewer_gets_403_and_nothing_changes(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, self.valid()).status_code, 403)
        self.assertFalse(Unit.objects.filter(name="Acute medicine").exists())

    def test_plain_member_gets_403(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        self.assertEqual(self.client.post(self.url, self.valid()).status_code, 403)
        self.assertFalse(Unit.objects.filter(name="Acute medicine").exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, self.valid()).status_code, 404)
        self.assertFalse(Unit.objects.filter(name="Acute medicine").exists())

    def test_level_rules_are_checked(self) -> None:
        self.sign_in(self.editor)
        before = AuditEvent.objects.count()
        cases = [
            (
                {"name": "Stray team", "level": "team", "parent": self.division.pk},
                "sits under a directorate",
            ),
            (
                {"name": "Stray team", "level": "team", "parent": ""},
                "must sit under a directorate",
            ),
            (
                {
                    "name": "Stray division",
                    "level": "division",
                    "parent": self.division.pk,
                },
                "sits under a nothing",
            ),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.client.post(self.url, data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.content.decode())
                self.assertIn("There is a problem", response.content.decode())
        self.assertFalse(Unit.objects.filter(name__startswith="Stray").exists())
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_empty_and_duplicate_names_are_refused(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"name": "", "level": "division"})
        self.assertIn("Enter the name of the unit.", response.content.decode())
        response = self.client.post(self.url, {"name": "medicine", "level": "division"})
        self.assertIn(
            "There is already a unit called medicine here.", response.content.decode()
        )
        self.assertEqual(Unit.objects.for_organisation(self.org).count(), 3)

    def test_parent_from_another_organisation_is_refused(self) -> None:
        elsewhere = make_unit(self.other_org, name="Southmere division")
        self.sign_in(self.editor)
        response = self.client.post(
            self.url, {"name": "Sneaky", "level": "directorate", "parent": elsewhere.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Select a valid choice", response.content.decode())
        self.assertFalse(Unit.objects.filter(name="Sneaky").exists())

    def test_own_page_aims_htmx_only_at_what_it_holds(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url).content.decode()
        self.assertIn('id="unit-form"', page)
        self.assertEqual(missing_htmx_targets(page), [])
        self.assertNotIn("hx-post", page)

    def test_own_page_post_saves_and_returns_to_the_list_with_a_message(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, self.valid(), follow=True)
        self.assertRedirects(response, "/organisations/northfield/units/")
        self.assertIn("Acute medicine added.", response.content.decode())
        self.assertTrue(Unit.objects.filter(name="Acute medicine").exists())

    def test_list_page_form_posts_through_htmx_into_the_list(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get("/organisations/northfield/units/").content.decode()
        self.assertIn(f'hx-post="{self.url}" hx-target="#units"', page)
        self.assertEqual(missing_htmx_targets(page), [])

    def test_htmx_post_returns_the_refreshed_tree_fragment(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, self.valid(), **HTMX)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertNotIn("<html", page)
        self.assertIn('<div id="units">', page)
        self.assertIn("Acute medicine added.", page)
        self.assertIn("Add a unit", page)

    def test_htmx_post_with_errors_returns_the_fragment_with_errors(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"name": "", "level": "team"}, **HTMX)
        page = response.content.decode()
        self.assertNotIn("<html", page)
        self.assertIn('<div id="units">', page)
        self.assertIn("There is a problem", page)


class UnitEditTests(BaseTestCase):
    def url(self, unit: Unit | None = None) -> str:
        return f"/organisations/northfield/units/{(unit or self.team).pk}/"

    def test_editor_renames_a_unit_and_it_is_audited(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(),
            {
                "name": "Emergency department (adults)",
                "level": "team",
                "parent": self.directorate.pk,
            },
        )
        self.assertRedirects(response, "/organisations/northfield/units/")
        self.team.refresh_from_db()
        self.assertEqual(self.team.name, "Emergency department (adults)")
        [event] = events_for(
            self.org, "organisations.Unit", action="update", object_pk=str(self.team.pk)
        )
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(
            event.changes(),
            [("name", "Emergency department", "Emergency department (adults)")],
        )

    def test_own_page_aims_htmx_only_at_what_it_holds(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url()).content.decode()
        self.assertIn("<h1>Change Emergency department</h1>", page)
        self.assertEqual(missing_htmx_targets(page), [])
        self.assertNotIn("hx-post", page)
        self.assertNotIn("hx-get", page)

    def test_own_page_post_saves_and_returns_to_the_list_with_a_message(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(),
            {"name": "Urgent care", "level": "team", "parent": self.directorate.pk},
            follow=True,
        )
        self.assertRedirects(response, "/organisations/northfield/units/")
        self.assertIn("Urgent care saved.", response.content.decode())
        self.team.refresh_from_db()
        self.assertEqual(self.team.name, "Urgent care")

    def test_htmx_post_saves_and_returns_the_tree_fragment(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(),
            {"name": "Urgent care", "level": "team", "parent": self.directorate.pk},
            **HTMX,
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="units">'), page[:80])
        self.assertIn("Urgent care saved.", page)
        self.team.refresh_from_db()
        self.assertEqual(self.team.name, "Urgent care")

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        response = self.client.post(
            self.url(), {"name": "X", "level": "team", "parent": self.directorate.pk}
        )
        self.assertEqual(response.status_code, 403)
        self.team.refresh_from_db()
        self.assertEqual(self.team.name, "Emergency department")

    def test_outsider_gets_404_even_through_their_own_organisation(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        response = self.client.get(f"/organisations/southmere/units/{self.team.pk}/")
        self.assertEqual(response.status_code, 404)

    def test_level_of_a_unit_with_units_under_it_cannot_change(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(self.division),
            {"name": "Medicine", "level": "directorate", "parent": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("its level cannot change", response.content.decode())
        self.division.refresh_from_db()
        self.assertEqual(self.division.level, "division")

    def test_form_with_errors_keeps_the_old_name_in_the_heading(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url(), {"name": "", "level": "team", "parent": self.directorate.pk}
        )
        self.assertIn("<h1>Change Emergency department</h1>", response.content.decode())

    def test_a_leaf_unit_can_be_deleted_from_its_page_but_not_a_parent(self) -> None:
        self.sign_in(self.editor)
        page = self.client.get(self.url()).content.decode()
        self.assertIn(
            f'action="/organisations/northfield/units/{self.team.pk}/delete/"', page
        )
        page = self.client.get(self.url(self.division)).content.decode()
        self.assertNotIn("/delete/", page)
        self.assertIn("Medicine has units under it, so it cannot be deleted", page)

    def test_htmx_get_returns_the_fragment_with_the_edit_form(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url(), **HTMX)
        page = response.content.decode()
        self.assertNotIn("<html", page)
        self.assertIn("<h2>Change Emergency department</h2>", page)
        self.assertIn(
            f'hx-post="/organisations/northfield/units/{self.team.pk}/"', page
        )


class UnitDeleteTests(BaseTestCase):
    def url(self, unit: Unit) -> str:
        return f"/organisations/northfield/units/{unit.pk}/delete/"

    def test_editor_deletes_a_leaf_unit_and_it_is_audited(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url(self.team), follow=True)
        self.assertRedirects(response, "/organisations/northfield/units/")
        self.assertIn("Emergency department deleted.", response.content.decode())
        self.assertFalse(Unit.objects.filter(pk=self.team.pk).exists())
        [event] = events_for(self.org, "organisations.Unit", action="delete")
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.before["name"], "Emergency department")

    def test_unit_with_units_under_it_is_refused_with_a_message(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url(self.division), follow=True)
        self.assertIn(
            "Medicine still has units under it. Move or delete them first.",
            response.content.decode(),
        )
        self.assertTrue(Unit.objects.filter(pk=self.division.pk).exists())
        self.assertEqual(
            events_for(self.org, "organisations.Unit", action="delete"), []
        )

    def test_viewer_gets_403(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(self.url(self.team)).status_code, 403)
        self.assertTrue(Unit.objects.filter(pk=self.team.pk).exists())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url(self.team)).status_code, 404)
        self.assertTrue(Unit.objects.filter(pk=self.team.pk).exists())

    def test_get_is_not_allowed(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(self.url(self.team)).status_code, 405)
