"""/organisations/{slug}/instruments, …/rounds (with links and results) and …/actions."""

from __future__ import annotations

import datetime

from django.urls import reverse

from openqi.assessments.models import (
    ActionItem,
    AssessmentRound,
    Instrument,
    ResponseLink,
)
from openqi.core.tokens import token_hash
from openqi.organisations.models import Role
from tests.api.base import SESSION, ApiTestCase
from tests.api.routes_assessments_journey_barriers import (
    add_responses,
    definition,
    make_action,
    make_instrument,
    make_round,
)
from tests.factories import make_member

ASSESSMENT_JOURNEY_PATHS = {
    "/api/v1/organisations/{slug}/instruments",
    "/api/v1/organisations/{slug}/instruments/{instrument_id}",
    "/api/v1/organisations/{slug}/instruments/{instrument_id}/export",
    "/api/v1/organisations/{slug}/rounds",
    "/api/v1/organisations/{slug}/rounds/{round_id}",
    "/api/v1/organisations/{slug}/rounds/{round_id}/open",
    "/api/v1/organisations/{slug}/rounds/{round_id}/close",
    "/api/v1/organisations/{slug}/rounds/{round_id}/links",
    "/api/v1/organisations/{slug}/rounds/{round_id}/results",
    "/api/v1/organisations/{slug}/actions",
    "/api/v1/organisations/{slug}/actions/{action_id}",
    "/api/v1/organisations/{slug}/journey",
    "/api/v1/organisations/{slug}/journey/steps/{number}",
    "/api/v1/organisations/{slug}/journey/steps/{number}/milestones",
    "/api/v1/organisations/{slug}/journey/steps/{number}/milestones/{milestone_id}",
    "/api/v1/organisations/{slug}/journey/steps/{number}/evidence",
    "/api/v1/organisations/{slug}/journey/steps/{number}/evidence/{evidence_id}",
    "/api/v1/organisations/{slug}/barriers",
    "/api/v1/organisations/{slug}/barriers/{barrier_id}",
}

#: Six answers that score high on speaking up and low on time to improve.
STRONG_SAFETY_WEAK_TIME = {"s1": 5, "s2": 1, "t1": 1, "t2": 2}


def _url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": "northfield", **kwargs})


