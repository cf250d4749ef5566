"""/organisations/{slug}/projects: projects, progress ratings, notes and measure links."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.organisations.models import Role
from openqi.projects.models import ProgressRating, Project, ProjectMeasure
from tests.api.base import SESSION, ApiTestCase
from tests.api.routes_strategy_projects_measures import (
    make_measure,
    make_priority,
    make_project,
)
from tests.factories import make_member

SLUG = {"slug": "northfield"}


class ProjectTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.member = make_member(cls.org, Role.MEMBER, full_name="Mo Member")

    def setUp(self) -> None:
        self.projects = reverse("api:projects", kwargs=SLUG)

    def url(self, project: Project, name: str = "api:project") -> str:
        return reverse(name, kwargs={**SLUG, "project_id": project.pk})

    def test_editor_starts_a_project_with_its_aim_team_and_partners(self) -> None:
        priority = make_priority(self.org)
        data = {
            "title": "Fewer falls at night",
            "problem": "Patients fall on the way to the toilet.",
            "aim": {
                "what": "Reduce falls at night on the stroke unit",
                "how_much": "by half",
                "by_when": "2026-03-31",
            },
            "unit_id": self.team.pk,
            "priority_ids": [priority.pk],
            "method": "mfi",
            "lead_id": self.editor.pk,
            "team_ids": [self.member.pk],
            "partners": [{"name": "Rowan", "kind": "carer"}],
            "status": "active",
            "start_date": "2025-05-01",
            "tags": ["falls", "nights"],
        }
        response = self.call("post", self.projects, self.editor, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        project = Project.objects.get(title="Fewer falls at night")
        self.assertEqual(body["id"], project.pk)
        self.assertEqual(
            body["aim"],
            {
                "what": "Reduce falls at night on the stroke unit",
                "how_much": "by half",
                "by_when": "2026-03-31",
                "statement": "Reduce falls at night on the stroke unit by half "
                "by 31 March 2026.",
            },
        )
        self.assertEqual(
            body["lead"], {"id": self.editor.pk, "full_name": "Ada Editor"}
        )
        self.assertEqual([p["full_name"] for p in body["team"]], ["Mo Member"])
        self.assertEqual(
            [(p["name"], p["kind"]) for p in body["partners"]], [("Rowan", "carer")]
        )
        self.assertEqual(body["priority_ids"], [priority.pk])
        self.assertEqual(sorted(body["tags"]), ["falls", "nights"])
        self.assertEqual(body["latest_ratings"], {"team": None, "coach": None})
        self.assertEqual(project.created_by, self.editor)
        self.assertEqual(project.unit, self.team)

    def test_a_project_needs_a_title_and_an_aim(self) -> None:
        body = self.assert_error(
            self.call("post", self.projects, self.editor, data={"title": "Falls"}), 422
        )
        self.assertEqual([d["field"] for d in body["details"]], ["aim.what"])
        self.assertFalse(Project.objects.exists())

    def test_people_units_and_priorities_come_from_this_organisation(self) -> None:
        data = {
            "title": "Falls",
            "aim": {"what": "Fewer falls"},
            "unit_id": 99999,
            "lead_id": self.outsider.pk,
            "team_ids": [self.outsider.pk],
            "priority_ids": [make_priority(self.other_org).pk],
        }
        body = self.assert_error(
            self.call("post", self.projects, self.editor, data=data), 422
        )
        self.assertEqual(
            {d["field"] for d in body["details"]},
            {"unit_id", "lead_id", "team_ids", "priority_ids"},
        )

    def test_a_stopped_project_needs_a_reason(self) -> None:
        project = make_project(self.org)
        body = self.assert_error(
            self.call(
                "patch", self.url(project), self.editor, data={"status": "stopped"}
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "status_reason")
        project.refresh_from_db()
        self.assertEqual(project.status, "idea")

    def test_a_partner_of_an_unknown_kind_is_refused(self) -> None:
        data = {
            "title": "Falls",
            "aim": {"what": "Fewer falls"},
            "partners": [{"name": "Rowan"}, {"name": "Sam", "kind": "neighbour"}],
        }
        body = self.assert_error(
            self.call("post", self.projects, self.editor, data=data), 422
        )
        self.assertEqual(body["details"][0]["field"], "kind")
        self.assertEqual(body["details"][0]["location"], "body")

    def test_patch_changes_what_is_sent_and_notes_the_new_status(self) -> None:
        project = make_project(self.org, title="Falls", aim_how_much="by half")
        project.team.add(self.member)
        response = self.call(
            "patch",
            self.url(project),
            self.editor,
            data={"status": "active", "aim": {"by_when": "2026-06-30"}},
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["status"], "active")
        self.assertEqual(body["aim"]["how_much"], "by half")
        self.assertEqual(body["aim"]["by_when"], "2026-06-30")
        self.assertEqual([p["id"] for p in body["team"]], [self.member.pk])
        self.assertIn("Idea to Active", project.notes.get().text)

    def test_an_aim_that_is_not_an_object_is_refused_and_changes_nothing(
        self,
    ) -> None:
        project = make_project(self.org, title="Falls", aim_what="Fewer falls")
        for aim in (5, "Fewer falls", [], True):
            with self.subTest(aim=aim):
                response = self.call(
                    "patch", self.url(project), self.editor, data={"aim": aim}
                )
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["status"], 422)
                project.refresh_from_db()
                self.assertEqual(project.aim_what, "Fewer falls")

    def test_a_viewer_cannot_be_made_lead_or_team_member(self) -> None:
        project = make_project(self.org, title="Falls")
        for data, field in (
            ({"lead_id": self.viewer.pk}, "lead_id"),
            ({"team_ids": [self.member.pk, self.viewer.pk]}, "team_ids"),
        ):
            with self.subTest(field=field):
                body = self.assert_error(
                    self.call("patch", self.url(project), self.editor, data=data),
                    422,
                )
                self.assertEqual(body["details"][0]["field"], field)
                self.assertIn("a viewer cannot", body["details"][0]["message"])
        project.refresh_from_db()
        self.assertIsNone(project.lead)
        self.assertFalse(project.team.exists())

    def test_patch_replaces_partners_when_sent(self) -> None:
        project = make_project(self.org)
        project.partners.create(name="Rowan")
        response = self.call(
            "patch",
            self.url(project),
            self.editor,
            data={"partners": [{"name": "Sam", "kind": "patient"}]},
        )
        self.assertEqual([p["name"] for p in response.json()["partners"]], ["Sam"])

    def test_list_filters_by_status_unit_priority_and_method(self) -> None:
        priority = make_priority(self.org)
        wanted = make_project(
            self.org, status="active", unit=self.team, method="lean", title="A"
        )
        wanted.priorities.add(priority)
        make_project(self.org, status="active", title="B")
        make_project(self.org, status="idea", unit=self.team, title="C")
        make_project(self.other_org, status="active", title="D")
        everything = self.call("get", self.projects, self.viewer).json()
        self.assertEqual(everything["total"], 3)
        for query in (
            {"status": "active", "unit_id": self.team.pk},
            {"priority_id": priority.pk},
            {"method": "lean"},
        ):
            with self.subTest(query):
                body = self.call("get", self.projects, self.viewer, data=query).json()
                self.assertEqual([p["id"] for p in body["items"]], [wanted.pk])

    def test_a_bad_filter_is_a_422_naming_it(self) -> None:
        body = self.assert_error(
            self.call("get", self.projects, self.viewer, data={"status": "dormant"}),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "status")

    def test_detail_has_latest_ratings_and_linked_measures(self) -> None:
        project = make_project(self.org)
        for score, by, day in (
            ("2.0", "team", 1),
            ("3.0", "team", 20),
            ("2.5", "coach", 10),
        ):
            project.ratings.create(
                score=Decimal(score), rated_by=by, rated_on=datetime.date(2025, 6, day)
            )
        measure = make_measure(self.org, name="Falls a month")
        project.measure_links.create(measure=measure, role="outcome")
        body = self.call("get", self.url(project), self.viewer).json()
        team, coach = body["latest_ratings"]["team"], body["latest_ratings"]["coach"]
        self.assertEqual((team["score"], team["label"]), (3.0, "Modest improvement"))
        self.assertEqual(coach["score"], 2.5)
        self.assertEqual(
            body["measures"],
            [
                {
                    "measure_id": measure.pk,
                    "name": "Falls a month",
                    "kind": "count",
                    "role": "outcome",
                }
            ],
        )

    def test_outsider_and_anonymous_cannot_see_a_project(self) -> None:
        project = make_project(self.org)
        self.assert_error(self.call("get", self.url(project), self.outsider), 404)
        self.assert_error(self.call("get", self.url(project)), 401)
        theirs = make_project(self.other_org)
        self.assert_error(self.call("get", self.url(theirs), self.editor), 404)

    def test_viewer_cannot_start_change_or_delete_a_project(self) -> None:
        project = make_project(self.org, title="Falls")
        data = {"title": "Mine", "aim": {"what": "More"}}
        self.assert_error(self.call("post", self.projects, self.viewer, data=data), 403)
        self.assert_error(
            self.call("patch", self.url(project), self.viewer, data={"title": "X"}), 403
        )
        self.assert_error(self.call("delete", self.url(project), self.viewer), 403)
        project.refresh_from_db()
        self.assertEqual(project.title, "Falls")

    def test_only_the_lead_qi_team_or_an_administrator_deletes(self) -> None:
        member = make_member(self.org, Role.MEMBER)
        project = make_project(self.org)
        body = self.assert_error(self.call("delete", self.url(project), member), 403)
        self.assertIn("lead", body["error"])
        project.lead = member
        project.save()
        self.assertEqual(
            self.call("delete", self.url(project), member).status_code, 204
        )
        self.assertFalse(Project.objects.exists())

    def test_changes_are_audited_via_api_by_token_and_session(self) -> None:
        response = self.call(
            "post",
            self.projects,
            self.editor,
            data={"title": "Falls", "aim": {"what": "Fewer falls"}},
        )
        project = Project.objects.get(pk=response.json()["id"])
        self.call(
            "patch", self.url(project), self.editor, via=SESSION, data={"title": "F"}
        )
        events = AuditEvent.objects.filter(model="projects.Project").order_by("pk")
        self.assertEqual([e.action for e in events], ["create", "update"])
        self.assertEqual({(e.actor, e.via) for e in events}, {(self.editor, "api")})


class RatingTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org)
        self.ratings = reverse(
            "api:project-ratings", kwargs={**SLUG, "project_id": self.project.pk}
        )

    def test_editor_rates_and_the_history_is_kept_newest_first(self) -> None:
        for score, day in ((1.5, "2025-05-01"), (2.5, "2025-06-01")):
            response = self.call(
                "post",
                self.ratings,
                self.editor,
                data={"score": score, "rated_on": day, "comment": "Cycles run"},
            )
            self.assertEqual(response.status_code, 201, response.content)
        body = self.call("get", self.ratings, self.viewer).json()
        self.assertEqual(body["total"], 2)
        self.assertEqual([r["score"] for r in body["items"]], [2.5, 1.5])
        first = body["items"][0]
        self.assertEqual(first["label"], "Changes tested, but no improvement")
        self.assertIn("PDSA cycles have been run", first["meaning"])
        self.assertEqual(first["rater"]["id"], self.editor.pk)
        self.assertEqual(first["rated_by"], "team")

    def test_a_score_off_the_scale_is_refused_with_the_levels(self) -> None:
        body = self.assert_error(
            self.call("post", self.ratings, self.editor, data={"score": 3.3}), 422
        )
        self.assertEqual(body["details"][0]["field"], "score")
        self.assertIn("0.5", body["details"][0]["message"])
        self.assertFalse(ProgressRating.objects.exists())

    def test_a_future_date_is_refused(self) -> None:
        body = self.assert_error(
            self.call(
                "post",
                self.ratings,
                self.editor,
                data={"score": 2.0, "rated_on": "2999-01-01"},
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "rated_on")

    def test_coach_ratings_are_for_the_qi_team_and_administrators(self) -> None:
        lead = make_member(self.org, Role.PROJECT_LEAD)
        self.project.lead = lead
        self.project.save()
        qi = make_member(self.org, Role.QI_TEAM)
        coach = {"score": 3.0, "rated_by": "coach"}
        body = self.assert_error(self.call("post", self.ratings, lead, data=coach), 403)
        self.assertIn("QI team", body["error"])
        team = {"score": 3.0, "rated_by": "team"}
        self.assertEqual(
            self.call("post", self.ratings, lead, data=team).status_code, 201
        )
        self.assertEqual(
            self.call("post", self.ratings, qi, data=coach).status_code, 201
        )
        body = self.call(
            "get", self.ratings, self.viewer, data={"rated_by": "coach"}
        ).json()
        self.assertEqual([r["rater"]["id"] for r in body["items"]], [qi.pk])

    def test_viewer_outsider_and_anonymous_cannot_rate(self) -> None:
        data = {"score": 2.0}
        self.assert_error(self.call("post", self.ratings, self.viewer, data=data), 403)
        self.assert_error(
            self.call("post", self.ratings, self.outsider, data=data), 404
        )
        self.assert_error(self.call("post", self.ratings, None, data=data), 401)
        self.assert_error(self.call("get", self.ratings, self.outsider), 404)
        self.assertFalse(ProgressRating.objects.exists())


class NoteTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org)
        self.notes = reverse(
            "api:project-notes", kwargs={**SLUG, "project_id": self.project.pk}
        )

    def test_editor_adds_notes_and_the_timeline_is_newest_first(self) -> None:
        for text in ("Met the ward sister.", "  First cycle planned.  "):
            response = self.call("post", self.notes, self.editor, data={"text": text})
            self.assertEqual(response.status_code, 201, response.content)
        body = self.call("get", self.notes, self.viewer).json()
        self.assertEqual(
            [n["text"] for n in body["items"]],
            ["First cycle planned.", "Met the ward sister."],
        )
        self.assertEqual(body["items"][0]["author"]["full_name"], "Ada Editor")

    def test_an_empty_note_is_refused(self) -> None:
        body = self.assert_error(
            self.call("post", self.notes, self.editor, data={"text": "   "}), 422
        )
        self.assertEqual(body["details"][0]["field"], "text")

    def test_viewer_cannot_add_a_note_and_outsider_cannot_read(self) -> None:
        self.assert_error(
            self.call("post", self.notes, self.viewer, data={"text": "Hi"}), 403
        )
        self.assert_error(self.call("get", self.notes, self.outsider), 404)
        self.assertFalse(self.project.notes.exists())


class MeasureLinkTests(ApiTestCase):
    def setUp(self) -> None:
        self.project = make_project(self.org)
        self.links = reverse(
            "api:project-measures", kwargs={**SLUG, "project_id": self.project.pk}
        )

    def link_url(self, measure_id: int) -> str:
        return reverse(
            "api:project-measure",
            kwargs={**SLUG, "project_id": self.project.pk, "measure_id": measure_id},
        )

    def test_editor_links_and_unlinks_a_measure(self) -> None:
        measure = make_measure(self.org, name="Falls a month")
        response = self.call(
            "post",
            self.links,
            self.editor,
            data={"measure_id": measure.pk, "role": "balancing"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["role"], "balancing")
        body = self.call("get", self.links, self.viewer).json()
        self.assertEqual([m["measure_id"] for m in body["items"]], [measure.pk])
        response = self.call("delete", self.link_url(measure.pk), self.editor)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(ProjectMeasure.objects.exists())
        measure.refresh_from_db()  # the measure stays

    def test_a_measure_linked_twice_is_a_conflict(self) -> None:
        measure = make_measure(self.org)
        self.project.measure_links.create(measure=measure, role="outcome")
        body = self.assert_error(
            self.call("post", self.links, self.editor, data={"measure_id": measure.pk}),
            409,
        )
        self.assertIn("outcome", body["error"])

    def test_a_measure_of_another_organisation_is_refused(self) -> None:
        theirs = make_measure(self.other_org)
        body = self.assert_error(
            self.call("post", self.links, self.editor, data={"measure_id": theirs.pk}),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "measure_id")

    def test_unlinking_a_measure_that_is_not_linked_is_a_404(self) -> None:
        measure = make_measure(self.org)
        self.assert_error(
            self.call("delete", self.link_url(measure.pk), self.editor), 404
        )

    def test_viewer_and_outsider_cannot_link_or_unlink(self) -> None:
        measure = make_measure(self.org)
        data = {"measure_id": measure.pk}
        self.assert_error(self.call("post", self.links, self.viewer, data=data), 403)
        self.assert_error(self.call("post", self.links, self.outsider, data=data), 404)
        self.project.measure_links.create(measure=measure)
        self.assert_error(
            self.call("delete", self.link_url(measure.pk), self.viewer), 403
        )
        self.assert_error(
            self.call("delete", self.link_url(measure.pk), self.outsider), 404
        )
        self.assertTrue(ProjectMeasure.objects.exists())
