"""Results are computed once, when a round closes, and stored: the results page,
the API and the change since the previous round read what is stored, and never
run the disclosure check on a view."""

from __future__ import annotations

import datetime
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openqi.assessments import disclosure, services
from openqi.assessments.models import AssessmentRound
from openqi.assessments.services import results as results_module
from tests.assessments.round_helpers import make_instrument, make_responses, make_round
from tests.assessments.test_assessment_results import A, B, cell_text
from tests.base import BaseTestCase

#: The most queries a results page of a closed round with a previous round may
#: make (session, user, membership, round, the previous round and its units, the
#: stored results read, ...), whatever the number of responses.
RESULTS_PAGE_QUERIES = 12


def _no_disclosure_check(*args: object, **kwargs: object) -> None:
    raise AssertionError("the disclosure check ran on a read")


class StoredAtCloseTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.instrument = make_instrument()
        cls.first = make_round(
            cls.org, cls.instrument, title="Autumn 2025", status="open"
        )
        make_responses(cls.first, B, 6, unit=cls.division, staff_group="medical")
        make_responses(cls.first, A, 3, unit=cls.team, staff_group="nursing")
        services.close_round(cls.first)
        cls.current = make_round(
            cls.org, cls.instrument, title="Spring 2026", status="open"
        )
        make_responses(cls.current, A, 5, unit=cls.team, staff_group="nursing")
        make_responses(cls.current, B, 6, unit=cls.division, staff_group="medical")
        make_responses(cls.current, A, 3, unit=cls.directorate)
        AssessmentRound.objects.filter(pk=cls.first.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=30)
        )

    def url(self, assessment_round: AssessmentRound) -> str:
        return f"/organisations/northfield/assessments/rounds/{assessment_round.pk}/results/"

    def close(self) -> AssessmentRound:
        self.sign_in(self.editor)
        response = self.client.post(
            f"/organisations/northfield/assessments/rounds/{self.current.pk}/close/"
        )
        self.assertEqual(response.status_code, 302)
        return AssessmentRound.objects.get(pk=self.current.pk)

    def test_an_open_round_has_nothing_stored(self) -> None:
        self.assertIsNone(self.current.published_results)
        self.assertIsNone(self.current.results_computed_at)

    def test_closing_a_round_stores_its_results(self) -> None:
        closed = self.close()
        self.assertEqual(closed.status, AssessmentRound.Status.CLOSED)
        self.assertTrue(services.has_stored_results(closed))
        self.assertEqual(closed.results_method_version, services.RESULTS_METHOD_VERSION)
        self.assertIsNotNone(closed.results_computed_at)
        stored = closed.published_results
        self.assertEqual(stored["overall"]["n"], 14)
        # lead: (5 × 75 + 6 × 25 + 3 × 75) / 14 = 53.6, shown as 54.
        self.assertEqual(stored["overall"]["cells"]["lead"]["score"], 54)
        units = {row["key"]: row for row in stored["breakdowns"]["unit"]}
        self.assertEqual(
            units[str(self.directorate.pk)]["suppression"], services.FEW_RESPONSES
        )
        self.assertEqual(units[str(self.team.pk)]["label"], "Emergency department")

    def test_storing_results_is_not_an_edit_of_the_round(self) -> None:
        closed = self.close()
        version = closed.version
        services.publish_results(closed)
        closed.refresh_from_db()
        self.assertEqual(closed.version, version)

    def test_a_results_page_reads_the_stored_results_in_a_few_queries(self) -> None:
        self.close()
        self.sign_in(self.viewer)
        with (
            mock.patch.object(
                disclosure, "secondary_suppression", _no_disclosure_check
            ),
            mock.patch.object(results_module, "published_tables", _no_disclosure_check),
            CaptureQueriesContext(connection) as queries,
        ):
            response = self.client.get(self.url(self.current))
        self.assertEqual(response.status_code, 200)
        self.assertLessEqual(len(queries), RESULTS_PAGE_QUERIES)
        page = response.content.decode()
        self.assertIn("Since Autumn 2025", page)
        self.assertEqual(
            cell_text(page, "heatmap-units", str(self.division.pk), "lead"), "25 Low"
        )

    def test_the_page_does_not_grow_with_the_responses(self) -> None:
        make_responses(self.current, B, 40, unit=self.division)
        self.close()
        self.sign_in(self.viewer)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.url(self.current))
        self.assertLessEqual(len(queries), RESULTS_PAGE_QUERIES)

    def test_change_compares_with_the_earlier_rounds_stored_results(self) -> None:
        closed = self.close()
        # Were the first round computed again, its lead would be all A (75).
        self.first.responses.filter(unit=self.division).delete()
        results = services.results_for(closed)
        self.assertEqual(results.previous, self.first)
        # Stored first round: lead (6 × 25 + 3 × 75) / 9 = 41.7, shown as 42.
        self.assertEqual(results.change["lead"], 54 - 42)

    def test_the_api_and_the_page_agree_with_the_stored_results(self) -> None:
        closed = self.close()
        stored = closed.published_results
        self.sign_in(self.viewer)
        body = self.client.get(
            f"/api/v1/organisations/northfield/rounds/{closed.pk}/results"
        ).json()
        page = self.client.get(self.url(closed)).content.decode()
        for section in ("lead", "time", "team"):
            score = stored["overall"]["cells"][section]["score"]
            self.assertEqual(body["overall"]["sections"][section]["score"], score)
        for row in stored["breakdowns"]["unit"]:
            api_row = next(r for r in body["by_unit"] if r["key"] == row["key"])
            for section, cell in row["cells"].items():
                self.assertEqual(api_row["sections"][section]["score"], cell["score"])
                shown = cell_text(page, "heatmap-units", row["key"], section)
                if cell["score"] is None:
                    self.assertIn("fewer than 5", shown)
                else:
                    self.assertTrue(shown.startswith(f"{cell['score']:.0f} "), shown)
        self.assertEqual(body["change"], {"lead": 12, "time": 12, "team": 12})

    def test_a_deleted_unit_leaves_the_published_results_as_they_were(self) -> None:
        closed = self.close()
        before = closed.published_results
        self.team.delete()  # its responses keep their answers, without a unit
        closed.refresh_from_db()
        results = services.results_for(closed)
        self.assertEqual(closed.published_results, before)
        labels = [row.label for row in results.by_unit]
        self.assertIn("Emergency department", labels)
        self.assertNotIn("Unit not given", labels)


