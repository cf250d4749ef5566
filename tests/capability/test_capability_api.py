"""/api/v1/organisations/{slug}/capability: levels, programmes, cohorts, enrolments,
completions, targets and a person's training record (openqi/api/capability.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openqi.capability.models import (
    CapabilityLevel,
    Cohort,
    Completion,
    Enrolment,
    Programme,
    Target,
)
from tests.api.base import ApiTestCase
from tests.capability.helpers import (
    make_cohort,
    make_enrolment,
    make_level,
    make_programme,
    make_staff,
    make_target,
)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:capability-{name}", kwargs={"slug": "northfield", **kwargs})


def _fields(body: dict[str, Any]) -> set[str]:
    return {d["field"] for d in body["details"]}


class LevelApiTests(ApiTestCase):
    def test_the_first_read_puts_the_built_in_framework_in_place(self) -> None:
        body = self.call("get", _url("levels"), self.viewer).json()
        self.assertEqual(body["total"], 6)
        self.assertEqual([lv["position"] for lv in body["items"]], [1, 2, 3, 4, 5, 6])
        self.assertEqual(body["items"][0]["use_count"], 0)
        self.assertEqual(
            self.call("get", _url("levels"), self.viewer).json()["total"], 6
        )

    def test_the_qi_team_adds_a_level_at_the_end_and_a_member_may_not(self) -> None:
        make_level(self.org, name="Aware", position=1)
        data = {
            "name": "  Improvement   champion ",
            "who_for": "Staff who encourage improvement in their own team.",
            "skills": "Helps colleagues test changes.",
        }
        self.assert_error(
            self.call("post", _url("levels"), self.member, data=data), 403
        )
        response = self.call("post", _url("levels"), self.qi_lead, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["name"], body["position"], body["audience"]),
            ("Improvement champion", 2, "all_staff"),
        )
        self.assertEqual(response["ETag"], '"1"')
        again = self.call(
            "post", _url("levels"), self.qi_lead, data={**data, "name": "AWARE"}
        )
        self.assertIn(
            "already has a level called", self.assert_error(again, 422)["error"]
        )

    def test_a_change_to_an_old_version_is_refused(self) -> None:
        level = make_level(self.org, name="Aware")
        url = _url("level", level_id=level.pk)
        response = self.call("patch", url, self.editor, data={"description": "New."})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["name"], "Aware", "the rest is kept")
        stale = self.call(
            "patch", url, self.editor, data={"version": 1, "name": "Aware of QI"}
        )
        self.assert_error(stale, 409)
        header = self.call(
            "patch", url, self.editor, data={"name": "Aware of QI"}, HTTP_IF_MATCH='"1"'
        )
        self.assert_error(header, 412)
        level.refresh_from_db()
        self.assertEqual(level.name, "Aware")

    def test_a_level_in_use_is_not_deleted_and_the_answer_says_why(self) -> None:
        level = make_level(self.org, name="Practitioner")
        make_programme(self.org, level=level)
        make_target(self.org, level=level)
        body = self.assert_error(
            self.call("delete", _url("level", level_id=level.pk), self.editor), 409
        )
        self.assertEqual(
            body["error"],
            "Practitioner cannot be deleted: 1 programme and 1 target use it. Move "
            "them to another level first, or keep this level.",
        )
        spare = make_level(self.org)
        response = self.call("delete", _url("level", level_id=spare.pk), self.editor)
        self.assertEqual(response.status_code, 204)
        self.assertFalse(CapabilityLevel.objects.filter(pk=spare.pk).exists())

    def test_moving_and_the_built_in_framework(self) -> None:
        first = make_level(self.org, name="One", position=1)
        second = make_level(self.org, name="Two", position=2)
        url = _url("level-move", level_id=second.pk)
        body = self.call("post", url, self.qi_lead, data={"direction": "up"}).json()
        self.assertEqual(body["position"], 1)
        first.refresh_from_db()
        self.assertEqual(first.position, 2)
        self.assert_error(
            self.call("post", url, self.qi_lead, data={"direction": "sideways"}), 422
        )
        self.assert_error(self.call("post", _url("builtin"), self.qi_lead), 409)
        CapabilityLevel.objects.filter(organisation=self.org).delete()
        response = self.call("post", _url("builtin"), self.qi_lead)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(len(response.json()), 6)

    def test_another_organisations_level_is_not_found_and_says_where_to_look(
        self,
    ) -> None:
        theirs = make_level(self.other_org)
        body = self.assert_error(
            self.call("get", _url("level", level_id=theirs.pk), self.editor), 404
        )
        self.assertIn(
            "/api/v1/organisations/northfield/capability/levels", body["error"]
        )


class ProgrammeAndCohortApiTests(ApiTestCase):
    def test_a_programme_is_checked_by_the_pages_form(self) -> None:
        level = make_level(self.org)
        theirs = make_level(self.other_org)
        data = {"name": "Foundations", "level_id": theirs.pk, "duration_hours": 1.25}
        body = self.assert_error(
            self.call("post", _url("programmes"), self.editor, data=data), 422
        )
        self.assertEqual(_fields(body), {"level_id", "duration_hours"})
        response = self.call(
            "post",
            _url("programmes"),
            self.editor,
            data={**data, "level_id": level.pk, "duration_hours": 1.5},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["duration_hours"], 1.5)
        programme = Programme.objects.get()
        self.assertEqual(programme.duration_hours, Decimal("1.5"))
        patched = self.call(
            "patch",
            _url("programme", programme_id=programme.pk),
            self.editor,
            data={"duration_hours": None, "format": "virtual"},
        ).json()
        self.assertEqual(
            (patched["duration_hours"], patched["format"]), (None, "virtual")
        )
        self.assertEqual(patched["name"], "Foundations")
        listed = self.call("get", _url("programmes"), self.viewer).json()
        self.assertEqual([p["id"] for p in listed["items"]], [programme.pk])

    def test_a_cohort_takes_the_programmes_requirement_and_checks_its_dates(
        self,
    ) -> None:
        programme = make_programme(self.org, project_requirement="lead")
        url = _url("cohorts", programme_id=programme.pk)
        body = self.assert_error(
            self.call(
                "post",
                url,
                self.qi_lead,
                data={
                    "name": "Spring",
                    "starts_on": "2025-03-03",
                    "ends_on": "2025-01-01",
                },
            ),
            422,
        )
        self.assertEqual(_fields(body), {"ends_on"})
        response = self.call(
            "post",
            url,
            self.qi_lead,
            data={"name": "Spring", "starts_on": "2025-03-03"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        cohort = response.json()
        self.assertEqual(
            (cohort["project_requirement"], cohort["enrolled"]), ("lead", 0)
        )
        enrolment = make_enrolment(
            Cohort.objects.get(pk=cohort["id"]), make_staff(self.org)
        )
        got = self.call("get", _url("cohort", cohort_id=cohort["id"]), self.viewer)
        self.assertEqual(got.json()["enrolled"], 1)
        self.assertEqual(got["ETag"], '"1"')
        patched = self.call(
            "patch",
            _url("cohort", cohort_id=cohort["id"]),
            self.qi_lead,
            data={"ends_on": "2025-06-30"},
        )
        self.assertEqual(patched.json()["ends_on"], "2025-06-30")
        listed = self.call("get", url, self.member).json()
        self.assertEqual([c["id"] for c in listed["items"]], [cohort["id"]])
        self.assertEqual(enrolment.cohort_id, cohort["id"])


class EnrolmentApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cohort = make_cohort(
            make_programme(self.org), starts_on=datetime.date(2025, 1, 6)
        )

    def test_enrol_by_employee_number_or_email(self) -> None:
        url = _url("enrolments", cohort_id=self.cohort.pk)
        by_number = make_staff(self.org, reference="10234567", unit=self.team)
        make_staff(self.org, reference="10234568", email="sam.jones@example.nhs.uk")
        make_staff(self.org, reference="10234569", is_active=False)
        response = self.call("post", url, self.qi_lead, data={"person": "10234567"})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(
            (response.json()["staff_record_id"], response.json()["unit_id"]),
            (by_number.pk, self.team.pk),
        )
        response = self.call(
            "post", url, self.qi_lead, data={"person": "Sam.Jones@example.nhs.uk"}
        )
        self.assertEqual(response.json()["employee_number"], "10234568")
        for person, words in [
            ("10234567", "already enrolled"),
            ("99999999", "No staff record has the employee number"),
            ("nobody@example.nhs.uk", "No staff record has the e-mail address"),
            ("10234569", "no longer an active member of staff"),
        ]:
            with self.subTest(person=person):
                body = self.assert_error(
                    self.call("post", url, self.qi_lead, data={"person": person}), 422
                )
                self.assertEqual(_fields(body), {"person"})
                self.assertIn(words, body["error"])
        listed = self.call("get", url, self.viewer, data={"status": "enrolled"}).json()
        self.assertEqual(listed["total"], 2)

    def test_completing_records_a_completion_and_withdrawing_takes_it_back(
        self,
    ) -> None:
        person = make_staff(self.org, unit=self.team, staff_group="nursing")
        enrolment = make_enrolment(self.cohort, person)
        url = _url("enrolment", enrolment_id=enrolment.pk)
        body = self.assert_error(
            self.call("patch", url, self.editor, data={"status": "completed"}), 422
        )
        self.assertIn("Enter the date the person completed it", body["error"])
        before_start = {"status": "completed", "completed_on": "2024-12-01"}
        self.assert_error(self.call("patch", url, self.editor, data=before_start), 422)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        future = {"status": "completed", "completed_on": tomorrow.isoformat()}
        self.assert_error(self.call("patch", url, self.editor, data=future), 422)
        done = {"status": "completed", "completed_on": "2025-02-03"}
        response = self.call("patch", url, self.editor, data=done)
        self.assertEqual(response.status_code, 200, response.content)
        completion = Completion.objects.get()
        self.assertEqual(
            (completion.unit, completion.staff_group, completion.enrolment_id),
            (self.team, "nursing", enrolment.pk),
        )
        response = self.call("patch", url, self.editor, data={"status": "withdrawn"})
        self.assertEqual(response.json()["completed_on"], None)
        self.assertFalse(Completion.objects.exists())
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.status, Enrolment.Status.WITHDRAWN)


class CompletionApiTests(ApiTestCase):
    def test_filters_by_level_unit_subtree_and_dates(self) -> None:
        aware = make_level(self.org, name="Aware")
        practitioner = make_level(self.org, name="Practitioner")
        in_team = make_staff(self.org, unit=self.team)
        elsewhere = make_staff(self.org)
        rows = [
            (aware, in_team, datetime.date(2024, 5, 1), self.team),
            (aware, elsewhere, datetime.date(2025, 5, 1), None),
            (practitioner, in_team, datetime.date(2025, 6, 1), self.team),
        ]
        made = [
            Completion.objects.create(
                level=level, staff_record=who, completed_on=day, unit=unit
            )
            for level, who, day, unit in rows
        ]
        Completion.objects.create(
            level=make_level(self.other_org), completed_on=datetime.date(2025, 1, 1)
        )
        url = _url("completions")

        def ids(**query: Any) -> list[int]:
            body = self.call("get", url, self.viewer, data=query).json()
            return [c["id"] for c in body["items"]]

        self.assertEqual(ids(), [made[2].pk, made[1].pk, made[0].pk])
        self.assertEqual(ids(level_id=aware.pk), [made[1].pk, made[0].pk])
        self.assertEqual(ids(unit_id=self.division.pk), [made[2].pk, made[0].pk])
        self.assertEqual(
            ids(completed_from="2025-01-01", completed_to="2025-05-31"), [made[1].pk]
        )
        self.assertEqual(ids(limit=1, offset=1), [made[1].pk])
        self.assert_error(
            self.call(
                "get",
                url,
                self.viewer,
                data={"completed_from": "2025-02-01", "completed_to": "2025-01-01"},
            ),
            422,
        )
        theirs = make_level(self.other_org)
        body = self.assert_error(
            self.call("get", url, self.viewer, data={"level_id": theirs.pk}), 422
        )
        self.assertEqual(_fields(body), {"level_id"})

    def test_only_those_who_read_training_records_see_who(self) -> None:
        person = make_staff(self.org, reference="10234567")
        Completion.objects.create(
            level=make_level(self.org),
            staff_record=person,
            completed_on=datetime.date(2025, 1, 1),
        )
        seen = self.call("get", _url("completions"), self.member).json()["items"][0]
        self.assertEqual(
            (seen["staff_record_id"], seen["employee_number"]), (None, None)
        )
        seen = self.call("get", _url("completions"), self.qi_lead).json()["items"][0]
        self.assertEqual(
            (seen["staff_record_id"], seen["employee_number"]), (person.pk, "10234567")
        )

    def test_a_completion_entered_by_hand(self) -> None:
        level = make_level(self.org, name="Aware")
        other = make_level(self.org, name="Coach")
        programme = make_programme(self.org, level=other, name="Coaching")
        make_staff(
            self.org,
            reference="10234567",
            email="sam.jones@example.nhs.uk",
            unit=self.team,
            staff_group="ahp",
        )
        data = {
            "level_id": level.pk,
            "person": "sam.jones@example.nhs.uk",
            "completed_on": "2025-03-01",
        }
        wrong = self.call(
            "post",
            _url("completions"),
            self.qi_lead,
            data={**data, "programme_id": programme.pk},
        )
        body = self.assert_error(wrong, 422)
        self.assertIn("Coaching confers Coach, not Aware", body["error"])
        self.assertEqual(_fields(body), {"programme_id"})
        response = self.call("post", _url("completions"), self.qi_lead, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["unit_id"], body["staff_group"], body["employee_number"]),
            (self.team.pk, "ahp", "10234567"),
        )
        again = self.call("post", _url("completions"), self.qi_lead, data=data)
        self.assertIn(
            "already has a completion", self.assert_error(again, 422)["error"]
        )
        for odd, field in [
            ({"person": "99999999"}, "person"),
            ({"completed_on": "1985-01-01"}, "completed_on"),
        ]:
            with self.subTest(odd=odd):
                body = self.assert_error(
                    self.call(
                        "post", _url("completions"), self.qi_lead, data={**data, **odd}
                    ),
                    422,
                )
                self.assertEqual(_fields(body), {field})
        self.assertEqual(Completion.objects.count(), 1)

    def test_a_list_costs_the_same_queries_for_one_row_or_many(self) -> None:
        level = make_level(self.org)

        def queries() -> int:
            self.call("get", _url("completions"), self.qi_lead)  # warm the token
            with CaptureQueriesContext(connection) as captured:
                response = self.call("get", _url("completions"), self.qi_lead)
            self.assertEqual(response.status_code, 200)
            return len(captured.captured_queries)

        Completion.objects.create(
            level=level,
            staff_record=make_staff(self.org),
            completed_on=datetime.date(2025, 1, 1),
        )
        one = queries()
        for _ in range(10):
            Completion.objects.create(
                level=make_level(self.org),
                staff_record=make_staff(self.org),
                completed_on=datetime.date(2025, 1, 1),
            )
        self.assertEqual(queries(), one)


class TargetApiTests(ApiTestCase):
    def test_targets_are_checked_by_the_pages_form(self) -> None:
        level = make_level(self.org, name="Aware")
        data = {
            "level_id": level.pk,
            "kind": "share",
            "value": 80,
            "unit_id": self.directorate.pk,
            "staff_group": "nursing",
            "starts_on": "2025-04-01",
            "due_on": "2027-03-31",
        }
        for odd, field in [
            ({"value": 120}, "value"),
            ({"kind": "ratio", "value": 20.5}, "value"),
            ({"due_on": "2025-01-01"}, "due_on"),
            ({"unit_id": 0}, "unit_id"),
        ]:
            with self.subTest(odd=odd):
                body = self.assert_error(
                    self.call(
                        "post", _url("targets"), self.editor, data={**data, **odd}
                    ),
                    422,
                )
                self.assertEqual(_fields(body), {field})
        response = self.call("post", _url("targets"), self.editor, data=data)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["describe"], "80% of staff")
        url = _url("target", target_id=body["id"])
        patched = self.call(
            "patch", url, self.editor, data={"kind": "ratio", "value": 20}
        ).json()
        self.assertEqual(
            (patched["describe"], patched["staff_group"], patched["unit_id"]),
            ("one per 20 staff", "nursing", self.directorate.pk),
        )
        self.assert_error(self.call("delete", url, self.member), 403)
        self.assertEqual(self.call("delete", url, self.qi_lead).status_code, 204)
        self.assertFalse(Target.objects.exists())


class TrainingRecordApiTests(ApiTestCase):
    def test_read_by_the_qi_team_and_erased_by_an_administrator(self) -> None:
        person = make_staff(
            self.org, reference="10234567", email="sam.jones@example.nhs.uk"
        )
        cohort = make_cohort(make_programme(self.org))
        enrolment = make_enrolment(cohort, person)
        from openqi.capability import services

        services.set_enrolment_status(
            enrolment, Enrolment.Status.COMPLETED, datetime.date(2025, 2, 3)
        )
        url = _url("training-record", staff_id=person.pk)
        self.assert_error(self.call("get", url, self.member), 403)
        body = self.call("get", url, self.qi_lead).json()
        self.assertEqual(body["staff_record"]["email"], "sam.jones@example.nhs.uk")
        self.assertEqual(len(body["enrolments"]), 1)
        self.assertEqual(len(body["completions"]), 1)
        erase = _url("training-record-erase", staff_id=person.pk)
        self.assert_error(
            self.call("post", erase, self.qi_lead, data={"confirm": True}), 403
        )
        body = self.assert_error(
            self.call("post", erase, self.editor, data={"confirm": False}), 422
        )
        self.assertEqual(_fields(body), {"confirm"})
        response = self.call("post", erase, self.editor, data={"confirm": True})
        self.assertEqual(
            response.json(), {"enrolments_deleted": 1, "completions_kept": 1}
        )
        completion = Completion.objects.get()
        self.assertIsNone(completion.staff_record)
        body = self.call("get", url, self.qi_lead).json()
        self.assertEqual(
            (body["staff_record"]["email"], body["enrolments"], body["completions"]),
            ("", [], []),
        )


ODD_VALUES: list[Any] = [
    None,
    "",
    " ",
    "x" * 5000,
    -1,
    0,
    2**62,
    1e308,
    -1e308,
    0.05,
    True,
    [],
    {},
    ["a"],
    "nul\x00byte",
    "１２",
    "2025-02-30",
    "9999-12-31",
    "0001-01-01",
]


class OddApiInputTests(ApiTestCase):
    """No value in any field of any write gives a 500."""

    def test_no_write_answers_with_a_server_error(self) -> None:
        level = make_level(self.org)
        programme = make_programme(self.org, level=level)
        cohort = make_cohort(programme)
        enrolment = make_enrolment(cohort, make_staff(self.org))
        target = make_target(self.org, level=level)
        person = make_staff(self.org, email="sam.jones@example.nhs.uk")
        writes: list[tuple[str, str, list[str]]] = [
            (
                "post",
                _url("levels"),
                "name who_for description skills audience".split(),
            ),
            (
                "patch",
                _url("level", level_id=level.pk),
                "version name who_for description skills audience".split(),
            ),
            ("post", _url("level-move", level_id=level.pk), ["direction"]),
            (
                "post",
                _url("programmes"),
                "name level_id provider duration_hours format project_requirement".split(),
            ),
            (
                "patch",
                _url("programme", programme_id=programme.pk),
                "version name level_id provider duration_hours format".split(),
            ),
            (
                "post",
                _url("cohorts", programme_id=programme.pk),
                "name starts_on ends_on project_requirement".split(),
            ),
            (
                "patch",
                _url("cohort", cohort_id=cohort.pk),
                "version name starts_on ends_on project_requirement".split(),
            ),
            ("post", _url("enrolments", cohort_id=cohort.pk), ["person"]),
            (
                "patch",
                _url("enrolment", enrolment_id=enrolment.pk),
                "version status completed_on".split(),
            ),
            (
                "post",
                _url("completions"),
                "level_id person completed_on programme_id".split(),
            ),
            (
                "post",
                _url("targets"),
                "level_id kind value unit_id staff_group starts_on due_on".split(),
            ),
            (
                "patch",
                _url("target", target_id=target.pk),
                "version level_id kind value unit_id staff_group starts_on due_on".split(),
            ),
            ("post", _url("training-record-erase", staff_id=person.pk), ["confirm"]),
        ]
        for method, url, fields in writes:
            for odd in ODD_VALUES:
                with self.subTest(url=url, value=repr(odd)[:20]):
                    response = self.call(
                        method, url, self.editor, data=dict.fromkeys(fields, odd)
                    )
                    self.assertLess(response.status_code, 500, response.content[:300])
                    if response.status_code >= 400:
                        self.assert_error(response, response.status_code)
            for field in fields:
                for odd in ODD_VALUES:
                    with self.subTest(url=url, field=field, value=repr(odd)[:20]):
                        response = self.call(
                            method, url, self.editor, data={field: odd}
                        )
                        self.assertLess(response.status_code, 500)
        for query in [
            {"level_id": "x"},
            {"unit_id": 2**62},
            {"completed_from": "2025-13-01"},
            {"completed_to": "9999-12-31"},
            {"staff_group": "pilots"},
            {"limit": 0},
        ]:
            with self.subTest(query=query):
                self.assert_error(
                    self.call("get", _url("completions"), self.viewer, data=query), 422
                )


class CoverageAndDoingApiTests(ApiTestCase):
    def test_coverage_gives_the_heatmap_targets_and_trend(self) -> None:
        level = make_level(self.org, name="Aware")
        target = make_target(
            self.org,
            level=level,
            value=Decimal("50"),
            starts_on=datetime.date(2024, 1, 1),
            due_on=datetime.date(2099, 1, 1),
        )
        people = [make_staff(self.org, unit=self.team) for _ in range(4)]
        Completion.objects.create(
            level=level,
            staff_record=people[0],
            unit=self.team,
            completed_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        response = self.call("get", _url("coverage"), self.viewer)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual([lv["id"] for lv in body["levels"]], [level.pk])
        organisation = body["rows"][0]
        self.assertIsNone(organisation["unit_id"])
        self.assertEqual(
            (organisation["cells"][0]["people"], organisation["cells"][0]["staff"]),
            (1, 4),
        )
        self.assertEqual(organisation["cells"][0]["target_id"], target.pk)
        listed = body["targets"][0]
        self.assertEqual((listed["need"], listed["gap"]), (2, 1))
        self.assertIn(listed["forecast"]["status"], {"on_track", "late"})
        self.assertEqual(len(body["trend"][0]["people"]), len(body["months"]))
        nursing = self.call(
            "get", _url("coverage"), self.viewer, data={"staff_group": "nursing"}
        ).json()
        self.assertEqual(nursing["rows"][0]["cells"][0]["staff"], 0)
        self.assert_error(
            self.call(
                "get", _url("coverage"), self.viewer, data={"staff_group": "pilots"}
            ),
            422,
        )

    def test_doing_answers_for_every_member(self) -> None:
        level = make_level(self.org, name="Aware")
        Completion.objects.create(
            level=level,
            staff_record=make_staff(self.org, reference="10234567"),
            completed_on=datetime.date(2025, 1, 1),
        )
        response = self.call("get", _url("doing"), self.viewer)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["trained"], 1)
        self.assertEqual(
            [p["employee_number"] for p in body["never_active"]], ["10234567"]
        )
