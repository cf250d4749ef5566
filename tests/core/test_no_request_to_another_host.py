"""No page asks another host for anything unless configured to (issue item 18).

nhsuk-frontend's compiled stylesheet loads the Frutiger fonts from the NHS CDN
(https://assets.nhs.uk); the pages load it without those rules unless
OPENQI_NHS_FONTS_CDN is on (openqi/core/nhsuk_stylesheet.py). The check walks the
demo organisation's pages as an administrator, collects every resource a page loads
(stylesheets, scripts, icons, images, frames, form targets, inline url()), then
reads every stylesheet those pages load for url() and @import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from openqi.demo import build_demo
from openqi.organisations.models import Membership, Role

HOST = "testserver"
CDN_FONT = "https://assets.nhs.uk/fonts/FrutigerLTW01-55Roman.woff2"
#: Attributes whose URL the browser fetches (or posts to) without being asked.
FETCHED = {"src", "srcset", "action", "formaction", "data", "poster", "background"}
#: <link rel=…> values that make the browser fetch the href.
FETCHED_LINKS = {
    "stylesheet",
    "icon",
    "mask-icon",
    "apple-touch-icon",
    "manifest",
    "preload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "modulepreload",
}
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""")
_MODULE_IMPORT = re.compile(r"""import\s[^;]*?from\s*["']([^"']+)["']""")
#: How many pages the walk reads at most, to keep the test quick.
PAGE_LIMIT = 60


class _Resources(HTMLParser):
    """The URLs a page fetches by itself, and the pages it links to."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self._in_style_or_script = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in FETCHED and value:
                self.fetched += [part.split()[0] for part in value.split(",") if part]
            if name == "style":
                self.fetched += _css_urls(value)
        if tag == "link" and set(values.get("rel", "").split()) & FETCHED_LINKS:
            self.fetched.append(values.get("href", ""))
            if "stylesheet" in values.get("rel", ""):
                self.stylesheets.append(values.get("href", ""))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        self._in_style_or_script = tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._in_style_or_script = False

    def handle_data(self, data: str) -> None:
        if self._in_style_or_script:
            self.fetched += _css_urls(data)
            self.fetched += _MODULE_IMPORT.findall(data)


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]


def _is_another_host(url: str) -> bool:
    if url.startswith(("data:", "#")):
        return False
    parts = urlsplit(url)
    return bool(parts.netloc) and parts.hostname != HOST


class NoRequestToAnotherHostTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        build_demo("small")

    def setUp(self) -> None:
        administrator = (
            Membership.objects.filter(role=Role.ADMIN).select_related("user").first()
        )
        assert administrator is not None, "the demo has no administrator"
        # A page that fails is other tests' business; this one reads those that render.
        self.client = Client(raise_request_exception=False)
        self.client.force_login(administrator.user)
        self.home = reverse(
            "organisations:detail", args=[administrator.organisation.slug]
        )

    def walk(self) -> Iterator[tuple[str, _Resources]]:
        """Each page reachable from the organisation's home, read once."""
        queue, seen = [self.home, reverse("core:home")], set()
        while queue and len(seen) < PAGE_LIMIT:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = self.client.get(path)
            if response.status_code != 200 or "text/html" not in response.get(
                "Content-Type", ""
            ):
                continue
            page = _Resources()
            page.feed(response.content.decode())
            yield path, page
            for link in page.links:
                target = urlsplit(urljoin(path, link))
                if not target.netloc and target.path.startswith("/organisations/"):
                    queue.append(target.path)
        self.assertGreater(len(seen), 10, "the walk should reach the main pages")

    def anonymous_pages(self) -> Iterator[tuple[str, _Resources]]:
        self.client.logout()
        for path in (
            reverse("accounts:sign_in"),
            reverse("accounts:password_reset"),
            reverse("api:openapi-view"),
        ):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            page = _Resources()
            page.feed(response.content.decode())
            yield path, page

    def stylesheet(self, url: str) -> str:
        response = self.client.get(url, follow=True)
        self.assertEqual(response.status_code, 200, url)
        content = getattr(response, "streaming_content", None)
        raw = b"".join(content) if content is not None else response.content
        return raw.decode()

    def test_no_page_or_stylesheet_refers_to_another_host(self) -> None:
        stylesheets: set[str] = set()
        pages = [*self.walk(), *self.anonymous_pages()]
        for path, page in pages:
            with self.subTest(page=path):
                elsewhere = [url for url in page.fetched if _is_another_host(url)]
                self.assertEqual(elsewhere, [], f"{path} fetches from another host")
                stylesheets |= set(page.stylesheets)
        self.assertTrue(any("nhsuk-frontend" in url for url in stylesheets))
        for url in sorted(stylesheets):
            with self.subTest(stylesheet=url):
                css = self.stylesheet(url)
                elsewhere = [u for u in _css_urls(css) if _is_another_host(u)]
                self.assertEqual(elsewhere, [], f"{url} fetches from another host")
                self.assertFalse("assets.nhs.uk" in css, f"{url} names the NHS CDN")

    def test_the_stylesheet_keeps_the_design_systems_fallback_fonts(self) -> None:
        css = self.stylesheet(self._nhsuk_stylesheet())
        self.assertIn("font-family:Frutiger W01,arial,sans-serif", css)
        self.assertFalse("@font-face" in css, "the stylesheet declares a font to load")

    def test_the_stylesheets_icons_point_at_the_static_files(self) -> None:
        css = self.stylesheet(self._nhsuk_stylesheet())
        self.assertFalse("url(/assets/" in css, "icons are looked for at the root")
        icon = "/static/nhsuk/assets/images/nhsuk-icon-cross.svg"
        self.assertIn(f"url({icon})", css)
        self.assertEqual(self.client.get(icon).status_code, 200)

    @override_settings(OPENQI_NHS_FONTS_CDN=True)
    def test_the_setting_loads_the_nhs_fonts_from_the_cdn(self) -> None:
        css = self.stylesheet(self._nhsuk_stylesheet())
        self.assertTrue(f"url({CDN_FONT})" in css, "the CDN's fonts are not declared")

    def test_an_outdated_stylesheet_address_leads_to_the_current_one(self) -> None:
        current = self._nhsuk_stylesheet()
        old = reverse("nhsuk-stylesheet", kwargs={"digest": "000000000000"})
        response = self.client.get(old)
        self.assertRedirects(response, current, fetch_redirect_response=False)

    def test_the_stylesheet_is_cached_for_good_and_compressed(self) -> None:
        response = self.client.get(
            self._nhsuk_stylesheet(), HTTP_ACCEPT_ENCODING="gzip"
        )
        self.assertIn("immutable", response["Cache-Control"])
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertTrue(response["Content-Type"].startswith("text/css"))

    def _nhsuk_stylesheet(self) -> str:
        page = _Resources()
        page.feed(self.client.get(reverse("accounts:sign_in")).content.decode())
        return next(url for url in page.stylesheets if "nhsuk-frontend" in url)
