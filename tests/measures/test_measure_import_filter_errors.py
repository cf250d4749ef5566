"""An import with many row errors lists the first rows and offers every error as CSV;
an import can keep only the rows whose column holds a value (one trust of a
national file); file messages offer only what the upload page takes."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from openqi.measures import imports
from openqi.measures.models import DataPoint
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file


def national_file() -> str:
    """Twelve months for each of three trusts, and one bad row for another trust."""
    lines = ["org_code,period,numerator,denominator"]
    for org, level in (("RJZ", 700), ("RXH", 600), ("R0A", 500)):
        for month in range(1, 13):
            lines.append(f"{org},2024-{month:02d}-01,{level + month},1000")
    lines.append("RAL,2024-13-01,5,10")
    return "\n".join(lines) + "\n"


class ManyRowErrorsTests(ImportTestCase):
    def setUp(self) -> None:
        super().setUp()
        rows = "".join(f"2024-01-{day:02d},lots\n" for day in range(1, 29))
        rows += "".join(f"bad{n},{n}\n" for n in range(60))
        self.token_ = self.token(self.upload(csv_file("period,value\n" + rows)))

    def test_the_preview_shows_the_first_50_rows_with_the_count(self) -> None:
        response = self.preview(self.token_)
        self.assertContains(response, "88 rows of 88 have errors")
        self.assertContains(response, "88 rows have errors; the first 50 are shown.")
        html = response.content.decode()
        self.assertIn("Row 51<", html)
        self.assertNotIn("Row 52<", html)
        self.assertContains(response, "Download every error as CSV")

    def test_every_error_downloads_as_csv_with_the_cells_read(self) -> None:
        url = reverse(
            "measures:import_errors", kwargs={**self.kwargs(), "token": self.token_}
        )
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="data-errors.csv"', response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(len({r["row"] for r in rows}), 88)
        last = rows[-1]
        self.assertEqual(
            (last["row"], last["column"], last["period"], last["value"]),
            ("89", "period", "bad59", "59"),
        )
        self.assertTrue(last["problem"].startswith('"bad59" is not a date'))

    def test_viewer_and_outsider_cannot_download_the_errors(self) -> None:
        url = reverse(
            "measures:import_errors", kwargs={**self.kwargs(), "token": self.token_}
        )
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.get(url).status_code, status)

    def test_a_few_errors_are_all_listed_without_the_count_sentence(self) -> None:
        token = self.token(self.upload(csv_file("period,value\n2024-01-01,x\n")))
        response = self.preview(token)
        self.assertContains(response, "1 row of 1 has errors")
        self.assertNotContains(response, "are shown")


class ImportFilterTests(ImportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.token_ = self.token(self.upload(csv_file(national_file()), self.ratio))
        self.filter_url = reverse(
            "measures:import_filter",
            kwargs={**self.kwargs(self.ratio), "token": self.token_},
        )

    def keep(self, data: dict[str, str]):  # type: ignore[no-untyped-def]
        """Ask for the rows to keep, and let the runner check them again."""
        response = self.client.post(self.filter_url, data)
        self.run_imports()
        return response

    def test_a_national_file_has_errors_until_one_trust_is_kept(self) -> None:
        response = self.preview(self.token_, self.ratio)
        self.assertContains(response, "The file has errors")
        self.assertContains(response, "Keep only some rows")
        response = self.keep({"column": "org_code", "value": " rjz "})
        self.assertEqual(response.status_code, 302)
        response = self.preview(self.token_, self.ratio)
        self.assertContains(response, "Check the import")
        self.assertContains(
            response,
            "Only the rows whose <strong>org_code</strong> is <strong>rjz</strong> "
            "are imported: 12 of the file's 37 rows.",
        )
        self.assertContains(response, "12 new")
        self.commit(self.token_, self.ratio)
        points = list(self.ratio.points.order_by("period"))
        self.assertEqual(len(points), 12)
        self.assertEqual([p.value for p in points[:2]], [701.0, 702.0])

    def test_the_commit_stays_all_or_nothing_after_a_filter(self) -> None:
        self.keep({"column": "org_code", "value": "RAL"})
        response = self.preview(self.token_, self.ratio)
        self.assertContains(response, "1 row of 1 has errors")
        self.commit(self.token_, self.ratio)
        self.assertFalse(DataPoint.objects.exists())

    def test_a_value_no_row_holds_is_refused_with_examples(self) -> None:
        self.assertEqual(
            self.keep({"column": "org_code", "value": "RZZ"}).status_code, 302
        )
        response = self.preview(self.token_, self.ratio)
        self.assertContains(
            response,
            "No row has RZZ in org_code: check the spelling. The column holds, for "
            "example, RJZ, RXH, R0A, RAL.",
            status_code=422,
        )
        self.assertContains(response, 'value="RZZ"', status_code=422)
        job = imports.load_import(self.token_, self.ratio, self.editor)
        self.assertEqual((job.filter_column, job.total), ("", 37))
        # Told once: the next look shows the rows as they were.
        self.assertEqual(self.preview(self.token_, self.ratio).status_code, 200)

    def test_both_fields_are_needed(self) -> None:
        response = self.client.post(self.filter_url, {"column": "", "value": ""})
        self.assertContains(
            response, "Choose the column to pick rows by.", status_code=422
        )
        self.assertContains(
            response, "Enter the value the rows to keep hold.", status_code=422
        )

    def test_every_row_can_be_imported_again(self) -> None:
        self.keep({"column": "org_code", "value": "RJZ"})
        self.keep({"every_row": "1"})
        job = imports.load_import(self.token_, self.ratio, self.editor)
        self.assertEqual((job.filter_column, job.total), ("", 37))

    def test_viewer_and_outsider_cannot_filter(self) -> None:
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            response = self.client.post(
                self.filter_url, {"column": "org_code", "value": "RJZ"}
            )
            self.assertEqual(response.status_code, status)
        self.assertEqual(
            imports.load_import(self.token_, self.ratio, self.editor).total, 37
        )


class FileMessageTests(ImportTestCase):
    def test_a_file_that_is_not_utf8_is_not_told_to_try_parquet(self) -> None:
        upload = csv_file("")
        upload.file = io.BytesIO("period,value\n2024-01-01,caf\xe9\n".encode("latin-1"))
        upload.size = len(upload.file.getvalue())
        token = self.token(self.upload(upload))
        response = self.preview(token)
        self.assertContains(response, "it is not UTF-8 text")
        self.assertContains(response, "or give an .xlsx file")
        self.assertNotContains(response, "parquet")
