"""The library pages: who sees what (audience, systems, withdrawal), publishing with
frozen content, searching, adopting and the link at both ends."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from openqi.improvement.models import DriverNode
from openqi.library import services
from openqi.library.models import Adoption, Audience, Kind, Publication
from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Organisation, Role
from openqi.projects.models import Project
from tests.base import BaseTestCase
from tests.factories import make_member, make_organisation
from tests.library.helpers import (
    make_diagram,
    make_measure,
    make_project,
    make_publication,
    publish_form,
)


class LibraryTestCase(BaseTestCase):
    """``org`` and ``neighbour`` are members of ``system``; ``stranger`` is in
    ``other_system``; ``loner`` belongs to no system (and is ``other_org``)."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.system = make_organisation(name="Riverbend Care System", kind="system")
        cls.other_system = make_organisation(name="Hillside Care System", kind="system")
        cls.org.system = cls.system
        cls.org.save()
        cls.neighbour = make_organisation(name="Brookside Trust", system=cls.system)
        cls.neighbour_qi = make_member(cls.neighbour, Role.QI_TEAM)
        cls.neighbour_lead = make_member(cls.neighbour, Role.PROJECT_LEAD)
        cls.neighbour_viewer = make_member(cls.neighbour, Role.VIEWER)
        cls.system_member = make_member(cls.system, Role.VIEWER)
        cls.stranger_org = make_organisation(
            name="Fellside Trust", system=cls.other_system
        )
        cls.stranger = make_member(cls.stranger_org, Role.ADMIN)

    def url(self, name: str, org: Organisation | None = None, **kwargs: object) -> str:
        return reverse(
            f"library:{name}", kwargs={"slug": (org or self.org).slug, **kwargs}
        )


class VisibilityTests(LibraryTestCase):
    def test_system_audience_reaches_the_system_and_nobody_else(self) -> None:
        shared = make_publication(self.org, audience=Audience.SYSTEM)
        for user, org in (
            (self.neighbour_viewer, self.neighbour),
            (self.system_member, self.system),
            (self.viewer, self.org),
        ):
            with self.subTest(org.name):
                self.sign_in(user)
                page = self.client.get(self.url("publication", org, pk=shared.pk))
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, shared.title)
                listed = self.client.get(self.url("search", org))
                self.assertContains(listed, shared.title)
        for user, org in (
            (self.stranger, self.stranger_org),
            (self.outsider, self.other_org),
        ):
            with self.subTest(org.name):
                self.sign_in(user)
                page = self.client.get(self.url("publication", org, pk=shared.pk))
                self.assertEqual(page.status_code, 404)
                self.assertNotContains(
                    self.client.get(self.url("search", org)), shared.title
                )
                # Nor through the publisher's address: not a member there.
                self.assertEqual(
                    self.client.get(self.url("publication", pk=shared.pk)).status_code,
                    404,
                )
                adopt = self.client.post(self.url("adopt", org, pk=shared.pk))
                self.assertEqual(adopt.status_code, 404)
        self.assertFalse(Adoption.objects.exists())

    def test_everyone_audience_reaches_every_organisation(self) -> None:
        shared = make_publication(self.org, audience=Audience.EVERYONE)
        self.sign_in(self.stranger)
        page = self.client.get(self.url("publication", self.stranger_org, pk=shared.pk))
        self.assertContains(page, shared.title)
        self.assertEqual(list(services.visible_publications(self.other_org)), [shared])

    def test_withdrawn_items_vanish_for_others_and_stay_for_the_publisher(self) -> None:
        shared = make_publication(self.org, audience=Audience.SYSTEM)
        self.sign_in(self.qi_lead)
        response = self.client.post(self.url("withdraw", pk=shared.pk))
        self.assertRedirects(response, self.url("publication", pk=shared.pk))
        shared.refresh_from_db()
        self.assertIsNotNone(shared.withdrawn_at)
        page = self.client.get(self.url("publication", pk=shared.pk))
        self.assertContains(page, "Withdrawn")
        self.assertContains(self.client.get(self.url("ours")), shared.title)
        self.sign_in(self.neighbour_viewer)
        self.assertEqual(
            self.client.get(
                self.url("publication", self.neighbour, pk=shared.pk)
            ).status_code,
            404,
        )
        self.assertNotContains(
            self.client.get(self.url("search", self.neighbour), {"q": "falls"}),
            shared.title,
        )
        self.assertFalse(services.visible_publications(self.neighbour).exists())

    def test_only_the_publisher_withdraws(self) -> None:
        theirs = make_publication(self.neighbour, audience=Audience.SYSTEM)
        self.sign_in(self.qi_lead)
        response = self.client.post(self.url("withdraw", pk=theirs.pk))
        self.assertEqual(response.status_code, 404)
        theirs.refresh_from_db()
        self.assertIsNone(theirs.withdrawn_at)

    def test_a_member_cannot_publish(self) -> None:
        project = make_project(self.org)
        self.sign_in(self.member)
        url = self.url("publish", kind="project", pk=project.pk)
        self.assertEqual(self.client.post(url, publish_form()).status_code, 403)
        self.assertFalse(Publication.objects.exists())


