"""The board report API: the list, and one report with its frozen snapshot."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.measures.models import DataPoint
from tests.base import BaseTestCase
from tests.reports.report_helpers import (
    make_charted_measure,
    make_report,
    published_report,
)


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs={"slug": "northfield", **kwargs})


class ReportApiTests(BaseTestCase):
    def test_the_list_and_a_published_snapshot_that_does_not_change(self) -> None:
        falls = make_charted_measure(self.org, "Falls")
        report = published_report(self.org, datetime.date(2025, 3, 1), measures=[falls])
        make_report(self.org, datetime.date(2025, 4, 1), title="April draft")
        self.sign_in(self.member)

        listing = self.client.get(_url("reports")).json()
        assert listing["total"] == 1
        assert listing["items"][0]["title"] == report.title
        assert listing["items"][0]["as_at"] == "2025-03-31"
        assert "snapshot" not in listing["items"][0]

        first = self.client.get(_url("report", report_id=report.pk)).json()
        assert first["status"] == "published"
        assert first["snapshot"]["measures"][0]["name"] == "Falls"
        DataPoint.objects.filter(measure=falls).update(value=50)
        again = self.client.get(_url("report", report_id=report.pk)).json()
        assert again["snapshot"] == first["snapshot"]

    def test_drafts_are_for_those_who_compose_them(self) -> None:
        draft = make_report(self.org, datetime.date(2025, 4, 1))
        self.sign_in(self.member)
        missing = self.client.get(_url("report", report_id=draft.pk))
        assert missing.status_code == 404
        assert missing.json()["status"] == 404
        self.sign_in(self.qi_lead)
        found = self.client.get(_url("report", report_id=draft.pk)).json()
        assert found["status"] == "draft"
        assert found["snapshot"] is None
        only = self.client.get(_url("reports"), {"status": "draft"}).json()
        assert [item["id"] for item in only["items"]] == [draft.pk]

    def test_an_outsider_gets_nothing(self) -> None:
        report = published_report(self.org, datetime.date(2025, 3, 1))
        self.sign_in(self.outsider)
        assert self.client.get(_url("report", report_id=report.pk)).status_code == 404
