"""What needs each person (openqi/reports/attention.py): each kind of item goes
to the right person and to no one else, most urgent first, and every link
leads to a page where that person deals with it."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from openqi.measures.models import Measure
from openqi.organisations.models import Membership
from openqi.reports.attention import Item, data_due, items_for
from tests.base import BaseTestCase
from tests.reports import home_data
from tests.reports.home_data import TODAY


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class DataDueTests(BaseTestCase):
    def test_a_month_is_due_once_it_has_ended_and_overdue_a_month_later(self) -> None:
        january = _day("2024-01-01")
        monthly = Measure.Frequency.MONTHLY
        self.assertIsNone(data_due(january, monthly, _day("2024-02-29")))
        self.assertEqual(
            data_due(january, monthly, _day("2024-03-01")),
            ("due", _day("2024-02-01"), _day("2024-03-01")),
        )
        self.assertEqual(data_due(january, monthly, _day("2024-03-31"))[0], "due")  # type: ignore[index]  # not None here
        self.assertEqual(data_due(january, monthly, _day("2024-04-01"))[0], "overdue")  # type: ignore[index]  # as above

    def test_weeks_days_and_quarters_follow_their_own_length(self) -> None:
        monday = _day("2024-03-04")
        self.assertIsNone(data_due(monday, "weekly", _day("2024-03-17")))
        self.assertEqual(data_due(monday, "weekly", _day("2024-03-18"))[0], "due")  # type: ignore[index]  # not None here
        self.assertEqual(data_due(monday, "weekly", _day("2024-03-25"))[0], "overdue")  # type: ignore[index]  # as above
        self.assertEqual(data_due(monday, "daily", _day("2024-03-06"))[0], "due")  # type: ignore[index]  # as above
        quarter = _day("2023-10-01")
        self.assertIsNone(data_due(quarter, "quarterly", _day("2024-03-31")))
        self.assertEqual(
            data_due(quarter, "quarterly", _day("2024-04-01")),
            ("due", _day("2024-01-01"), _day("2024-04-01")),
        )
        self.assertEqual(
            data_due(quarter, "quarterly", _day("2024-07-01"))[0], "overdue"
        )  # type: ignore[index]  # as above


class AttentionTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        home_data.build(cls)

    def items(self, user: object) -> list[Item]:
        membership = Membership.objects.select_related("organisation").get(
            user=user, organisation=self.org
        )
        return items_for(membership, TODAY)

    def titles(self, user: object, kind: str) -> list[str]:
        return [i.title for i in self.items(user) if i.kind == kind]

    def test_the_owner_is_told_of_a_concern_and_a_failing_target(self) -> None:
        self.assertEqual(self.titles(self.lead, "concern"), ["Falls with harm"])
        self.assertEqual(self.titles(self.lead, "failing"), ["Sepsis screening"])
        concern = next(i for i in self.items(self.lead) if i.kind == "concern")
        self.assertEqual(concern.urgency, "new")
        self.assertIn("concern", concern.detail.lower())
        for user in (self.editor, self.qi_lead, self.member, self.viewer):
            with self.subTest(user=user.full_name):
                self.assertEqual(self.titles(user, "concern"), [])
                self.assertEqual(self.titles(user, "failing"), [])

    def test_the_owner_is_told_of_data_due_and_overdue(self) -> None:
        data = {i.title: i for i in self.items(self.lead) if i.kind == "data"}
        self.assertEqual(data["Discharge letters"].urgency, "due")
        self.assertIn("February 2024", data["Discharge letters"].detail)
        self.assertEqual(data["Discharge letters"].when, _day("2024-03-01"))
        self.assertEqual(data["Cancelled operations"].urgency, "overdue")
        # Charts whose latest point fell in February 2024 or later are not due.
        for user in (self.editor, self.member):
            self.assertEqual(self.titles(user, "data"), [])

    def test_a_cycle_waiting_for_its_study_goes_to_its_project_team(self) -> None:
        self.assertEqual(self.titles(self.lead, "study"), ["Hourly checks on one bay"])
        self.assertEqual(self.titles(self.member, "study"), [])
        self.project.team.add(self.member)
        self.assertEqual(
            self.titles(self.member, "study"), ["Hourly checks on one bay"]
        )
        self.assertEqual(self.titles(self.editor, "study"), [])

    def test_a_project_not_rated_for_eight_weeks_goes_to_its_lead(self) -> None:
        self.assertEqual(self.titles(self.lead, "rating"), ["Fewer falls at night"])
        rating = next(i for i in self.items(self.lead) if i.kind == "rating")
        self.assertEqual(rating.urgency, "overdue")
        self.assertEqual(rating.when, _day("2023-11-01") + datetime.timedelta(weeks=8))
        for user in (self.editor, self.qi_lead, self.member):
            self.assertEqual(self.titles(user, "rating"), [])
        self.project.ratings.create(
            score="2.5", rated_by="team", rated_on=_day("2024-03-01"), rater=self.lead
        )
        self.assertEqual(self.titles(self.lead, "rating"), [])

    def test_overdue_milestones_go_to_the_qi_team_and_administrators(self) -> None:
        for user in (self.editor, self.qi_lead):
            self.assertEqual(self.titles(user, "milestone"), ["Board signs off"])
        for user in (self.lead, self.member, self.viewer):
            self.assertEqual(self.titles(user, "milestone"), [])

    def test_escalated_barriers_go_to_the_qi_team_and_their_owner(self) -> None:
        title = ["No protected time for testing"]
        for user in (self.editor, self.qi_lead, self.member):
            self.assertEqual(self.titles(user, "barrier"), title)
        for user in (self.lead, self.viewer):
            self.assertEqual(self.titles(user, "barrier"), [])

    def test_most_urgent_first(self) -> None:
        urgencies = [i.urgency for i in self.items(self.lead)]
        ranks = [("overdue", "due", "new").index(u) for u in urgencies]
        self.assertEqual(ranks, sorted(ranks))
        self.assertEqual(urgencies[0], "overdue")

    def test_nothing_for_a_viewer_who_owns_nothing(self) -> None:
        self.assertEqual(self.items(self.viewer), [])

    def test_every_link_leads_to_a_page_the_person_may_use(self) -> None:
        self.project.team.add(self.member)
        for user in (self.lead, self.editor, self.member):
            self.sign_in(user)
            for item in self.items(user):
                with self.subTest(user=user.full_name, item=item.title):
                    response = self.client.get(item.url)
                    self.assertEqual(response.status_code, 200, item.url)
                    self.assertTrue(
                        urlsplit(item.url).path.startswith("/organisations/northfield/")
                    )