class PublishTests(LibraryTestCase):
    def test_publish_freezes_the_content_and_publishing_again_updates_it(self) -> None:
        project = make_project(self.org)
        make_diagram(project)
        measure = make_measure(self.org, project)
        self.sign_in(self.qi_lead)
        url = self.url("publish", kind="project", pk=project.pk)
        self.assertContains(self.client.get(url), "Publish to the library")
        response = self.client.post(
            url,
            publish_form(
                audience="system", includes_measures="true", includes_series="true"
            ),
        )
        publication = Publication.objects.get()
        self.assertRedirects(response, self.url("publication", pk=publication.pk))
        content = publication.content
        self.assertEqual(content["project"]["title"], project.title)
        self.assertEqual(
            content["change_ideas"], ["Bay tagging: someone always in the bay"]
        )
        self.assertEqual(
            content["driver_diagram"][0]["children"][0]["children"][0]["kind"],
            "change_idea",
        )
        series = content["measures"][0]["series"]
        self.assertEqual(len(series), 6)
        self.assertEqual(set(series[0]), {"period", "value", "denominator"})
        self.assertNotIn("bed 4", str(content))  # a point's note is never shared

        # Later edits of the source do not leak …
        project.title = "Renamed locally"
        project.problem = "Something private"
        project.save()
        DataPoint.objects.filter(measure=measure).delete()
        publication.refresh_from_db()
        self.assertNotIn("Something private", str(publication.content))
        self.assertEqual(len(publication.content["measures"][0]["series"]), 6)
        # … until it is published again (the same publication, updated).
        self.client.post(url, publish_form(title="Renamed locally", audience="system"))
        self.assertEqual(Publication.objects.count(), 1)
        publication.refresh_from_db()
        self.assertIn("Something private", str(publication.content))
        self.assertNotIn("measures", publication.content)  # not ticked this time
        self.assertEqual(publication.version, 2)

    def test_series_only_when_ticked(self) -> None:
        measure = make_measure(self.org)
        self.sign_in(self.editor)
        url = self.url("publish", kind="measure", pk=measure.pk)
        self.client.post(url, publish_form(title=measure.name))
        publication = Publication.objects.get()
        self.assertEqual(publication.kind, Kind.MEASURE)
        self.assertNotIn("series", publication.content["measure"])
        self.assertEqual(publication.content["measure"]["direction"], "decrease")

    def test_bad_input_re_shows_the_form_with_messages(self) -> None:
        project = make_project(self.other_org)
        self.sign_in(self.outsider)
        url = self.url("publish", self.other_org, kind="project", pk=project.pk)
        for data, message in (
            (publish_form(title=""), "Enter the title."),
            (publish_form(topic="nonsense"), "Select a valid choice"),
            (publish_form(audience="system"), "belongs to no system"),
            (publish_form(summary="x" * 2001), "at most 2000 characters"),
            (
                publish_form(includes_series="true"),
                "",
            ),  # ignored: a project needs both ticks
        ):
            with self.subTest(message):
                response = self.client.post(url, data)
                if message:
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, message)
        self.assertEqual(Publication.objects.count(), 0)

    def test_series_without_definitions_is_refused(self) -> None:
        project = make_project(self.org)
        self.sign_in(self.qi_lead)
        url = self.url("publish", kind="project", pk=project.pk)
        response = self.client.post(url, publish_form(includes_series="true"))
        self.assertContains(response, "data is shared only with its measure")
        self.assertFalse(Publication.objects.exists())

    def test_unknown_kind_and_another_organisations_source_are_404(self) -> None:
        theirs = make_project(self.neighbour)
        self.sign_in(self.qi_lead)
        self.assertEqual(
            self.client.get(
                self.url("publish", kind="recipe", pk=theirs.pk)
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                self.url("publish", kind="project", pk=theirs.pk)
            ).status_code,
            404,
        )

    def test_a_change_idea_is_chosen_from_the_project(self) -> None:
        project = make_project(self.org)
        idea = make_diagram(project)
        self.sign_in(self.qi_lead)
        url = self.url("publish", kind="change_idea", pk=project.pk)
        response = self.client.post(url, publish_form(title="Bay tagging"))
        self.assertContains(response, "Choose the change idea to publish.")
        self.client.post(
            url, publish_form(title="Bay tagging", change_idea=str(idea.pk))
        )
        publication = Publication.objects.get()
        self.assertEqual(publication.source_node, idea)
        self.assertEqual(
            publication.content["drivers"],
            ["Reliable risk assessment", "Lying and standing blood pressure"],
        )

    def test_the_source_pages_offer_publishing_to_those_who_may(self) -> None:
        project = make_project(self.org)
        measure = make_measure(self.org)
        for user, shown in ((self.qi_lead, True), (self.member, False)):
            self.sign_in(user)
            for url in (
                reverse(
                    "projects:detail", kwargs={"slug": self.org.slug, "pk": project.pk}
                ),
                reverse(
                    "measures:detail", kwargs={"slug": self.org.slug, "pk": measure.pk}
                ),
                reverse(
                    "improvement:drivers",
                    kwargs={"slug": self.org.slug, "pk": project.pk},
                ),
            ):
                with self.subTest(url=url, user=user.full_name):
                    page = self.client.get(url)
                    self.assertEqual(page.status_code, 200)
                    (self.assertContains if shown else self.assertNotContains)(
                        page, "to the library"
                    )


