"""Every API route as the editor, the viewer, the outsider and anonymous, by session and by token.

The project-wide walk (tests/test_access_walk.py) does the same through the
session; this runs the API's own routes both ways, and checks the error shape.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.access import Route, Write
from tests.api.base import SESSION, TOKEN, ApiTestCase
from tests.api.routes import ROUTES


class ApiAccessTests(ApiTestCase):
    def _url(self, route: Route, write: Write | None = None) -> str:
        kwargs = route.kwargs(self)
        if write is not None and write.setup is not None:
            kwargs = {**kwargs, **write.setup(self)}
        return reverse(route.name, kwargs=kwargs)

    def _data(self, write: Write) -> dict[str, Any]:
        return write.data(self)

    def test_every_route_is_declared_for_the_api(self) -> None:
        self.assertTrue(all(route.is_api for route in ROUTES))

    def test_public_routes_answer_anyone(self) -> None:
        for route in (r for r in ROUTES if r.public):
            with self.subTest(route.name):
                response = self.client.get(self._url(route))
                self.assertEqual(response.status_code, 200)

    def test_anonymous_gets_401(self) -> None:
        for route in (r for r in ROUTES if not r.public):
            with self.subTest(route.name):
                if route.get:
                    self.assert_error(self.call("get", self._url(route)), 401)
                for write in route.writes:
                    response = self.call(
                        write.method, self._url(route, write), data=self._data(write)
                    )
                    self.assert_error(response, 401)

    def test_outsider_gets_404(self) -> None:
        for via in (SESSION, TOKEN):
            for route in (r for r in ROUTES if not (r.public or r.personal)):
                with self.subTest(route.name, via=via):
                    if route.get:
                        response = self.call(
                            "get", self._url(route), self.outsider, via=via
                        )
                        self.assert_error(response, 404)
                    for write in route.writes:
                        response = self.call(
                            write.method,
                            self._url(route, write),
                            self.outsider,
                            via=via,
                            data=self._data(write),
                        )
                        self.assert_error(response, 404)

    def test_viewer_reads_but_cannot_write(self) -> None:
        for via in (SESSION, TOKEN):
            for route in (r for r in ROUTES if not r.public):
                with self.subTest(route.name, via=via):
                    if route.get:
                        response = self.call(
                            "get", self._url(route), self.viewer, via=via
                        )
                        if route.manage_only:
                            self.assert_error(response, 403)
                        else:
                            self.assertEqual(
                                response.status_code, 200, response.content
                            )
                    for write in route.writes:
                        response = self.call(
                            write.method,
                            self._url(route, write),
                            self.viewer,
                            via=via,
                            data=self._data(write),
                        )
                        self.assert_error(response, 403)

    def test_editor_reads_and_writes(self) -> None:
        for via in (SESSION, TOKEN):
            for route in (r for r in ROUTES if not r.public):
                with self.subTest(route.name, via=via):
                    if route.get:
                        response = self.call(
                            "get", self._url(route), self.editor, via=via
                        )
                        self.assertIn(
                            response.status_code, route.get_ok, response.content
                        )
                    for write in route.writes:
                        response = self.call(
                            write.method,
                            self._url(route, write),
                            self.editor,
                            via=via,
                            data=self._data(write),
                        )
                        self.assertIn(response.status_code, write.ok, response.content)
