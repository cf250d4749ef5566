"""The API access walk of tests/api/test_api_access.py over the assessment,
journey and barrier routes, by session and by token."""

from __future__ import annotations

from unittest import mock

from tests.api import test_api_access
from tests.api.routes_assessments_journey_barriers import ROUTES


class AssessmentJourneyBarrierApiAccessTests(test_api_access.ApiAccessTests):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(test_api_access, "ROUTES", ROUTES)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_every_route_is_declared_for_the_api(self) -> None:
        self.assertTrue(ROUTES)
        self.assertTrue(all(route.is_api for route in ROUTES))