class SearchTests(LibraryTestCase):
    def test_ranked_full_text_with_filters(self) -> None:
        title_hit = make_publication(
            self.neighbour, title="Sepsis six within the hour", topic="safety"
        )
        body_hit = make_publication(
            self.neighbour,
            title="Deteriorating patient bundle",
            summary="NEWS2 escalation, including sepsis screening.",
            topic="safety",
            setting="emergency",
        )
        make_publication(self.neighbour, title="Discharge before noon", topic="flow")
        self.sign_in(self.member)
        page = self.client.get(self.url("search"), {"q": "sepsis"})
        text = page.content.decode()
        self.assertLess(text.index(title_hit.title), text.index(body_hit.title))
        self.assertContains(page, "2 results")
        filtered = self.client.get(
            self.url("search"), {"q": "sepsis", "setting": "emergency"}
        )
        self.assertContains(filtered, body_hit.title)
        self.assertNotContains(filtered, title_hit.title)
        by_topic = self.client.get(self.url("search"), {"topic": "flow"})
        self.assertContains(by_topic, "1 result")
        # A plural or another form of the word finds it too.
        self.assertContains(
            self.client.get(self.url("search"), {"q": "Discharges"}),
            "Discharge before noon",
        )

    def test_content_is_searched(self) -> None:
        project = make_project(self.neighbour, title="Ward safety huddles")
        make_diagram(project)
        make_publication(self.neighbour, project=project, title="Ward safety huddles")
        self.sign_in(self.member)
        page = self.client.get(self.url("search"), {"q": "bay tagging"})
        self.assertContains(page, "Ward safety huddles")

    def test_odd_input_never_fails(self) -> None:
        make_publication(self.neighbour)
        self.sign_in(self.member)
        for query in (
            {"q": "x" * 5000},
            {"q": "%_\\'\""},
            {"topic": "nope"},
            {"page": "99999999999"},
            {"q": "the and of"},
        ):
            with self.subTest(query=str(query)[:40]):
                self.assertEqual(
                    self.client.get(self.url("search"), query).status_code, 200
                )

    def test_results_are_paginated(self) -> None:
        for n in range(23):
            make_publication(self.neighbour, title=f"Falls huddle {n}")
        self.sign_in(self.member)
        first = self.client.get(self.url("search"), {"q": "falls"})
        self.assertEqual(first.content.decode().count("Falls huddle"), 20)
        self.assertContains(first, "Page 2 of 2")
        second = self.client.get(self.url("search"), {"q": "falls", "page": "2"})
        self.assertEqual(second.content.decode().count("Falls huddle"), 3)


