"""A Content-Security-Policy on every page, and no page that it would break.

The policy allows scripts and styles from the site itself only (no 'unsafe-inline',
no 'unsafe-eval'), so every page must do without inline script, event-handler
attributes, ``javascript:`` links, ``style`` attributes and ``<style>`` elements.
The walk visits every route the access walk declares (tests/<app>/routes*.py), as
the editor, and the error pages; the browser side is
tests/browser/test_content_security_policy.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.base import BaseTestCase
from tests.test_access_walk import ROUTES


def policy(response: HttpResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class _InlineFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self._in_inline_script = True
            if names.get("type") not in ("application/json", "application/ld+json"):
                self.problems.append(f"inline <script {names}>")
        if tag == "style":
            self.problems.append("a <style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            elif name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}={value!r}> (htmx runs it by eval)")
            elif name in ("href", "src", "action", "formaction") and (
                (value or "").strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    """Inline scripts, event handlers and styles in ``html``."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def _raise(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a server error, on purpose")


class WithAServerError:
    """The project's URLs plus one that fails (a class: ROOT_URLCONF must be hashable)."""

    urlpatterns = [
        path("fails/", _raise),
        path("", include("openqi.web.urls")),
    ]


class ContentSecurityPolicyTests(BaseTestCase):
    def _check(self, response: HttpResponse, what: str) -> list[str]:
        problems = []
        directives = policy(response)
        if "Content-Security-Policy" not in response:
            return [f"{what}: no Content-Security-Policy header"]
        for directive in ("script-src", "style-src"):
            sources = directives.get(directive) or directives.get("default-src", [])
            if "'unsafe-inline'" in sources or "'unsafe-eval'" in sources:
                problems.append(f"{what}: {directive} allows {sources}")
        if response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            problems += [f"{what}: {problem}" for problem in inline_code(body)]
        return problems

    def test_the_policy_allows_scripts_and_styles_from_this_site_only(self) -> None:
        directives = policy(self.client.get(reverse("accounts:sign_in")))

        self.assertEqual(directives["script-src"], ["'self'"])
        self.assertEqual(directives["style-src"], ["'self'"])
        self.assertEqual(directives["default-src"], ["'self'"])
        self.assertEqual(directives["object-src"], ["'none'"])
        self.assertEqual(directives["frame-ancestors"], ["'none'"])

    def test_every_page_sends_the_policy_and_has_no_inline_script_or_style(
        self,
    ) -> None:
        editor, anonymous = Client(), Client()
        editor.force_login(self.editor)
        problems: list[str] = []
        visited = 0
        for route in ROUTES:
            if not route.get:
                continue
            url = reverse(route.name, kwargs=route.kwargs(self))
            client = anonymous if route.public else editor
            response = client.get(url)
            problems += self._check(response, f"{route.name} {url}")
            visited += 1
        self.assertGreater(visited, 50, "the walk found too few pages to be the site")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_error_pages_send_the_policy_and_have_no_inline_script(self) -> None:
        viewer = Client()
        viewer.force_login(self.viewer)
        problems = self._check(viewer.get("/no-such-page/"), "404") + self._check(
            viewer.get(reverse("audit:log", kwargs={"slug": self.org.slug})), "403"
        )
        with override_settings(ROOT_URLCONF=WithAServerError):
            failing = Client(raise_request_exception=False)
            response = failing.get("/fails/")
            self.assertEqual(response.status_code, 500)
            problems += self._check(response, "500")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_the_finder_catches_each_kind_of_inline_code(self) -> None:
        html = (
            "<script>alert(1)</script><script src='/static/x.js'></script>"
            "<button onclick='go()'>Go</button><p style='color: red'>Red</p>"
            "<style>p { color: red }</style><a href='javascript:go()'>Go</a>"
            "<div hx-on:click='go()'></div>"
        )
        found: Any = inline_code(html)

        self.assertEqual(len(found), 6, found)


def _directives_with(**environment: str) -> dict[str, list[str]]:
    """The policy's directives as settings.py builds them with ``environment``."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OPENQI_")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']))",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "openqi.web.settings",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_fonts_come_from_the_nhs_cdn_only_when_it_is_turned_on() -> None:
    assert _directives_with()["font-src"] == ["'self'"]
    assert _directives_with(OPENQI_NHS_FONTS_CDN="true")["font-src"] == [
        "'self'",
        "https://assets.nhs.uk",
    ]


def test_forms_may_lead_to_the_openid_connect_provider_when_one_is_set() -> None:
    directives = _directives_with(
        OPENQI_OIDC_SERVER_URL="https://login.example.org/tenant/v2.0"
    )

    assert directives["form-action"] == ["'self'", "https://login.example.org"]
