"""The board report's section on the programme's return: benefits against the
investment as at the report's month end, frozen in the snapshot on publishing.

The expected figures are worked out by hand from the recorded investment and
benefits (tests/reports/value_report_data.py), not read back from openqi.value."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openqi.reports.models import ReportSnapshot
from openqi.reports.rendering import report_html
from openqi.reports.snapshots import build_snapshot
from tests.base import BaseTestCase
from tests.reports.report_helpers import make_report, published_report
from tests.reports.value_report_data import (
    AS_AT,
    CENTRAL_2025,
    CENTRAL_TOTAL,
    DECEMBER,
    HIGH_TOTAL,
    INVEST_2024,
    INVEST_2025,
    INVESTED,
    LOW_TOTAL,
    RECURRING_2025,
    pounds_text,
    record_programme,
    roi_text,
)
from tests.value.helpers import make_benefit, make_investment, make_project


def _text(html: str) -> str:
    """The visible words of a page, tags dropped and white space squeezed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class ReportValueTests(BaseTestCase):
    def _published(self) -> dict[str, Any]:
        report = published_report(self.org, DECEMBER, by=self.qi_lead)
        self.report = report
        return dict(ReportSnapshot.objects.get(report=report).data)

    def _page(self, report_pk: int) -> str:
        self.sign_in(self.member)
        url = reverse("reports:detail", kwargs={"slug": self.org.slug, "pk": report_pk})
        answer = self.client.get(url)
        assert answer.status_code == 200
        return answer.content.decode()

    def test_the_section_shows_the_return_as_at_the_month_end(self) -> None:
        record_programme(self.org)
        value = self._published()["value"]

        assert RECURRING_2025 == Decimal("165000.00")
        assert value["has_investment"] is True
        assert Decimal(value["total_investment"]) == INVESTED
        years = {row["label"]: row for row in value["rows"]}
        assert list(years) == ["2024/25", "2025/26"]  # nothing after the date
        y24, y25 = years["2024/25"], years["2025/26"]
        assert Decimal(y24["investment"]) == INVEST_2024
        assert Decimal(y25["investment"]) == INVEST_2025
        assert Decimal(y25["benefits"]["central"]) == CENTRAL_2025
        assert Decimal(y25["benefits"]["low"]) == 0
        assert Decimal(y25["benefits"]["high"]) == CENTRAL_2025 + 40000
        assert Decimal(y25["cumulative"]["central"]) == CENTRAL_TOTAL
        assert Decimal(y25["cumulative_investment"]) == INVESTED
        # Investment as a share of turnover: 120,000 of 10 million, 80,000 of 20.
        assert Decimal(y24["share"]) == Decimal("1.2")
        assert y24["over_benchmark"] is True
        assert Decimal(y25["share"]) == Decimal("0.4")
        assert y25["over_benchmark"] is False
        assert value["years_over_benchmark"] == ["2024/25"]
        assert y25["cash_text"] == pounds_text(RECURRING_2025)

        scenarios = {s["name"]: s for s in value["scenarios"]}
        for name, total in (
            ("low", LOW_TOTAL),
            ("central", CENTRAL_TOTAL),
            ("high", HIGH_TOTAL),
        ):
            assert Decimal(scenarios[name]["benefits"]) == total, name
            assert Decimal(scenarios[name]["roi"]) == (total - INVESTED) / INVESTED
        assert scenarios["low"]["break_even"] == ""
        assert scenarios["central"]["break_even"] == "2025/26"
        assert scenarios["high"]["break_even"] == "2025/26"
        # The cumulative curves cross within 2025/26: the gap of 70,000 at the end
        # of 2024/25 closes and becomes 28,000 in favour of the benefits by the
        # end of the year shown, so the crossing is 70/98 of the way through it.
        gap_before = INVEST_2024 - 50000
        gap_after = CENTRAL_TOTAL - INVESTED
        crossing = INVEST_2024 + INVEST_2025 * gap_before / (gap_before + gap_after)
        assert Decimal(value["threshold"]["amount"]) == crossing.quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        # Natural units beside the money, never converted: 120 hours, and 365
        # bed days a year for 275 of the year's 365 days.
        assert value["natural"] == [
            ["Patient outcomes and experience", "bed days", "275", "0"],
            ["Staff experience", "hours", "120", "0"],
        ]

        text = _text(self._page(self.report.pk))
        section = text.split("Return on the improvement programme")[1]
        for words in (
            f"{pounds_text(INVESTED)} invested and {pounds_text(CENTRAL_TOTAL)} of realised",
            f"Low (realised benefits of high confidence) {pounds_text(LOW_TOTAL)} "
            f"{pounds_text(INVESTED)} {roi_text(LOW_TOTAL)} Not yet",
            f"Central (every realised benefit) {pounds_text(CENTRAL_TOTAL)} "
            f"{pounds_text(INVESTED)} {roi_text(CENTRAL_TOTAL)} 2025/26",
            f"High (realised and expected benefits) {pounds_text(HIGH_TOTAL)} "
            f"{pounds_text(INVESTED)} {roi_text(HIGH_TOTAL)} 2025/26",
            f"during 2025/26, when {pounds_text(crossing)} had been invested",
            "2024/25 £120,000 1.20% (above 1%)",
            "2025/26 £80,000 0.40%",
            "Above 1% in 2024/25.",
            "Staff experience hours 120 0",
        ):
            assert words in section, words
        assert "£250,000" not in section  # 2026/27's investment
        assert "£500,000" not in section  # the benefit after the month end
        # The chart is the value app's drawing, with its text alternative.
        assert (
            '<svg xmlns="http://www.w3.org/2000/svg" class="openqi-return-chart"'
            in (value["svg"])
        )
        assert "Cumulative benefits and investment, 2024/25 to 2025/26" in section

    def test_a_benefit_after_the_month_end_is_not_counted(self) -> None:
        make_investment(self.org, 2025, "10000")
        project = make_project(self.org)
        make_benefit(project, money=Decimal("4000"), start_date=AS_AT)
        make_benefit(
            project, money=Decimal("9000"), start_date=AS_AT + datetime.timedelta(1)
        )
        value = self._published()["value"]
        assert [s["benefits"] for s in value["scenarios"]] == ["4000.00"] * 3
        assert value["threshold"] is None
        assert (
            "had not reached the cumulative investment by 31 December 2025 "
            "(£4,000 of £10,000)" in _text(self._page(self.report.pk))
        )

    def test_the_frozen_snapshot_does_not_change_when_a_benefit_is_added(
        self,
    ) -> None:
        record_programme(self.org)
        before = self._published()
        project = make_project(self.org, title="A later project")
        make_benefit(  # dated within the month, recorded after publishing
            project, money=Decimal("777000"), start_date=datetime.date(2025, 12, 1)
        )
        make_investment(self.org, 2025, "1000")

        stored = dict(ReportSnapshot.objects.get(report=self.report).data)
        assert stored == before
        text = _text(self._page(self.report.pk))
        assert pounds_text(CENTRAL_TOTAL) in text
        assert "£777,000" not in text and "£1,005,000" not in text
        # Built afresh (as a draft's preview is), the figures are as the data are now.
        fresh = build_snapshot(self.report)["value"]
        assert Decimal(fresh["scenarios"][1]["benefits"]) == CENTRAL_TOTAL + 777000
        assert Decimal(fresh["total_investment"]) == INVESTED + 1000

    def test_a_snapshot_published_before_the_section_still_renders(self) -> None:
        record_programme(self.org)
        data = self._published()
        del data["value"]
        ReportSnapshot.objects.filter(report=self.report).update(data=data)

        for html in (
            self._page(self.report.pk),
            report_html(self.report, for_print=True),
        ):
            text = _text(html)
            assert (
                "The programme's return was not recorded when this report was "
                "published." in text
            )
            assert "Benefits in natural units" not in text

    def test_without_investment_the_section_says_so_and_how_to_record_it(
        self,
    ) -> None:
        make_benefit(make_project(self.org), money=Decimal("5000"))
        value = self._published()["value"]
        assert value["has_investment"] is False
        assert "rows" not in value

        page = self._page(self.report.pk)
        text = _text(page)
        assert (
            "No investment in the improvement programme had been recorded by "
            "31 December 2025, so there is no return to show." in text
        )
        assert "£0" not in text.split("Return on the improvement programme")[1]
        investment = reverse("value:investment", kwargs={"slug": self.org.slug})
        assert f'href="{investment}"' in page
        printed = report_html(self.report, for_print=True)
        assert f'href="{investment}"' not in printed  # links only within it
        assert "Record the investment by financial year" in _text(printed)

    def test_the_section_is_the_organisations_own(self) -> None:
        make_investment(self.other_org, 2025, "999000")
        value = self._published()["value"]
        assert value["has_investment"] is False

    def test_a_drafts_preview_shows_the_section_in_queries_that_do_not_grow(
        self,
    ) -> None:
        make_investment(self.org, 2025, "10000")
        project = make_project(self.org)
        draft = make_report(self.org, DECEMBER)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                build_snapshot(draft)
            return len(captured)

        make_benefit(project, money=Decimal("1000"), start_date=AS_AT)
        build_snapshot(draft)  # the first makes the journey's steps
        few = queries()
        for n in range(10):
            make_benefit(
                make_project(self.org, title=f"Project {n}"),
                money=Decimal("1000"),
                start_date=AS_AT,
            )
        # The section reads benefits, investment and turnover: three queries,
        # however many benefits and projects there are.
        assert queries() == few
        self.sign_in(self.qi_lead)
        page = self.client.get(
            reverse("reports:preview", kwargs={"slug": self.org.slug, "pk": draft.pk})
        )
        text = _text(page.content.decode())
        assert "£10,000 invested and £11,000 of realised benefits" in text