class AdoptTests(LibraryTestCase):
    def test_adopt_a_project_and_see_the_link_at_both_ends(self) -> None:
        source = make_project(self.org)
        make_diagram(source)
        publication = make_publication(
            self.org, project=source, audience=Audience.SYSTEM
        )
        self.sign_in(self.neighbour_lead)
        page = self.client.get(
            self.url("publication", self.neighbour, pk=publication.pk)
        )
        self.assertContains(page, "Adopt this")
        self.assertNotContains(page, "Adopted by")  # the adoptions are the publisher's
        since = timezone.now() - datetime.timedelta(seconds=1)
        response = self.client.post(
            self.url("adopt", self.neighbour, pk=publication.pk)
        )
        adoption = Adoption.objects.get()
        made = adoption.project
        assert made is not None
        self.assertRedirects(
            response,
            reverse(
                "projects:detail", kwargs={"slug": self.neighbour.slug, "pk": made.pk}
            ),
            fetch_redirect_response=False,
        )
        self.assertEqual(made.organisation, self.neighbour)
        self.assertEqual((made.title, made.problem), (source.title, source.problem))
        self.assertEqual(made.lead, self.neighbour_lead)
        self.assertEqual(DriverNode.objects.filter(project=made).count(), 3)
        self.assertEqual(adoption.adopted_by, self.neighbour_lead)
        # The adopter's project says where it came from …
        detail = self.client.get(response["Location"])
        self.assertContains(detail, "Adopted from")
        self.assertContains(detail, self.org.name)
        # … and the publisher sees the adoption, and is told on its home page.
        self.assertEqual(list(services.adoptions_since(self.org, since)), [adoption])
        self.assertFalse(services.adoptions_since(self.neighbour, since).exists())
        self.sign_in(self.viewer)
        own = self.client.get(self.url("publication", pk=publication.pk))
        self.assertContains(own, "Adopted by")
        self.assertContains(own, self.neighbour.name)
        self.assertContains(self.client.get(self.url("ours")), "Adopted 1 time")
        # Withdrawn: the adopter keeps the copy, and sees it was withdrawn at the source.
        services.withdraw(publication, by=self.qi_lead)
        self.sign_in(self.neighbour_lead)
        detail = self.client.get(response["Location"])
        self.assertContains(detail, "withdrawn at the source")
        self.assertTrue(Project.objects.filter(pk=made.pk).exists())

    def test_adopt_a_measure_copies_its_definition_not_its_data(self) -> None:
        measure = make_measure(self.org)
        make_measure(
            self.neighbour, name=measure.name
        )  # the adopter has one of that name
        publication = make_publication(
            self.org, Kind.MEASURE, measure=measure, includes_series=True
        )
        self.assertEqual(len(publication.content["measure"]["series"]), 6)
        self.sign_in(self.neighbour_lead)
        self.client.post(self.url("adopt", self.neighbour, pk=publication.pk))
        adopted = Adoption.objects.get().measure
        assert adopted is not None
        self.assertEqual(adopted.name, f"{measure.name} (adopted)")
        self.assertEqual(adopted.definition, measure.definition)
        self.assertEqual(adopted.kind, Measure.Kind.RATE)
        self.assertFalse(DataPoint.objects.filter(measure=adopted).exists())
        page = self.client.get(
            reverse(
                "measures:detail",
                kwargs={"slug": self.neighbour.slug, "pk": adopted.pk},
            )
        )
        self.assertContains(page, "Adopted from")

    def test_adopt_a_change_idea_into_a_chosen_project(self) -> None:
        publication = make_publication(self.org, Kind.CHANGE_IDEA, title="Bay tagging")
        mine = make_project(self.neighbour, title="Our falls work")
        not_mine = make_project(self.org, title="Not theirs")
        self.sign_in(self.neighbour_lead)
        url = self.url("adopt", self.neighbour, pk=publication.pk)
        self.assertContains(self.client.post(url, {}), "Choose a project")
        self.assertContains(
            self.client.post(url, {"project": not_mine.pk}),
            "open projects.",
        )
        self.assertFalse(Adoption.objects.exists())
        self.client.post(url, {"project": mine.pk})
        node = Adoption.objects.get().driver_node
        assert node is not None
        self.assertEqual(node.project, mine)
        self.assertEqual(node.kind, DriverNode.Kind.CHANGE_IDEA)
        self.assertIn(self.org.name, node.adopted_from_text)
        self.assertEqual(node.parent.text, services.ADOPTED_DRIVER)  # type: ignore[union-attr]  # it has one

    def test_many_projects_are_listed_a_page_at_a_time_with_a_title_search(
        self,
    ) -> None:
        from openqi.core.paging import OFFERED

        publication = make_publication(self.org, Kind.CHANGE_IDEA, title="Bay tagging")
        for n in range(OFFERED + 3):
            make_project(self.neighbour, title=f"Ward falls {n:02d}")
        self.sign_in(self.neighbour_lead)
        url = self.url("adopt", self.neighbour, pk=publication.pk)
        page = self.client.get(url).content.decode()
        self.assertIn(f"More than {OFFERED} projects", page)
        self.assertEqual(page.count('<option value="'), OFFERED + 1)  # and "Choose"
        page = self.client.get(url, {"q": " falls  07 "}).content.decode()
        self.assertEqual(page.count('<option value="'), 2)
        self.assertIn("Ward falls 07", page)
        # A project past the first page is still accepted when posted.
        last = Project.objects.get(title=f"Ward falls {OFFERED + 2:02d}")
        self.client.post(url, {"project": last.pk})
        self.assertEqual(Adoption.objects.get().driver_node.project, last)  # type: ignore[union-attr]  # made one

    def test_a_viewer_cannot_adopt_and_nobody_adopts_their_own(self) -> None:
        publication = make_publication(self.org, audience=Audience.SYSTEM)
        self.sign_in(self.neighbour_viewer)
        self.assertEqual(
            self.client.post(
                self.url("adopt", self.neighbour, pk=publication.pk)
            ).status_code,
            403,
        )
        self.sign_in(self.lead)
        response = self.client.post(self.url("adopt", pk=publication.pk))
        self.assertContains(response, "your own organisation")
        self.assertFalse(Adoption.objects.exists())


@pytest.mark.django_db
def test_search_and_publication_pages_read_a_fixed_number_of_queries(
    client: object, django_assert_max_num_queries: object
) -> None:
    """However many publications there are (the queries are pinned, not timed)."""
    from django.test import Client

    assert isinstance(client, Client)
    publisher = make_organisation(name="Pinned Trust")
    reader = make_organisation(name="Reading Trust")
    user = make_member(reader, Role.MEMBER)
    for n in range(30):
        make_publication(publisher, title=f"Falls huddle {n}")
    client.force_login(user)
    search = reverse("library:search", kwargs={"slug": reader.slug})
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # the fixture is callable
        assert client.get(search, {"q": "falls huddle"}).status_code == 200
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # the fixture is callable
        assert client.get(search).status_code == 200
    one = Publication.objects.first()
    assert one is not None
    read = reverse("library:publication", kwargs={"slug": reader.slug, "pk": one.pk})
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # the fixture is callable
        assert client.get(read).status_code == 200
