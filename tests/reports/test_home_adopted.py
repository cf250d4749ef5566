"""The publisher is told on its home page when another organisation adopts what it
published to the shared learning library (issue 15: "with the source told")."""

from __future__ import annotations

import datetime

from django.utils import timezone

from openqi.library import services as library
from openqi.library.models import Adoption
from openqi.organisations.models import Membership
from openqi.reports.attention import ADOPTED_DAYS, items_for
from tests.base import BaseTestCase
from tests.library.helpers import make_publication


class AdoptedTests(BaseTestCase):
    def _items(self, user: object, today: datetime.date) -> list:  # type: ignore[type-arg]
        membership = Membership.objects.select_related("organisation").get(
            user=user, organisation=self.org
        )
        return [i for i in items_for(membership, today) if i.kind == "adopted"]

    def test_the_qi_team_is_told_of_an_adoption_for_thirty_days(self) -> None:
        publication = make_publication(
            self.org, title="Falls huddles on every ward", audience="everyone"
        )
        adopter = Membership.objects.get(user=self.outsider)
        library.adopt(publication, adopter)
        today = timezone.localdate()
        [item] = self._items(self.qi_lead, today)
        self.assertEqual(item.title, "Falls huddles on every ward")
        self.assertIn(f"Adopted by {self.other_org.name}", item.detail)
        self.sign_in(self.qi_lead)
        self.assertEqual(self.client.get(item.url).status_code, 200)
        self.assertEqual(self._items(self.member, today), [])  # the QI team's news
        later = today + datetime.timedelta(days=ADOPTED_DAYS + 1)
        self.assertEqual(self._items(self.qi_lead, later), [])
        # The adopter is not told of its own adoption as if it were the source.
        theirs = Membership.objects.select_related("organisation").get(
            user=self.outsider
        )
        self.assertFalse([i for i in items_for(theirs, today) if i.kind == "adopted"])
        self.assertEqual(Adoption.objects.count(), 1)
