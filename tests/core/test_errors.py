"""The error pages in the NHS.UK layout (openqi/core/errors.py)."""

from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import loader
from django.test import RequestFactory

from openqi.core import errors
from tests.base import BaseTestCase


class ErrorPageTests(BaseTestCase):
    def _request(self, user=None):  # type: ignore[no-untyped-def]
        request = RequestFactory().get("/somewhere/")
        request.user = user or AnonymousUser()
        request.session = SessionStore()
        return request

    def test_404_for_each_of_the_cast(self) -> None:
        for user in (None, self.editor, self.viewer, self.outsider):
            with self.subTest(user=user):
                response = errors.not_found(
                    self._request(user), Http404("No such organisation")
                )
                self.assertEqual(response.status_code, 404)
                self.assertIn(b"Page not found", response.content)
                self.assertIn(b"nhsuk-header", response.content)

    def test_403_says_why(self) -> None:
        response = errors.forbidden(
            self._request(self.viewer),
            PermissionDenied("Viewers can look but not change anything here."),
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"You cannot do this", response.content)
        self.assertIn(
            b"Viewers can look but not change anything here.", response.content
        )

    def test_500_page(self) -> None:
        response = errors.server_error(self._request(self.editor))
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Sorry, there is a problem with the service", response.content)

    def test_500_falls_back_to_plain_text_when_the_layout_fails(self) -> None:
        with mock.patch.object(
            errors, "render", side_effect=RuntimeError("layout broke")
        ):
            with self.assertLogs("openqi.core.errors", "ERROR"):
                response = errors.server_error(self._request())
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Sorry, there is a problem", response.content)

    def test_unknown_page_uses_the_nhs_404(self) -> None:
        self.sign_in(self.viewer)
        response = self.client.get("/no/such/page/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, "Vic Viewer", status_code=404)

    def test_error_pages_render_without_a_request(self) -> None:
        # Django's own handlers (before handler404/403/500 are wired) pass no request.
        self.assertIn(
            "Sorry, there is a problem", loader.get_template("500.html").render()
        )
        html = loader.get_template("403.html").render(
            {"exception": "Only administrators."}
        )
        self.assertIn("Only administrators.", html)
