"""One error shape for every error: {"error": "...", "status": N} (422 adds details)."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse

from tests.api.base import ApiTestCase


class ErrorShapeTests(ApiTestCase):
    def setUp(self) -> None:
        self.units = reverse("api:units", kwargs={"slug": "northfield"})

    def test_401(self) -> None:
        self.assert_error(self.call("get", self.units), 401)

    def test_403_says_who_may(self) -> None:
        body = self.assert_error(
            self.call(
                "post", self.units, self.viewer, data={"name": "X", "level": "division"}
            ),
            403,
        )
        self.assertIn("administrator", body["error"])

    def test_404_for_an_organisation_you_are_not_in(self) -> None:
        body = self.assert_error(self.call("get", self.units, self.outsider), 404)
        self.assertIn("GET /api/v1/organisations", body["error"])

    def test_404_does_not_reveal_whether_an_organisation_exists(self) -> None:
        missing = reverse("api:units", kwargs={"slug": "no-such-trust"})
        self.assertEqual(
            self.call("get", missing, self.outsider)
            .json()["error"]
            .replace("no-such-trust", ""),
            self.call("get", self.units, self.outsider)
            .json()["error"]
            .replace("northfield", ""),
        )

    def test_404_for_a_unit_of_another_organisation(self) -> None:
        from tests.factories import make_unit

        theirs = make_unit(self.other_org, name="Community nursing")
        url = reverse("api:unit", kwargs={"slug": "northfield", "unit_id": theirs.pk})
        self.assert_error(self.call("get", url, self.editor), 404)

    def test_405_lists_the_allowed_methods(self) -> None:
        response = self.call("put", self.units, self.editor, data={})
        body = self.assert_error(response, 405)
        self.assertIn("GET, POST", body["error"])
        self.assertEqual(response["Allow"], "GET, POST")

    def test_405_on_the_openapi_document(self) -> None:
        self.assert_error(self.call("post", reverse("api:openapi-json"), data={}), 405)

    def test_409_when_a_rule_would_break(self) -> None:
        url = reverse(
            "api:unit", kwargs={"slug": "northfield", "unit_id": self.division.pk}
        )
        body = self.assert_error(self.call("delete", url, self.editor), 409)
        self.assertIn("still has units under it", body["error"])

    def test_422_for_a_missing_field_names_it(self) -> None:
        body = self.assert_error(
            self.call("post", self.units, self.editor, data={"level": "division"}), 422
        )
        self.assertEqual(body["details"][0]["field"], "name")
        self.assertIn("name", body["error"])

    def test_422_for_a_value_not_in_the_choices(self) -> None:
        body = self.assert_error(
            self.call(
                "post", self.units, self.editor, data={"name": "X", "level": "ward"}
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "level")

    def test_422_for_a_broken_model_rule_names_the_field(self) -> None:
        data = {"name": "Paediatrics", "level": "team", "parent_id": self.division.pk}
        body = self.assert_error(
            self.call("post", self.units, self.editor, data=data), 422
        )
        self.assertEqual(body["details"][0]["field"], "parent_id")
        self.assertIn("directorate", body["error"])

    def test_422_for_bad_paging(self) -> None:
        for query in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "ten"}):
            with self.subTest(query):
                response = self.call("get", self.units, self.editor, data=query)
                body = self.assert_error(response, 422)
                self.assertEqual(body["details"][0]["location"], "query")

    def test_422_for_a_non_number_id(self) -> None:
        url = reverse("api:unit", kwargs={"slug": "northfield", "unit_id": 1}).replace(
            "/1", "/one"
        )
        self.assert_error(self.call("get", url, self.editor), 422)

    def test_malformed_json(self) -> None:
        response = self.client.post(
            self.units,
            "{not json",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token_for(self.editor)}",
        )
        body = self.assert_error(response, 400)
        self.assertIn("not valid JSON", body["error"])

    def test_500_is_logged_and_answered_in_the_shape(self) -> None:
        with (
            mock.patch(
                "openqi.organisations.services.create_unit",
                side_effect=RuntimeError("boom"),
            ),
            self.assertLogs("openqi.api.errors", level="ERROR") as logs,
        ):
            response = self.call(
                "post",
                self.units,
                self.editor,
                data={"name": "Surgery", "level": "division"},
            )
        body = self.assert_error(response, 500)
        self.assertNotIn("boom", body["error"])
        self.assertIn("RuntimeError", "\n".join(logs.output))


UNKNOWN_PATHS = [
    "/api",
    "/api/",
    "/api/v2/x",
    "/api/v1/nope",
    "/api/v1/projects/1/nope",
    "/api/v1/organisations/northfield/nope/1",
]


class EveryPathUnderApiTests(ApiTestCase):
    """Nothing under /api/ ever answers HTML: unknown paths, slashes and methods included."""

    def assert_everywhere(self, method: str, path: str, status: int) -> dict[str, Any]:
        # DEBUG on is the laptop (`make run`), where Django's own pages are HTML.
        for debug in (False, True):
            with self.subTest(debug=debug), override_settings(DEBUG=debug):
                response = self.call(method, path, self.editor)
                body = self.assert_error(response, status)
        return body

    def test_unknown_paths_answer_404_in_the_shape(self) -> None:
        for path in UNKNOWN_PATHS:
            with self.subTest(path):
                body = self.assert_everywhere("get", path, 404)
                self.assertIn(path, body["error"])
                self.assertIn("/api/v1/openapi.json", body["error"])

    def test_unknown_paths_answer_404_to_every_method(self) -> None:
        for method in ("post", "put", "patch", "delete", "options"):
            with self.subTest(method):
                self.assert_everywhere(method, "/api/v1/nope", 404)

    def test_an_extra_trailing_slash_answers_404_naming_the_path_without(self) -> None:
        path = reverse("api:units", kwargs={"slug": "northfield"})
        body = self.assert_everywhere("get", path + "/", 404)
        self.assertIn(f"did you mean {path}?", body["error"])

    def test_a_missing_trailing_slash_answers_404_naming_the_path_with(self) -> None:
        for method in ("get", "post"):  # a POST cannot follow Django's slash redirect
            with self.subTest(method):
                body = self.assert_everywhere(method, "/api/v1", 404)
                self.assertIn("did you mean /api/v1/?", body["error"])

    def test_no_hint_when_neither_form_of_the_path_exists(self) -> None:
        body = self.assert_everywhere("get", "/api/v1/nope/", 404)
        self.assertNotIn("did you mean", body["error"])

    def test_wrong_method_answers_405_in_the_shape(self) -> None:
        cases = [
            ("put", reverse("api:units", kwargs={"slug": "northfield"})),
            ("delete", reverse("api:api-root")),
            ("post", reverse("api:openapi-json")),
            ("put", reverse("api:openapi-view")),
            ("post", reverse("api:docs-asset", kwargs={"name": "swagger-ui.css"})),
        ]
        for method, path in cases:
            with self.subTest(method=method, path=path):
                self.assert_everywhere(method, path, 405)

    def test_an_unknown_host_answers_400_in_the_shape(self) -> None:
        for debug in (False, True):
            with self.subTest(debug=debug), override_settings(DEBUG=debug):
                response = self.client.get("/api/v1/", HTTP_HOST="evil.example")
                self.assert_error(response, 400)

    def test_an_error_outside_the_operations_answers_500_in_the_shape_with_debug_on(
        self,
    ) -> None:
        client = Client(raise_request_exception=False)
        with (
            override_settings(DEBUG=True),
            mock.patch("openqi.api.urls.reverse", side_effect=RuntimeError("boom")),
            self.assertLogs("django.request", level="ERROR"),
        ):
            response = client.get(reverse("api:api-root"))
        body = self.assert_error(response, 500)
        self.assertNotIn("boom", body["error"])

    def test_pages_outside_the_api_keep_their_html_404(self) -> None:
        for path in ("/apiary/", "/no-such-page/"):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 404)
                self.assertIn("text/html", response["Content-Type"])
