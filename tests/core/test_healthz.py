"""/healthz: 200 while the database answers, 503 when it does not (for load balancers)."""

from __future__ import annotations

from unittest import mock

from django.db import connections
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_member, make_organisation


class HealthzTests(TestCase):
    url = "/healthz"

    def test_is_served_at_healthz(self) -> None:
        self.assertEqual(reverse("core:healthz"), self.url)

    def _database_down(self) -> mock._patch[mock.MagicMock]:
        # Fail where the database driver itself would: the backend's own
        # OperationalError from creating a cursor, which Django wraps into
        # django.db.OperationalError on its way to the view.
        wrapper = connections["default"]
        return mock.patch.object(
            type(wrapper),
            "create_cursor",
            side_effect=wrapper.Database.OperationalError(
                "server closed the connection"
            ),
        )

    def test_answers_200_ok_when_the_database_is_reachable(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json()["status"], "ok")

    def test_answers_503_when_the_database_is_unreachable(self) -> None:
        with (
            self._database_down(),
            self.assertLogs("openqi.core.views", "ERROR") as logs,
        ):
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["status"], "unavailable")
        self.assertIn("database unreachable", logs.output[0])

    def test_needs_no_sign_in(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)

    def test_answers_the_same_to_a_signed_in_person(self) -> None:
        self.client.force_login(make_member(make_organisation()))
        self.assertEqual(self.client.get(self.url).json()["status"], "ok")

    def test_is_never_cached(self) -> None:
        response = self.client.get(self.url)
        self.assertIn("no-cache", response["Cache-Control"])

    def test_refuses_a_post(self) -> None:
        self.assertEqual(self.client.post(self.url).status_code, 405)
