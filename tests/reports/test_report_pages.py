"""The board report's pages: composing, commentary by the measure's owner, the
search picker, publishing with a confirmation, and who sees what."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openqi.reports.models import BoardReport, ReportEntry
from tests.base import BaseTestCase
from tests.reports.report_helpers import (
    add_entry,
    make_charted_measure,
    make_report,
    published_report,
)

MARCH = datetime.date(2025, 3, 1)


def _url(name: str, slug: str, **kwargs: int) -> str:
    return reverse(f"reports:{name}", kwargs={"slug": slug, **kwargs})


class ComposingTests(BaseTestCase):
    def test_compose_choose_a_measure_and_publish(self) -> None:
        make_charted_measure(self.org, "Falls per 1,000 bed days", owner=self.member)
        self.sign_in(self.qi_lead)
        month = datetime.date.today().replace(day=1)
        answer = self.client.post(
            _url("create", self.org.slug),
            {
                "month": month.isoformat(),
                "title": "Quality report",
                "headings": "Safe\nWell-led",
            },
        )
        report = BoardReport.objects.get(organisation=self.org)
        self.assertRedirects(answer, _url("compose", self.org.slug, pk=report.pk))
        assert report.headings == ["Safe", "Well-led"]
        assert report.created_by == self.qi_lead

        found = self.client.get(
            _url("compose", self.org.slug, pk=report.pk),
            {"q": "falls", "heading": "Well-led"},
            HTTP_HX_REQUEST="true",
        )
        text = found.content.decode()
        assert text.lstrip().startswith('<div id="measure-results">')
        assert "1 measure match" in text
        measure_pk = report.organisation.measures.get().pk
        self.client.post(
            _url("add_entry", self.org.slug, pk=report.pk),
            {"measure": measure_pk, "heading": "Well-led"},
        )
        entry = ReportEntry.objects.get(report=report)
        assert entry.heading == "Well-led"

        refused = self.client.post(_url("publish", self.org.slug, pk=report.pk), {})
        assert "Tick the box to confirm" in refused.content.decode()
        report.refresh_from_db()
        assert not report.is_published

        self.client.post(
            _url("publish", self.org.slug, pk=report.pk), {"confirm": "on"}
        )
        report.refresh_from_db()
        assert report.is_published
        assert report.published_by == self.qi_lead
        assert report.snapshot.data["headings"][1]["name"] == "Well-led"

    def test_a_month_is_reported_once(self) -> None:
        make_report(self.org, datetime.date.today().replace(day=1))
        self.sign_in(self.editor)
        answer = self.client.post(
            _url("create", self.org.slug),
            {
                "month": datetime.date.today().replace(day=1).isoformat(),
                "title": "Again",
                "headings": "Safe",
            },
        )
        assert "There is already a report for" in answer.content.decode()

    def test_headings_are_checked(self) -> None:
        self.sign_in(self.editor)
        month = datetime.date.today().replace(day=1).isoformat()
        for headings, message in (
            ("", "Enter at least one heading"),
            ("Safe\nsafe", "is listed twice"),
            ("\n".join(f"H{i}" for i in range(13)), "at most 12 headings"),
            ("x" * 81, "80 characters or fewer"),
        ):
            answer = self.client.post(
                _url("create", self.org.slug),
                {"month": month, "title": "Report", "headings": headings},
            )
            assert message in answer.content.decode(), headings
        answer = self.client.post(
            _url("create", self.org.slug),
            {"month": "1999-01-01", "title": "Report", "headings": "Safe"},
        )
        assert "Choose a month from the list" in answer.content.decode()
        assert not BoardReport.objects.exists()

    def test_a_new_report_starts_with_the_organisations_own_headings(self) -> None:
        self.sign_in(self.editor)
        first = self.client.get(_url("create", self.org.slug)).content.decode()
        assert "Safe\nEffective\nCaring\nResponsive\nWell-led" in first
        make_report(self.org, MARCH, headings=["Quality", "People"])
        again = self.client.get(_url("create", self.org.slug)).content.decode()
        assert "Quality\nPeople" in again

    def test_a_measure_from_another_organisation_cannot_be_added(self) -> None:
        theirs = make_charted_measure(self.other_org, "Their falls")
        report = make_report(self.org, MARCH)
        self.sign_in(self.editor)
        answer = self.client.post(
            _url("add_entry", self.org.slug, pk=report.pk),
            {"measure": theirs.pk, "heading": "Safe"},
            follow=True,
        )
        assert "There is no such measure here" in answer.content.decode()
        assert not report.entries.exists()

    def test_the_search_lists_a_bounded_number_and_leaves_out_chosen_ones(self) -> None:
        chosen = make_charted_measure(self.org, "Falls 0")
        for i in range(1, 25):
            make_charted_measure(self.org, f"Falls {i}", values=[1, 2, 3])
        report = make_report(self.org, MARCH)
        add_entry(report, chosen)
        self.sign_in(self.editor)
        page = self.client.get(
            _url("compose", self.org.slug, pk=report.pk), {"q": "Falls"}
        ).content.decode()
        assert "20 or more measures match" in page
        assert f'name="measure" value="{chosen.pk}"' not in page
        long = self.client.get(
            _url("compose", self.org.slug, pk=report.pk), {"q": "x" * 500}
        )
        assert long.status_code == 200


class CommentaryTests(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_charted_measure(self.org, "Falls", owner=self.member)
        self.report = make_report(self.org, MARCH)
        self.entry = add_entry(self.report, self.measure)
        self.url = _url(
            "commentary", self.org.slug, pk=self.report.pk, entry=self.entry.pk
        )

    def test_the_owner_writes_the_commentary_that_is_published(self) -> None:
        self.sign_in(self.member)
        draft = self.client.get(_url("detail", self.org.slug, pk=self.report.pk))
        assert "Write the commentary on Falls" in draft.content.decode()
        self.client.post(self.url, {"commentary": "Steady; mattresses due in May."})
        self.entry.refresh_from_db()
        assert self.entry.commentary_by == self.member
        published = published_report(self.org, datetime.date(2025, 4, 1))
        assert published.snapshot.data["measures"] == []
        self.report.refresh_from_db()
        from openqi.reports import services

        services.publish(self.report, self.editor)
        measure = self.report.snapshot.data["measures"][0]
        assert measure["commentary"] == "Steady; mattresses due in May."
        assert measure["commentary_by"] == "Mo Member"

    def test_another_member_may_not_write_it(self) -> None:
        self.sign_in(self.lead)
        answer = self.client.post(self.url, {"commentary": "Not mine"})
        assert answer.status_code == 403
        assert "written by its owner" in answer.content.decode()
        self.entry.refresh_from_db()
        assert self.entry.commentary == ""

    def test_the_commentary_is_bounded(self) -> None:
        self.sign_in(self.qi_lead)
        answer = self.client.post(self.url, {"commentary": "x" * 4001})
        assert "4,000 characters or fewer" in answer.content.decode()

    def test_a_stale_commentary_is_turned_back(self) -> None:
        self.sign_in(self.member)
        version = self.entry.version
        self.client.post(self.url, {"commentary": "First", "version": version})
        answer = self.client.post(
            self.url, {"commentary": "Second", "version": version}
        )
        assert "Someone else saved this" in answer.content.decode()
        self.entry.refresh_from_db()
        assert self.entry.commentary == "First"


class ReadingTests(BaseTestCase):
    def test_members_read_published_reports_but_not_drafts(self) -> None:
        published = published_report(self.org, MARCH)
        draft = make_report(self.org, datetime.date(2025, 4, 1), title="April draft")
        self.sign_in(self.viewer)
        listing = self.client.get(_url("list", self.org.slug)).content.decode()
        assert published.title in listing
        assert "April draft" not in listing
        assert (
            self.client.get(_url("detail", self.org.slug, pk=draft.pk)).status_code
            == 404
        )
        self.sign_in(self.qi_lead)
        assert (
            "April draft"
            in self.client.get(_url("list", self.org.slug)).content.decode()
        )

    def test_the_published_page_reads_the_snapshot_in_few_queries(self) -> None:
        measures = [make_charted_measure(self.org, f"Measure {i}") for i in range(8)]
        report = published_report(self.org, MARCH, measures=measures)
        self.sign_in(self.member)
        url = _url("detail", self.org.slug, pk=report.pk)
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            answer = self.client.get(url)
        assert answer.status_code == 200
        assert answer.content.decode().count("<svg") >= 8
        assert len(queries) <= 8, [q["sql"] for q in queries]

    def test_a_composer_previews_a_draft(self) -> None:
        report = make_report(self.org, MARCH)
        add_entry(report, make_charted_measure(self.org, "Falls"))
        self.sign_in(self.editor)
        page = self.client.get(_url("preview", self.org.slug, pk=report.pk))
        text = page.content.decode()
        assert "This is a preview" in text
        assert "Falls" in text
        assert "<svg" in text

    def test_a_draft_is_deleted_but_a_published_report_is_not(self) -> None:
        draft = make_report(self.org, MARCH)
        published = published_report(self.org, datetime.date(2025, 4, 1))
        self.sign_in(self.editor)
        self.client.post(_url("delete", self.org.slug, pk=draft.pk))
        answer = self.client.post(
            _url("delete", self.org.slug, pk=published.pk), follow=True
        )
        assert "cannot be changed" in answer.content.decode()
        assert list(BoardReport.objects.all()) == [published]
