"""/organisations/{slug}/measures: measures, phase breaks and annotations."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.measures.models import Annotation, Measure, PhaseBreak
from tests.api.base import SESSION, ApiTestCase
from tests.api.routes_strategy_projects_measures import make_measure

SLUG = {"slug": "northfield"}


class MeasureTests(ApiTestCase):
    def setUp(self) -> None:
        self.measures = reverse("api:measures", kwargs=SLUG)

    def url(self, measure: Measure) -> str:
        return reverse("api:measure", kwargs={**SLUG, "measure_id": measure.pk})

    def test_editor_defines_a_proportion_and_gets_a_p_chart(self) -> None:
        data = {
            "name": "Seen within four hours",
            "definition": "Attendances leaving within four hours of arrival.",
            "kind": "proportion",
            "numerator_definition": "Left within four hours",
            "denominator_definition": "All attendances",
            "unit_label": "%",
            "frequency": "weekly",
            "improvement": "increase",
            "target": 95,
            "multiplier": 100,
            "unit_id": self.team.pk,
        }
        response = self.call("post", self.measures, self.editor, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["chart_type"], "p")
        self.assertEqual(
            {k: body[k] for k in data}, data | {"target": 95.0, "multiplier": 100.0}
        )
        measure = Measure.objects.get(pk=body["id"])
        self.assertEqual((measure.organisation, measure.unit), (self.org, self.team))

    def test_a_p_chart_needs_a_denominator(self) -> None:
        data = {"name": "Falls", "kind": "count", "chart_type": "p"}
        body = self.assert_error(
            self.call("post", self.measures, self.editor, data=data), 422
        )
        self.assertEqual(body["details"][0]["field"], "chart_type")
        self.assertFalse(Measure.objects.exists())

    def test_a_name_twice_and_a_unit_of_another_organisation_are_refused(self) -> None:
        make_measure(self.org, name="Falls")
        data = {"name": "falls", "unit_id": 99999, "multiplier": 0}
        body = self.assert_error(
            self.call("post", self.measures, self.editor, data=data), 422
        )
        self.assertEqual(
            {d["field"] for d in body["details"]}, {"name", "unit_id", "multiplier"}
        )

    def test_list_filters_by_unit_and_kind(self) -> None:
        wanted = make_measure(self.org, kind="rate", unit=self.team)
        make_measure(self.org, kind="count", unit=self.team)
        make_measure(self.org, kind="rate")
        make_measure(self.other_org, kind="rate", name="Theirs")
        self.assertEqual(
            self.call("get", self.measures, self.viewer).json()["total"], 3
        )
        body = self.call(
            "get",
            self.measures,
            self.viewer,
            data={"unit_id": self.team.pk, "kind": "rate"},
        ).json()
        self.assertEqual([m["id"] for m in body["items"]], [wanted.pk])

    def test_changing_the_kind_brings_its_usual_chart(self) -> None:
        measure = make_measure(self.org, kind="count")
        body = self.call(
            "patch", self.url(measure), self.editor, data={"kind": "rate"}
        ).json()
        self.assertEqual((body["kind"], body["chart_type"]), ("rate", "u"))

    def test_a_chosen_chart_is_kept_when_something_else_changes(self) -> None:
        measure = make_measure(self.org, kind="count", chart_type="run")
        body = self.call(
            "patch", self.url(measure), self.editor, data={"target": 3}
        ).json()
        self.assertEqual((body["chart_type"], body["target"]), ("run", 3.0))

    def test_viewer_reads_but_cannot_change(self) -> None:
        measure = make_measure(self.org, name="Falls")
        self.assertEqual(
            self.call("get", self.url(measure), self.viewer).json()["name"], "Falls"
        )
        self.assert_error(
            self.call("post", self.measures, self.viewer, data={"name": "X"}), 403
        )
        self.assert_error(
            self.call("patch", self.url(measure), self.viewer, data={"name": "X"}), 403
        )
        self.assert_error(self.call("delete", self.url(measure), self.viewer), 403)
        measure.refresh_from_db()
        self.assertEqual(measure.name, "Falls")

    def test_outsider_and_anonymous_get_nothing(self) -> None:
        measure = make_measure(self.org)
        for user, status in ((self.outsider, 404), (None, 401)):
            self.assert_error(self.call("get", self.url(measure), user), status)
            self.assert_error(self.call("get", self.measures, user), status)
            self.assert_error(self.call("delete", self.url(measure), user), status)
        theirs = make_measure(self.other_org)
        self.assert_error(self.call("get", self.url(theirs), self.editor), 404)

    def test_delete_is_audited_via_api(self) -> None:
        measure = make_measure(self.org)
        response = self.call("delete", self.url(measure), self.editor, via=SESSION)
        self.assertEqual(response.status_code, 204)
        event = AuditEvent.objects.get(model="measures.Measure", action="delete")
        self.assertEqual((event.actor, event.via), (self.editor, "api"))


class PhaseBreakAndAnnotationTests(ApiTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, frequency="monthly")
        kwargs = {**SLUG, "measure_id": self.measure.pk}
        self.breaks = reverse("api:phase-breaks", kwargs=kwargs)
        self.annotations = reverse("api:annotations", kwargs=kwargs)

    def test_a_phase_break_starts_at_the_first_day_of_its_period(self) -> None:
        response = self.call(
            "post",
            self.breaks,
            self.editor,
            data={"period": "2024-03-15", "reason": "Hourly rounds adopted"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["period"], "2024-03-01")
        body = self.call("get", self.breaks, self.viewer).json()
        self.assertEqual(
            [(b["period"], b["reason"]) for b in body["items"]],
            [("2024-03-01", "Hourly rounds adopted")],
        )

    def test_two_breaks_in_one_period_are_refused(self) -> None:
        self.measure.phase_breaks.create(period=datetime.date(2024, 3, 1), reason="A")
        body = self.assert_error(
            self.call(
                "post",
                self.breaks,
                self.editor,
                data={"period": "2024-03-20", "reason": "B"},
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "period")
        self.assertEqual(PhaseBreak.objects.count(), 1)

    def test_a_break_needs_a_reason(self) -> None:
        body = self.assert_error(
            self.call("post", self.breaks, self.editor, data={"period": "2024-03-01"}),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "reason")

    def test_editor_deletes_a_break_and_the_viewer_cannot(self) -> None:
        phase_break = self.measure.phase_breaks.create(
            period=datetime.date(2024, 3, 1), reason="A"
        )
        url = reverse(
            "api:phase-break",
            kwargs={**SLUG, "measure_id": self.measure.pk, "break_id": phase_break.pk},
        )
        self.assert_error(self.call("delete", url, self.viewer), 403)
        self.assert_error(self.call("delete", url, self.outsider), 404)
        self.assertEqual(self.call("delete", url, self.editor).status_code, 204)
        self.assertFalse(PhaseBreak.objects.exists())
        self.assert_error(self.call("delete", url, self.editor), 404)

    def test_annotations_are_added_listed_and_deleted(self) -> None:
        response = self.call(
            "post",
            self.annotations,
            self.editor,
            data={"period": "2024-02-10", "text": "Agency staff on nights"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        annotation = Annotation.objects.get()
        self.assertEqual(annotation.period, datetime.date(2024, 2, 1))
        body = self.call("get", self.annotations, self.viewer).json()
        self.assertEqual([a["text"] for a in body["items"]], ["Agency staff on nights"])
        url = reverse(
            "api:annotation",
            kwargs={
                **SLUG,
                "measure_id": self.measure.pk,
                "annotation_id": annotation.pk,
            },
        )
        self.assert_error(self.call("delete", url, self.viewer), 403)
        self.assertEqual(self.call("delete", url, self.editor).status_code, 204)
        self.assertFalse(Annotation.objects.exists())

    def test_viewer_and_outsider_cannot_add(self) -> None:
        data = {"period": "2024-02-01", "text": "X", "reason": "X"}
        for url in (self.breaks, self.annotations):
            self.assert_error(self.call("post", url, self.viewer, data=data), 403)
            self.assert_error(self.call("post", url, self.outsider, data=data), 404)
            self.assert_error(self.call("get", url, self.outsider), 404)
        self.assertFalse(PhaseBreak.objects.exists() or Annotation.objects.exists())

    def test_a_bad_date_names_the_field(self) -> None:
        body = self.assert_error(
            self.call(
                "post",
                self.annotations,
                self.editor,
                data={"period": "31/02/2024", "text": "X"},
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "period")
