"""Importing a staff list and a learning-management export: the upload, the
preview with every row error, the all-or-nothing commit, the held upload's
scope, the bounds, and the matching of people, units, programmes and levels."""

from __future__ import annotations

import datetime
import html
import io
import re
from typing import Any
from unittest import mock

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openqi.audit.models import AuditEvent
from openqi.capability import imports
from openqi.capability.models import Completion, Enrolment, HeldImport
from openqi.organisations.models import StaffRecord
from openqi.tabular import Limits
from tests.base import BaseTestCase
from tests.capability.helpers import (
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
)
from tests.factories import make_unit

BASE = "/organisations/northfield/capability/import/"
STAFF = BASE + "staff/"
COMPLETIONS = BASE + "completions/"


def _csv(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


def _xlsx(rows: list[list[Any]], name: str = "file.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _text(response: Any) -> str:
    """The page's text, tags and runs of white space gone, for sentences."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(text).split())


class ImportTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.sign_in(self.qi_lead)

    def upload(self, url: str, file: SimpleUploadedFile) -> Any:
        return self.client.post(url, {"file": file})

    def preview(self, url: str, file: SimpleUploadedFile) -> tuple[str, Any]:
        """Upload the file; the preview's address and the preview."""
        response = self.upload(url, file)
        self.assertEqual(response.status_code, 302, _text(response))
        return response.url, self.client.get(response.url)


class StaffImportTests(ImportTestCase):
    def test_a_staff_list_creates_records_after_its_preview(self) -> None:
        address, page = self.preview(
            STAFF,
            _csv(
                "Employee Number,Email,Unit,Staff Group\n"
                "10000001,Kit.Lowe@Example.NHS.uk,Emergency department,Nursing and midwifery\n"
                "10000002,,medicine,MEDICAL\n"
                "10000003,,,\n"
            ),
        )
        text = _text(page)
        self.assertIn("Check the staff list", text)
        self.assertIn("New staff records 3", text)
        self.assertIn("kit.lowe@example.nhs.uk", text)
        self.assertFalse(StaffRecord.objects.filter(organisation=self.org).exists())
        response = self.client.post(address)
        self.assertRedirects(
            response,
            "/organisations/northfield/capability/",
            fetch_redirect_response=False,
        )
        records = {
            r.reference: r for r in StaffRecord.objects.filter(organisation=self.org)
        }
        self.assertEqual(set(records), {"10000001", "10000002", "10000003"})
        self.assertEqual(records["10000001"].email, "kit.lowe@example.nhs.uk")
        self.assertEqual(records["10000001"].unit, self.team)
        self.assertEqual(records["10000001"].staff_group, "nursing")
        self.assertEqual(records["10000002"].unit, self.division)
        self.assertEqual(records["10000002"].staff_group, "medical")
        self.assertEqual(records["10000003"].staff_group, "other")
        self.assertFalse(HeldImport.objects.exists())
        event = AuditEvent.objects.filter(
            organisation=self.org, model="organisations.Organisation"
        ).latest("pk")
        self.assertIn("3 new", event.after["bulk_summary"])
        self.assertNotIn(
            "kit.lowe", str(event.after)
        )  # the address stays off the trail
        self.assertIn("3 new, 0 changed", _text(self.client.get(response.url)))

    def test_an_update_changes_only_what_the_file_gives_and_deletes_nothing(
        self,
    ) -> None:
        kept = make_staff(
            self.org, reference="20000001", unit=self.team, staff_group="ahp"
        )
        moved = make_staff(
            self.org, reference="20000002", unit=self.team, email="a@example.nhs.uk"
        )
        left = make_staff(self.org, reference="20000003")
        gone = make_staff(self.org, reference="20000004", is_active=False)
        address, page = self.preview(
            STAFF,
            _csv(
                "employee_number,STAFF GROUP,unit\n"
                "20000001,,\n"
                "20000002,Administrative and Clerical,Medicine / Emergency care\n"
                "20000004,,\n"
            ),
        )
        text = _text(page)
        self.assertIn("Staff records changed 2", text)
        self.assertIn("Unchanged 1", text)
        self.assertIn("Unit Emergency department → Emergency care", text)
        self.assertIn("staff group Other → Administrative and clerical", text)
        self.assertIn("20000004 Active again", text)
        self.assertIn("1 active staff record is not in this file", text)
        self.client.post(address)  # not ticked: nobody is made inactive
        for record in (kept, moved, left, gone):
            record.refresh_from_db()
        self.assertEqual((kept.unit, kept.staff_group), (self.team, "ahp"))
        self.assertEqual((moved.unit, moved.staff_group), (self.directorate, "admin"))
        self.assertEqual(moved.email, "a@example.nhs.uk")
        self.assertTrue(left.is_active)
        self.assertTrue(gone.is_active)
        self.assertEqual(StaffRecord.objects.filter(organisation=self.org).count(), 4)

    def test_records_not_in_the_file_are_marked_inactive_only_when_asked(self) -> None:
        make_staff(self.org, reference="30000001")
        left = make_staff(self.org, reference="30000002")
        address, page = self.preview(STAFF, _csv("Employee Number\n30000001\n"))
        self.assertIn(
            "Mark the 1 staff record not in this file as no longer active", _text(page)
        )
        self.client.post(address, {"mark_inactive": "true"})
        left.refresh_from_db()
        self.assertFalse(left.is_active)
        self.assertTrue(StaffRecord.objects.filter(pk=left.pk).exists())

    def test_addresses_may_move_between_people_in_one_file(self) -> None:
        one = make_staff(self.org, reference="40000001", email="first@example.nhs.uk")
        two = make_staff(self.org, reference="40000002", email="second@example.nhs.uk")
        address, _ = self.preview(
            STAFF,
            _csv(
                "Employee Number,Email\n"
                "40000001,second@example.nhs.uk\n"
                "40000002,first@example.nhs.uk\n"
            ),
        )
        response = self.client.post(address)
        self.assertEqual(response.status_code, 302)
        one.refresh_from_db()
        two.refresh_from_db()
        self.assertEqual(
            (one.email, two.email), ("second@example.nhs.uk", "first@example.nhs.uk")
        )

    def test_every_row_error_is_listed_with_its_fix_and_nothing_saved(self) -> None:
        make_staff(self.org, reference="50000009", email="taken@example.nhs.uk")
        make_unit(self.org, name="Theatres", parent=self.directorate)
        other_division = make_unit(self.org, name="Surgery")
        other_directorate = make_unit(
            self.org, name="Surgical care", parent=other_division
        )
        make_unit(self.org, name="Theatres", parent=other_directorate)
        address, page = self.preview(
            STAFF,
            _csv(
                "Employee Number,Email,Unit,Staff Group\n"
                "50000001,not-an-address,,\n"  # 2
                "50000002,,Nowhere ward,\n"  # 3
                "50000003,,,Wizards\n"  # 4
                "50000001,,,\n"  # 5: the same person again
                ",,Medicine,\n"  # 6
                "50000006,taken@example.nhs.uk,,\n"  # 7
                "50000007,twice@example.nhs.uk,,\n"  # 8
                "50000008,TWICE@example.nhs.uk,,\n"  # 9
                "50000010,,Theatres,\n"  # 10: two units of that name
                "50000011,,Surgical care / Theatres,\n"  # 11: fine
                f"{'9' * 41},,,\n"  # 12
            ),
        )
        text = _text(page)
        self.assertIn("9 rows of 11 have errors, so nothing can be saved", text)
        for row, message in (
            (
                2,
                '"not-an-address" is not an e-mail address; correct it or leave the cell empty.',
            ),
            (3, 'No unit is called "Nowhere ward"'),
            (4, '"Wizards" is not a staff group; use one of Medical and dental'),
            (5, "Employee number 50000001 is also on row 2; keep one of the two rows."),
            (6, "The employee number is empty"),
            (
                7,
                "The e-mail address taken@example.nhs.uk is already employee number 50000009's",
            ),
            (
                9,
                "The e-mail address twice@example.nhs.uk is also on row 8, for another person",
            ),
            (
                10,
                '2 units are called "Theatres"; say which with the unit above it, as "Medicine / Emergency care / Theatres" or "Surgery / Surgical care / Theatres"',
            ),
            (
                12,
                "The employee number is 41 characters long, more than the 40 it may be",
            ),
        ):
            self.assertRegex(
                text, rf"\b{row} [A-Z][a-z-]+(?: [a-z-]+)* {re.escape(message)}"
            )
        self.assertNotIn("Save the staff list", text)
        response = self.client.post(address)  # posted anyway: refused
        self.assertRedirects(response, address, fetch_redirect_response=False)
        self.assertFalse(StaffRecord.objects.filter(reference="50000011").exists())

    def test_a_file_without_an_employee_number_column_says_what_it_needs(self) -> None:
        response = self.upload(STAFF, _csv("Name,Ward\nKit,5\n"))
        self.assertEqual(response.status_code, 200)
        text = _text(response)
        self.assertIn("There is a problem", text)
        self.assertIn(
            'The file needs a column for the employee number (for example "Employee Number")',
            text,
        )
        self.assertIn('Its columns are "Name", "Ward"', text)


class CompletionImportTests(ImportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.level = make_level(self.org, name="Improvement practitioner")
        self.other_level = make_level(self.org, name="Improvement coach")
        self.programme = make_programme(
            self.org, name="Practitioner programme", level=self.level
        )
        self.cohort = make_cohort(self.programme, name="Spring 2025")
        self.sam = make_staff(
            self.org, reference="10234567", email="sam.okoro@example.nhs.uk"
        )
        self.jo = make_staff(
            self.org,
            reference="10234568",
            email="jo.hart@example.nhs.uk",
            unit=self.team,
            staff_group="nursing",
        )

    def test_completions_are_matched_previewed_and_recorded(self) -> None:
        address, page = self.preview(
            COMPLETIONS,
            _csv(
                "Assignment Number,Email,Course Title,Completion Date,Cohort\n"
                "10234567-2,,practitioner PROGRAMME,15/03/2025,spring 2025\n"
                ",Jo.Hart@Example.NHS.uk,Practitioner programme,2025-03-16,\n"
            ),
        )
        text = _text(page)
        self.assertIn("Check the completions", text)
        self.assertIn(
            "New completions 2 (1 enrolment in a cohort recorded as completed)", text
        )
        self.assertIn(
            "Columns used Employee number: “Assignment Number”; E-mail address: “Email”",
            text,
        )
        self.assertIn("15 March 2025", text)
        self.assertEqual(Completion.objects.count(), 0)
        response = self.client.post(address)
        self.assertRedirects(
            response,
            "/organisations/northfield/capability/programmes/",
            fetch_redirect_response=False,
        )
        sams = Completion.objects.get(staff_record=self.sam)
        self.assertEqual(sams.completed_on, datetime.date(2025, 3, 15))
        self.assertEqual(
            (sams.level, sams.programme, sams.cohort),
            (self.level, self.programme, self.cohort),
        )
        enrolment = Enrolment.objects.get(staff_record=self.sam)
        self.assertEqual(
            (enrolment.status, enrolment.completed_on),
            ("completed", datetime.date(2025, 3, 15)),
        )
        self.assertEqual(sams.enrolment, enrolment)
        jos = Completion.objects.get(staff_record=self.jo)
        self.assertEqual(
            (jos.unit, jos.staff_group, jos.cohort), (self.team, "nursing", None)
        )
        event = AuditEvent.objects.filter(
            model="capability.CapabilityFramework", organisation=self.org
        ).latest("pk")
        self.assertIn("2 new completions recorded", event.after["bulk_summary"])
        self.assertIn(
            "2 new completions recorded, 0 already recorded; 1 enrolment marked completed.",
            _text(self.client.get(response.url)),
        )

    def test_rows_already_recorded_are_shown_and_not_added_again(self) -> None:
        Completion.objects.create(
            level=self.level,
            staff_record=self.sam,
            completed_on=datetime.date(2025, 3, 15),
        )
        csv = "Employee Number,Level,Completion Date\n10234567,improvement practitioner,2025-03-15\n10234568,Improvement coach,1 April 2025\n"
        address, page = self.preview(COMPLETIONS, _csv(csv))
        text = _text(page)
        self.assertIn("Already recorded 1 (left as they are, not added again)", text)
        self.assertIn("Record 1 completion", text)
        self.client.post(address)
        self.assertEqual(Completion.objects.filter(staff_record=self.sam).count(), 1)
        self.assertEqual(
            Completion.objects.get(staff_record=self.jo).level, self.other_level
        )
        # The same file again records nothing and says so.
        _, page = self.preview(COMPLETIONS, _csv(csv))
        self.assertIn("Every completion in the file is recorded already", _text(page))

    def test_an_enrolment_in_the_cohort_is_recorded_as_completed(self) -> None:
        enrolment = make_enrolment(self.cohort, self.sam)
        address, _ = self.preview(
            COMPLETIONS,
            _csv(
                "Employee Number,Programme,Completed on,Cohort\n10234567,Practitioner programme,2025-05-01,Spring 2025\n"
            ),
        )
        self.client.post(address)
        enrolment.refresh_from_db()
        self.assertEqual(
            (enrolment.status, enrolment.completed_on),
            ("completed", datetime.date(2025, 5, 1)),
        )
        self.assertEqual(enrolment.version, 2)
        self.assertEqual(Completion.objects.get().enrolment, enrolment)
        self.assertEqual(Enrolment.objects.count(), 1)

    def test_every_row_error_says_how_to_fix_it_and_nothing_is_saved(self) -> None:
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        make_enrolment(
            self.cohort,
            self.jo,
            status="completed",
            completed_on=datetime.date(2025, 2, 1),
        )
        address, page = self.preview(
            COMPLETIONS,
            _csv(
                "Employee Number,Email,Course Title,Level,Completion Date,Cohort\n"
                "99999999,,Practitioner programme,,2025-03-01,\n"  # 2
                "10234567,,Basket weaving,,2025-03-01,\n"  # 3
                "10234567,,,Wizardry,2025-03-01,\n"  # 4
                "10234567,,Practitioner programme,Improvement coach,2025-03-01,\n"  # 5
                "10234567,,Practitioner programme,,31/02/2025,\n"  # 6
                f"10234567,,Practitioner programme,,{tomorrow.isoformat()},\n"  # 7
                "10234567,,Practitioner programme,,1989-12-31,\n"  # 8
                "10234567,jo.hart@example.nhs.uk,Practitioner programme,,2025-03-01,\n"  # 9
                "10234567,,Practitioner programme,,2025-03-02,\n"  # 10
                "10234567,,practitioner programme,,02/03/2025,\n"  # 11: row 10 again
                ",,Practitioner programme,,2025-03-03,\n"  # 12
                "10234567,,Practitioner programme,,45366,\n"  # 13
                "10234567,,Practitioner programme,,2025-03-04,Autumn 2031\n"  # 14
                "10234568,,Practitioner programme,,2025-03-04,Spring 2025\n"  # 15
                "10234567,,,Improvement coach,2025-03-05,Spring 2025\n"  # 16
            ),
        )
        text = _text(page)
        self.assertIn("14 rows of 15 have errors, so nothing can be saved", text)
        for row, message in (
            (
                2,
                "No staff record has the employee number 99999999; check it against the staff list, or import the staff list first.",
            ),
            (
                3,
                'No programme is called "Basket weaving"; correct the name to one on the programmes page, or add the programme there first (they are Practitioner programme).',
            ),
            (4, 'No level of the framework is called "Wizardry"'),
            (
                5,
                "Practitioner programme confers Improvement practitioner, not Improvement coach; correct the level or leave it empty.",
            ),
            (6, '"31/02/2025" is not a real date; check the day and the month.'),
            (7, "is after today"),
            (8, '"1989-12-31" is before 1990'),
            (
                9,
                "Employee number 10234567 and e-mail address jo.hart@example.nhs.uk are two different people (the address is employee number 10234568's); correct whichever is wrong.",
            ),
            (
                11,
                "The same completion as row 10 (10234567, Improvement practitioner, 2 March 2025); delete one of the two rows.",
            ),
            (
                12,
                "No employee number or e-mail address; give one of them for each person.",
            ),
            (13, "The completion date is the number 45366, not a date"),
            (
                14,
                'Practitioner programme has no cohort called "Autumn 2031"; add the cohort on the programme\'s page first, or leave the cell empty.',
            ),
            (15, "10234568 completed Spring 2025 on 1 February 2025, not 4 March 2025"),
            (16, "A cohort belongs to a programme; give the programme too"),
        ):
            self.assertIn(f" {row} ", text)
            self.assertIn(message, text)
        self.assertNotIn("Record ", text)
        response = self.client.post(address)
        self.assertRedirects(response, address, fetch_redirect_response=False)
        self.assertEqual(Completion.objects.count(), 0)

    def test_the_commit_checks_again_and_saves_nothing_if_a_row_went_wrong(
        self,
    ) -> None:
        extra = make_staff(self.org, reference="10234999")
        address, page = self.preview(
            COMPLETIONS,
            _csv(
                "Employee Number,Course Title,Completion Date\n"
                "10234567,Practitioner programme,2025-03-01\n"
                "10234999,Practitioner programme,2025-03-01\n"
            ),
        )
        self.assertIn("Record 2 completions", _text(page))
        extra.delete()  # between the preview and the commit
        response = self.client.post(address, follow=True)
        text = _text(response)
        self.assertIn("1 row of the file has errors now", text)
        self.assertIn("No staff record has the employee number 10234999", text)
        self.assertEqual(Completion.objects.count(), 0)

    def test_an_excel_export_with_dates_and_numbers_is_read(self) -> None:
        address, page = self.preview(
            COMPLETIONS,
            _xlsx(
                [
                    ["Employee Number", "Course Title", "Completion Date"],
                    [
                        10234567,
                        "Practitioner programme",
                        datetime.datetime(2025, 3, 15, 9, 30),
                    ],
                    [10234568, "Practitioner programme", datetime.date(2025, 3, 16)],
                ]
            ),
        )
        self.assertIn("Record 2 completions", _text(page))
        self.client.post(address)
        self.assertEqual(
            set(
                Completion.objects.values_list(
                    "staff_record__reference", "completed_on"
                )
            ),
            {
                ("10234567", datetime.date(2025, 3, 15)),
                ("10234568", datetime.date(2025, 3, 16)),
            },
        )

    def test_a_file_missing_columns_says_what_it_needs_and_which_it_has(self) -> None:
        response = self.upload(COMPLETIONS, _csv("Learner,Score\nKit,5\n"))
        text = _text(response)
        self.assertIn("a column for the employee number or the e-mail address", text)
        self.assertIn("a column for the programme or the level", text)
        self.assertIn('a column for the completion date ("Completion Date")', text)
        self.assertIn('Its columns are "Learner", "Score"', text)

    def test_committing_costs_the_same_queries_for_many_rows_as_for_few(self) -> None:
        people = [make_staff(self.org, reference=f"7{n:07d}") for n in range(40)]

        def commit(rows: list[Any], day: int) -> int:
            body = "Employee Number,Course Title,Completion Date,Cohort\n" + "".join(
                f"{p.reference},Practitioner programme,2025-04-{day:02d},Spring 2025\n"
                for p in rows
            )
            address, _ = self.preview(COMPLETIONS, _csv(body))
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.post(address).status_code, 302)
            return len(queries)

        commit(people[:1], 1)  # the first import makes the framework's record
        self.assertEqual(commit(people[1:3], 2), commit(people[3:], 3))
        self.assertEqual(Completion.objects.count(), 40)

    def test_the_preview_reads_what_was_checked_at_the_upload(self) -> None:
        address, _ = self.preview(
            COMPLETIONS,
            _csv(
                "Employee Number,Course Title,Completion Date\n"
                + "10234567,Practitioner programme,2025-03-01\n"
            ),
        )
        with CaptureQueriesContext(connection) as queries:
            self.client.get(address)
        few = len(queries)
        address, _ = self.preview(
            COMPLETIONS,
            _csv(
                "Employee Number,Course Title,Completion Date\n"
                + "".join(
                    f"10234567,Practitioner programme,2025-03-{d:02d}\n"
                    for d in range(1, 29)
                )
            ),
        )
        with CaptureQueriesContext(connection) as queries:
            self.client.get(address)
        self.assertEqual(len(queries), few)


class HeldUploadTests(ImportTestCase):
    def _held(self) -> str:
        address, _ = self.preview(STAFF, _csv("Employee Number\n60000001\n"))
        return address

    def test_another_person_cannot_see_or_commit_an_upload(self) -> None:
        address = self._held()
        self.sign_in(self.editor)
        for response in (self.client.get(address), self.client.post(address)):
            self.assertRedirects(response, STAFF, fetch_redirect_response=False)
        self.assertIn(
            "That upload has expired, was saved already or is not yours",
            _text(self.client.get(STAFF)),
        )
        self.assertFalse(StaffRecord.objects.filter(reference="60000001").exists())

    def test_another_organisations_member_gets_nothing(self) -> None:
        address = self._held()
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(address).status_code, 404)
        other = address.replace("/northfield/", "/southmere/")
        self.assertRedirects(
            self.client.get(other),
            "/organisations/southmere/capability/import/staff/",
            fetch_redirect_response=False,
        )

    def test_an_upload_is_held_once_and_expires(self) -> None:
        address = self._held()
        self.assertEqual(self.client.post(address).status_code, 302)
        self.assertRedirects(
            self.client.post(address), STAFF, fetch_redirect_response=False
        )
        self.assertEqual(StaffRecord.objects.filter(reference="60000001").count(), 1)
        address = self._held()
        HeldImport.objects.update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        self.assertRedirects(
            self.client.get(address), STAFF, fetch_redirect_response=False
        )
        self.assertFalse(HeldImport.objects.exists())

    def test_the_completions_page_is_not_a_staff_list_page(self) -> None:
        address = self._held()
        token = address.rstrip("/").rsplit("/", 1)[1]
        response = self.client.get(COMPLETIONS + token + "/")
        self.assertRedirects(response, COMPLETIONS, fetch_redirect_response=False)
        self.assertRedirects(
            self.client.get(COMPLETIONS + "not-a-token/"),
            COMPLETIONS,
            fetch_redirect_response=False,
        )

    def test_members_and_viewers_may_not_import(self) -> None:
        for user in (self.member, self.viewer, self.lead):
            self.sign_in(user)
            self.assertEqual(self.client.get(STAFF).status_code, 403)
            self.assertEqual(
                self.upload(COMPLETIONS, _csv("Employee Number\n1\n")).status_code, 403
            )
        self.assertFalse(HeldImport.objects.exists())


class OddFileTests(ImportTestCase):
    def assert_refused(self, response: Any, message: str) -> None:
        self.assertEqual(response.status_code, 200)
        text = _text(response)
        self.assertIn("There is a problem", text)
        self.assertIn(message, text)
        self.assertFalse(HeldImport.objects.exists())

    def test_files_that_cannot_be_imported_are_refused_with_the_fix(self) -> None:
        for file, message in (
            (_csv("", "empty.csv"), "The file is empty"),
            (_csv("x", "old.xls"), "Old-style .xls workbooks cannot be read"),
            (
                _csv("x", "notes.txt"),
                "The file must be a CSV file or an Excel .xlsx workbook",
            ),
            (
                SimpleUploadedFile("bad.csv", b"\xff\xfe\x00garbage"),
                'save it as "CSV UTF-8"',
            ),
            (SimpleUploadedFile("bad.xlsx", b"PK not really a workbook"), "bad.xlsx"),
            (_csv("Employee Number\n"), "has a header row but no data rows"),
            (
                _csv("Employee Number,Email,Name\n,,Kit\n"),
                "has no rows with anything in its employee number and e-mail address columns",
            ),
        ):
            with self.subTest(file.name):
                self.assert_refused(self.upload(STAFF, file), message)
        self.assert_refused(
            self.client.post(STAFF, {}), "Choose a CSV or Excel file to upload"
        )

    def test_the_bounds_are_said_in_the_message(self) -> None:
        with mock.patch.object(imports, "MAX_BYTES", 20):
            self.assert_refused(
                self.upload(STAFF, _csv("Employee Number\n" + "1\n" * 20)),
                "The file is larger than 0 MB",
            )
        limits = Limits(max_bytes=10_000, max_rows=3, max_cells=100)
        with mock.patch.object(imports, "LIMITS", limits):
            self.assert_refused(
                self.upload(STAFF, _csv("Employee Number\n1\n2\n3\n4\n")),
                "it has more than 3 data rows, the most a file may have; split it into smaller files",
            )

    def test_an_uncalculated_formula_is_a_row_error(self) -> None:
        records = [[2, {"formula": "A2"}, "", "", ""]]
        check = imports.check_staff(self.org, records)
        self.assertEqual(len(check.errors), 1)
        self.assertIn("formula with no saved result (cell A2)", check.errors[0].message)


class MatchingTests(BaseTestCase):
    def test_headings_are_matched_whatever_their_case_and_spacing(self) -> None:
        mapping = imports.match_columns(
            [
                "  EMPLOYEE_NUMBER ",
                "E-mail Address",
                "Course title",
                "Date Completed",
                "Level",
            ],
            imports.COMPLETION_COLUMNS,
        )
        self.assertEqual(
            mapping,
            {
                "reference": "  EMPLOYEE_NUMBER ",
                "email": "E-mail Address",
                "programme": "Course title",
                "level": "Level",
                "completed_on": "Date Completed",
                "cohort": None,
            },
        )

    def test_people_are_found_by_number_first_then_by_address(self) -> None:
        sam = make_staff(
            self.org, reference="E0012345", email="sam.okoro@example.nhs.uk"
        )
        jo = make_staff(self.org, reference="10234568", email="jo.hart@example.nhs.uk")
        make_staff(self.other_org, reference="10234569")
        matcher = imports.StaffMatcher(self.org)
        self.assertEqual(matcher.match("e0012345", "").record, sam)
        self.assertEqual(matcher.match("", "SAM.OKORO@example.nhs.uk ").record, sam)
        self.assertEqual(matcher.match("10234568-3", "").record, jo)
        self.assertEqual(matcher.match("99", "jo.hart@example.nhs.uk").record, jo)
        self.assertEqual(matcher.match("10234568", "jo.hart@example.nhs.uk").record, jo)
        clash = matcher.match("E0012345", "jo.hart@example.nhs.uk")
        self.assertIsNone(clash.record)
        self.assertEqual(clash.column, "email")
        self.assertIsNone(
            matcher.match("10234569", "").record
        )  # another organisation's

    def test_completion_dates_are_read_in_the_ways_people_write_them(self) -> None:
        today = datetime.date(2025, 6, 30)
        for text, day in (
            ("2025-03-15", datetime.date(2025, 3, 15)),
            ("2025-03-15 09:30:00", datetime.date(2025, 3, 15)),
            ("15/03/2025", datetime.date(2025, 3, 15)),
            ("15.03.25", datetime.date(2025, 3, 15)),
            ("15/03/99", datetime.date(1999, 3, 15)),
            ("15 Mar 2025", datetime.date(2025, 3, 15)),
            ("15-March-2025", datetime.date(2025, 3, 15)),
            ("30 June 2025", today),
        ):
            with self.subTest(text):
                self.assertEqual(imports.parse_completion_date(text, today), day)
        for text in ("", "soon", "1 July 2025", "31/12/1989", "45366", "13/13/2025"):
            with self.subTest(text), self.assertRaises(ValueError):
                imports.parse_completion_date(text, today)

    def test_staff_groups_are_taken_by_label_value_or_staff_record_name(self) -> None:
        for text, value in (
            ("nursing", "nursing"),
            ("NURSING AND MIDWIFERY", "nursing"),
            ("Nursing and Midwifery Registered", "nursing"),
            ("Additional Professional Scientific and Technical", "scientific"),
            (" allied  health professionals ", "ahp"),
        ):
            self.assertEqual(imports.parse_staff_group(text), value)
        with self.assertRaises(ValueError):
            imports.parse_staff_group("Wizards")
