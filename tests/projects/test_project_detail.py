from __future__ import annotations

import datetime
from decimal import Decimal

from openqi.organisations.models import Role
from openqi.projects.models import Partner, ProjectNote
from tests.base import BaseTestCase
from tests.factories import make_member
from tests.improvement.routes import make_diagram, make_node
from tests.projects.project_helpers import (
    make_measure,
    make_priority,
    make_project,
    make_rating,
)


class ProjectDetailTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lead = make_member(cls.org, Role.PROJECT_LEAD, full_name="Lee Lead")
        cls.project = make_project(
            cls.org,
            unit=cls.team,
            lead=cls.lead,
            status="active",
            aim_by_when=datetime.date(2026, 3, 31),
            start_date=datetime.date(2025, 4, 1),
            method="other",
            method_other="Positive deviance",
        )
        cls.project.team.add(cls.editor)
        cls.project.priorities.add(make_priority(cls.org))
        cls.project.tags.create(organisation=cls.org, name="night shifts")
        make_rating(
            cls.project, score=Decimal("1.5"), rated_on=datetime.date(2025, 5, 1)
        )
        make_rating(
            cls.project,
            score=Decimal("2.5"),
            rated_on=datetime.date(2025, 7, 1),
            comment="Two PDSA cycles on the bedside commode.",
        )
        make_rating(
            cls.project,
            score=Decimal("2.0"),
            rated_by="coach",
            rated_on=datetime.date(2025, 7, 2),
        )
        cls.outcome = make_measure(cls.org, name="Falls per 1,000 bed days")
        cls.process = make_measure(
            cls.org, name="Intentional rounding done", kind="proportion"
        )
        cls.project.measure_links.create(measure=cls.outcome, role="outcome")
        cls.project.measure_links.create(measure=cls.process, role="process")
        Partner.objects.create(
            project=cls.project,
            name="Rowan",
            kind="carer",
            contribution="Joins the monthly project meeting.",
        )
        ProjectNote.objects.create(
            project=cls.project, author=cls.lead, text="First meeting held."
        )
        ProjectNote.objects.create(
            project=cls.project, author=cls.lead, text="Baseline data collected."
        )
        cls.url = f"/organisations/northfield/projects/{cls.project.pk}/"

    def test_editor_sees_the_whole_project(self) -> None:
        self.sign_in(self.editor)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for text in (
            "Fewer falls at night on the stroke unit",
            "Reduce inpatient falls at night on the stroke unit by half, from 6 to 3 a month by 31 March 2026.",
            "Stroke patients get up at night",
            "Emergency department",
            "Reduce harm from falls",
            "Positive deviance",
            "Lee Lead",
            "Ada Editor",
            "Started 1 April 2025",
            "night shifts",
            "Rowan",
            "Joins the monthly project meeting.",
        ):
            self.assertIn(text, page)
        self.assertIn(f"/projects/{self.project.pk}/edit/", page)
        self.assertIn(f"/projects/{self.project.pk}/ratings/new/", page)
        self.assertIn(f"/projects/{self.project.pk}/notes/", page)

    def test_latest_ratings_show_their_meaning_and_history_is_kept(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertIn("Project team's rating", page)
        self.assertIn("QI coach's rating", page)
        self.assertIn("Changes tested, but no improvement", page)  # team, 2.5
        self.assertIn("Activity, but no changes", page)  # coach, 2.0
        self.assertIn("Rating history", page)
        self.assertIn("Two PDSA cycles on the bedside commode.", page)
        self.assertIn("Planning for the project has begun", page)  # 1.5, history
        self.assertIn("What each level of the scale means", page)
        self.assertIn("Outstanding sustainable results", page)

    def test_measures_are_grouped_by_role(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        outcome = page.index("Outcome measures")
        process = page.index("Process measures")
        balancing = page.index("Balancing measures")
        self.assertLess(outcome, page.index("Falls per 1,000 bed days"))
        self.assertLess(page.index("Falls per 1,000 bed days"), process)
        self.assertLess(process, page.index("Intentional rounding done"))
        self.assertLess(page.index("Intentional rounding done"), balancing)

    def test_the_timeline_is_newest_first(self) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(self.url).content.decode()
        self.assertLess(
            page.index("Baseline data collected."), page.index("First meeting held.")
        )

    def test_viewer_reads_without_any_way_to_change(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("Fewer falls at night on the stroke unit", page)
        for path in (
            "edit/",
            "ratings/new/",
            "notes/",
            "partners/new/",
            "measures/link/",
        ):
            self.assertNotIn(f"/projects/{self.project.pk}/{path}", page)
        self.assertNotIn("Unlink", page)
        self.assertNotIn("Add note", page)

    def test_plain_member_off_the_team_may_edit_but_not_rate(self) -> None:
        self.sign_in(make_member(self.org, Role.MEMBER))
        page = self.client.get(self.url).content.decode()
        self.assertIn(f"/projects/{self.project.pk}/edit/", page)
        self.assertNotIn(f"/projects/{self.project.pk}/ratings/new/", page)

    def test_outsider_gets_404(self) -> None:
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_another_organisations_project_is_404(self) -> None:
        theirs = make_project(self.other_org)
        self.sign_in(self.editor)
        response = self.client.get(f"/organisations/northfield/projects/{theirs.pk}/")
        self.assertEqual(response.status_code, 404)
        response = self.client.get(f"/organisations/southmere/projects/{theirs.pk}/")
        self.assertEqual(response.status_code, 404)

    def test_a_bare_project_reads_well(self) -> None:
        bare = make_project(self.org, title="Just an idea", aim_what="", problem="")
        self.sign_in(self.viewer)
        page = self.client.get(
            f"/organisations/northfield/projects/{bare.pk}/"
        ).content.decode()
        self.assertIn("Not rated yet.", page)
        self.assertIn("No notes yet.", page)
        self.assertIn("No patient or carer partners yet.", page)
        self.assertIn("No driver diagram yet.", page)
        self.assertNotIn(
            '<h2 class="nhsuk-heading-s nhsuk-u-margin-bottom-1">Aim</h2>', page
        )


class DriverCountWordingTests(BaseTestCase):
    """The change ideas sentence reads as English for none, one and several."""

    def sentence(self, project_pk: int) -> str:
        self.sign_in(self.viewer)
        page = self.client.get(
            f"/organisations/northfield/projects/{project_pk}/"
        ).content.decode()
        start = page.index("The driver diagram has")
        return " ".join(page[start : page.index(".", start) + 1].split())

    def test_one_change_idea_is_a_change_idea(self) -> None:
        project = make_project(self.org)
        make_diagram(project)
        self.assertEqual(
            self.sentence(project.pk),
            "The driver diagram has 3 entries, 1 of them a change idea.",
        )

    def test_several_change_ideas_are_change_ideas(self) -> None:
        project = make_project(self.org)
        nodes = make_diagram(project)
        make_node(
            project, "change_idea", "Night-time toileting round", nodes["secondary"]
        )
        self.assertEqual(
            self.sentence(project.pk),
            "The driver diagram has 4 entries, 2 of them change ideas.",
        )

    def test_no_change_ideas_says_so(self) -> None:
        project = make_project(self.org)
        make_node(project, "primary", "Reliable risk assessment")
        self.assertEqual(
            self.sentence(project.pk),
            "The driver diagram has 1 entry, but no change ideas yet.",
        )
