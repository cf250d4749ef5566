"""The API test cast: the shared cast of tests.base, calling with a session or a token."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from openqi.accounts.models import ApiToken
from tests.base import BaseTestCase

SESSION, TOKEN = "session", "token"


class ApiTestCase(BaseTestCase):
    def call(
        self,
        method: str,
        url: str,
        user: Any = None,
        *,
        via: str = TOKEN,
        data: dict[str, Any] | None = None,
        **extra: Any,
    ) -> HttpResponse:
        """``method`` ``url`` as ``user`` (anonymous when None), by token or by session."""
        self.client.logout()
        if user is not None and via == SESSION:
            self.client.force_login(user)
        elif user is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token_for(user)}"
        send = getattr(self.client, method.lower())
        if method.lower() in ("get", "head"):
            return send(url, data or {}, **extra)
        body = json.dumps(data) if data is not None else ""
        return send(url, body, content_type="application/json", **extra)

    def token_for(self, user: Any, **fields: Any) -> str:
        _, raw = ApiToken.issue(user, "tests", **fields)
        return raw

    def assert_error(self, response: HttpResponse, status: int) -> dict[str, Any]:
        """The response is the API's one error shape with ``status``; returns the body."""
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/json")
        body = response.json()
        self.assertEqual(body["status"], status)
        self.assertIsInstance(body["error"], str)
        self.assertGreater(len(body["error"]), 20, "the message should say what to do")
        self.assertLessEqual(set(body), {"error", "status", "details"})
        return body
