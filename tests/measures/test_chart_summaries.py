"""Chart summaries: computed when a measure's data, phases, exclusions or options
change, stored, and read by the pages without computing a chart."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openqi.measures import services, summaries
from openqi.measures.charts import chart_for
from openqi.measures.models import ChartSummary, DataPoint, Measure, PhaseBreak
from openqi.projects.progress import suggest_rating
from tests.api.base import ApiTestCase
from tests.base import BaseTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file
from tests.measures.test_measure_points import date_fields
from tests.portfolio.portfolio_data import FLAT, STEP_DOWN, STEP_UP, link, make_project
from tests.portfolio.portfolio_data import make_measure as make_charted_measure

SLUG = {"slug": "northfield"}
#: Twelve steady months, then a point far above them.
STEADY = [10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11]


def stored(measure: Measure) -> ChartSummary:
    return ChartSummary.objects.get(measure=measure)


def direct(measure: Measure) -> ChartSummary:
    """The summary of the chart computed now, from the data as they are."""
    measure = Measure.objects.get(pk=measure.pk)
    return summaries.summary_from_chart(measure, chart_for(measure))


FIELDS = (
    "chart",
    "variation",
    "assurance",
    "latest_value",
    "latest_period",
    "phrase",
    "group",
    "rank",
    "n_points",
    "warnings",
    "sparkline",
    "progress",
)


@contextmanager
def no_chart_computed() -> Iterator[None]:
    """Fail if anything computes a chart inside the block."""
    boom = AssertionError("a chart was computed while a page was read")
    with (
        mock.patch("openqi.measures.charts.spc_chart", side_effect=boom),
        mock.patch("openqi.measures.summaries.xmr_batch", side_effect=boom),
        mock.patch("openqi.measures.summaries.p_batch", side_effect=boom),
        mock.patch("openqi.measures.summaries.u_batch", side_effect=boom),
        mock.patch("openqi.measures.summaries.pp_batch", side_effect=boom),
        mock.patch("openqi.measures.summaries.up_batch", side_effect=boom),
        mock.patch("openqi.measures.summaries.run_batch", side_effect=boom),
        mock.patch("openqi.measures.summaries.chart_for", side_effect=boom),
    ):
        yield


class SummaryAfterEachWriteTests(BaseTestCase):
    """Every kind of write through the pages leaves the stored summary equal to
    the chart computed from the data."""

    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls", improvement="decrease")
        add_points(self.measure, STEADY)
        self.kwargs = {"slug": self.org.slug, "pk": self.measure.pk}
        self.sign_in(self.editor)

    def assert_current(self) -> ChartSummary:
        summary = stored(self.measure)
        expected = direct(self.measure)
        for name in FIELDS:
            self.assertEqual(getattr(summary, name), getattr(expected, name), name)
        self.assertEqual(summary.engine, summaries.ENGINE)
        return summary

    def test_a_new_measure_has_a_summary_saying_no_data(self) -> None:
        measure = make_measure(self.org, name="Empty")
        summary = stored(measure)
        self.assertEqual((summary.group, summary.phrase), ("no_data", "No data yet."))
        self.assertFalse(summary.has_chart)

    def test_points_added_one_by_one_are_summarised(self) -> None:
        summary = self.assert_current()
        self.assertEqual((summary.chart, summary.n_points), ("xmr", 14))
        self.assertEqual(summary.variation, "common_cause")
        self.assertEqual(len(summary.sparkline), 14)
        self.assertEqual(summary.sparkline[-1], ["2024-02", 11.0, "common_cause"])

    def test_a_point_added_on_the_page(self) -> None:
        response = self.client.post(
            reverse("measures:add_point", kwargs=self.kwargs),
            {**date_fields(datetime.date(2024, 3, 1)), "value": "40"},
        )
        self.assertEqual(response.status_code, 302, response.content[:1000])
        summary = self.assert_current()
        self.assertEqual(
            (summary.latest_value, summary.variation), (40.0, "concern_high")
        )
        self.assertEqual(summary.group, "concern")

    def test_a_point_changed_and_deleted_on_the_page(self) -> None:
        point = self.measure.points.order_by("period").last()
        url = reverse("measures:point_edit", kwargs={**self.kwargs, "point": point.pk})
        response = self.client.post(
            url,
            {**date_fields(point.period), "value": "40", "version": point.version},
        )
        self.assertEqual(response.status_code, 302, response.content[:1000])
        self.assertEqual(self.assert_current().latest_value, 40.0)
        url = reverse(
            "measures:point_delete", kwargs={**self.kwargs, "point": point.pk}
        )
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertEqual(self.assert_current().latest_period, "2024-01")

    def test_a_phase_break_on_the_page_and_its_removal(self) -> None:
        response = self.client.post(
            reverse("measures:phase_add", kwargs=self.kwargs),
            {**date_fields(datetime.date(2023, 7, 1)), "reason": "New process"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.assert_current().progress["phase"], 1)
        phase_break = self.measure.phase_breaks.get()
        services.remove_phase_break(self.measure, phase_break)
        self.assertEqual(self.assert_current().progress["phase"], 0)

    def test_a_point_left_out_and_limits_fixed(self) -> None:
        add_points(self.measure, [16], start=datetime.date(2024, 3, 1))
        before = self.assert_current()
        wild = self.measure.points.order_by("period")[3]
        services.save_point(
            self.measure,
            period=wild.period,
            value=wild.value,
            is_excluded=True,
            exclusion_reason="Counted twice",
            point=wild,
        )
        self.assert_current()
        self.measure.fix_after = 12
        self.measure.save()
        after = self.assert_current()
        self.assertNotEqual(before.computed_at, after.computed_at)

    def test_an_option_changed_on_the_edit_page(self) -> None:
        self.assertEqual(stored(self.measure).assurance, "")
        response = self.client.post(
            reverse("measures:edit", kwargs=self.kwargs),
            {
                "name": "Falls",
                "kind": "count",
                "frequency": "monthly",
                "improvement": "decrease",
                "target": "5",
                "chart_type": "",
                "multiplier": "1",
                "version": self.measure.version,
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        summary = self.assert_current()
        self.assertEqual(
            (summary.assurance, summary.group), ("consistent_fail", "concern")
        )
        self.assertIn("Consistently failing the target of 5.", summary.phrase)

    def test_an_import_commit(self) -> None:
        case = ImportTestCase(methodName="run")
        case.client, case.org, case.measure = self.client, self.org, self.measure
        case.run_imports = lambda: call_command(  # type: ignore[method-assign]  # quiet runner
            "run_imports", "--once", stdout=io.StringIO()
        )
        token = case.token(case.upload(csv_file("Period,Value\n2024-03-01,40\n")))
        case.commit(token)
        self.assertTrue(self.measure.points.filter(value=40).exists())
        self.assertEqual(self.assert_current().variation, "concern_high")

    def test_a_rolled_back_write_stores_nothing(self) -> None:
        before = stored(self.measure)
        with self.assertRaises(RuntimeError), transaction.atomic():
            services.save_point(
                self.measure, period=datetime.date(2024, 3, 1), value=40.0
            )
            self.assertEqual(stored(self.measure).latest_value, 40.0)
            raise RuntimeError("the request failed")
        after = stored(self.measure)
        self.assertEqual(
            (after.latest_value, after.computed_at),
            (before.latest_value, before.computed_at),
        )

    def test_many_writes_in_one_service_compute_once(self) -> None:
        with mock.patch(
            "openqi.measures.summaries.compute_summaries",
            wraps=summaries.compute_summaries,
        ) as compute:
            services.save_rows(
                self.measure,
                [
                    services.importing.Row(1, datetime.date(2024, 3, 1), 40.0, None),
                    services.importing.Row(2, datetime.date(2024, 4, 1), 41.0, None),
                ],
            )
        self.assertEqual(compute.call_count, 1)
        self.assert_current()

    def test_deleting_a_measure_deletes_its_summary(self) -> None:
        PhaseBreak.objects.create(
            measure=self.measure, period=datetime.date(2023, 6, 1), reason="Change"
        )
        self.measure.delete()
        self.assertFalse(ChartSummary.objects.exists())

    def test_a_summary_older_than_the_data_is_computed_again_when_read(self) -> None:
        # Written past the services and the signals: the summary is stale ...
        DataPoint.objects.filter(measure=self.measure).update(value=50)
        Measure.objects.filter(pk=self.measure.pk).update(updated_at=timezone.now())
        # ... and the next reader computes it, once.
        measure = Measure.objects.get(pk=self.measure.pk)
        summary = summaries.summaries_for([measure])[measure.pk]
        self.assertEqual(summary.latest_value, 50.0)
        with no_chart_computed():
            self.assertEqual(
                summaries.summaries_for([measure])[measure.pk].latest_value, 50.0
            )


class SummaryThroughTheApiTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls", improvement="decrease")
        self.points = add_points(self.measure, STEADY)

    def test_bulk_upsert_single_patch_and_phase_break(self) -> None:
        url = reverse("api:data-points", kwargs={**SLUG, "measure_id": self.measure.pk})
        rows = [{"period": "2024-03-01", "value": 40}]
        response = self.call("post", url, self.editor, data=rows)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(stored(self.measure).variation, "concern_high")
        point = self.measure.points.get(period=datetime.date(2024, 3, 1))
        url = reverse(
            "api:data-point",
            kwargs={**SLUG, "measure_id": self.measure.pk, "point_id": point.pk},
        )
        response = self.call(
            "patch",
            url,
            self.editor,
            data={"is_excluded": True, "exclusion_reason": "Counted twice"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        summary = stored(self.measure)
        self.assertEqual(summary.variation, "common_cause")
        self.assertEqual(summary.sparkline[-1], ["2024-03", 40.0, "common_cause"])
        url = reverse(
            "api:phase-breaks", kwargs={**SLUG, "measure_id": self.measure.pk}
        )
        response = self.call(
            "post", url, self.editor, data={"period": "2023-07-01", "reason": "New"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(stored(self.measure).progress["phase"], 1)
        url = reverse("api:measure", kwargs={**SLUG, "measure_id": self.measure.pk})
        response = self.call("patch", url, self.editor, data={"target": 5})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(stored(self.measure).assurance, "consistent_fail")
        for name in FIELDS:
            self.assertEqual(
                getattr(stored(self.measure), name),
                getattr(direct(self.measure), name),
                name,
            )


class PagesComputeNoChartTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(
            cls.org, title="Fewer falls", start_date=datetime.date(2022, 1, 1)
        )
        for i, values in enumerate((FLAT, STEP_DOWN, STEP_UP, SHIFTED)):
            measure = make_charted_measure(
                cls.org, values, name=f"Measure {i}", improvement="decrease"
            )
            link(cls.project, measure, "outcome" if i % 2 else "process")
        ratio = make_charted_measure(
            cls.org,
            [30, 32, 31, 29, 30] * 3,
            denominators=[100] * 15,
            name="Ratio",
            kind="proportion",
            multiplier=100,
        )
        link(cls.project, ratio)

    def test_overview_portfolio_project_list_and_home_read_stored_summaries(
        self,
    ) -> None:
        self.sign_in(self.editor)
        pages = [
            reverse("measures:overview", kwargs=SLUG),
            reverse("portfolio:portfolio", kwargs=SLUG),
            reverse("measures:list", kwargs=SLUG),
            reverse("projects:detail", kwargs={**SLUG, "pk": self.project.pk}),
            reverse("reports:home", kwargs=SLUG),
        ]
        with no_chart_computed():
            for url in pages:
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
            suggest_rating(self.project)

    def test_the_suggested_rating_is_the_same_from_summaries_and_from_charts(
        self,
    ) -> None:
        links = list(self.project.measure_links.select_related("measure"))
        charts = {link.measure_id: chart_for(link.measure) for link in links}
        from_charts = suggest_rating(self.project, charts=charts)
        with no_chart_computed():
            from_summaries = suggest_rating(self.project)
        self.assertEqual(from_summaries.score, from_charts.score)
        self.assertEqual(from_summaries.reasons, from_charts.reasons)
        self.assertEqual(from_summaries.evidence, from_charts.evidence)

    def test_portfolio_queries_do_not_grow_with_its_measures(self) -> None:
        self.sign_in(self.editor)
        url = reverse("portfolio:portfolio", kwargs=SLUG)
        self.client.get(url)
        before = self.count(url)
        for i in range(20):
            link(
                make_project(self.org, title=f"More {i}"),
                make_charted_measure(self.org, FLAT, name=f"More {i}"),
            )
        self.client.get(url)
        with self.assertNumQueries(before), no_chart_computed():
            self.client.get(url)

    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        return len(queries)


class RebuildCommandTests(BaseTestCase):
    def test_rebuilds_every_summary_or_one_organisations(self) -> None:
        mine = make_charted_measure(
            self.org, STEP_UP, name="Mine", improvement="decrease"
        )
        theirs = make_charted_measure(self.other_org, FLAT, name="Theirs")
        ChartSummary.objects.update(engine="old", phrase="stale")
        out = io.StringIO()
        call_command(
            "rebuild_chart_summaries", "--organisation", self.org.slug, stdout=out
        )
        self.assertIn("1 of 1 measures", out.getvalue())
        self.assertEqual(stored(mine).engine, summaries.ENGINE)
        self.assertEqual(stored(theirs).phrase, "stale")
        out = io.StringIO()
        call_command(
            "rebuild_chart_summaries", "--stale", "--batch-size", "1", stdout=out
        )
        self.assertIn("1 of 1 measures", out.getvalue())
        self.assertEqual(stored(theirs).engine, summaries.ENGINE)
        ChartSummary.objects.all().delete()
        call_command("rebuild_chart_summaries", stdout=io.StringIO())
        for measure in (mine, theirs):
            self.assertEqual(stored(measure).phrase, direct(measure).phrase)

    def test_an_unknown_organisation_is_refused(self) -> None:
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "No organisation has the slug"):
            call_command(
                "rebuild_chart_summaries",
                "--organisation",
                "nowhere",
                stdout=io.StringIO(),
            )


class DemoSummariesTests(BaseTestCase):
    def test_the_demo_ends_with_every_measure_summarised(self) -> None:
        from openqi.demo import build_demo

        build_demo()
        measures = list(Measure.objects.filter(organisation__slug="riverside"))
        self.assertTrue(measures)
        with no_chart_computed():
            found = summaries.summaries_for(measures)
        self.assertEqual(set(found), {m.pk for m in measures})
        for measure in measures[:5]:
            self.assertEqual(found[measure.pk].phrase, direct(measure).phrase)
