"""The NHS.UK layout every page extends (core/base.html)."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from openqi.organisations.models import Membership, Role
from tests.base import BaseTestCase


class LayoutTests(BaseTestCase):
    def _render(self, user=None, **context):  # type: ignore[no-untyped-def]
        request = RequestFactory().get("/organisations/northfield/")
        # A request has its own user object (which keeps the memberships it read).
        request.user = type(user).objects.get(pk=user.pk) if user else AnonymousUser()
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return request, render_to_string("core/base.html", context, request=request)

    def test_static_files_the_layout_links_exist(self) -> None:
        for path in (
            "nhsuk/nhsuk-frontend.min.css",
            "nhsuk/nhsuk-frontend.min.js",
            "htmx/htmx.min.js",
            "core/openqi.css",
            "nhsuk/assets/images/favicon.svg",
        ):
            with self.subTest(path=path):
                self.assertIsNotNone(finders.find(path))

    def test_anonymous_page_has_sign_in_and_no_switcher(self) -> None:
        _, html = self._render()
        self.assertIn('href="#maincontent"', html)
        self.assertIn('id="maincontent"', html)
        self.assertIn(">OpenQI</span>", html)
        self.assertIn(f'href="{reverse("accounts:sign_in")}"', html)
        self.assertNotIn("Sign out", html)
        self.assertNotIn("Switch organisation", html)
        self.assertIn('href="/styles/nhsuk-frontend.', html)
        self.assertIn("/static/htmx/htmx.min.js", html)

    def test_signed_in_page_shows_the_person_and_a_sign_out_form(self) -> None:
        for user in (self.editor, self.viewer, self.outsider):
            with self.subTest(user=user.full_name):
                _, html = self._render(user)
                self.assertIn(user.full_name, html)
                self.assertIn(f'action="{reverse("accounts:sign_out")}"', html)
                self.assertIn('name="csrfmiddlewaretoken"', html)
                self.assertIn('hx-headers="{&#34;X-CSRFToken&#34;', html)

    def test_switcher_appears_for_people_in_several_organisations(self) -> None:
        _, html = self._render(self.outsider)
        self.assertNotIn("Switch organisation", html)
        Membership.objects.create(
            user=self.outsider, organisation=self.org, role=Role.VIEWER
        )
        _, html = self._render(self.outsider)
        self.assertIn("Switch organisation", html)
        self.assertIn(f'action="{reverse("organisations:switch")}"', html)
        self.assertIn('value="northfield"', html)
        self.assertIn('value="southmere"', html)

    def test_current_organisation_gets_its_navigation(self) -> None:
        editor = Membership.objects.get(user=self.editor)
        _, html = self._render(self.editor, membership=editor)
        self.assertIn("Northfield Hospitals NHS Trust", html)
        self.assertIn("Administrator", html)
        self.assertIn(
            f'href="{reverse("organisations:members", kwargs={"slug": "northfield"})}"',
            html,
        )
        self.assertIn('aria-current="page"', html)

    def test_viewer_navigation_leaves_out_administration(self) -> None:
        viewer = Membership.objects.get(user=self.viewer)
        _, html = self._render(self.viewer, membership=viewer)
        self.assertIn(
            f'href="{reverse("organisations:units", kwargs={"slug": "northfield"})}"',
            html,
        )
        # Every member may see who else belongs; managing them is for administrators.
        self.assertIn(
            f'href="{reverse("organisations:members", kwargs={"slug": "northfield"})}"',
            html,
        )
        self.assertNotIn(
            f'href="{reverse("organisations:invitations", kwargs={"slug": "northfield"})}"',
            html,
        )
        self.assertNotIn(
            f'href="{reverse("audit:log", kwargs={"slug": "northfield"})}"', html
        )

    def test_messages_show_as_notification_banners(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.post(
            reverse("accounts:profile"), {"full_name": "Vic Viewer"}, follow=True
        )
        self.assertContains(response, "nhsuk-notification-banner--success")
        self.assertContains(response, "Your name has been saved.")
