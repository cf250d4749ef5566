"""The public survey: answering through an anonymous link without signing in."""

from __future__ import annotations

import datetime
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.assessments import services
from openqi.assessments.models import AssessmentRound, Response, ResponseLink
from tests.assessments.round_helpers import make_link, make_round
from tests.base import BaseTestCase

ANSWERS = {"l1": "4", "l2": "2", "t1": "partly", "k1": "5"}


class SurveyTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assessment_round = make_round(cls.org, title="Spring pulse")

    def link(self, **fields: object) -> tuple[ResponseLink, str]:
        fields.setdefault("unit", self.team)
        fields.setdefault("staff_group", "nursing")
        return make_link(self.assessment_round, **fields)

    def test_anonymous_person_sees_the_items_for_their_group_by_section(self) -> None:
        _link, token = self.link()
        response = self.client.get(f"/survey/{token}/")
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Ward readiness pulse", page)
        self.assertIn("Leadership for improvement", page)
        self.assertIn("Our leaders talk about improvement.", page)
        self.assertIn("Teamwork", page)  # asked of staff, as this link is
        self.assertIn('type="radio"', page)
        self.assertIn("Strongly agree", page)
        self.assertIn("Partly", page)
        self.assertIn("Send my answers", page)
        self.assertLess(
            page.index("Leadership for improvement"), page.index("Time for improvement")
        )

    def test_items_not_asked_of_the_group_are_left_out(self) -> None:
        _link, token = self.link(respondent_group="patients")
        page = self.client.get(f"/survey/{token}/").content.decode()
        self.assertIn("Our leaders talk about improvement.", page)
        self.assertNotIn("My team learns from what goes wrong.", page)
        self.assertNotIn("Teamwork", page)

    def test_submitting_stores_an_anonymous_response_and_uses_the_link(self) -> None:
        link, token = self.link(respondent_group="managers")
        with mock.patch(
            "django.utils.timezone.localdate", return_value=datetime.date(2026, 3, 5)
        ):
            response = self.client.post(f"/survey/{token}/", ANSWERS)
        self.assertRedirects(response, "/survey/thank-you/")
        stored = Response.objects.get()
        self.assertEqual(stored.round, self.assessment_round)
        self.assertEqual(stored.unit, self.team)
        self.assertEqual(stored.staff_group, "nursing")
        self.assertEqual(stored.respondent_group, "managers")
        self.assertEqual(stored.submitted_on, datetime.date(2026, 3, 5))
        # Answers as the scales store them; k1 is not put to managers.
        self.assertEqual(stored.answers, {"l1": 4, "l2": 2, "t1": "partly"})
        link.refresh_from_db()
        self.assertIsNotNone(link.used_at)
        thanks = self.client.get("/survey/thank-you/")
        self.assertEqual(thanks.status_code, 200)
        self.assertIn("Thank you", thanks.content.decode())

    def test_skipped_questions_are_left_out(self) -> None:
        _link, token = self.link()
        self.client.post(f"/survey/{token}/", {"l1": "3"})
        self.assertEqual(Response.objects.get().answers, {"l1": 3})

    def test_a_signed_in_person_is_not_recorded(self) -> None:
        _link, token = self.link()
        self.sign_in(self.editor)
        self.client.post(f"/survey/{token}/", ANSWERS)
        fields = {f.name for f in Response._meta.get_fields()}
        self.assertEqual(
            fields,
            {
                "id",
                "round",
                "unit",
                "staff_group",
                "respondent_group",
                "submitted_on",
                "answers",
            },
        )
        self.assertEqual(Response.objects.count(), 1)

    def test_a_used_link_says_so_and_takes_no_second_response(self) -> None:
        _link, token = self.link()
        self.client.post(f"/survey/{token}/", ANSWERS)
        response = self.client.get(f"/survey/{token}/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("This link has been used", response.content.decode())
        again = self.client.post(f"/survey/{token}/", ANSWERS)
        self.assertIn("This link has been used", again.content.decode())
        self.assertEqual(Response.objects.count(), 1)

    def test_a_link_used_while_answering_stores_nothing_more(self) -> None:
        link, token = self.link()
        page = self.client.get(f"/survey/{token}/")
        self.assertEqual(page.status_code, 200)
        services.submit_response(link, {"l1": 4})  # another tab got there first
        with self.assertRaises(services.LinkAlreadyUsed):
            services.submit_response(link, {"l1": 5})
        self.assertEqual(Response.objects.count(), 1)

    def test_a_closed_round_says_so(self) -> None:
        closed = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        _link, token = make_link(closed)
        response = self.client.get(f"/survey/{token}/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("This survey has closed", response.content.decode())
        self.client.post(f"/survey/{token}/", ANSWERS)
        self.assertFalse(Response.objects.exists())

    def test_a_draft_round_says_it_is_not_open_yet(self) -> None:
        draft = make_round(self.org, status=AssessmentRound.Status.DRAFT)
        _link, token = make_link(draft)
        response = self.client.post(f"/survey/{token}/", ANSWERS)
        self.assertIn("This survey is not open yet", response.content.decode())
        self.assertFalse(Response.objects.exists())

    def test_an_unknown_token_is_404(self) -> None:
        self.assertEqual(self.client.get("/survey/not-a-real-token/").status_code, 404)

    def test_no_answers_reshows_the_form_and_stores_nothing(self) -> None:
        link, token = self.link()
        response = self.client.post(f"/survey/{token}/", {})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn("Answer at least one question", page)
        self.assertFalse(Response.objects.exists())
        link.refresh_from_db()
        self.assertIsNone(link.used_at)

    def test_every_question_sent_blank_is_refused_too(self) -> None:
        link, token = self.link()
        blank = dict.fromkeys(ANSWERS, "")
        response = self.client.post(f"/survey/{token}/", blank)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("nhsuk-error-summary", page)
        self.assertIn("Answer at least one question before sending your answers.", page)
        self.assertIn("Send my answers", page)  # the form is shown again
        self.assertFalse(Response.objects.exists())
        link.refresh_from_db()
        self.assertIsNone(link.used_at)
        # The link still works: answering now is taken.
        self.assertRedirects(
            self.client.post(f"/survey/{token}/", ANSWERS), "/survey/thank-you/"
        )

    def test_an_answer_off_the_scale_is_refused(self) -> None:
        _link, token = self.link()
        response = self.client.post(f"/survey/{token}/", {**ANSWERS, "l1": "9"})
        self.assertIn("Choose one of the answers", response.content.decode())
        self.assertFalse(Response.objects.exists())

    def test_the_token_is_stored_only_as_its_hash(self) -> None:
        _link, token = self.link()
        with CaptureQueriesContext(connection) as queries:
            self.client.post(f"/survey/{token}/", ANSWERS)
        for query in queries.captured_queries:
            if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")):
                self.assertNotIn(token, query["sql"])
        for link in ResponseLink.objects.all():
            self.assertNotEqual(link.token_hash, token)
        for stored in Response.objects.all():
            self.assertNotIn(token, str(stored.answers))

    def test_the_page_is_not_cached(self) -> None:
        _link, token = self.link()
        response = self.client.get(f"/survey/{token}/")
        self.assertIn("no-cache", response["Cache-Control"])