class InstrumentTests(ApiTestCase):
    def test_viewer_lists_the_built_ins_and_the_organisations_own(self) -> None:
        own = make_instrument(self.org, name="Ward team pulse (ours)")
        theirs = make_instrument(self.other_org, name="Not ours")
        body = self.call("get", _url("api:instruments"), self.viewer).json()
        ids = {item["id"] for item in body["items"]}
        self.assertIn(own.pk, ids)
        self.assertNotIn(theirs.pk, ids)
        builtins = [i for i in body["items"] if i["is_builtin"]]
        self.assertGreaterEqual(len(builtins), 3, "the three built-in instruments")

    def test_get_gives_the_definition_and_export_a_file_to_load_elsewhere(
        self,
    ) -> None:
        instrument = make_instrument(self.org, key="ward-pulse")
        body = self.call(
            "get", _url("api:instrument", instrument_id=instrument.pk), self.viewer
        ).json()
        self.assertEqual(body["definition"]["sections"][0]["key"], "safety")
        response = self.call(
            "get",
            _url("api:instrument-export", instrument_id=instrument.pk),
            self.viewer,
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("ward-pulse-1.json", response["Content-Disposition"])
        self.assertEqual(response.json(), instrument.definition)

    def test_editor_imports_a_definition(self) -> None:
        response = self.call(
            "post",
            _url("api:instruments"),
            self.editor,
            data=definition("oric-example"),
        )
        self.assertEqual(response.status_code, 201, response.content)
        instrument = Instrument.objects.get(key="oric-example")
        self.assertEqual(instrument.organisation, self.org)
        self.assertEqual(response.json()["id"], instrument.pk)
        self.assertFalse(response.json()["is_builtin"])

    def test_an_invalid_definition_is_a_422_with_the_validators_messages(
        self,
    ) -> None:
        broken = definition("broken")
        broken["scales"]["agree5"]["points"] = 1
        broken["sections"][0]["items"][0]["scale"] = "agree7"
        body = self.assert_error(
            self.call("post", _url("api:instruments"), self.editor, data=broken), 422
        )
        messages = [d["message"] for d in body["details"]]
        self.assertTrue(all(d["field"] == "definition" for d in body["details"]))
        self.assertTrue(any("points" in m for m in messages), messages)
        self.assertTrue(any("agree7" in m for m in messages), messages)
        self.assertFalse(Instrument.objects.filter(key="broken").exists())

    def test_a_key_and_version_loaded_already_is_refused(self) -> None:
        make_instrument(self.org, key="ward-pulse")
        self.assert_error(
            self.call(
                "post",
                _url("api:instruments"),
                self.editor,
                data=definition("ward-pulse"),
            ),
            422,
        )

    def test_a_member_may_not_import_and_outsider_gets_404(self) -> None:
        member = make_member(self.org, Role.MEMBER)
        self.assert_error(
            self.call("post", _url("api:instruments"), member, data=definition("x")),
            403,
        )
        instrument = make_instrument(self.org)
        self.assert_error(
            self.call(
                "get",
                _url("api:instrument", instrument_id=instrument.pk),
                self.outsider,
            ),
            404,
        )


class RoundTests(ApiTestCase):
    def test_editor_creates_a_draft_round_for_chosen_units_then_opens_and_closes_it(
        self,
    ) -> None:
        instrument = make_instrument(self.org)
        response = self.call(
            "post",
            _url("api:rounds"),
            self.editor,
            data={
                "instrument_id": instrument.pk,
                "title": "Spring pulse",
                "unit_ids": [self.team.pk],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["unit_ids"]), ("draft", [self.team.pk]))
        round_id = body["id"]
        opened = self.call(
            "post", _url("api:round-open", round_id=round_id), self.editor
        )
        self.assertEqual(opened.json()["status"], "open")
        self.assertIsNotNone(opened.json()["opened_on"])
        closed = self.call(
            "post", _url("api:round-close", round_id=round_id), self.editor, via=SESSION
        )
        self.assertEqual(closed.json()["status"], "closed")
        self.assert_error(
            self.call("post", _url("api:round-open", round_id=round_id), self.editor),
            409,
        )

    def test_a_draft_cannot_close_and_a_unit_of_another_organisation_is_refused(
        self,
    ) -> None:
        draft = make_round(self.org)
        self.assert_error(
            self.call("post", _url("api:round-close", round_id=draft.pk), self.editor),
            409,
        )
        other_unit = self.other_org.units.create(name="Theirs", level="division")
        body = self.assert_error(
            self.call(
                "post",
                _url("api:rounds"),
                self.editor,
                data={
                    "instrument_id": draft.instrument_id,
                    "title": "Pulse",
                    "unit_ids": [other_unit.pk],
                },
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "unit_ids")

    def test_list_is_the_organisations_rounds_with_counts(self) -> None:
        mine = make_round(self.org, status=AssessmentRound.Status.OPEN)
        make_round(self.other_org)
        add_responses(mine, [STRONG_SAFETY_WEAK_TIME] * 2)
        body = self.call("get", _url("api:rounds"), self.viewer).json()
        self.assertEqual([r["id"] for r in body["items"]], [mine.pk])
        self.assertEqual(body["items"][0]["response_count"], 2)

    def test_links_return_the_raw_tokens_once_and_keep_only_hashes(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.OPEN)
        response = self.call(
            "post",
            _url("api:round-links", round_id=assessment_round.pk),
            self.editor,
            data={"count": 3, "unit_id": self.team.pk, "staff_group": "nursing"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(len(body["tokens"]), 3)
        self.assertEqual((body["used"], body["unused"]), (0, 3))
        links = ResponseLink.objects.filter(round=assessment_round)
        self.assertEqual(
            set(links.values_list("token_hash", flat=True)),
            {token_hash(t) for t in body["tokens"]},
        )
        self.assertEqual(set(links.values_list("unit", flat=True)), {self.team.pk})
        for token, url in zip(body["tokens"], body["urls"], strict=True):
            self.assertTrue(url.startswith("http"), url)
            self.assertIn(token, url)

    def test_a_closed_round_makes_no_links_and_the_viewer_none_at_all(self) -> None:
        closed = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        url = _url("api:round-links", round_id=closed.pk)
        self.assert_error(self.call("post", url, self.editor, data={"count": 1}), 409)
        self.assert_error(self.call("post", url, self.viewer, data={"count": 1}), 403)
        self.assert_error(self.call("post", url, self.editor, data={"count": 0}), 422)
        self.assertFalse(ResponseLink.objects.exists())


class ResultsTests(ApiTestCase):
    def test_results_show_scores_and_suppress_groups_under_five(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 6, unit=self.team)
        add_responses(
            assessment_round, [STRONG_SAFETY_WEAK_TIME] * 2, unit=self.directorate
        )
        body = self.call(
            "get",
            _url("api:round-results", round_id=assessment_round.pk),
            self.viewer,
        ).json()
        self.assertEqual(body["min_responses"], 5)
        self.assertEqual([s["key"] for s in body["sections"]], ["safety", "time"])
        overall = body["overall"]
        self.assertEqual(overall["n"], 8)
        self.assertFalse(overall["is_suppressed"])
        self.assertGreater(
            overall["sections"]["safety"]["score"], overall["sections"]["time"]["score"]
        )
        small = next(r for r in body["by_unit"] if r["key"] == str(self.directorate.pk))
        self.assertTrue(small["is_suppressed"])
        self.assertIsNone(small["sections"]["safety"]["score"])
        self.assertEqual(small["n"], 2)
        self.assertTrue(body["suggestions"], "the weak section becomes a suggestion")
        self.assertEqual(body["suggestions"][0]["section"], "time")

    def test_results_say_why_each_group_is_hidden(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 6, unit=self.team)
        add_responses(
            assessment_round, [STRONG_SAFETY_WEAK_TIME] * 2, unit=self.directorate
        )
        body = self.call(
            "get",
            _url("api:round-results", round_id=assessment_round.pk),
            self.viewer,
        ).json()
        self.assertIsNone(body["overall"]["suppressed_because"])
        self.assertIsNone(body["overall"]["sections"]["safety"]["suppressed_because"])
        units = {row["key"]: row for row in body["by_unit"]}
        small, complement = units[str(self.directorate.pk)], units[str(self.team.pk)]
        self.assertEqual(small["suppressed_because"], "few_responses")
        self.assertEqual(
            small["sections"]["safety"]["suppressed_because"], "few_responses"
        )
        # The team's six are hidden only so that the directorate's two cannot be
        # worked out from the total.
        self.assertTrue(complement["is_suppressed"])
        self.assertEqual(complement["suppressed_because"], "complementary")
        self.assertEqual(
            complement["sections"]["safety"]["suppressed_because"], "complementary"
        )
        self.assertIsNone(complement["sections"]["safety"]["score"])

    def test_a_score_and_its_band_are_as_the_page_shows_them(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        # Speaking up: (5 × 37.5 + 50) / 6 = 39.58…, shown as 40, so Developing
        # (40–70), not Weak (0–40).
        add_responses(
            assessment_round,
            [{"s1": 2, "s2": 3, "t1": 3, "t2": 3}] * 5
            + [{"s1": 3, "s2": 3, "t1": 3, "t2": 3}],
        )
        body = self.call(
            "get",
            _url("api:round-results", round_id=assessment_round.pk),
            self.viewer,
        ).json()
        safety = body["overall"]["sections"]["safety"]
        self.assertEqual(safety["score"], 40)
        self.assertEqual(safety["band"], "Developing")

    def test_no_change_is_given_against_a_round_over_other_units(self) -> None:
        instrument = make_instrument(self.org)
        earlier = make_round(
            self.org, instrument=instrument, status=AssessmentRound.Status.CLOSED
        )
        earlier.units.set([self.team])
        add_responses(earlier, [STRONG_SAFETY_WEAK_TIME] * 5, unit=self.team)
        later = make_round(
            self.org, instrument=instrument, status=AssessmentRound.Status.CLOSED
        )
        add_responses(later, [STRONG_SAFETY_WEAK_TIME] * 5, unit=self.team)
        body = self.call(
            "get", _url("api:round-results", round_id=later.pk), self.viewer
        ).json()
        self.assertIsNone(body["previous_round_id"])
        self.assertEqual(body["change"], {})

    def test_a_round_with_few_answers_shows_no_spread(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 3)
        body = self.call(
            "get",
            _url("api:round-results", round_id=assessment_round.pk),
            self.editor,
        ).json()
        self.assertTrue(body["overall"]["is_suppressed"])
        self.assertIsNone(body["overall"]["sections"]["safety"]["score"])
        for spread in body["spreads"]["safety"]:
            self.assertTrue(spread["is_suppressed"])
            self.assertEqual(spread["counts"], [])

    def test_an_open_round_publishes_no_results_and_says_when_it_will(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.OPEN)
        add_responses(assessment_round, [STRONG_SAFETY_WEAK_TIME] * 12)
        url = _url("api:round-results", round_id=assessment_round.pk)
        response = self.call("get", url, self.editor)
        self.assert_error(response, 409)
        self.assertIn("available when the round closes", response.json()["error"])
        self.assertNotIn("overall", response.json())
        # One more response changes nothing anyone can read while the round is open.
        add_responses(assessment_round, [{"s1": 1, "s2": 5, "t1": 5, "t2": 5}])
        self.assertEqual(self.call("get", url, self.editor).json(), response.json())

    def test_a_spread_hidden_to_protect_a_smaller_group_says_so(self) -> None:
        assessment_round = make_round(self.org, status=AssessmentRound.Status.CLOSED)
        # Three board members answer only s1; five staff answer everything. The
        # spread of s1 (8) less the staff's s1 (their speaking-up score, times two,
        # less their s2 spread) would give the board's s1 away.
        add_responses(
            assessment_round, [STRONG_SAFETY_WEAK_TIME] * 5, respondent_group="staff"
        )
        add_responses(assessment_round, [{"s1": 2}] * 3, respondent_group="board")
        body = self.call(
            "get",
            _url("api:round-results", round_id=assessment_round.pk),
            self.viewer,
        ).json()
        reasons = {
            spread["item"]: spread["suppressed_because"]
            for spread in body["spreads"]["safety"]
        }
        staff = next(r for r in body["by_respondent_group"] if r["key"] == "staff")
        board = next(r for r in body["by_respondent_group"] if r["key"] == "board")
        self.assertEqual(board["suppressed_because"], "few_responses")
        self.assertEqual(reasons, {"s1": "complementary", "s2": None})
        self.assertEqual(
            staff["sections"]["safety"]["suppressed_because"], "complementary"
        )
        self.assertIsNotNone(body["overall"]["sections"]["safety"]["score"])

    def test_another_organisations_round_is_not_found(self) -> None:
        theirs = make_round(self.other_org)
        self.assert_error(
            self.call(
                "get", _url("api:round-results", round_id=theirs.pk), self.editor
            ),
            404,
        )


class ActionTests(ApiTestCase):
    def test_a_viewer_cannot_own_an_action(self) -> None:
        body = self.assert_error(
            self.call(
                "post",
                _url("api:actions"),
                self.editor,
                data={"title": "Protect time", "owner_id": self.viewer.pk},
            ),
            422,
        )
        self.assertEqual(body["details"][0]["field"], "owner_id")
        self.assertIn("a viewer cannot own an action", body["details"][0]["message"])
        self.assertFalse(ActionItem.objects.exists())

    def test_editor_turns_a_gap_into_an_action_with_owner_and_due_date(self) -> None:
        assessment_round = make_round(self.org)
        response = self.call(
            "post",
            _url("api:actions"),
            self.editor,
            data={
                "title": "Protect time for improvement in rotas",
                "category": "infrastructure",
                "round_id": assessment_round.pk,
                "section_key": "time",
                "owner_id": self.editor.pk,
                "due_date": "2026-09-30",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        action = ActionItem.objects.get()
        self.assertEqual(action.organisation, self.org)
        self.assertEqual(action.round, assessment_round)
        self.assertEqual(action.owner, self.editor)
        self.assertEqual(action.due_date, datetime.date(2026, 9, 30))
        self.assertEqual(response.json()["status"], "open")

    def test_patch_changes_the_status_and_keeps_the_rest(self) -> None:
        action = make_action(self.org, category="culture", owner=self.editor)
        url = _url("api:action", action_id=action.pk)
        body = self.call("patch", url, self.editor, data={"status": "done"}).json()
        self.assertEqual(
            (body["status"], body["category"], body["owner_id"]),
            ("done", "culture", self.editor.pk),
        )

    def test_filters_bad_input_and_delete(self) -> None:
        make_action(self.org, status=ActionItem.Status.DONE)
        open_action = make_action(self.org)
        body = self.call(
            "get", _url("api:actions"), self.viewer, data={"status": "open"}
        ).json()
        self.assertEqual([a["id"] for a in body["items"]], [open_action.pk])
        outsider_owner = self.call(
            "post",
            _url("api:actions"),
            self.editor,
            data={"title": "Coach leads", "owner_id": self.outsider.pk},
        )
        self.assertEqual(
            self.assert_error(outsider_owner, 422)["details"][0]["field"], "owner_id"
        )
        url = _url("api:action", action_id=open_action.pk)
        self.assert_error(self.call("delete", url, self.viewer), 403)
        self.assertEqual(self.call("delete", url, self.editor).status_code, 204)
        self.assertFalse(ActionItem.objects.filter(pk=open_action.pk).exists())


class DocumentTests(ApiTestCase):
    def test_the_document_lists_every_new_path_with_its_errors(self) -> None:
        document = self.client.get("/api/v1/openapi.json").json()
        self.assertLessEqual(ASSESSMENT_JOURNEY_PATHS, set(document["paths"]))
        for path in ASSESSMENT_JOURNEY_PATHS:
            for method, operation in document["paths"][path].items():
                with self.subTest(f"{method} {path}"):
                    self.assertIn("404", operation["responses"])
