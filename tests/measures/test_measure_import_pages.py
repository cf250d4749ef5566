"""Bulk import: upload, column chooser, preview, progress, all-or-nothing commit."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from openqi.measures import imports, services
from openqi.measures.models import DataPoint, ImportJob
from tests.base import BaseTestCase
from tests.measures.helpers import add_points, make_measure


def csv_file(text: str, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "data.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


class ImportTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.measure = make_measure(self.org, name="Falls", frequency="monthly")
        self.ratio = make_measure(
            self.org, name="Seen in 4 hours", kind="proportion", multiplier=100
        )
        self.sign_in(self.editor)

    def kwargs(self, measure=None) -> dict:  # type: ignore[no-untyped-def]
        return {"slug": self.org.slug, "pk": (measure or self.measure).pk}

    def run_imports(self) -> str:
        """What the runner beside the web server does: every queued job, once."""
        out = io.StringIO()
        call_command("run_imports", "--once", stdout=out)
        return out.getvalue()

    def upload(self, upload, measure=None, *, run=True):  # type: ignore[no-untyped-def]
        """Post the file; with ``run``, then let the runner read and check it."""
        url = reverse("measures:import", kwargs=self.kwargs(measure))
        response = self.client.post(
            url, {"file": upload, "token": imports.new_import_token()}
        )
        if run:
            self.run_imports()
        return response

    def token(self, response) -> str:  # type: ignore[no-untyped-def]
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return response["Location"].rstrip("/").split("/")[-1]

    def preview(self, token: str, measure=None):  # type: ignore[no-untyped-def]
        return self.client.get(
            reverse(
                "measures:import_preview",
                kwargs={**self.kwargs(measure), "token": token},
            )
        )

    def commit(self, token: str, measure=None, *, run=True):  # type: ignore[no-untyped-def]
        """Press Save; with ``run``, let the runner save the rows, and when they
        are saved look at the page that says so (as the browser would)."""
        response = self.client.post(
            reverse(
                "measures:import_commit",
                kwargs={**self.kwargs(measure), "token": token},
            )
        )
        if run:
            self.run_imports()
            if ImportJob.objects.filter(token=token, stage="saved").exists():
                return self.preview(token, measure)
        return response


class ImportHappyPathTests(ImportTestCase):
    def test_preview_then_commit_saves_every_row(self) -> None:
        token = self.token(
            self.upload(
                csv_file("Period,VALUE\n2024-01-01,12\n15/02/2024,15\nMar 2024,\n")
            )
        )
        response = self.preview(token)
        self.assertContains(response, "3 rows checked")
        self.assertContains(response, "<strong>3 new</strong>")
        self.assertContains(response, "February 2024")
        self.assertContains(response, "missing")
        self.assertFalse(DataPoint.objects.exists())
        response = self.commit(token)
        self.assertRedirects(
            response,
            reverse("measures:detail", kwargs=self.kwargs()),
            fetch_redirect_response=False,
        )
        periods = list(self.measure.points.values_list("period", "value"))
        self.assertEqual(
            periods,
            [
                (datetime.date(2024, 1, 1), 12.0),
                (datetime.date(2024, 2, 1), 15.0),
                (datetime.date(2024, 3, 1), None),
            ],
        )
        page = self.client.get(reverse("measures:detail", kwargs=self.kwargs()))
        self.assertContains(page, "Imported data.csv: 3 new, 0 changed, 0 unchanged.")

    def test_preview_shows_changed_rows_old_to_new_and_unchanged(self) -> None:
        add_points(self.measure, [5, 6], start=datetime.date(2024, 1, 1))
        token = self.token(
            self.upload(csv_file("period,value\n2024-01,5\n2024-02,9\n2024-03,1\n"))
        )
        response = self.preview(token)
        self.assertContains(
            response,
            "<strong>1 new</strong>, <strong>1 changed</strong> and 1 unchanged",
        )
        self.assertContains(response, "6 → 9")
        self.assertContains(response, ">Unchanged<")
        self.commit(token)
        values = list(self.measure.points.values_list("value", flat=True))
        self.assertEqual(values, [5.0, 9.0, 1.0])

    def test_xlsx_with_dates_and_numbers(self) -> None:
        rows = [
            ["period", "value", "denominator"],
            [datetime.datetime(2024, 1, 1), 90, 100],
            [datetime.datetime(2024, 2, 1), 80, 100],
            ["Mar 2024", 70, 100],
        ]
        token = self.token(self.upload(xlsx_file(rows), self.ratio))
        self.assertContains(self.preview(token, self.ratio), "<strong>3 new</strong>")
        self.commit(token, self.ratio)
        self.assertEqual(
            list(self.ratio.points.values_list("value", "denominator")),
            [(90.0, 100.0), (80.0, 100.0), (70.0, 100.0)],
        )

    def test_columns_with_other_names_are_chosen(self) -> None:
        token = self.token(
            self.upload(csv_file("When,Attendances,Notes\n2024-01-01,12,x\n"))
        )
        response = self.preview(token)
        self.assertContains(response, "Which column is which?")
        self.assertContains(response, "<strong>Attendances</strong>")
        url = reverse(
            "measures:import_preview", kwargs={**self.kwargs(), "token": token}
        )
        response = self.client.post(url, {"period": "When", "value": "When"})
        self.assertContains(response, "Choose a different column for each.")
        response = self.client.post(url, {"period": "When", "value": "Attendances"})
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.assertContains(self.preview(token), "Checking the file")
        self.run_imports()
        self.assertContains(self.preview(token), "<strong>1 new</strong>")
        self.commit(token)
        self.assertEqual(self.measure.points.get().value, 12.0)

    def test_a_large_file_is_checked_in_chunks_and_progress_is_reported(self) -> None:
        lines = ["period,value"] + [
            (datetime.date(2020, 1, 1) + datetime.timedelta(days=i)).isoformat()
            + f",{i}"
            for i in range(23)
        ]
        daily = make_measure(self.org, name="Daily", frequency="daily")
        with mock.patch.object(imports, "IMPORT_CHUNK", 5):
            token = self.token(self.upload(csv_file("\n".join(lines)), daily))
        job = imports.load_import(token, daily, self.editor)
        self.assertEqual(
            (job.stage, job.done, job.total, len(job.rows)), ("ready", 23, 23, 23)
        )
        url = reverse(
            "measures:import_progress", kwargs={**self.kwargs(daily), "token": token}
        )
        response = self.client.get(url, HTTP_HX_REQUEST="true")
        self.assertContains(response, "data-done=")
        self.assertNotContains(response, "<html")

    def test_progress_while_checking_and_before_the_upload_arrives(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        job = imports.load_import(token, self.measure, self.editor)
        job.stage, job.done, job.total = "checking", 2000, 8000
        job.save()
        url = reverse(
            "measures:import_progress", kwargs={**self.kwargs(), "token": token}
        )
        response = self.client.get(url, HTTP_HX_REQUEST="true")
        self.assertContains(response, "Checking rows: 2,000 of 8,000")
        self.assertContains(response, 'max="8000" value="2000"')
        unknown = reverse(
            "measures:import_progress",
            kwargs={**self.kwargs(), "token": imports.new_import_token()},
        )
        self.assertContains(
            self.client.get(unknown, HTTP_HX_REQUEST="true"), "Uploading the file"
        )

    def test_progress_opened_as_a_page_leads_to_the_import(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        kwargs = {**self.kwargs(), "token": token}
        response = self.client.get(reverse("measures:import_progress", kwargs=kwargs))
        self.assertRedirects(
            response,
            reverse("measures:import_preview", kwargs=kwargs),
            fetch_redirect_response=False,
        )

    def test_import_page_works_without_javascript_and_loads_the_progress_script(
        self,
    ) -> None:
        response = self.client.get(reverse("measures:import", kwargs=self.kwargs()))
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, "data-progress-url=")
        self.assertContains(response, "measures/import.js")


class ImportRejectionTests(ImportTestCase):
    BAD = (
        "period,value,denominator\n"
        "2024-01-01,90,100\n"
        "2024-02-01,twelve,100\n"
        "2024-03-01,5,0\n"
        "2024-01-15,80,100\n"
        "someday,1,2\n"
        "2024-05-01,1,234,\n"
    )

    def test_bad_file_is_rejected_with_row_errors_and_nothing_saved(self) -> None:
        token = self.token(self.upload(csv_file(self.BAD), self.ratio))
        response = self.preview(token, self.ratio)
        self.assertContains(response, "The file has errors")
        self.assertContains(
            response, "4 rows of 6 have errors, so nothing can be saved"
        )
        self.assertContains(response, "Row 3")
        self.assertContains(response, "&#34;twelve&#34; is not a number")
        self.assertContains(response, "Row 4")
        self.assertContains(
            response, "0 is not above zero; a denominator must be above zero"
        )
        self.assertContains(response, "Row 5")
        self.assertContains(
            response, "January 2024 is also on row 2; keep one of the two rows"
        )
        self.assertContains(response, "Row 6")
        self.assertNotContains(response, "import_commit")
        self.assertNotContains(response, "/commit/")
        response = self.commit(token, self.ratio)
        self.assertEqual(response.status_code, 302)
        self.assertFalse(DataPoint.objects.exists())
        page = self.client.get(response["Location"])
        self.assertContains(page, "nothing was saved")

    def test_commit_checks_every_row_again(self) -> None:
        token = self.token(
            self.upload(csv_file("period,value\n2024-01-01,1\n2024-02-01,2\n"))
        )
        job = imports.load_import(token, self.measure, self.editor)
        job.records[1][2] = "2,000"  # the held rows changed between preview and commit
        job.save()
        self.commit(token)
        self.assertFalse(DataPoint.objects.exists())

    def test_commit_is_all_or_nothing_when_a_save_fails(self) -> None:
        add_points(self.measure, [7], start=datetime.date(2024, 1, 1))
        token = self.token(
            self.upload(
                csv_file("period,value\n2024-01-01,1\n2024-02-01,2\n2024-03-01,3\n")
            )
        )
        # The points are written, then the audit record fails: nothing stays.
        with mock.patch.object(
            services, "record_rows", side_effect=RuntimeError("disk full")
        ):
            with self.assertLogs("openqi.measures.imports", "ERROR"):
                self.commit(token)
        self.assertEqual(list(self.measure.points.values_list("value", flat=True)), [7])
        job = imports.load_import(token, self.measure, self.editor)
        self.assertEqual(job.stage, "ready")
        page = self.preview(token)
        self.assertContains(page, "nothing was saved: try again")
        self.assertContains(page, "Save 3 periods")

    def test_unreadable_file_says_why(self) -> None:
        token = self.token(
            self.upload(SimpleUploadedFile("data.xlsx", b"not a workbook"))
        )
        response = self.preview(token)
        self.assertContains(response, "The file cannot be read")
        self.assertContains(response, "data.xlsx")
        self.assertNotContains(response, "/tmp")

    def test_header_only_file(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n")))
        self.assertContains(self.preview(token), "no data rows")

    def test_wrong_kind_of_file_is_refused_on_the_form(self) -> None:
        response = self.upload(SimpleUploadedFile("data.xls", b"x"))
        self.assertContains(response, "Old-style .xls workbooks cannot be read")
        response = self.upload(SimpleUploadedFile("notes.txt", b"x"))
        self.assertContains(response, "must be a CSV or an Excel .xlsx file")
        url = reverse("measures:import", kwargs=self.kwargs())
        response = self.client.post(url, {"token": imports.new_import_token()})
        self.assertContains(response, "Choose a CSV or Excel file to upload.")

    def test_viewer_and_outsider_cannot_import(self) -> None:
        url = reverse("measures:import", kwargs=self.kwargs())
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.get(url).status_code, status)
            response = self.client.post(
                url,
                {
                    "file": csv_file("period,value\n2024-01-01,1\n"),
                    "token": imports.new_import_token(),
                },
            )
            self.assertEqual(response.status_code, status)
        self.assertFalse(ImportJob.objects.exists())

    def test_someone_elses_upload_cannot_be_seen_or_committed(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.preview(token).status_code, status)
            self.assertEqual(self.commit(token).status_code, status)
        colleague = self.editor.__class__.objects.create_user(
            email="colleague@example.org", password="x", full_name="Cal Colleague"
        )
        from openqi.organisations.models import Membership, Role

        Membership.objects.create(
            user=colleague, organisation=self.org, role=Role.MEMBER
        )
        self.sign_in(colleague)
        response = self.commit(token)
        self.assertRedirects(
            response,
            reverse("measures:import", kwargs=self.kwargs()),
            fetch_redirect_response=False,
        )
        self.assertFalse(DataPoint.objects.exists())

    def test_an_upload_for_another_measure_is_refused(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,1\n")))
        response = self.preview(token, self.ratio)
        self.assertEqual(response.status_code, 302)
