"""Every strategy, project and measure endpoint of tests/api/routes_strategy_projects_measures.py,
called with a personal API token (the access walk uses the browser session).

As for the walk: anonymous gets 401, the outsider 404, the viewer reads and gets
403 on every write, the editor reads and writes; every answer that is an error
has the one error shape; a refused write leaves no trace in the audit trail and
the editor's write is recorded as made via the API.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from openqi.audit.models import AuditEvent
from tests.access import Route, Write
from tests.api.base import TOKEN, ApiTestCase
from tests.api.routes_strategy_projects_measures import ROUTES


class TokenWalk(ApiTestCase):
    def send(self, method: str, url: str, user: Any, data: Any = None) -> Any:
        response = self.call(method, url, user, via=TOKEN, data=data)
        if response.status_code >= 400:
            self.assert_error(response, response.status_code)
        return response

    def check_read(self, route: Route, url: str) -> None:
        self.assertEqual(self.send("get", url, None).status_code, 401)
        self.assertEqual(self.send("get", url, self.outsider).status_code, 404)
        self.assertEqual(self.send("get", url, self.viewer).status_code, 200)
        self.assertEqual(self.send("get", url, self.editor).status_code, 200)

    def check_write(self, route: Route, write: Write, url: str) -> None:
        data = write.data(self)
        events = AuditEvent.objects.count()
        for user, status in ((None, 401), (self.outsider, 404), (self.viewer, 403)):
            response = self.send(write.method, url, user, data)
            self.assertEqual(response.status_code, status, (user, response.content))
        self.assertEqual(
            AuditEvent.objects.count(), events, "a refused write changed data"
        )
        response = self.send(write.method, url, self.editor, data)
        self.assertIn(response.status_code, write.ok, response.content)
        self.assertGreater(AuditEvent.objects.count(), events, "nothing was recorded")
        made = AuditEvent.objects.latest("pk")
        self.assertEqual((made.actor, made.via), (self.editor, "api"))

    def test_every_route_by_token(self) -> None:
        for route in ROUTES:
            with self.subTest(route.name):
                kwargs = route.kwargs(self)
                if route.get:
                    self.check_read(route, reverse(route.name, kwargs=kwargs))
                for write in route.writes:
                    extra = write.setup(self) if write.setup else {}
                    url = reverse(route.name, kwargs={**kwargs, **extra})
                    with self.subTest(f"{route.name} {write.method}"):
                        self.check_write(route, write, url)

    def test_every_route_is_an_api_route(self) -> None:
        self.assertTrue(all(route.is_api for route in ROUTES))
