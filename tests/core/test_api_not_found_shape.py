"""Errors raised outside the API's own handlers still answer in the API's one shape."""

from __future__ import annotations

from django.test import TestCase


class ApiNotFoundTests(TestCase):
    def test_unknown_api_path_answers_json_404(self) -> None:
        response = self.client.get("/api/v1/no-such-thing")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(body["status"], 404)
        self.assertIn("/api/v1/no-such-thing", body["error"])

    def test_unknown_page_answers_the_html_404_page(self) -> None:
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("text/html", response["Content-Type"])
