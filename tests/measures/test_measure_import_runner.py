"""Long imports run outside the request: the upload and the Save button only queue
the work, and `manage.py run_imports` (or a thread, in development) does it."""

from __future__ import annotations

import datetime
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from openqi.measures import imports
from openqi.measures.models import DataPoint, ImportJob
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file

FILE = "period,value\n2024-01-01,12\n2024-02-01,15\n"


class QueuedImportTests(ImportTestCase):
    def queued(self) -> tuple[str, ImportJob]:
        token = self.token(self.upload(csv_file(FILE), run=False))
        return token, ImportJob.objects.get(token=token)

    def test_the_upload_returns_at_once_with_the_job_queued_and_nothing_read(
        self,
    ) -> None:
        with mock.patch.object(imports, "read_upload") as read:
            token, job = self.queued()
        read.assert_not_called()
        self.assertEqual((job.stage, job.records, job.total), ("queued", [], 0))
        self.assertFalse(DataPoint.objects.exists())
        page = self.preview(token)
        self.assertContains(page, "Checking the file")
        self.assertContains(page, "Waiting to read data.csv")
        # Without JavaScript a button asks again; no page refreshes by itself.
        self.assertContains(page, ">Check again</a>")
        self.assertNotContains(page, 'http-equiv="refresh"')
        self.assertContains(page, "data-import-wait")
        self.assertContains(page, "measures/import.js")
        progress = reverse(
            "measures:import_progress", kwargs={**self.kwargs(), "token": token}
        )
        self.assertNotContains(
            self.client.get(progress, HTTP_HX_REQUEST="true"), "data-done"
        )

    def test_run_imports_once_reads_and_checks_it_to_ready(self) -> None:
        token, _ = self.queued()
        self.assertEqual(self.run_imports(), "Processed 1 import.\n")
        job = ImportJob.objects.get(token=token)
        self.assertEqual((job.stage, job.total, len(job.rows)), ("ready", 2, 2))
        self.assertContains(self.preview(token), "<strong>2 new</strong>")
        self.assertEqual(self.run_imports(), "Processed 0 imports.\n")

    def test_the_save_is_queued_and_done_by_the_runner(self) -> None:
        token, _ = self.queued()
        self.run_imports()
        response = self.commit(token, run=False)
        preview = reverse(
            "measures:import_preview", kwargs={**self.kwargs(), "token": token}
        )
        self.assertRedirects(response, preview, fetch_redirect_response=False)
        self.assertEqual(ImportJob.objects.get(token=token).stage, "commit")
        self.assertFalse(DataPoint.objects.exists())
        self.assertContains(self.preview(token), "Saving the data")
        # A second press while it waits queues nothing more.
        self.commit(token, run=False)
        self.assertEqual(self.run_imports(), "Processed 1 import.\n")
        self.assertEqual(self.measure.points.count(), 2)
        response = self.preview(token)
        self.assertRedirects(
            response,
            reverse("measures:detail", kwargs=self.kwargs()),
            fetch_redirect_response=False,
        )
        self.assertContains(
            self.client.get(response["Location"]),
            "Imported data.csv: 2 new, 0 changed, 0 unchanged.",
        )
        self.assertFalse(ImportJob.objects.exists())

    def test_a_save_refused_by_the_runner_is_told_once_and_nothing_is_saved(
        self,
    ) -> None:
        token, _ = self.queued()
        self.run_imports()
        self.commit(token, run=False)
        job = ImportJob.objects.get(token=token)
        job.records[1][2] = "lots"  # the held rows changed after the check
        job.save()
        self.run_imports()
        self.assertFalse(DataPoint.objects.exists())
        self.assertContains(self.preview(token), "nothing was saved")
        self.assertNotContains(self.preview(token), "nothing was saved")

    def test_keeping_some_rows_is_queued_and_the_file_read_again_by_the_runner(
        self,
    ) -> None:
        token, _ = self.queued()
        self.run_imports()
        url = reverse(
            "measures:import_filter", kwargs={**self.kwargs(), "token": token}
        )
        with mock.patch.object(imports, "read_upload") as read:
            response = self.client.post(
                url, {"column": "period", "value": "2024-01-01"}
            )
        read.assert_not_called()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ImportJob.objects.get(token=token).stage, "filter")
        self.assertContains(self.preview(token), "Checking the file")
        self.run_imports()
        job = ImportJob.objects.get(token=token)
        self.assertEqual((job.stage, job.total, job.next_filter), ("ready", 1, None))

    def test_two_runners_that_see_the_same_job_never_both_take_it(self) -> None:
        self.queued()
        # Both runners read the queue before either claims: the same row, seen alike.
        (seen,) = ImportJob.objects.values_list("pk", "stage", "claim")
        first = imports.take_import(*seen)
        second = imports.take_import(*seen)
        self.assertIsNotNone(first)
        self.assertIsNone(second)
        self.assertEqual(ImportJob.objects.get().claim, first)

    def test_a_runner_beaten_to_a_job_moves_on_and_it_is_processed_once(
        self,
    ) -> None:
        self.queued()
        real_take = imports.take_import

        def other_runner_first(pk: int, stage: str, claim: str) -> str | None:
            # Runner B claims the job between runner A's look and A's claim.
            with mock.patch.object(imports, "take_import", real_take):
                self.assertIsNotNone(imports.claim_import())
            return real_take(pk, stage, claim)

        with mock.patch.object(imports, "take_import", other_runner_first):
            self.assertIsNone(imports.claim_import())
        with mock.patch.object(imports, "process_import") as process:
            self.assertEqual(imports.run_pending_imports(), 0)
        process.assert_not_called()

    def test_a_job_left_running_by_a_killed_runner_is_taken_again(self) -> None:
        token, job = self.queued()
        long_ago = timezone.now() - imports.STALE_AFTER - datetime.timedelta(seconds=1)
        ImportJob.objects.filter(pk=job.pk).update(
            stage="checking", claim="dead-runner", claimed_at=long_ago
        )
        self.assertEqual(self.run_imports(), "Processed 1 import.\n")
        job = ImportJob.objects.get(pk=job.pk)
        self.assertEqual((job.stage, job.total), ("ready", 2))
        self.assertNotEqual(job.claim, "dead-runner")

    def test_a_job_another_runner_is_working_on_is_left_alone(self) -> None:
        _, job = self.queued()
        ImportJob.objects.filter(pk=job.pk).update(
            stage="checking", claim="live-runner", claimed_at=timezone.now()
        )
        self.assertEqual(self.run_imports(), "Processed 0 imports.\n")
        self.assertEqual(ImportJob.objects.get(pk=job.pk).claim, "live-runner")

    def test_a_save_left_running_is_taken_again_and_saved_once(self) -> None:
        token, job = self.queued()
        self.run_imports()
        long_ago = timezone.now() - imports.STALE_AFTER - datetime.timedelta(seconds=1)
        ImportJob.objects.filter(pk=job.pk).update(
            stage="saving", claim="dead-runner", claimed_at=long_ago
        )
        self.run_imports()
        self.assertEqual(ImportJob.objects.get(pk=job.pk).stage, "saved")
        self.assertEqual(self.measure.points.count(), 2)

    def test_a_fault_while_checking_fails_the_job_and_the_runner_goes_on(
        self,
    ) -> None:
        broken, _ = self.queued()
        fine, _ = self.queued()
        real_read = imports.read_import

        def fail_once(job, measure, table=None):  # type: ignore[no-untyped-def]
            if job.token == broken:
                raise RuntimeError("out of memory")
            return real_read(job, measure, table)

        with mock.patch.object(imports, "read_import", fail_once):
            with self.assertLogs("openqi.measures.imports", "ERROR"):
                self.assertEqual(self.run_imports(), "Processed 2 imports.\n")
        self.assertEqual(ImportJob.objects.get(token=broken).stage, "failed")
        self.assertContains(self.preview(broken), "a fault in OpenQI")
        self.assertEqual(ImportJob.objects.get(token=fine).stage, "ready")

    def test_expired_jobs_are_not_run(self) -> None:
        _, job = self.queued()
        ImportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
        self.assertEqual(self.run_imports(), "Processed 0 imports.\n")


