"""An upload is bounded (bytes, rows, cells, what a workbook unpacks to) before and
while it is read; formula cells never calculated, huge numbers and far-off years are
row errors; the command line reads big files without these limits."""

from __future__ import annotations

import io
import re
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from openqi.measures.models import DataPoint, ImportJob
from openqi.tabular import Limits, TableError, read_table, read_upload
from tests.api.base import ApiTestCase
from tests.measures.test_measure_import_pages import ImportTestCase, csv_file


def workbook_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet claiming the size ``ref`` (true or not)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body
                )
            target.writestr(item, body)
    return out.getvalue()


MONTHS = [["period", "value"]] + [[f"2024-{m:02d}-01", m] for m in range(1, 13)]


def test_a_sheet_claiming_more_rows_than_the_limit_is_refused_before_reading() -> None:
    data = with_dimension(workbook_bytes(MONTHS), "A1:B3000000")
    with mock.patch("openqi.tabular._sheet_rows") as rows:
        with pytest.raises(TableError, match=r"more than 100,000 data rows.*split it"):
            read_upload(data, "big.xlsx", limits=Limits(max_rows=100_000))
    rows.assert_not_called()


def test_a_sheet_that_understates_its_size_is_stopped_once_past_the_limit() -> None:
    data = with_dimension(workbook_bytes(MONTHS), "A1:B2")
    with pytest.raises(TableError, match="more than 5 data rows"):
        read_upload(data, "lying.xlsx", limits=Limits(max_rows=5))
    assert len(read_upload(data, "lying.xlsx", limits=Limits(max_rows=12))) == 12


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened() -> (
    None
):
    data = workbook_bytes(MONTHS)
    with mock.patch("openpyxl.load_workbook") as load:
        with pytest.raises(
            TableError, match=r"unpacks to .* more than the 1,000 bytes"
        ):
            read_upload(data, "zip.xlsx", limits=Limits(max_uncompressed_bytes=1000))
    load.assert_not_called()


def test_cells_are_counted_to_each_rows_last_cell() -> None:
    wide = [["period", "value"] + [f"c{n}" for n in range(20)]]
    wide += [["2024-01-01", 1] + list(range(20))] * 10
    with pytest.raises(TableError, match="more than 100 cells.*delete the columns"):
        read_upload(workbook_bytes(wide), "wide.xlsx", limits=Limits(max_cells=100))
    text = "\n".join(",".join(str(c) for c in row) for row in wide).encode()
    with pytest.raises(TableError, match="more than 100 cells"):
        read_upload(text, "wide.csv", limits=Limits(max_cells=100))


def test_csv_bytes_and_rows_are_bounded() -> None:
    text = b"period,value\n" + b"2024-01-01,1\n" * 30
    with pytest.raises(TableError, match="more than 29 data rows"):
        read_upload(text, "rows.csv", limits=Limits(max_rows=29))
    with pytest.raises(TableError, match="more than the 100 bytes a file may be"):
        read_upload(text, "bytes.csv", limits=Limits(max_bytes=100))
    assert len(read_upload(text, "rows.csv", limits=Limits(max_rows=30))) == 30


def test_the_command_line_reads_a_file_past_the_upload_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.csv"
    path.write_text("period,value\n" + "2024-01-01,1\n" * 150_000)
    assert len(read_table(str(path))) == 150_000


