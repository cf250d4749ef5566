"""One look-up per priority, for the pages and the API alike."""

from __future__ import annotations

from django.http import Http404

from openqi.strategy.services import get_priority_for
from tests.base import BaseTestCase
from tests.projects.project_helpers import make_priority


class PriorityLookupTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ours = make_priority(cls.org, title="Reduce harm from falls")
        cls.theirs = make_priority(cls.other_org, title="Southmere only priority")

    def test_finds_the_organisations_priority_with_its_project_count(self) -> None:
        membership = self.editor.memberships.get(organisation=self.org)
        priority = get_priority_for(membership, self.ours.pk)
        self.assertEqual(priority, self.ours)
        self.assertEqual(priority.project_count, 0)

    def test_another_organisations_priority_is_not_found_and_says_where_to_look(
        self,
    ) -> None:
        membership = self.editor.memberships.get(organisation=self.org)
        with self.assertRaisesMessage(
            Http404,
            f"There is no strategic priority {self.theirs.pk} here. GET "
            f"/api/v1/organisations/{self.org.slug}/priorities lists them.",
        ):
            get_priority_for(membership, self.theirs.pk)

    def test_the_page_and_the_api_both_answer_404(self) -> None:
        self.sign_in(self.editor)
        page = f"/organisations/{self.org.slug}/priorities/{self.theirs.pk}/"
        api = f"/api/v1/organisations/{self.org.slug}/priorities/{self.theirs.pk}"
        self.assertEqual(self.client.get(page).status_code, 404)
        self.assertEqual(self.client.get(api).status_code, 404)
