"""The assessments list, starting, opening and closing rounds, and anonymous links."""

from __future__ import annotations

import re
from urllib.parse import unquote

from openqi.assessments.models import AssessmentRound, Instrument, ResponseLink
from openqi.assessments.permissions import CHANGE_ASSESSMENTS
from openqi.core.tokens import token_hash
from openqi.organisations.models import Membership, Role
from openqi.organisations.permissions import has
from tests.assessments.round_helpers import (
    make_instrument,
    make_link,
    make_responses,
    make_round,
)
from tests.base import BaseTestCase
from tests.factories import make_member

ANSWERS = {"l1": 4, "l2": 2, "t1": "partly", "k1": 5}


class AssessmentListTests(BaseTestCase):
    url = "/organisations/northfield/assessments/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instrument = make_instrument()
        cls.own = make_instrument(cls.org, key="own", name="Northfield own survey")
        make_instrument(cls.other_org, key="theirs", name="Southmere own survey")
        cls.open_round = make_round(cls.org, cls.instrument, title="Spring pulse")
        make_responses(cls.open_round, ANSWERS, count=3)
        make_round(cls.other_org, cls.instrument, title="Southmere round")

    def test_editor_sees_rounds_with_counts_and_instruments(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Spring pulse", page)
        self.assertIn(">3</td>", page)
        self.assertIn("Ward readiness pulse", page)
        self.assertIn("Northfield own survey", page)
        self.assertIn("Start a round", page)
        self.assertNotIn("Southmere", page)

    def test_builtin_instruments_are_listed(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        for instrument in Instrument.objects.filter(organisation__isnull=True):
            self.assertIn(instrument.name, page)

    def test_viewer_reads_without_start_button(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Start a round", response.content.decode())

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_only_administrators_and_qi_team_edit(self) -> None:
        rules = {
            role: has(Membership(role=role), CHANGE_ASSESSMENTS) for role in Role.values
        }
        self.assertEqual(
            rules,
            {
                "admin": True,
                "qi_team": True,
                "project_lead": False,
                "member": False,
                "viewer": False,
            },
        )

    def test_project_lead_reads_but_cannot_start_a_round(self) -> None:
        self.sign_in(make_member(self.org, Role.PROJECT_LEAD))
        self.assertNotIn("Start a round", self.client.get(self.url).content.decode())
        response = self.client.get(f"{self.url}rounds/new/")
        self.assertEqual(response.status_code, 403)


class RoundCreateTests(BaseTestCase):
    url = "/organisations/northfield/assessments/rounds/new/"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instrument = make_instrument()
        cls.theirs = make_instrument(cls.other_org, key="theirs", name="Theirs")

    def test_editor_creates_a_draft_round_for_chosen_units(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url,
            {
                "instrument": self.instrument.pk,
                "title": " Spring pulse ",
                "units": [self.team.pk],
            },
        )
        created = AssessmentRound.objects.get()
        self.assertRedirects(
            response, f"/organisations/northfield/assessments/rounds/{created.pk}/"
        )
        self.assertEqual(created.title, "Spring pulse")
        self.assertEqual(created.status, AssessmentRound.Status.DRAFT)
        self.assertEqual(list(created.units.all()), [self.team])
        self.assertEqual(created.created_by, self.editor)

    def test_qi_team_member_creates_a_round(self) -> None:
        self.sign_in(make_member(self.org, Role.QI_TEAM))
        self.client.post(self.url, {"instrument": self.instrument.pk, "title": "A"})
        self.assertEqual(AssessmentRound.objects.count(), 1)

    def test_missing_fields_reshow_with_errors_and_change_nothing(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, {"instrument": "", "title": ""})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn("Choose the instrument to use.", page)
        self.assertIn("Enter a title for the round.", page)
        self.assertFalse(AssessmentRound.objects.exists())

    def test_another_organisations_instrument_is_refused(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(
            self.url, {"instrument": self.theirs.pk, "title": "Borrowed"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(AssessmentRound.objects.exists())

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        data = {"instrument": self.instrument.pk, "title": "A"}
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, data).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url, data).status_code, 404)
        self.assertFalse(AssessmentRound.objects.exists())


class RoundDetailAndStatusTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.draft = make_round(
            cls.org, title="Autumn pulse", status=AssessmentRound.Status.DRAFT
        )
        cls.base = f"/organisations/northfield/assessments/rounds/{cls.draft.pk}/"

    def test_editor_sees_status_units_links_and_open_button(self) -> None:
        make_link(self.draft)
        self.sign_in(self.editor)
        response = self.client.get(self.base)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Autumn pulse", page)
        self.assertIn("The whole organisation", page)
        self.assertIn("0 used, 1 not used", page)
        self.assertIn("Open the round", page)
        self.assertIn("Make anonymous links", page)

    def test_viewer_reads_without_the_controls(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.base).content.decode()
        self.assertIn("Autumn pulse", page)
        self.assertNotIn("Open the round", page)
        self.assertNotIn("Make anonymous links", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.base).status_code, 404)
        self.assertEqual(self.client.post(f"{self.base}open/").status_code, 404)

    def test_open_then_close_sets_the_dates(self) -> None:
        self.sign_in(self.editor)
        self.assertRedirects(self.client.post(f"{self.base}open/"), self.base)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, AssessmentRound.Status.OPEN)
        self.assertIsNotNone(self.draft.opened_on)
        self.assertIsNone(self.draft.closed_on)
        self.assertRedirects(self.client.post(f"{self.base}close/"), self.base)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, AssessmentRound.Status.CLOSED)
        self.assertIsNotNone(self.draft.closed_on)

    def test_a_closed_round_cannot_be_reopened(self) -> None:
        closed = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        self.sign_in(self.editor)
        url = f"/organisations/northfield/assessments/rounds/{closed.pk}/open/"
        response = self.client.post(url, follow=True)
        self.assertIn("Only a draft round can be opened.", response.content.decode())
        closed.refresh_from_db()
        self.assertEqual(closed.status, AssessmentRound.Status.CLOSED)

    def test_closing_a_draft_is_refused(self) -> None:
        self.sign_in(self.editor)
        self.client.post(f"{self.base}close/")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, AssessmentRound.Status.DRAFT)

    def test_viewer_cannot_open_or_close(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(f"{self.base}open/").status_code, 403)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, AssessmentRound.Status.DRAFT)

    def test_get_is_not_allowed_on_open(self) -> None:
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(f"{self.base}open/").status_code, 405)


class LinkTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assessment_round = make_round(cls.org, units=[cls.directorate])
        cls.url = f"/organisations/northfield/assessments/rounds/{cls.assessment_round.pk}/links/"

    def data(self, **overrides: str) -> dict[str, str]:
        data = {
            "count": "3",
            "unit": str(self.team.pk),
            "staff_group": "nursing",
            "respondent_group": "managers",
        }
        data.update(overrides)
        return data

    def test_editor_makes_links_shown_once_and_stored_only_as_hashes(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, self.data())
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        shown = re.findall(r"<li>(http://testserver/survey/[^<]+)</li>", page)
        self.assertEqual(len(shown), 3)
        tokens = [link.rstrip("/").rsplit("/", 1)[1] for link in shown]
        links = ResponseLink.objects.filter(round=self.assessment_round)
        self.assertEqual(
            sorted(links.values_list("token_hash", flat=True)),
            sorted(token_hash(token) for token in tokens),
        )
        for token in tokens:
            self.assertIn(f"http://testserver/survey/{token}/", page)
            self.assertFalse(ResponseLink.objects.filter(token_hash=token).exists())
        for link in links:
            self.assertEqual(link.unit, self.team)
            self.assertEqual(link.staff_group, "nursing")
            self.assertEqual(link.respondent_group, "managers")
            self.assertIsNone(link.used_at)
        self.assertIn("0 used, 3 not used", page)
        self.assertIn("Copy these links now", page)
        # The CSV download carries the links in the page itself: nothing to fetch later.
        csv_href = re.search(r'href="(data:text/csv[^"]+)"', page)
        assert csv_href is not None
        csv_text = unquote(csv_href.group(1).split(",", 1)[1])
        self.assertEqual(csv_text.splitlines()[0], "link")
        self.assertEqual(
            csv_text.splitlines()[1:],
            [f"http://testserver/survey/{token}/" for token in tokens],
        )

    def test_the_links_are_not_shown_again(self) -> None:
        self.sign_in(self.editor)
        self.client.post(self.url, self.data())
        page = self.client.get(self.url).content.decode()
        self.assertNotIn("/survey/", page)
        self.assertIn("0 used, 3 not used", page)

    def test_counts_used_and_unused(self) -> None:
        link, _token = make_link(self.assessment_round)
        make_link(self.assessment_round)
        link.used_at = link.created_at
        link.save()
        self.sign_in(self.editor)
        self.assertIn("1 used, 1 not used", self.client.get(self.url).content.decode())

    def test_unit_outside_the_round_is_refused(self) -> None:
        outside = self.division  # the round covers the directorate and below
        self.sign_in(self.editor)
        response = self.client.post(self.url, self.data(unit=str(outside.pk)))
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", response.content.decode())
        self.assertFalse(ResponseLink.objects.exists())

    def test_a_round_of_chosen_units_needs_a_unit(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.url, self.data(unit=""))
        self.assertIn(
            "Choose the unit: this round covers chosen units only.",
            response.content.decode(),
        )
        self.assertFalse(ResponseLink.objects.exists())

    def test_bad_count_is_refused(self) -> None:
        self.sign_in(self.editor)
        for count, message in (
            ("0", "Make at least 1 link."),
            ("501", "Make at most 500 links at a time."),
            ("many", "Enter a whole number, like 20."),
        ):
            response = self.client.post(self.url, self.data(count=count))
            self.assertIn(message, response.content.decode())
        self.assertFalse(ResponseLink.objects.exists())

    def test_a_closed_round_makes_no_links(self) -> None:
        closed = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        self.sign_in(self.editor)
        url = f"/organisations/northfield/assessments/rounds/{closed.pk}/links/"
        response = self.client.post(url, self.data(unit=""))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ResponseLink.objects.exists())

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 404)
        self.assertFalse(ResponseLink.objects.exists())