class InProcessTests(ImportTestCase):
    """In development a thread starts once the request's transaction is committed."""

    @override_settings(OPENQI_IMPORTS_IN_PROCESS=True)
    def test_on_the_upload_and_the_save_start_a_thread_after_the_response(
        self,
    ) -> None:
        with mock.patch.object(imports.threading, "Thread") as thread:
            with self.captureOnCommitCallbacks(execute=True) as callbacks:
                token = self.token(self.upload(csv_file(FILE), run=False))
        self.assertEqual(len(callbacks), 1)
        job = ImportJob.objects.get(token=token)
        thread.assert_called_once_with(
            target=imports._run_in_thread,
            args=(job.pk,),
            name=f"openqi-import-{job.pk}",
            daemon=True,
        )
        thread.return_value.start.assert_called_once_with()
        # What the thread runs: the same claim and work as the runner, on its job only.
        with mock.patch.object(imports.connections, "close_all") as close_all:
            imports._run_in_thread(job.pk)
        close_all.assert_called_once_with()
        self.assertEqual(ImportJob.objects.get(pk=job.pk).stage, "ready")
        with self.captureOnCommitCallbacks() as callbacks:
            self.commit(token, run=False)
        self.assertEqual(len(callbacks), 1)

    @override_settings(OPENQI_IMPORTS_IN_PROCESS=False)
    def test_off_the_request_only_queues_the_job(self) -> None:
        with self.captureOnCommitCallbacks() as callbacks:
            token = self.token(self.upload(csv_file(FILE), run=False))
        self.assertEqual(callbacks, [])
        self.assertEqual(ImportJob.objects.get(token=token).stage, "queued")
