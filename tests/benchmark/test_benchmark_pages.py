"""Benchmark pages and services: the funnel against limits worked out by hand, SPC
per participant, reporting and importing values (all or nothing), units with
linked measures, and the page's queries with hundreds of participants."""

from __future__ import annotations

import math

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openqi.benchmark import services
from openqi.benchmark.models import (
    Benchmark,
    BenchmarkResult,
    Participant,
    ParticipantSummary,
    Value,
)
from openqi.benchmark.services import ImportRow
from tests.base import BaseTestCase
from tests.benchmark.helpers import make_benchmark, make_participant, month, value_data
from tests.measures.helpers import add_points, make_measure

#: FunnelPlotR's two z values (R/calculate_limits.R).
Z95, Z998 = 1.959964, 3.090232


def _limit(theta: float, n: float, z: float) -> float:
    """A proportion's funnel limit by hand: sin²(asin√θ + z/(2√n)) on the arcsine
    scale (Spiegelhalter 2005, appendix A.1.2; FunnelPlotR data_type "PR")."""
    angle = math.asin(math.sqrt(theta)) + z / (2 * math.sqrt(n))
    return math.sin(min(max(angle, 0.0), math.pi / 2)) ** 2


class FunnelTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.benchmark = make_benchmark(cls.org, overdispersion=False)
        figures = {"A": (45, 50), "B": (60, 100), "C": (170, 200), "D": (10, 40)}
        rows = []
        for code, (y, n) in figures.items():
            make_participant(cls.benchmark, name=f"Ward {code}", code=code)
            rows.append(ImportRow(code, month(2024, 3), y, n))
            rows.append(ImportRow(code, month(2024, 2), y - 1, n))
        services.import_values(cls.benchmark, rows)
        cls.figures = figures

    def test_limits_and_outliers_match_the_arithmetic_by_hand(self) -> None:
        result = BenchmarkResult.objects.get(benchmark=self.benchmark)
        self.assertEqual(result.period, month(2024, 3))
        theta = sum(y for y, _ in self.figures.values()) / sum(
            n for _, n in self.figures.values()
        )
        self.assertAlmostEqual(result.funnel["target"], 100 * theta, places=10)
        self.assertFalse(result.funnel["adjusted"])
        units = {u["unit"]: u for u in result.funnel["units"]}
        for code, (y, n) in self.figures.items():
            unit = units[f"Ward {code}"]
            self.assertAlmostEqual(unit["value"], 100 * y / n, places=10)
            self.assertAlmostEqual(
                unit["upper95"], 100 * _limit(theta, n, Z95), places=8
            )
            self.assertAlmostEqual(
                unit["lower998"], 100 * _limit(theta, n, -Z998), places=8
            )
            above = y / n > _limit(theta, n, Z998)
            below = y / n < _limit(theta, n, -Z998)
            expected = "high" if above else "low" if below else "none"
            self.assertEqual(unit["outlier"], expected, code)
        # Ward D (25%) is far below the centre (about 73%): named as an outlier.
        self.assertEqual(units["Ward D"]["outlier"], "low")
        self.assertIn("Ward D", result.description)

    def test_each_participant_has_its_sparkline_and_the_page_names_outliers(
        self,
    ) -> None:
        summary = ParticipantSummary.objects.get(participant__code="A")
        self.assertEqual(
            summary.sparkline,
            [["2024-02", 88.0, "common_cause"], ["2024-03", 90.0, "common_cause"]],
        )
        self.assertEqual(summary.outlier, "high")  # 90% of 50 against a centre of 73%
        self.sign_in(self.viewer)
        url = reverse(
            "benchmark:detail", kwargs={"slug": self.org.slug, "pk": self.benchmark.pk}
        )
        response = self.client.get(url)
        self.assertContains(
            response,
            "Outside the 99.8% limits: Ward A (above), Ward C (above), Ward D (below).",
        )
        self.assertContains(response, 'id="funnel-description"')
        self.assertContains(response, "Below the limits")

    def test_participants_without_a_latest_value_come_last(self) -> None:
        make_participant(self.benchmark, name="Ward 0 (new)", code="0")
        services.recompute(self.benchmark)
        self.sign_in(self.viewer)
        url = reverse(
            "benchmark:detail", kwargs={"slug": self.org.slug, "pk": self.benchmark.pk}
        )
        page = self.client.get(url).content.decode()
        table = page[page.index('id="participants-caption"') :]
        order = [table.index(f"Ward {name}") for name in ("A", "B", "C", "D", "0")]
        self.assertEqual(order, sorted(order))

    def test_a_participants_page_shows_its_full_chart(self) -> None:
        participant = Participant.objects.get(benchmark=self.benchmark, code="C")
        self.sign_in(self.viewer)
        url = reverse(
            "benchmark:participant",
            kwargs={
                "slug": self.org.slug,
                "pk": self.benchmark.pk,
                "participant": participant.pk,
            },
        )
        response = self.client.get(url)
        self.assertContains(response, "<svg", count=None)
        self.assertContains(response, "Ward C: " + self.benchmark.name)
        self.assertContains(response, "2024-03")


class ReportingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.benchmark = make_benchmark(cls.org)
        cls.ward = make_participant(cls.benchmark, name="Ward 1", code="W1")
        make_participant(cls.benchmark, name="Ward 2", code="W2")

    def _url(self, name: str, **extra: int) -> str:
        return reverse(
            f"benchmark:{name}",
            kwargs={"slug": self.org.slug, "pk": self.benchmark.pk, **extra},
        )

    def test_a_value_is_reported_and_replaced(self) -> None:
        self.sign_in(self.member)
        url = self._url("report", participant=self.ward.pk)
        self.assertEqual(self.client.post(url, value_data()).status_code, 302)
        self.assertEqual(
            self.client.post(url, value_data(numerator="45")).status_code, 302
        )
        value = Value.objects.get(participant=self.ward)
        self.assertEqual((value.numerator, value.version), (45, 2))
        summary = ParticipantSummary.objects.get(participant=self.ward)
        self.assertEqual(summary.value, 90.0)

    def test_bad_values_are_refused_with_a_message_each(self) -> None:
        self.sign_in(self.member)
        url = self._url("report", participant=self.ward.pk)
        cases = [
            ({"period": "March"}, "like 2024-03"),
            ({"period": "2024-13"}, "like 2024-03"),
            ({"numerator": "60"}, "more than the denominator"),
            ({"denominator": "0"}, "above 0"),
            ({"numerator": "-1"}, "from 0 to"),
            ({"numerator": "1e20", "denominator": "1e21"}, "from 0 to"),
            ({"numerator": "nan"}, "Enter a number"),
            ({"numerator": ""}, "Enter the numerator"),
        ]
        for change, message in cases:
            response = self.client.post(url, value_data(**change))
            self.assertEqual(response.status_code, 200, change)
            self.assertContains(response, message, msg_prefix=str(change))
        self.assertFalse(Value.objects.exists())

    def test_an_import_with_a_bad_row_changes_nothing_and_says_which(self) -> None:
        self.sign_in(self.qi_lead)
        text = (
            "code,period,numerator,denominator\n"
            "W1,2024-03,40,50\n"
            "W9,2024-03,1,2\n"
            "W2,2024-3x,1,2\n"
            "W2,2024-03,9,x\n"
            "W2,2024-04,9,5\n"
        )
        upload = SimpleUploadedFile("values.csv", text.encode(), "text/csv")
        response = self.client.post(self._url("import"), {"file": upload})
        self.assertEqual(response.status_code, 200)
        for message in (
            "Nothing was imported",
            "Row 3, code: W9 is not a participant",
            "Row 4, period",
            "Row 5, denominator",
            "Row 6, numerator: The numerator is more than the denominator",
        ):
            self.assertContains(response, message)
        self.assertFalse(Value.objects.exists())

    def test_a_good_import_writes_every_row_in_one_audit_event(self) -> None:
        self.sign_in(self.qi_lead)
        text = 'code,period,numerator,denominator\nW1,2024-03,40,50\nW2,2024-03,"1,000","2,000"\n'
        upload = SimpleUploadedFile("values.csv", text.encode(), "text/csv")
        response = self.client.post(self._url("import"), {"file": upload})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Value.objects.count(), 2)
        result = BenchmarkResult.objects.get(benchmark=self.benchmark)
        self.assertEqual(result.participants, 2)

    def test_api_import_refuses_a_bad_file_whole(self) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.post(
            f"/api/v1/organisations/{self.org.slug}/benchmarks/{self.benchmark.pk}/import",
            {
                "csv": "code,period,numerator,denominator\nW1,2024-03,40,50\nW2,2024-03,5,1\n"
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("Row 3, numerator", response.content.decode())
        self.assertFalse(Value.objects.exists())

    def test_a_unit_takes_its_values_from_its_measure(self) -> None:
        measure = make_measure(
            self.org, name="Falls – Ward 3", kind="proportion", unit=self.team
        )
        add_points(measure, [3, 4, 2], denominators=[100, 100, 80])
        self.sign_in(self.qi_lead)
        response = self.client.post(
            self._url("participant_add"),
            {
                "name": "Ward 3",
                "code": "W3",
                "unit": self.team.pk,
                "measure": measure.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        ward = Participant.objects.get(code="W3")
        self.assertEqual(ward.values.count(), 3)
        self.assertFalse(
            services.may_report(self.org.memberships.get(user=self.qi_lead), ward)
        )
        add_points(measure, [5], start=month(2023, 4), denominators=[50])
        self.client.post(self._url("refresh"))
        self.assertEqual(ward.values.count(), 4)

    def test_new_measure_data_reach_the_funnel_when_the_page_is_read(self) -> None:
        from openqi.audit.models import AuditEvent

        measure = make_measure(
            self.org, name="Falls – Ward 5", kind="proportion", unit=self.team
        )
        add_points(measure, [3, 4], denominators=[100, 100])
        ward = make_participant(
            self.benchmark, name="Ward 5", code="W5", measure=measure
        )
        self.assertEqual(ward.values.count(), 2)
        add_points(measure, [6], start=month(2023, 4), denominators=[60])
        self.sign_in(self.viewer)  # reads; nobody pressed "Update values"
        self.client.get(self._url("detail"))
        self.assertEqual(ward.values.count(), 3)
        summary = ParticipantSummary.objects.get(participant=ward)
        self.assertEqual(summary.n_points, 3)
        # Unchanged data write nothing (no audit event, no data version moved).
        events = AuditEvent.objects.count()
        self.client.get(self._url("detail"))
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_the_definition_is_changed_and_a_stale_form_changes_nothing(self) -> None:
        self.sign_in(self.qi_lead)
        data = {
            "name": "Falls per occupied bed",
            "numerator_definition": "Falls",
            "denominator_definition": "Occupied beds",
            "kind": "proportion",
            "frequency": "monthly",
            "improvement": "decrease",
            "multiplier": "100",
            "version": str(self.benchmark.version),
        }
        response = self.client.post(self._url("edit"), data)
        self.assertRedirects(response, self._url("detail"))
        self.benchmark.refresh_from_db()
        self.assertEqual(
            (self.benchmark.name, self.benchmark.improvement),
            ("Falls per occupied bed", "decrease"),
        )
        stale = self.client.post(self._url("edit"), {**data, "name": "Old tab"})
        self.assertEqual(stale.status_code, 200)
        self.assertContains(stale, "Someone else saved this")
        self.benchmark.refresh_from_db()
        self.assertEqual(self.benchmark.name, "Falls per occupied bed")
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self._url("edit")).status_code, 403)

    def test_weekly_points_are_summed_into_the_benchmarks_months(self) -> None:
        measure = make_measure(
            self.org,
            name="Hand hygiene – Ward 4",
            kind="proportion",
            frequency="weekly",
        )
        # Weeks starting 2, 9, 16, 23 and 30 January, then 6 February.
        add_points(
            measure,
            [9, 8, 7, 6, 5, 4],
            start=month(2023, 1).replace(day=2),
            denominators=[10] * 6,
        )
        ward = make_participant(
            self.benchmark, name="Ward 4", code="W4", measure=measure
        )
        values = {v.period: (v.numerator, v.denominator) for v in ward.values.all()}
        self.assertEqual(
            values, {month(2023, 1): (35.0, 50.0), month(2023, 2): (4.0, 10.0)}
        )

    def test_the_api_reads_the_funnel_and_reports_a_value(self) -> None:
        self.sign_in(self.member)
        base = f"/api/v1/organisations/{self.org.slug}/benchmarks/{self.benchmark.pk}"
        response = self.client.post(
            f"{base}/participants/{self.ward.pk}/values",
            {"period": "2024-03", "numerator": 30, "denominator": 40},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        bad = self.client.post(
            f"{base}/participants/{self.ward.pk}/values",
            {"period": "2024-03", "numerator": 50, "denominator": 40},
            content_type="application/json",
        )
        self.assertEqual(bad.status_code, 422)
        body = self.client.get(base).json()
        self.assertEqual(body["funnel"]["units"][0]["value"], 75.0)
        self.assertEqual(
            body["items"][0]["sparkline"], [["2024-03", 75.0, "common_cause"]]
        )
        listing = self.client.get(
            f"/api/v1/organisations/{self.org.slug}/benchmarks"
        ).json()
        self.assertEqual(listing["items"][0]["participants"], 2)


class ManyParticipantsTests(BaseTestCase):
    """The page reads stored results: its queries do not grow with participants."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.benchmark = make_benchmark(cls.org, kind=Benchmark.Kind.PROPORTION)
        Participant.objects.bulk_create(
            [
                Participant(
                    benchmark=cls.benchmark, name=f"Trust {i:03}", code=f"T{i:03}"
                )
                for i in range(220)
            ]
        )
        rows = [
            ImportRow(f"T{i:03}", month(2024, m), 60 + (i * 7 + m) % 30, 100 + i)
            for i in range(220)
            for m in range(1, 13)
        ]
        services.import_values(cls.benchmark, rows)

    def test_the_page_runs_a_fixed_number_of_queries(self) -> None:
        self.sign_in(self.viewer)
        url = reverse(
            "benchmark:detail", kwargs={"slug": self.org.slug, "pk": self.benchmark.pk}
        )
        self.client.get(url)
        # The session, the person and memberships, the benchmark, whether any
        # participant takes its values from a measure (a units benchmark), the
        # stored result, the count and the page of summaries.
        with self.assertNumQueries(8):
            response = self.client.get(url + "?page=3")
        self.assertContains(response, "101 to 150 of 220")
        self.assertContains(response, "Trust 149")
        self.assertNotContains(response, "Trust 150<")
