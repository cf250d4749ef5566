"""The accessibility statement: public, in the NHS model's parts, with the
service's own contact, and linked from every page's footer."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import override_settings
from django.urls import reverse

from openqi.core.views import ACCESSIBILITY_LAST_TESTED
from tests.base import BaseTestCase

STATEMENT = reverse("core:accessibility")


class _FooterLinks(HTMLParser):
    """The links inside the page's <footer>, as (href, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.href: str | None = None
        self.text = ""
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "footer":
            self.depth += 1
        elif tag == "a" and self.depth:
            self.href = dict(attrs).get("href") or ""
            self.text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "footer":
            self.depth -= 1
        elif tag == "a" and self.href is not None:
            self.links.append((self.href, " ".join(self.text.split())))
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.href is not None:
            self.text += data


def footer_links(html: str) -> list[tuple[str, str]]:
    parser = _FooterLinks()
    parser.feed(html)
    return parser.links


def headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", text).strip()
        for text in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, flags=re.S)
    ]


class AccessibilityStatementTests(BaseTestCase):
    def test_anyone_may_read_it_signed_out(self) -> None:
        response = self.client.get(STATEMENT)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Accessibility statement for OpenQI</h1>")

    def test_it_has_the_parts_of_the_nhs_model_statement_in_order(self) -> None:
        found = headings(self.client.get(STATEMENT).content.decode())
        expected = [
            "Accessibility statement for OpenQI",
            "How accessible this service is",
            "Feedback and contact information",
            "Reporting accessibility problems with this service",
            "Enforcement procedure",
            "Technical information about this service's accessibility",
            "Compliance status",
            "Non-accessible content",
            "What we are doing to improve accessibility",
            "Preparation of this accessibility statement",
        ]
        positions = [found.index(heading) for heading in expected]
        self.assertEqual(positions, sorted(positions), found)

    def test_it_names_the_enforcement_bodies_and_the_standard(self) -> None:
        page = self.client.get(STATEMENT).content.decode()
        self.assertIn("Equality and Human Rights Commission (EHRC)", page)
        self.assertIn('href="https://www.equalityadvisoryservice.com/"', page)
        self.assertIn("Web Content Accessibility Guidelines version 2.2</a> AA", page)

    def test_it_gives_the_date_of_the_last_test(self) -> None:
        page = self.client.get(STATEMENT).content.decode()
        self.assertEqual(ACCESSIBILITY_LAST_TESTED.isoformat(), "2026-12-05")
        self.assertIn("This service was last tested on 5 December 2026", page)
        self.assertIn("every change to OpenQI's code", page)

    @override_settings(OPENQI_ACCESSIBILITY_CONTACT="access@northfield.example.nhs.uk")
    def test_the_services_own_contact_is_given_when_set(self) -> None:
        page = self.client.get(STATEMENT).content.decode()
        self.assertIn(
            '<a class="nhsuk-link" href="mailto:access@northfield.example.nhs.uk">'
            "access@northfield.example.nhs.uk</a>",
            page,
        )
        self.assertNotIn("IT service desk", page)

    @override_settings(OPENQI_ACCESSIBILITY_CONTACT="")
    def test_without_a_contact_it_says_whom_to_ask(self) -> None:
        page = self.client.get(STATEMENT).content.decode()
        self.assertNotIn("mailto:", page)
        self.assertIn("contact the administrators of your organisation", page)
        self.assertIn("IT service desk", page)

    @override_settings(SESSION_COOKIE_AGE=12 * 3600)
    def test_a_session_shorter_than_20_hours_is_listed_as_a_failure(self) -> None:
        page = self.client.get(STATEMENT).content.decode()
        self.assertIn("This service is partially compliant", page)
        self.assertIn("A session ends 12 hours after signing in", page)
        self.assertIn("2.2.1 (timing adjustable)", page)

    @override_settings(SESSION_COOKIE_AGE=24 * 3600)
    def test_a_session_of_20_hours_or_more_is_not(self) -> None:
        page = self.client.get(STATEMENT).content.decode()
        self.assertNotIn("partially compliant", page)
        self.assertNotIn("2.2.1", page)
        self.assertIn("signed out 24 hours after you sign in", page)

    def test_the_footer_links_to_it_signed_out(self) -> None:
        for url in (reverse("accounts:sign_in"), STATEMENT, "/no-such-page/"):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertIn(
                    (STATEMENT, "Accessibility statement"), footer_links(html)
                )

    def test_the_footer_links_to_it_signed_in(self) -> None:
        self.sign_in(self.viewer)
        for url in (
            reverse("organisations:detail", kwargs={"slug": self.org.slug}),
            reverse("accounts:profile"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                links = footer_links(response.content.decode())
                self.assertIn((STATEMENT, "Accessibility statement"), links)
                self.assertIn((reverse("accounts:profile"), "Your profile"), links)
