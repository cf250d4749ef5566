"""Who may be chosen to lead a project or own an action or a barrier: members
whose role may edit, never viewers (openqi.organisations.access)."""

from __future__ import annotations

from openqi.organisations.access import people_who_may_edit
from openqi.organisations.models import Membership, Role
from tests.base import BaseTestCase
from tests.factories import make_member


class PeopleWhoMayEditTests(BaseTestCase):
    def test_every_role_but_viewer_may_be_chosen(self) -> None:
        chosen = {
            role: make_member(self.org, role, full_name=f"A {role}")
            for role in (Role.QI_TEAM, Role.PROJECT_LEAD, Role.MEMBER)
        }
        people = set(people_who_may_edit(self.org))
        self.assertEqual(
            people,
            {self.editor, self.qi_lead, self.lead, self.member, *chosen.values()},
        )
        self.assertNotIn(self.viewer, people)

    def test_a_viewer_here_is_not_chosen_for_being_an_editor_elsewhere(self) -> None:
        Membership.objects.create(
            user=self.viewer, organisation=self.other_org, role=Role.ADMIN
        )
        self.assertNotIn(self.viewer, people_who_may_edit(self.org))
        self.assertIn(self.viewer, people_who_may_edit(self.other_org))

    def test_outsiders_are_never_chosen(self) -> None:
        self.assertNotIn(self.outsider, people_who_may_edit(self.org))
