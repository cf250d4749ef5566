"""The measure list, the measure form and the measure's page with its chart."""

from __future__ import annotations

from django.urls import reverse

from openqi.measures.models import DataPoint, Measure
from tests.base import BaseTestCase
from tests.measures.helpers import SHIFTED, add_points, make_measure

VALID = {
    "name": "Patients seen within 4 hours",
    "definition": "Type 1 attendances left within 4 hours of arrival.",
    "kind": "proportion",
    "numerator_definition": "Left within 4 hours",
    "denominator_definition": "All type 1 attendances",
    "unit_label": "%",
    "frequency": "monthly",
    "improvement": "increase",
    "target": "95",
    "chart_type": "",
    "multiplier": "100",
}


class MeasureListTests(BaseTestCase):
    def setUp(self) -> None:
        self.falls = make_measure(
            self.org, name="Inpatient falls", unit=self.team, improvement="decrease"
        )
        add_points(self.falls, SHIFTED)
        self.waits = make_measure(
            self.org, name="Four-hour performance", kind="proportion"
        )
        make_measure(self.other_org, name="Southmere secret measure")
        self.url = reverse("measures:list", kwargs={"slug": self.org.slug})

    def test_editor_sees_measures_with_icons_and_the_add_button(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertContains(response, "Inpatient falls")
        self.assertContains(response, "Four-hour performance")
        self.assertNotContains(response, "Southmere secret measure")
        self.assertContains(response, 'aria-label="Variation: Special cause concern')
        self.assertContains(response, "No data")
        self.assertContains(response, "Add a measure")

    def test_viewer_sees_the_list_without_the_add_button(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertContains(response, "Inpatient falls")
        self.assertNotContains(response, "Add a measure")

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_filter_by_unit_and_kind(self) -> None:
        self.sign_in(self.viewer)
        by_unit = self.client.get(self.url, {"unit": self.team.pk})
        self.assertContains(by_unit, "Inpatient falls")
        self.assertNotContains(by_unit, "Four-hour performance")
        by_kind = self.client.get(self.url, {"kind": "proportion"})
        self.assertNotContains(by_kind, "Inpatient falls")
        self.assertContains(by_kind, "Four-hour performance")

    def test_htmx_request_returns_fragment_only(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url, {"kind": "count"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="measures"')
        self.assertNotContains(response, "<html")


class MeasureFormTests(BaseTestCase):
    def setUp(self) -> None:
        self.create_url = reverse("measures:create", kwargs={"slug": self.org.slug})

    def test_editor_creates_a_measure_with_the_kinds_chart(self) -> None:
        self.sign_in(self.editor)
        response = self.client.post(self.create_url, {**VALID, "unit": self.team.pk})
        measure = Measure.objects.get(name=VALID["name"])
        self.assertRedirects(
            response,
            reverse(
                "measures:detail", kwargs={"slug": self.org.slug, "pk": measure.pk}
            ),
        )
        self.assertEqual(measure.chart_type, "p")
        self.assertEqual(measure.organisation, self.org)
        self.assertEqual(measure.unit, self.team)
        self.assertEqual(measure.multiplier, 100)

    def test_form_explains_each_chart_and_marks_the_ratio_fields(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.create_url)
        self.assertContains(response, "Laney p′ chart")
        self.assertContains(response, "the time between rare events")
        self.assertContains(response, 'data-shows-for="proportion rate"')
        self.assertContains(response, "Only for proportions and rates")
        self.assertContains(response, "measures/measure_form.js")

    def test_bad_input_reshows_the_form_and_saves_nothing(self) -> None:
        self.sign_in(self.editor)
        bad = {
            **VALID,
            "name": "",
            "kind": "count",
            "chart_type": "p",
            "multiplier": "0",
        }
        response = self.client.post(self.create_url, bad)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is a problem")
        self.assertFalse(Measure.objects.exists())

    def test_measure_clean_rules_show_as_field_errors(self) -> None:
        self.sign_in(self.editor)
        bad = {**VALID, "kind": "count", "chart_type": "p"}
        response = self.client.post(self.create_url, bad)
        self.assertContains(response, "p and u charts need a denominator")
        response = self.client.post(self.create_url, {**VALID, "multiplier": "-1"})
        self.assertContains(response, "The multiplier must be greater than zero.")
        self.assertFalse(Measure.objects.exists())

    def test_a_unit_of_another_organisation_is_refused(self) -> None:
        from tests.factories import make_unit

        elsewhere = make_unit(self.other_org, name="Southmere ward")
        self.sign_in(self.editor)
        response = self.client.post(self.create_url, {**VALID, "unit": elsewhere.pk})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Measure.objects.exists())

    def test_names_are_unique_in_the_organisation(self) -> None:
        make_measure(self.org, name=VALID["name"])
        self.sign_in(self.editor)
        response = self.client.post(self.create_url, VALID)
        self.assertContains(response, "There is already a measure called")
        self.assertEqual(Measure.objects.count(), 1)

    def test_viewer_gets_403_and_outsider_404(self) -> None:
        self.sign_in(self.viewer)
        self.assertEqual(self.client.get(self.create_url).status_code, 403)
        self.assertEqual(self.client.post(self.create_url, VALID).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(self.create_url, VALID).status_code, 404)
        self.assertFalse(Measure.objects.exists())

    def test_edit_follows_a_change_of_kind_to_its_chart(self) -> None:
        measure = make_measure(self.org, name="Falls", kind="count")
        self.assertEqual(measure.chart_type, "xmr")
        self.sign_in(self.editor)
        url = reverse("measures:edit", kwargs={"slug": self.org.slug, "pk": measure.pk})
        response = self.client.post(url, {**VALID, "name": "Falls"})
        self.assertEqual(response.status_code, 302)
        measure.refresh_from_db()
        self.assertEqual((measure.kind, measure.chart_type), ("proportion", "p"))

    def test_edit_as_viewer_and_outsider(self) -> None:
        measure = make_measure(self.org, name="Falls")
        url = reverse("measures:edit", kwargs={"slug": self.org.slug, "pk": measure.pk})
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(url, VALID).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)
        measure.refresh_from_db()
        self.assertEqual(measure.name, "Falls")

    def test_delete(self) -> None:
        measure = make_measure(self.org, name="Falls")
        add_points(measure, [1, 2, 3])
        url = reverse(
            "measures:delete", kwargs={"slug": self.org.slug, "pk": measure.pk}
        )
        self.sign_in(self.viewer)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(Measure.objects.filter(pk=measure.pk).exists())
        self.sign_in(self.editor)
        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url)
        self.assertRedirects(
            response, reverse("measures:list", kwargs={"slug": self.org.slug})
        )
        self.assertFalse(Measure.objects.filter(pk=measure.pk).exists())
        self.assertFalse(DataPoint.objects.exists())


class MeasurePageTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(
            self.org,
            name="Discharges before noon",
            improvement="increase",
            target=15,
            unit_label="discharges",
        )
        add_points(self.measure, SHIFTED)
        self.url = reverse(
            "measures:detail", kwargs={"slug": self.org.slug, "pk": self.measure.pk}
        )

    def test_chart_page_explains_a_known_shift_in_words(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertContains(
            response,
            "7 points in a row above the mean from March 2024 to September 2024: "
            "special cause improvement (shift).",
        )
        self.assertContains(response, 'role="img"')
        self.assertContains(
            response, "Special cause improvement: the latest point is unusually high"
        )
        self.assertContains(
            response,
            "The target of 15 lies above the upper process limit: the process will "
            "consistently fail it unless something changes.",
        )
        self.assertContains(
            response, 'aria-label="Assurance: Consistently fails the target"'
        )

    def test_data_table_has_every_point_with_its_rule_and_signal(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertContains(response, "September 2024")
        self.assertContains(response, "January 2023")
        self.assertContains(response, "<strong>Improvement</strong>", count=7)
        self.assertContains(response, ">Shift<", count=7)

    def test_editor_sees_the_next_period_button_and_viewer_does_not(self) -> None:
        self.sign_in(self.editor)
        self.assertContains(self.client.get(self.url), "Add data for October 2024")
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertNotContains(response, "Add data for")
        self.assertNotContains(response, "Change the measure")

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_chart_that_cannot_be_computed_shows_why(self) -> None:
        ratio = make_measure(self.org, name="Broken proportion", kind="proportion")
        add_points(ratio, [3, 4], denominators=[10, 0])
        self.sign_in(self.viewer)
        response = self.client.get(
            reverse("measures:detail", kwargs={"slug": self.org.slug, "pk": ratio.pk})
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The chart cannot be drawn")
        self.assertContains(response, "a denominator must be above zero")

    def test_a_measure_without_data_says_so(self) -> None:
        empty = make_measure(self.org, name="Empty")
        self.sign_in(self.editor)
        response = self.client.get(
            reverse("measures:detail", kwargs={"slug": self.org.slug, "pk": empty.pk})
        )
        self.assertContains(response, "There is no data yet.")

    def test_htmx_request_returns_the_chart_fragment_only(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="chart"')
        self.assertNotContains(response, "<html")

    def test_linked_projects_are_listed(self) -> None:
        from openqi.projects.models import Project, ProjectMeasure

        project = Project.objects.create(organisation=self.org, title="Home by noon")
        ProjectMeasure.objects.create(
            project=project, measure=self.measure, role="outcome"
        )
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertContains(response, "Home by noon")
        self.assertContains(response, "outcome measure")
