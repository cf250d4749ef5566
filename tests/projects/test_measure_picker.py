"""The "Link a measure" picker: a search of the organisation's measures by name
that offers a short list, as an htmx fragment or (without JavaScript) a page,
never every measure of a large organisation."""

from __future__ import annotations

from openqi.projects.models import ProjectMeasure
from openqi.projects.services import MEASURES_OFFERED
from tests.base import BaseTestCase
from tests.projects.project_helpers import HTMX, make_measure, make_project


class MeasurePickerTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.project = make_project(cls.org)
        for i in range(30):
            make_measure(cls.org, name=f"Ward {i:02} falls per 1,000 bed days")
        cls.pressure = make_measure(cls.org, name="Pressure ulcers on Larch ward")
        cls.linked = make_measure(cls.org, name="Falls with harm on Larch ward")
        cls.project.measure_links.create(measure=cls.linked, role="outcome")
        make_measure(cls.other_org, name="Southmere falls on Larch ward")
        cls.base = f"/organisations/northfield/projects/{cls.project.pk}/"
        cls.link_url = f"{cls.base}measures/link/"

    def setUp(self) -> None:
        self.sign_in(self.member)

    def test_the_page_offers_a_short_list_and_says_how_many_more(self) -> None:
        page = self.client.get(self.link_url).content.decode()
        self.assertEqual(page.count('name="measure" type="radio"'), MEASURES_OFFERED)
        self.assertIn(
            "31 measures are not linked yet: the first 10 by name are shown. "
            "Search to find the others.",
            page,
        )
        self.assertIn('role="search"', page)
        self.assertNotIn("Falls with harm on Larch ward", page)  # linked already

    def test_a_search_narrows_the_list_by_every_word(self) -> None:
        page = self.client.get(self.link_url, {"q": "larch  ward"}).content.decode()
        self.assertIn("1 measure matches “larch ward”.", " ".join(page.split()))
        self.assertIn("Pressure ulcers on Larch ward", page)
        self.assertNotIn("Southmere", page)
        self.assertNotIn("Falls with harm on Larch ward", page)
        self.assertIn('value="larch  ward"', page)

    def test_htmx_gets_the_matches_alone(self) -> None:
        response = self.client.get(self.link_url, {"q": "ward 3"}, **HTMX)
        page = response.content.decode()
        self.assertTrue(page.lstrip().startswith('<div id="measure-choices">'))
        self.assertNotIn("<html", page)
        self.assertEqual(page.count('name="measure" type="radio"'), 3)  # 03, 13, 23
        self.assertIn("3 measures match “ward 3”.", page)
        self.assertIn('name="role"', page)

    def test_many_matches_are_counted_and_cut_short(self) -> None:
        page = self.client.get(self.link_url, {"q": "falls"}, **HTMX).content.decode()
        self.assertIn(
            "30 measures match “falls”: the first 10 by name are shown.", page
        )

    def test_no_match_says_so(self) -> None:
        page = self.client.get(self.link_url, {"q": "sepsis"}, **HTMX).content.decode()
        self.assertIn(
            "No measure that is not linked yet has “sepsis” in its name.", page
        )
        self.assertNotIn('method="post"', page)

    def test_a_measure_beyond_the_short_list_links(self) -> None:
        response = self.client.post(
            self.link_url, {"measure": self.pressure.pk, "role": "process", "q": ""}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            ProjectMeasure.objects.filter(
                project=self.project, measure=self.pressure, role="process"
            ).exists()
        )

    def test_a_form_with_errors_keeps_the_search_and_the_choice(self) -> None:
        response = self.client.post(
            self.link_url, {"measure": self.pressure.pk, "role": "", "q": "ulcers"}
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("There is a problem", page)
        self.assertIn('value="ulcers"', page)
        self.assertIn(f'value="{self.pressure.pk}" checked', page)

    def test_no_choice_is_an_error_linked_to_the_first_radio(self) -> None:
        page = self.client.post(self.link_url, {"role": "outcome"}).content.decode()
        self.assertIn("Choose a measure to link.", page)
        self.assertIn('href="#id_measure"', page)
        self.assertIn('id="id_measure"', page)

    def test_the_project_page_holds_the_picker_but_no_measures(self) -> None:
        page = self.client.get(self.base).content.decode()
        self.assertIn("Link a measure", page)
        self.assertIn(f'hx-get="{self.link_url}" hx-trigger="intersect once"', page)
        self.assertIn(f'<a class="nhsuk-link" href="{self.link_url}">', page)
        self.assertNotIn("Pressure ulcers on Larch ward", page)
        self.assertNotIn('name="measure"', page)