class ComputedOnFirstReadTests(BaseTestCase):
    """A round closed before results were stored, or stored by an older method."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.assessment_round = make_round(cls.org, title="Old round", status="closed")
        make_responses(cls.assessment_round, A, 5, unit=cls.team)
        make_responses(cls.assessment_round, B, 6, unit=cls.division)
        cls.open = make_round(cls.org, title="Still open")
        make_responses(cls.open, A, 5)

    def test_the_first_read_stores_them_and_later_reads_use_them(self) -> None:
        self.assertIsNone(self.assessment_round.published_results)
        first = services.results_for(self.assessment_round)
        self.assessment_round.refresh_from_db()
        self.assertTrue(services.has_stored_results(self.assessment_round))
        with mock.patch.object(
            disclosure, "secondary_suppression", _no_disclosure_check
        ):
            again = services.results_for(self.assessment_round)
        self.assertEqual(again.overall, first.overall)
        self.assertEqual(again.by_unit, first.by_unit)
        self.assertEqual(again.spreads, first.spreads)

    def test_results_of_an_older_method_are_computed_again(self) -> None:
        AssessmentRound.objects.filter(pk=self.assessment_round.pk).update(
            published_results={"from": "an older method"},
            results_method_version=services.RESULTS_METHOD_VERSION - 1,
        )
        self.assessment_round.refresh_from_db()
        self.assertEqual(services.results_for(self.assessment_round).overall.n, 11)
        self.assessment_round.refresh_from_db()
        self.assertEqual(
            self.assessment_round.results_method_version,
            services.RESULTS_METHOD_VERSION,
        )

    def test_the_command_fills_closed_rounds_without_stored_results(self) -> None:
        out = StringIO()
        call_command("publish_round_results", stdout=out)
        self.assertIn("Stored the results of 1 closed round.", out.getvalue())
        self.assessment_round.refresh_from_db()
        self.open.refresh_from_db()
        self.assertTrue(services.has_stored_results(self.assessment_round))
        self.assertEqual(self.assessment_round.published_results["overall"]["n"], 11)
        self.assertIsNone(self.open.published_results)
        out = StringIO()
        call_command("publish_round_results", stdout=out)
        self.assertIn("Stored the results of 0 closed rounds.", out.getvalue())
        out = StringIO()
        call_command("publish_round_results", "--all", stdout=out)
        self.assertIn("Stored the results of 1 closed round.", out.getvalue())

    def test_an_open_round_publishes_nothing(self) -> None:
        with self.assertRaises(services.ResultsNotAvailable):
            services.publish_results(self.open)
        self.open.refresh_from_db()
        self.assertIsNone(self.open.published_results)