def test_a_formula_never_calculated_is_an_error_naming_the_cell_for_the_command_line(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "formula.xlsx"
    path.write_bytes(
        workbook_bytes(
            [["period", "value"], ["2024-01-01", 1], ["2024-02-01", "=B2*2"]]
        )
    )
    table = read_table(str(path))
    with pytest.raises(
        TableError, match=r"row 3, value: cell B3 holds a formula .*paste values"
    ):
        table.numbers("value", lambda i: f"row {table.rows[i]}")


class UploadLimitTests(ImportTestCase):
    @override_settings(OPENQI_IMPORT_MAX_ROWS=5)
    def test_a_file_with_more_rows_than_the_limit_is_refused_with_the_fix(self) -> None:
        text = "period,value\n" + "".join(f"2024-{m:02d}-01,{m}\n" for m in range(1, 8))
        response = self.preview(self.token(self.upload(csv_file(text))))
        self.assertContains(response, "The file cannot be read")
        self.assertContains(response, "more than 5 data rows")
        self.assertContains(response, "split it into smaller files")
        self.assertFalse(DataPoint.objects.exists())

    @override_settings(OPENQI_IMPORT_MAX_UNCOMPRESSED_BYTES=1000)
    def test_a_workbook_that_unpacks_too_far_is_refused(self) -> None:
        upload = SimpleUploadedFile("data.xlsx", workbook_bytes(MONTHS))
        response = self.preview(self.token(self.upload(upload)))
        self.assertContains(response, "unpacks to")
        self.assertContains(response, "split it into smaller files")

    @override_settings(OPENQI_IMPORT_MAX_BYTES=50)
    def test_a_file_larger_than_the_limit_is_refused_on_the_form(self) -> None:
        response = self.upload(csv_file("period,value\n" + "2024-01-01,1\n" * 10))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "split it into smaller files")
        self.assertFalse(ImportJob.objects.exists())

    def test_a_formula_never_calculated_is_a_row_error_naming_the_cell_and_the_fix(
        self,
    ) -> None:
        rows = [["period", "value"], ["2024-01-01", 4], ["2024-02-01", "=B2*2"]]
        upload = SimpleUploadedFile("calc.xlsx", workbook_bytes(rows))
        token = self.token(self.upload(upload))
        response = self.preview(token)
        self.assertContains(response, "Row 3")
        self.assertContains(response, "Cell B3 holds a formula with no saved result")
        self.assertContains(
            response, "open the file in Excel and save it, or paste values"
        )
        errors = self.client.get(
            reverse("measures:import_errors", kwargs={**self.kwargs(), "token": token})
        ).content.decode()
        self.assertIn("B3", errors)
        self.commit(token)
        self.assertFalse(DataPoint.objects.exists())

    def test_huge_values_and_far_off_years_are_row_errors(self) -> None:
        text = (
            "period,value,denominator\n"
            "2024-01-01,1e308,1e308\n"
            "2024-02-01,-1e308,10\n"
            "2024-03-01,5,2e15\n"
            "9999-12-31,1,2\n"
            "2024-05-01,1,2\n"
        )
        response = self.preview(
            self.token(self.upload(csv_file(text), self.ratio)), self.ratio
        )
        self.assertContains(response, "4 rows of 5 have errors")
        self.assertContains(response, "1e308 is beyond ±1,000,000,000,000,000")
        self.assertContains(response, "in the year 9999")
        self.assertContains(response, "check the year")

    def test_viewer_and_outsider_cannot_upload(self) -> None:
        url = reverse("measures:import", kwargs=self.kwargs())
        for user, status in ((self.viewer, 403), (self.outsider, 404)):
            self.sign_in(user)
            self.assertEqual(self.client.get(url).status_code, status)


class ApiBoundsTests(ApiTestCase):
    def test_the_bulk_upsert_refuses_far_off_years_and_huge_values(self) -> None:
        from tests.measures.helpers import make_measure

        measure = make_measure(self.org, name="Falls")
        url = reverse(
            "api:data-points", kwargs={"slug": self.org.slug, "measure_id": measure.pk}
        )
        for rows in (
            [
                {"period": "2024-01-01", "value": 1},
                {"period": "9999-12-31", "value": 1},
            ],
            [{"period": "2024-01-01", "value": "1e308"}],
            [{"period": "2024-01-01", "value": 1e308}],
        ):
            response = self.call("post", url, self.editor, data=rows)
            self.assertEqual(response.status_code, 422, response.content)
            self.assertEqual(response.json()["status"], 422)
        self.assertFalse(measure.points.exists())
