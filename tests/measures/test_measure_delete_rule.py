"""The deletion rule for measures (docs/api.md, "Deleting"): a measure with data
needs an administrator or the QI team; one without, anyone who may change it."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.measures.models import DataPoint, Measure
from openqi.organisations.models import Role
from tests.api.base import ApiTestCase
from tests.api.routes_strategy_projects_measures import make_measure
from tests.factories import make_member


class MeasureDeleteRuleTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.member = make_member(cls.org, Role.MEMBER, full_name="Mo Member")
        cls.qi = make_member(cls.org, Role.QI_TEAM, full_name="Quinn QI")

    def _measure(self, *, with_data: bool) -> Measure:
        measure = make_measure(self.org)
        if with_data:
            DataPoint.objects.create(
                measure=measure, period=datetime.date(2025, 1, 1), value=3
            )
        return measure

    def _page(self, measure: Measure) -> str:
        return reverse(
            "measures:delete", kwargs={"slug": "northfield", "pk": measure.pk}
        )

    def _api(self, measure: Measure) -> str:
        return reverse(
            "api:measure", kwargs={"slug": "northfield", "measure_id": measure.pk}
        )

    def test_page_delete_for_each_role(self) -> None:
        cases = [
            (self.editor, True, 302),
            (self.qi, True, 302),
            (self.member, True, 403),
            (self.member, False, 302),
            (self.viewer, False, 403),
            (self.outsider, False, 404),
        ]
        for user, with_data, status in cases:
            with self.subTest(user=str(user), with_data=with_data):
                measure = self._measure(with_data=with_data)
                self.client.force_login(user)
                response = self.client.post(self._page(measure))
                self.assertEqual(response.status_code, status)
                self.assertEqual(
                    Measure.objects.filter(pk=measure.pk).exists(), status != 302
                )

    def test_api_delete_for_each_role(self) -> None:
        cases = [
            (self.editor, True, 204),
            (self.qi, True, 204),
            (self.member, True, 403),
            (self.member, False, 204),
            (self.viewer, False, 403),
            (self.outsider, False, 404),
        ]
        for user, with_data, status in cases:
            with self.subTest(user=str(user), with_data=with_data):
                measure = self._measure(with_data=with_data)
                response = self.call("delete", self._api(measure), user)
                if status == 204:
                    self.assertEqual(response.status_code, 204)
                else:
                    self.assert_error(response, status)
                self.assertEqual(
                    Measure.objects.filter(pk=measure.pk).exists(), status != 204
                )
