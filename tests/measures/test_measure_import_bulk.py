"""Committing an import writes its points in batches with one audit event that still
shows every changed value; the upload waits in the database, not on one server's disk."""

from __future__ import annotations

import datetime
import math

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openqi.audit.models import AuditEvent
from openqi.audit.services import BULK_ROWS, BULK_SUMMARY
from openqi.measures import imports, services
from openqi.measures.models import DataPoint, ImportJob
from tests.measures.helpers import add_points, make_measure
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file


def data_events(measure) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return [
        e
        for e in AuditEvent.objects.filter(model__startswith="measures.").order_by("pk")
        if e.model == "measures.DataPoint" or BULK_ROWS in (e.after or {})
    ]


class BulkCommitTests(ImportTestCase):
    def test_a_60000_row_import_commits_in_a_bounded_number_of_queries(self) -> None:
        daily = make_measure(self.org, name="Daily attendances", frequency="daily")
        first = datetime.date(1850, 1, 1)
        lines = ["period,value"] + [
            f"{(first + datetime.timedelta(days=i)).isoformat()},{i % 97}"
            for i in range(60_000)
        ]
        token = self.token(self.upload(csv_file("\n".join(lines) + "\n"), daily))
        response = self.commit(token, daily, run=False)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(daily.points.count(), 0)  # the runner saves them
        with CaptureQueriesContext(connection) as queries:
            self.run_imports()
        self.assertEqual(daily.points.count(), 60_000)
        # One INSERT per batch of points (SQLite takes fewer per statement than
        # PostgreSQL) and a few more; one query per point, and its audit, was the
        # old way (120,000+ queries).
        fields = [f for f in DataPoint._meta.concrete_fields if not f.primary_key]
        batch = min(
            services.WRITE_BATCH,
            connection.ops.bulk_batch_size(fields, [DataPoint()] * 60_000),
        )
        self.assertLessEqual(len(queries), math.ceil(60_000 / batch) + 25)
        events = data_events(daily)
        self.assertEqual(len(events), 1)
        self.assertEqual(len(events[0].after[BULK_ROWS]), 60_000)
        self.assertIn("60,000 new", events[0].after[BULK_SUMMARY])
        self.assertRedirects(
            self.preview(token, daily),
            reverse("measures:detail", kwargs=self.kwargs(daily)),
            fetch_redirect_response=False,
        )
        self.assertFalse(ImportJob.objects.exists())

    def test_one_event_holds_every_changed_value_old_and_new(self) -> None:
        add_points(self.measure, [5, 6, 7], start=datetime.date(2024, 1, 1))
        AuditEvent.objects.all().delete()
        token = self.token(
            self.upload(csv_file("period,value\n2024-01,5\n2024-02,9\n2024-04,1\n"))
        )
        self.commit(token)
        (event,) = data_events(self.measure)
        self.assertEqual(event.actor, self.editor)
        self.assertEqual(event.object_pk, str(self.measure.pk))
        self.assertEqual(
            event.before[BULK_ROWS], {"2024-02-01": {"value": 6.0, "denominator": None}}
        )
        self.assertEqual(
            event.after[BULK_ROWS],
            {
                "2024-02-01": {"value": 9.0, "denominator": None},
                "2024-04-01": {"value": 1.0, "denominator": None},
            },
        )
        self.assertEqual(
            list(self.measure.points.values_list("value", flat=True)), [5, 9, 7, 1]
        )
        url = reverse("audit:event", kwargs={"slug": self.org.slug, "pk": event.pk})
        page = self.client.get(url)
        self.assertContains(
            page, "Imported data.csv: 1 new, 1 changed and 1 unchanged data points"
        )
        self.assertContains(page, "value 6, denominator (empty)")
        self.assertContains(page, "value 9, denominator (empty)")
        self.assertContains(page, "(new)")
        log = self.client.get(reverse("audit:log", kwargs={"slug": self.org.slug}))
        self.assertContains(log, "Imported data.csv: 1 new, 1 changed")
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.get(url).status_code, status)

    def test_the_measure_is_brought_up_to_date_once(self) -> None:
        before = self.measure.updated_at
        token = self.token(
            self.upload(csv_file("period,value\n2024-01,5\n2024-02,9\n"))
        )
        self.commit(token)
        self.measure.refresh_from_db()
        self.assertGreater(self.measure.updated_at, before)

    def test_the_api_bulk_upsert_is_one_event(self) -> None:
        url = reverse(
            "api:data-points",
            kwargs={"slug": self.org.slug, "measure_id": self.measure.pk},
        )
        response = self.client.post(
            url,
            [{"period": f"2024-{m:02d}-01", "value": m} for m in range(1, 7)],
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        (event,) = data_events(self.measure)
        self.assertEqual(event.via, "api")
        self.assertEqual(len(event.after[BULK_ROWS]), 6)


class ImportStateTests(ImportTestCase):
    def test_the_upload_and_its_checked_rows_wait_in_the_database(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        job = ImportJob.objects.get(token=token)
        self.assertEqual(bytes(job.content), b"period,value\n2024-01-01,1\n")
        self.assertEqual(
            (job.stage, job.total, job.measure, job.user),
            ("ready", 1, self.measure, self.editor),
        )
        self.assertContains(self.preview(token), "<strong>1 new</strong>")

    def test_an_expired_upload_cannot_be_committed_and_is_cleared(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        ImportJob.objects.update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        response = self.commit(token)
        self.assertRedirects(
            response,
            reverse("measures:import", kwargs=self.kwargs()),
            fetch_redirect_response=False,
        )
        self.assertFalse(DataPoint.objects.exists())
        self.assertFalse(ImportJob.objects.exists())

    def test_the_cleanup_command_deletes_only_expired_uploads(self) -> None:
        old = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        fresh = self.token(self.upload(csv_file("period,value\n2024-02-01,1\n")))
        ImportJob.objects.filter(token=old).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        call_command("clear_expired_imports", stdout=__import__("io").StringIO())
        self.assertEqual(
            list(ImportJob.objects.values_list("token", flat=True)), [fresh]
        )
        self.assertIsNotNone(imports.load_import(fresh, self.measure, self.editor))
