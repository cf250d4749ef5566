"""The board report's snapshot: figures as at the month's end, frozen on publishing,
problems first, the variation × assurance matrix and the portfolio's movement."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from openqi.measures.models import DataPoint, Measure
from openqi.projects.models import ProgressRating, Project
from openqi.reports import services
from openqi.reports.models import ReportIsPublished, ReportSnapshot
from openqi.reports.rendering import report_html
from tests.base import BaseTestCase
from tests.reports.report_helpers import (
    SHIFT_UP,
    STEADY,
    add_entry,
    make_charted_measure,
    make_report,
    published_report,
)

MARCH = datetime.date(2025, 3, 1)
DOWN = Measure.Improvement.DECREASE
UP = Measure.Improvement.INCREASE


class SnapshotTests(BaseTestCase):
    def _snapshot(self, report_pk: int) -> dict:
        return dict(ReportSnapshot.objects.get(report_id=report_pk).data)

    def test_publishing_freezes_the_figures_against_later_changes(self) -> None:
        falls = make_charted_measure(self.org, "Falls per 1,000 bed days")
        report = published_report(self.org, MARCH, measures=[falls], by=self.editor)
        before = self._snapshot(report.pk)
        assert before["measures"][0]["latest_text"] == "10"
        assert before["measures"][0]["svg"].startswith("<svg")

        last = DataPoint.objects.filter(measure=falls).order_by("period").last()
        assert last is not None
        last.value = 99
        last.save()
        falls.name = "Renamed"
        falls.save()

        self.sign_in(self.member)
        page = self.client.get(
            reverse("reports:detail", kwargs={"slug": self.org.slug, "pk": report.pk})
        )
        text = page.content.decode()
        assert "Falls per 1,000 bed days" in text
        assert "Renamed" not in text
        assert self._snapshot(report.pk) == before
        assert "Falls per 1,000 bed days" in report_html(report, for_print=True)

    def test_a_published_report_refuses_every_change_with_a_clear_message(self) -> None:
        falls = make_charted_measure(self.org, "Falls")
        report = published_report(self.org, MARCH, measures=[falls])
        entry = report.entries.get()
        with self.assertRaises(ReportIsPublished) as refused:
            services.save_commentary(entry, "Too late", self.editor)
        assert "March 2025 is published and cannot be changed" in str(refused.exception)
        with self.assertRaises(ReportIsPublished):
            services.publish(report, self.editor)
        with self.assertRaises(ReportIsPublished):
            ReportSnapshot.objects.get(report=report).save()

        self.sign_in(self.editor)
        url = reverse("reports:edit", kwargs={"slug": self.org.slug, "pk": report.pk})
        answer = self.client.post(
            url,
            {"month": "2025-03-01", "title": "Changed", "headings": "Safe"},
            follow=True,
        )
        assert "is published and cannot be changed" in answer.content.decode()
        report.refresh_from_db()
        assert report.title != "Changed"

    def test_figures_are_as_at_the_last_day_of_the_month(self) -> None:
        falls = make_charted_measure(self.org, "Falls", values=STEADY)
        report = published_report(self.org, datetime.date(2024, 5, 1), measures=[falls])
        measure = self._snapshot(report.pk)["measures"][0]
        # The series runs January 2023 to August 2024: May 2024 is the 17th point.
        assert measure["latest_period"] == "2024-05"
        assert measure["latest_text"] == "11"

    def test_concerns_and_failing_assurance_come_first(self) -> None:
        both = make_charted_measure(
            self.org, "Both", SHIFT_UP, improvement=DOWN, target=0
        )
        concern = make_charted_measure(self.org, "Concern", SHIFT_UP, improvement=DOWN)
        failing = make_charted_measure(
            self.org, "Failing", STEADY, improvement=UP, target=100
        )
        steady = make_charted_measure(self.org, "Steady", STEADY, improvement=UP)
        better = make_charted_measure(self.org, "Better", SHIFT_UP, improvement=UP)
        report = make_report(self.org, datetime.date(2025, 6, 1))
        for measure in (better, steady, failing, concern, both):
            add_entry(report, measure)
        services.publish(report, self.editor)
        data = self._snapshot(report.pk)
        names = [m["name"] for m in data["measures"]]

        assert [names[i] for i in data["problems"]] == ["Both", "Concern", "Failing"]
        safe = data["headings"][0]
        assert safe["name"] == "Safe"
        assert [names[i] for i in safe["entries"]] == [
            "Both",
            "Concern",
            "Failing",
            "Steady",
            "Better",
        ]
        html = report_html(report, for_print=False)
        assert html.index("Both") < html.index("Steady") < html.index("Better")

    def test_the_matrix_lists_each_measure_in_its_cell(self) -> None:
        both = make_charted_measure(
            self.org, "Both", SHIFT_UP, improvement=DOWN, target=0
        )
        failing = make_charted_measure(
            self.org, "Failing", STEADY, improvement=UP, target=100
        )
        steady = make_charted_measure(self.org, "Steady", STEADY, improvement=UP)
        better = make_charted_measure(self.org, "Better", SHIFT_UP, improvement=UP)
        empty = Measure.objects.create(organisation=self.org, name="No data")
        report = published_report(
            self.org,
            datetime.date(2025, 6, 1),
            measures=[both, failing, steady, better, empty],
        )
        data = self._snapshot(report.pk)
        names = [m["name"] for m in data["measures"]]
        rows = [r[0] for r in data["matrix"]["rows"]]
        columns = [c[0] for c in data["matrix"]["columns"]]

        def cell(row: str, column: str) -> list[str]:
            indices = data["matrix"]["cells"][rows.index(row)][columns.index(column)]
            return [names[i] for i in indices]

        assert cell("concern", "consistent_fail") == ["Both"]
        assert cell("common_cause", "consistent_fail") == ["Failing"]
        assert cell("common_cause", "") == ["Steady"]
        assert cell("improvement", "") == ["Better"]
        assert cell("none", "") == ["No data"]
        assert sum(len(c) for row in data["matrix"]["cells"] for c in row) == 5

    def test_the_portfolio_moves_since_the_last_published_report(self) -> None:
        ward = Project.objects.create(
            organisation=self.org,
            title="Safer ward rounds",
            status=Project.Status.ACTIVE,
            start_date=datetime.date(2025, 1, 6),
        )
        ProgressRating.objects.create(
            project=ward,
            score=Decimal("2.0"),
            rated_by=ProgressRating.RatedBy.TEAM,
            rated_on=datetime.date(2025, 2, 10),
        )
        published_report(self.org, datetime.date(2025, 2, 1))
        ProgressRating.objects.create(
            project=ward,
            score=Decimal("3.0"),
            rated_by=ProgressRating.RatedBy.TEAM,
            rated_on=datetime.date(2025, 3, 12),
        )
        Project.objects.create(
            organisation=self.org,
            title="Discharge before noon",
            status=Project.Status.IDEA,
            start_date=datetime.date(2025, 3, 3),
        )
        # Started after March: not in March's report.
        Project.objects.create(
            organisation=self.org,
            title="Later project",
            status=Project.Status.IDEA,
            start_date=datetime.date(2025, 4, 3),
        )
        march = published_report(self.org, MARCH)
        movement = self._snapshot(march.pk)["movement"]

        assert movement["previous"] == "February 2025"
        assert movement["total_then"] == 1
        assert "Safer ward rounds: rated up, 2.0 to 3.0" in movement["moves"]
        assert "Discharge before noon: new, at idea" in movement["moves"]
        assert not any("Later project" in move for move in movement["moves"])
        idea = next(row for row in movement["by_status"] if row[0] == "Idea")
        assert idea[1:] == [0, 1, 1]
        page = report_html(march, for_print=True)
        assert "Movement since February 2025" in page

    def test_the_first_report_has_no_movement_to_compare(self) -> None:
        report = published_report(self.org, MARCH)
        assert self._snapshot(report.pk)["movement"] == {"previous": None}
        assert "first published report" in report_html(report, for_print=False)

    def test_escalated_barriers_open_at_the_date_are_listed(self) -> None:
        from openqi.barriers.models import Barrier

        def barrier(title: str, **fields: object) -> None:
            Barrier.objects.create(
                organisation=self.org,
                category="timing",
                title=title,
                raised_on=datetime.date(2025, 1, 10),
                **fields,
            )

        barrier("No protected time", escalate_to_board=True)
        barrier("Not escalated")
        barrier(
            "Resolved in April",
            escalate_to_board=True,
            status=Barrier.Status.RESOLVED,
            resolved_on=datetime.date(2025, 4, 2),
        )
        barrier(
            "Resolved in February",
            escalate_to_board=True,
            status=Barrier.Status.RESOLVED,
            resolved_on=datetime.date(2025, 2, 2),
        )
        titles = [
            b["title"]
            for b in self._snapshot(published_report(self.org, MARCH).pk)["barriers"]
        ]
        assert sorted(titles) == ["No protected time", "Resolved in April"]
