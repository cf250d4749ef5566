"""Learning by doing: a small organisation whose every answer is checked by hand,
the page as the QI team, a member and a viewer (counts, never names), an
outsider (nothing), a cohort that asks for a project, and the page's queries
(as many for a bigger organisation)."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openqi.accounts.models import User
from openqi.audit.kept import data_changed
from openqi.capability import doing
from openqi.capability.models import (
    CapabilityLevel,
    Completion,
    Enrolment,
    ProjectRequirement,
)
from openqi.capability.services import install_builtin_framework
from openqi.organisations.models import StaffRecord
from openqi.projects.models import Project
from tests.base import BaseTestCase
from tests.capability.helpers import (
    make_cohort,
    make_enrolment,
    make_programme,
    make_staff,
)
from tests.factories import make_user

BASE = "/organisations/northfield/capability/"
TODAY = datetime.date(2025, 6, 30)
D = datetime.date


def _row(project: Project) -> doing.ProjectRow:
    return doing.ProjectRow(
        pk=project.pk,
        title=project.title,
        status=project.status,
        status_label=project.get_status_display(),
        unit="",
        starts_on=project.start_date,
        closed_on=project.end_date,
        lead_id=project.lead_id,
    )


class DoingOrganisation(BaseTestCase):
    """The hand-checked organisation (today is 30 June 2025; the 12 months run
    from 30 June 2024):

    ======  =====================  ==============================  ===================
    person  account                completions                     projects
    ======  =====================  ==============================  ===================
    S1      user u1                practitioner 2024-03-01,        leads P1, P4
                                   project lead 2024-09-01
    S2      by e-mail → u2         practitioner 2024-05-01         team of P2 (completed
                                                                   2024-08-01)
    S3      user u3                practitioner 2023-01-01         team of P3 (completed
                                                                   2024-01-31)
    S4      user u4                coach 2024-10-01                team of P1 and P8
    S5      none                   awareness 2025-01-10            none
    S6      user u6                awareness 2022-01-01,           team of P5 (an idea)
                                   project lead 2023-05-05
    S7      user u7, left          practitioner 2024-01-01         team of P1
    S8      user u8                coach 2025-02-02                none
    (erased)                       awareness 2025-01-01
    ======  =====================  ==============================  ===================

    Open projects: P1 Alpha (active), P4 Delta (sustaining), P6 Foxtrot (active,
    led by an untrained user), P8 Hotel (sustaining, led by an untrained user).
    """

    levels: list[CapabilityLevel]
    users: dict[int, User]
    staff: dict[int, StaffRecord]
    p1: Project
    p2: Project
    p3: Project
    p4: Project
    p5: Project
    p6: Project
    p8: Project

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        org = cls.org
        levels = install_builtin_framework(org)
        (aware, practitioner, lead, coach, _expert, _board) = levels
        cls.levels = levels
        users = {n: make_user(email=f"u{n}@example.org") for n in range(1, 10)}
        cls.users = users
        untrained = make_user(email="untrained@example.org")
        staff: dict[int, StaffRecord] = {}
        staff[1] = make_staff(org, reference="S1", user=users[1], unit=cls.team)
        staff[2] = make_staff(org, reference="S2", email="U2@example.org")
        staff[3] = make_staff(org, reference="S3", user=users[3])
        staff[4] = make_staff(org, reference="S4", user=users[4], unit=cls.division)
        staff[5] = make_staff(org, reference="S5", unit=cls.team)
        staff[6] = make_staff(org, reference="S6", user=users[6])
        staff[7] = make_staff(org, reference="S7", user=users[7], is_active=False)
        staff[8] = make_staff(org, reference="S8", user=users[8])
        cls.staff = staff

        def done(n: int | None, level: CapabilityLevel, day: datetime.date) -> None:
            Completion.objects.create(
                level=level, completed_on=day, staff_record=staff[n] if n else None
            )

        done(1, practitioner, D(2024, 3, 1))
        done(1, lead, D(2024, 9, 1))
        done(2, practitioner, D(2024, 5, 1))
        done(3, practitioner, D(2023, 1, 1))
        done(4, coach, D(2024, 10, 1))
        done(5, aware, D(2025, 1, 10))
        done(6, aware, D(2022, 1, 1))
        done(6, lead, D(2023, 5, 5))
        done(7, practitioner, D(2024, 1, 1))
        done(8, coach, D(2025, 2, 2))
        done(None, aware, D(2025, 1, 1))

        def project(
            title: str, status: str, lead: Any = None, **fields: Any
        ) -> Project:
            return Project.objects.create(
                organisation=org, title=title, status=status, lead=lead, **fields
            )

        S = Project.Status
        cls.p1 = project("Alpha falls", S.ACTIVE, users[1], unit=cls.team)
        cls.p1.team.set([users[4], users[7]])
        cls.p2 = project("Bravo clinic", S.COMPLETED, end_date=D(2024, 8, 1))
        cls.p2.team.set([users[2]])
        cls.p3 = project("Charlie theatre", S.COMPLETED, end_date=D(2024, 1, 31))
        cls.p3.team.set([users[3]])
        cls.p4 = project("Delta discharge", S.SUSTAINING, users[1])
        cls.p5 = project("Echo idea", S.IDEA)
        cls.p5.team.set([users[6]])
        cls.p6 = project("Foxtrot sepsis", S.ACTIVE, untrained)
        cls.p8 = project("Hotel handover", S.SUSTAINING, untrained)
        cls.p8.team.set([users[4]])


class LearningByDoingTests(DoingOrganisation):
    def result(self) -> doing.Doing:
        return doing.compute_learning_by_doing(self.org, TODAY)

    def test_the_levels_used_for_project_leads_and_coaches(self) -> None:
        result = self.result()
        self.assertEqual(
            result.lead_level,
            doing.LevelRef(self.levels[2].pk, "Improvement project lead"),
        )
        self.assertEqual(
            result.coach_level, doing.LevelRef(self.levels[3].pk, "Improvement coach")
        )
        self.assertEqual(result.since, D(2024, 6, 30))

    def test_each_level_shares_its_people_active_in_the_last_12_months(self) -> None:
        shares = {
            level.name: (level.reached, level.linked, level.active)
            for level in self.result().levels
        }
        self.assertEqual(
            shares,
            {
                "Improvement awareness": (2, 1, 0),  # S5 (no account), S6 (an idea)
                "Improvement practitioner": (3, 3, 2),  # S1, S2 by e-mail; not S3
                "Improvement project lead": (2, 2, 1),  # S1; not S6
                "Improvement coach": (2, 2, 1),  # S4; not S8
                "Expert adviser": (0, 0, 0),
                "Board and executive development": (0, 0, 0),
            },
        )
        practitioner = self.result().levels[1]
        self.assertAlmostEqual(practitioner.share or 0, 200 / 3)
        self.assertIsNone(self.result().levels[4].share)
        self.assertEqual(self.result().trained, 7)

    def test_open_projects_with_nobody_trained_to_lead(self) -> None:
        result = self.result()
        self.assertEqual(result.open_projects, 4)
        # Hotel has a coach on its team: a coach has the project lead's method.
        self.assertEqual(
            [p.title for p in result.projects_without_lead], ["Foxtrot sepsis"]
        )

    def test_coaches_load_and_projects_without_a_coach(self) -> None:
        result = self.result()
        self.assertEqual(
            [(c.reference, [p.title for p in c.projects]) for c in result.coaches],
            [("S4", ["Alpha falls", "Hotel handover"]), ("S8", [])],
        )
        self.assertEqual(
            [p.title for p in result.projects_without_coach],
            ["Delta discharge", "Foxtrot sepsis"],
        )
        self.assertEqual(result.coaching_places, 2)
        self.assertEqual(result.coaches_on_projects, 1)
        self.assertEqual(result.most_projects, 2)
        self.assertEqual(result.mean_load, 1.0)

    def test_people_trained_but_never_active_highest_level_first(self) -> None:
        result = self.result()
        self.assertEqual(
            [
                (p.reference, p.level, p.completed_on, p.linked)
                for p in result.never_active
            ],
            [
                ("S8", "Improvement coach", D(2025, 2, 2), True),
                ("S6", "Improvement project lead", D(2023, 5, 5), True),
                ("S5", "Improvement awareness", D(2025, 1, 10), False),
            ],
        )
        self.assertEqual(result.never_active_unlinked, 1)

    def test_a_closed_project_without_an_end_date_closed_when_last_changed(
        self,
    ) -> None:
        Project.objects.filter(pk=self.p2.pk).update(
            end_date=None,
            updated_at=datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC),
        )
        practitioner = self.result().levels[1]
        self.assertEqual(practitioner.active, 1)  # S2's project closed before

    def test_reordering_the_framework_moves_the_project_lead_level(self) -> None:
        coach = self.levels[3]
        coach.position = 0
        coach.save()
        result = self.result()
        self.assertEqual(
            result.lead_level, doing.LevelRef(coach.pk, "Improvement coach")
        )
        self.assertEqual(
            result.coach_level,
            doing.LevelRef(self.levels[2].pk, "Improvement project lead"),
        )

    def test_a_framework_without_leaders_levels_names_none(self) -> None:
        CapabilityLevel.objects.filter(organisation=self.org).update(
            audience="all_staff"
        )
        result = self.result()
        self.assertIsNone(result.lead_level)
        self.assertIsNone(result.coach_level)
        self.assertEqual(result.projects_without_lead, [])
        self.assertEqual(result.coaches, [])

    def test_it_is_computed_in_five_queries(self) -> None:
        with self.assertNumQueries(5):
            self.result()


class ActiveBetweenTests(DoingOrganisation):
    def test_the_rule_for_a_project_active_in_a_period(self) -> None:
        since, until = D(2024, 6, 30), D(2025, 6, 30)
        self.assertTrue(doing.active_between(_row(self.p1), since, until))
        self.assertTrue(doing.active_between(_row(self.p2), since, until))
        self.assertFalse(doing.active_between(_row(self.p3), since, until))
        self.assertFalse(doing.active_between(_row(self.p5), since, until))
        self.p1.start_date = D(2025, 9, 1)
        self.assertFalse(doing.active_between(_row(self.p1), since, until))

    def test_a_year_before_a_leap_day(self) -> None:
        self.assertEqual(doing.year_before(D(2024, 2, 29)), D(2023, 2, 28))


@mock.patch("openqi.capability.doing._today", return_value=TODAY)
class DoingPageTests(DoingOrganisation):
    URL = BASE + "learning-by-doing/"

    def test_the_qi_team_sees_the_people(self, _today: Any) -> None:
        self.sign_in(self.qi_lead)
        response = self.client.get(self.URL)
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("67%", page)
        self.assertIn("Foxtrot sepsis", page)
        self.assertIn(f"/staff/{self.staff[8].pk}/", page)  # never active, a coach
        self.assertIn(">S5<", page)
        self.assertIn(">S4<", page)  # a coach, with his projects
        self.assertIn("3 people of the 7", page)
        self.assertNotIn(">S1<", page)

    def test_a_viewer_and_a_member_see_counts_never_names(self, _today: Any) -> None:
        for who in (self.viewer, self.member, self.lead):
            self.sign_in(who)
            response = self.client.get(self.URL)
            self.assertEqual(response.status_code, 200)
            page = response.content.decode()
            self.assertIn("3 people of the 7", page)
            self.assertIn("67%", page)
            self.assertIn("Foxtrot sepsis", page)  # projects are every member's
            for reference in ("S4", "S5", "S6", "S8"):
                self.assertNotIn(f">{reference}<", page)
            self.assertNotIn("/staff/", page)
            self.assertIn("Administrators and the QI team see who they are.", page)

    def test_an_outsider_gets_nothing(self, _today: Any) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(self.URL)
        self.assertEqual(response.status_code, 404)
        page = response.content.decode()
        # In cells (">S5<"): a bare "S5" may be in the page's random CSRF token.
        self.assertNotIn(">S5<", page)
        self.assertNotIn("Foxtrot sepsis", page)

    def test_the_overview_links_to_it(self, _today: Any) -> None:
        self.sign_in(self.viewer)
        page = self.client.get(BASE).content.decode()
        self.assertIn('href="' + self.URL + '"', page)

    def test_a_page_number_out_of_range_or_nonsense_shows_a_page(
        self, _today: Any
    ) -> None:
        self.sign_in(self.qi_lead)
        for page in ("999999", "x", "-1", "9" * 500):
            response = self.client.get(self.URL, {"page": page, "lead_page": page})
            self.assertEqual(response.status_code, 200)

    def test_a_long_list_is_paged_keeping_the_other_lists_pages(
        self, _today: Any
    ) -> None:
        aware = self.levels[0]
        for n in range(55):
            Completion.objects.create(
                level=aware,
                completed_on=D(2025, 2, 1),  # after S5's awareness
                staff_record=make_staff(self.org, reference=f"N{n:03d}"),
            )
        self.sign_in(self.qi_lead)
        page = self.client.get(self.URL, {"lead_page": "1"}).content.decode()
        self.assertIn("?lead_page=1&amp;page=2#never-active", page)
        second = self.client.get(self.URL, {"page": "2"}).content.decode()
        self.assertIn(">S5<", second)  # the oldest awareness completion comes last
        self.assertNotIn(">S5<", page)

    def test_the_page_queries_do_not_grow_with_the_organisation(
        self, _today: Any
    ) -> None:
        self.sign_in(self.qi_lead)
        self.client.get(self.URL)  # the session and the like, once
        with CaptureQueriesContext(connection) as small:
            self.client.get(self.URL)
        aware, coach = self.levels[0], self.levels[3]
        for n in range(30):
            user = make_user(email=f"more{n}@example.org")
            person = make_staff(self.org, reference=f"M{n:03d}", user=user)
            Completion.objects.create(
                level=coach if n % 3 else aware,
                completed_on=D(2025, 1, 1),
                staff_record=person,
            )
            project = Project.objects.create(
                organisation=self.org, title=f"More {n}", status="active", lead=user
            )
            project.team.set([self.users[1], self.users[4]])
        with CaptureQueriesContext(connection) as big:
            response = self.client.get(self.URL)
        self.assertIn("M029", response.content.decode())
        self.assertEqual(len(big), len(small))
        # The session, the user and their memberships; then the five of the
        # computation (levels, projects, teams, e-mail addresses, completions).
        self.assertEqual(len(small), 8, [q["sql"][:80] for q in small])

    def test_the_page_reads_what_is_kept_until_the_data_change(
        self, _today: Any
    ) -> None:
        with mock.patch("openqi.audit.kept._is_changed_here", return_value=False):
            with self.captureOnCommitCallbacks(execute=True):
                data_changed(self.org.pk)  # nothing kept from before this test
            with self.assertNumQueries(5):
                first = doing.learning_by_doing(self.org)
            with self.assertNumQueries(0):
                again = doing.learning_by_doing(self.org)
            self.assertEqual(again, first)
            with self.captureOnCommitCallbacks(execute=True):
                data_changed(self.org.pk)
            with self.assertNumQueries(5):
                doing.learning_by_doing(self.org)


@mock.patch("openqi.capability.doing._today", return_value=TODAY)
class CohortParticipationTests(DoingOrganisation):
    def cohort(self, requirement: str) -> Any:
        programme = make_programme(self.org, level=self.levels[1])
        cohort = make_cohort(
            programme, starts_on=D(2024, 7, 1), project_requirement=requirement
        )
        for n in (1, 2, 3, 6):
            make_enrolment(cohort, self.staff[n])
        make_enrolment(cohort, self.staff[5], status=Enrolment.Status.WITHDRAWN)
        return cohort

    def test_who_has_joined_or_led_a_project_since_the_cohort_started(
        self, _today: Any
    ) -> None:
        cohort = self.cohort(ProjectRequirement.JOIN)
        enrolments = list(cohort.enrolments.select_related("staff_record"))
        with self.assertNumQueries(3):
            result = doing.cohort_participation(cohort, enrolments)
        assert result is not None
        by_person = {e.staff_record.reference: e.pk for e in enrolments}
        self.assertEqual(
            {ref: result.done[pk] for ref, pk in by_person.items()},
            {"S1": "led", "S2": "joined", "S3": "", "S5": "", "S6": ""},
        )
        self.assertEqual((result.counted, result.meeting), (4, 2))

    def test_a_cohort_asking_for_a_lead_counts_only_leads(self, _today: Any) -> None:
        cohort = self.cohort(ProjectRequirement.LEAD)
        enrolments = list(cohort.enrolments.select_related("staff_record"))
        result = doing.cohort_participation(cohort, enrolments)
        assert result is not None
        self.assertEqual((result.counted, result.meeting), (4, 1))

    def test_a_cohort_asking_for_no_project_shows_nothing(self, _today: Any) -> None:
        cohort = self.cohort(ProjectRequirement.NONE)
        with self.assertNumQueries(0):
            self.assertIsNone(doing.cohort_participation(cohort, []))
        self.sign_in(self.qi_lead)
        page = self.client.get(BASE + f"cohorts/{cohort.pk}/").content.decode()
        self.assertNotIn("Learning by doing", page)

    def test_the_cohort_page_shows_who_has_to_the_qi_team_only(
        self, _today: Any
    ) -> None:
        cohort = self.cohort(ProjectRequirement.JOIN)
        url = BASE + f"cohorts/{cohort.pk}/"
        self.sign_in(self.qi_lead)
        page = self.client.get(url).content.decode()
        self.assertIn("2 of 4 participants", page)
        self.assertIn("Led a project", page)
        self.assertIn("Joined a project", page)
        self.sign_in(self.viewer)
        page = self.client.get(url).content.decode()
        self.assertIn("2 of 4 participants", page)
        self.assertNotIn("Led a project", page)


class EmptyOrganisationTests(BaseTestCase):
    def test_an_organisation_with_nothing_yet_says_so(self) -> None:
        self.sign_in(self.outsider)
        response = self.client.get(
            "/organisations/southmere/capability/learning-by-doing/"
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("has no levels yet", page)
        self.assertIn("no level is taken as the project-lead level", page)
        self.assertIn("0 people of the 0", page)
