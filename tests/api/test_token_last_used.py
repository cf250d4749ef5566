"""A token records when it was last used at most once a minute, so a script's reads
do not each take the database's write lock."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openqi.accounts.models import ApiToken
from tests.api.base import ApiTestCase


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


class TokenLastUsedTests(ApiTestCase):
    def setUp(self) -> None:
        self.me = reverse("api:me")
        self.token, self.raw = ApiToken.issue(self.viewer, "a script")

    def _read(self) -> CaptureQueriesContext:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.me, HTTP_AUTHORIZATION=f"Bearer {self.raw}")
        self.assertEqual(response.status_code, 200)
        return queries

    def test_first_use_is_recorded(self) -> None:
        self._read()

        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.last_used_at)

    def test_a_read_within_a_minute_of_the_last_writes_nothing(self) -> None:
        self._read()
        recorded = ApiToken.objects.get(pk=self.token.pk).last_used_at

        queries = self._read()

        self.assertEqual(_writes(queries), [])
        self.assertEqual(ApiToken.objects.get(pk=self.token.pk).last_used_at, recorded)

    def test_a_read_a_minute_after_the_last_records_it_again(self) -> None:
        earlier = timezone.now() - timedelta(minutes=2)
        ApiToken.objects.filter(pk=self.token.pk).update(last_used_at=earlier)

        queries = self._read()

        self.assertEqual(len(_writes(queries)), 1)
        self.assertGreater(ApiToken.objects.get(pk=self.token.pk).last_used_at, earlier)
