"""Scoring responses: items on 0–100, reverse items, the least share answered, bands, summaries.

Expected values are worked by hand from the rules in openqi/assessments/scoring.py;
standard deviations are checked against NumPy's ``std(ddof=1)``.
"""

from __future__ import annotations

import numpy as np
import pytest

from openqi.assessments.definition import parse_definition
from openqi.assessments.scoring import (
    band_for,
    item_score,
    section_scores,
    subscale_scores,
    summarise,
)
from tests.assessments.test_assessment_definition import valid


@pytest.fixture
def definition():
    return parse_definition(valid())


@pytest.mark.parametrize(
    ("item", "answer", "score"),
    [
        ("a1", 1, 0.0),
        ("a1", 2, 25.0),
        ("a1", 3, 50.0),
        ("a1", "5", 100.0),
        ("a2", 1, 100.0),  # reverse-scored: 100 − 0
        ("a2", 4, 25.0),  # reverse-scored: 100 − 75
        ("b1", "yes", 100.0),
        ("b1", "partly", 50.0),
        ("b1", "no", 0.0),
        ("c1", 1, 0.0),  # levels 1, 2, 3 score 0, 50, 100
        ("c1", 2, 50.0),
        ("c1", 3, 100.0),
        ("a1", None, None),
        ("b1", "", None),
    ],
)
def test_every_scale_scores_on_zero_to_one_hundred(definition, item, answer, score):
    assert item_score(definition, item, answer) == score


def test_levels_score_by_value_not_by_position():
    data = valid()
    data["scales"]["stages"]["levels"][2]["value"] = 5  # values 1, 2, 5
    assert item_score(data, "c1", 2) == 25.0
    assert item_score(data, "c1", 5) == 100.0


def test_likert_of_any_length_spans_the_range():
    data = valid()
    data["scales"]["likert5"] = {"type": "likert", "points": 7}
    assert [item_score(data, "a1", k) for k in (1, 4, 7)] == [0.0, 50.0, 100.0]


def test_section_score_is_the_mean_of_answered_items_with_reversal(definition):
    answers = {"a1": 4, "a2": 2, "b1": "partly", "c1": 3, "c2": 5}
    assert section_scores(definition, answers) == {
        "lead": 75.0,
        "time": 50.0,
        "team": 100.0,
    }


def test_the_stored_json_is_accepted_as_the_definition():
    assert section_scores(valid(), {"a1": 5, "a2": 1}) == {
        "lead": 100.0,
        "time": None,
        "team": None,
    }


def test_a_section_needs_the_least_share_of_items_answered(definition):
    # Half of "lead" answered meets min_answered 0.5; none of "time" does not.
    assert section_scores(definition, {"a1": 4})["lead"] == 75.0
    assert section_scores(definition, {"a1": 4})["time"] is None
    stricter = valid()
    stricter["scoring"]["min_answered"] = 0.6
    assert section_scores(stricter, {"a1": 4})["lead"] is None
    assert section_scores(stricter, {"a1": 4, "a2": 5})["lead"] == 37.5


def test_seven_of_ten_meets_a_share_of_seven_tenths():
    data = valid()
    data["sections"] = [
        {
            "key": "ten",
            "title": "Ten",
            "tag": {"factor": "Ten"},
            "items": [
                {"key": f"i{n}", "text": "An item.", "scale": "likert5"}
                for n in range(10)
            ],
        }
    ]
    data["subscales"] = []
    data["scoring"]["min_answered"] = 0.7
    assert section_scores(data, {f"i{n}": 5 for n in range(7)})["ten"] == 100.0
    assert section_scores(data, {f"i{n}": 5 for n in range(6)})["ten"] is None


def test_only_the_items_put_to_the_respondent_group_count(definition):
    # c1 is asked of the board only: for staff, "team" is c2 alone.
    assert section_scores(definition, {"c2": 5}, "staff")["team"] == 100.0
    assert section_scores(definition, {"c2": 5}, "board")["team"] == 100.0
    assert section_scores(definition, {"c1": 2}, "board")["team"] == 50.0
    assert section_scores(definition, {"c1": 2}, "staff")["team"] is None
    # Without a group every item counts, and one of two answered is enough.
    assert section_scores(definition, {"c1": 1, "c2": 5})["team"] == 50.0


def test_a_section_put_to_nobody_in_the_group_is_missing():
    data = valid()
    data["sections"][2]["items"][1]["asked_of"] = ["board"]
    assert section_scores(data, {}, "patients")["team"] is None


