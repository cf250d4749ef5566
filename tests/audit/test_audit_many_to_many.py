"""The audit trail records who joined and left a many-to-many field (a project's
team, priorities and tags, a barrier's projects, a round's units), from either
side, on pages and the API alike; a form that saves both makes one event."""

from __future__ import annotations

from django.urls import reverse

from openqi.audit.models import AuditEvent
from openqi.audit.services import acting_as
from openqi.organisations.models import Role
from openqi.projects import services as projects
from openqi.projects.models import Project
from tests.api.base import ApiTestCase
from tests.api.routes_assessments_journey_barriers import make_barrier, make_round
from tests.factories import make_member
from tests.projects.project_helpers import make_priority, make_project


def events(instance: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            model=instance._meta.label,  # type: ignore[attr-defined]
            object_pk=str(instance.pk),  # type: ignore[attr-defined]
        ).order_by("pk")
    )


class ManyToManyAuditTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.member = make_member(cls.org, Role.MEMBER, full_name="Mo Member")
        cls.lead = make_member(cls.org, Role.MEMBER, full_name="Lee Lead")

    def setUp(self) -> None:
        with acting_as(self.editor, "web"):
            self.project = make_project(self.org, title="Falls")
            self.project.team.add(self.lead)

    def test_a_service_save_with_a_new_team_is_one_event_with_members_before_and_after(
        self,
    ) -> None:
        priority = make_priority(self.org, title="Reduce harm")
        before = len(events(self.project))
        with acting_as(self.editor, "web"):
            projects.update_project(
                self.project,
                author=self.editor,
                title="Fewer falls",
                team=[self.member],
                priorities=[priority],
                tags=["falls", "nights"],
            )
        new = events(self.project)[before:]
        self.assertEqual(len(new), 1)
        event = new[0]
        self.assertEqual(event.before["title"], "Falls")
        self.assertEqual(event.after["title"], "Fewer falls")
        self.assertEqual(event.before["team"], [self.lead.pk])
        self.assertEqual(event.after["team"], [self.member.pk])
        self.assertEqual(event.before["priorities"], [])
        self.assertEqual(event.after["priorities"], [priority.pk])
        self.assertEqual(len(event.after["tags"]), 2)
        self.assertEqual(event.actor, self.editor)

    def test_the_trail_names_who_was_added_and_who_removed(self) -> None:
        with acting_as(self.editor, "web"):
            projects.update_project(
                self.project, author=self.editor, team=[self.member, self.lead]
            )
            projects.update_project(self.project, author=self.editor, team=[])
        self.sign_in(self.editor)
        page = self.client.get(
            reverse("audit:log", kwargs={"slug": self.org.slug}),
            {"model": "projects.Project"},
        ).content.decode()
        self.assertIn("added Mo Member", page)
        self.assertIn("removed Mo Member, Lee Lead", page)
        event = events(self.project)[-1]
        page = self.client.get(
            reverse("audit:event", kwargs={"slug": self.org.slug, "pk": event.pk})
        ).content.decode()
        self.assertIn("Mo Member, Lee Lead", page)
        self.assertIn("(none)", page)

    def test_an_api_change_of_team_is_on_the_trail(self) -> None:
        before = len(events(self.project))
        response = self.call(
            "patch",
            reverse(
                "api:project",
                kwargs={"slug": "northfield", "project_id": self.project.pk},
            ),
            self.editor,
            data={"team_ids": [self.member.pk]},
        )
        self.assertEqual(response.status_code, 200, response.content)
        new = events(self.project)[before:]
        self.assertEqual(len(new), 1)
        self.assertEqual(new[0].via, "api")
        self.assertEqual(new[0].before["team"], [self.lead.pk])
        self.assertEqual(new[0].after["team"], [self.member.pk])

    def test_a_change_of_members_alone_is_its_own_event(self) -> None:
        with acting_as(self.editor, "web"):
            project = Project.objects.get(pk=self.project.pk)
            project.team.remove(self.lead)
        event = events(self.project)[-1]
        self.assertEqual(event.action, "update")
        self.assertEqual(
            (event.before, event.after), ({"team": [self.lead.pk]}, {"team": []})
        )

    def test_a_barriers_projects_are_recorded(self) -> None:
        with acting_as(self.editor, "web"):
            barrier = make_barrier(self.org)
            barrier.projects.set([self.project])
        event = events(barrier)[-1]
        self.assertEqual(event.after["projects"], [self.project.pk])
        self.assertEqual(len(events(barrier)), 1)  # folded into the create

    def test_members_added_from_the_other_side_are_recorded_on_the_owner(
        self,
    ) -> None:
        with acting_as(self.editor, "web"):
            assessment = make_round(self.org)
            self.team.assessment_rounds.add(assessment)
        event = events(assessment)[-1]
        self.assertEqual(event.after["units"], [self.team.pk])
        with acting_as(self.editor, "web"):
            self.team.assessment_rounds.clear()
        event = events(assessment)[-1]
        self.assertEqual(
            (event.before["units"], event.after["units"]), ([self.team.pk], [])
        )

    def test_a_deleted_project_keeps_its_team_on_the_trail(self) -> None:
        pk = self.project.pk
        with acting_as(self.editor, "web"):
            self.project.delete()
        event = AuditEvent.objects.get(
            model="projects.Project", object_pk=str(pk), action="delete"
        )
        self.assertEqual(event.before["team"], [self.lead.pk])

    def test_viewer_and_outsider_cannot_read_the_trail(self) -> None:
        url = reverse("audit:log", kwargs={"slug": self.org.slug})
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.get(url).status_code, status)