def test_subscales_score_across_sections(definition):
    answers = {"a1": 4, "a2": 2, "c2": 5}
    assert subscale_scores(definition, answers) == {
        "all-likert": pytest.approx(250 / 3)
    }
    assert subscale_scores(definition, {"a1": 4}) == {"all-likert": None}


def test_an_answer_off_the_scale_is_refused_naming_the_item(definition):
    with pytest.raises(
        ValueError, match=r"answer to item 'a1': 9 is not an answer on scale 'likert5'"
    ):
        section_scores(definition, {"a1": 9})
    with pytest.raises(ValueError, match=r"answer to item 'b1': 'sometimes'"):
        summarise(definition, [{"b1": "sometimes"}])


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0, "Low"),
        (49.49, "Low"),
        # A band is chosen on the score as shown: 49.5 and 49.99 are shown as 50.
        (49.5, "High"),
        (49.99, "High"),
        (50, "High"),
        (99.9, "High"),
        (100, "High"),
        (None, None),
    ],
)
def test_band_holds_its_min_and_the_top_band_its_max(definition, score, label):
    band = band_for(definition, score)
    assert (band.label if band else None) == label


def test_without_bands_no_band_is_given():
    data = valid()
    data["bands"] = []
    assert band_for(data, 50) is None


def _responses():
    return [
        ({"a1": 5, "a2": 1, "b1": "yes", "c2": 5}, "staff"),
        ({"a1": 1, "a2": 5, "b1": "no"}, "staff"),
        ({"a1": 3, "c1": 2, "c2": "3"}, "board"),
    ]


def test_summary_gives_each_section_mean_spread_and_bands(definition):
    summary = summarise(definition, _responses())
    assert summary.n == 3
    lead, time, team = (summary.sections[k] for k in ("lead", "time", "team"))
    # lead: 100, 0, 50 (the third answered one of two items, which is enough)
    assert (lead.n, lead.missing, lead.mean) == (3, 0, 50.0)
    assert lead.sd == pytest.approx(np.std([100, 0, 50], ddof=1))
    assert lead.band.label == "High"
    assert lead.band_counts == (("Low", 1), ("High", 2))
    assert (lead.tag_kind, lead.tag, lead.title) == ("enabler", "leadership", "Leading")
    # time: 100, 0; the third left b1 blank
    assert (time.n, time.missing, time.mean) == (2, 1, 50.0)
    assert time.sd == pytest.approx(np.std([100, 0], ddof=1))
    # team: staff are asked c2 only (100, blank); the board c1 and c2 (50)
    assert (team.n, team.missing, team.mean) == (2, 1, 75.0)
    assert team.band.label == "High"


def test_summary_counts_every_answer_per_item(definition):
    items = summarise(definition, _responses()).items
    a1 = items["a1"]
    assert [(c.value, c.label, c.count) for c in a1.counts] == [
        (1, "One", 1),
        (2, "Two", 0),
        (3, "Three", 1),
        (4, "Four", 0),
        (5, "Five", 1),
    ]
    assert (a1.n, a1.skipped, a1.mean, a1.section_key) == (3, 0, 50.0, "lead")
    assert (items["a2"].n, items["a2"].skipped, items["a2"].mean) == (2, 1, 50.0)
    assert items["a2"].reverse is True
    assert [(c.value, c.count) for c in items["b1"].counts] == [
        ("yes", 1),
        ("partly", 0),
        ("no", 1),
    ]
    # c1 is put to the board only, so the staff responses are not "skipped"
    assert (items["c1"].n, items["c1"].skipped, items["c1"].mean) == (1, 0, 50.0)
    assert (items["c2"].n, items["c2"].skipped) == (2, 1)


def test_summary_of_subscales(definition):
    subscale = summarise(definition, _responses()).subscales["all-likert"]
    # 100, 0, and (50 + 50) / 2 from a1 and c2 of the third
    assert (subscale.n, subscale.missing, subscale.mean) == (3, 0, 50.0)
    assert (subscale.tag_kind, subscale.tag) == ("", "")


def test_summary_accepts_answers_without_a_group(definition):
    summary = summarise(definition, [{"a1": 5, "a2": 1}, {"a1": 1, "a2": 5}])
    assert summary.sections["lead"].mean == 50.0
    assert summary.sections["time"].missing == 2


def test_summary_of_no_responses(definition):
    summary = summarise(definition, [])
    assert summary.n == 0
    assert summary.sections["lead"].mean is None
    assert summary.sections["lead"].sd is None
    assert summary.sections["lead"].band is None
    assert summary.items["a1"].mean is None


def test_one_score_has_no_spread(definition):
    assert summarise(definition, [{"a1": 5, "a2": 1}]).sections["lead"].sd is None
