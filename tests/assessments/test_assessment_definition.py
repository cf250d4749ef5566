"""The instrument definition format: what parses, and every message for what does not."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from openqi.assessments.definition import (
    DefinitionError,
    parse_definition,
    validate_definition,
)


def valid() -> dict[str, Any]:
    return {
        "key": "test-instrument",
        "name": "Test instrument",
        "version": "1",
        "description": "For the tests.",
        "scales": {
            "likert5": {
                "type": "likert",
                "points": 5,
                "labels": ["One", "Two", "Three", "Four", "Five"],
            },
            "ynp": {"type": "yes_partly_no"},
            "stages": {
                "type": "levels",
                "levels": [
                    {"value": 1, "label": "Starting", "description": "Just begun."},
                    {"value": 2, "label": "Going", "description": "Under way."},
                    {"value": 3, "label": "Done", "description": "Complete."},
                ],
            },
        },
        "sections": [
            {
                "key": "lead",
                "title": "Leading",
                "tag": {"enabler": "leadership"},
                "items": [
                    {"key": "a1", "text": "First.", "scale": "likert5"},
                    {
                        "key": "a2",
                        "text": "Second.",
                        "scale": "likert5",
                        "reverse": True,
                    },
                ],
            },
            {
                "key": "time",
                "title": "Timing",
                "tag": {"barrier": "timing"},
                "items": [{"key": "b1", "text": "Third.", "scale": "ynp"}],
            },
            {
                "key": "team",
                "title": "Teamwork",
                "tag": {"factor": "Teamwork"},
                "items": [
                    {
                        "key": "c1",
                        "text": "Fourth.",
                        "scale": "stages",
                        "asked_of": ["board"],
                    },
                    {"key": "c2", "text": "Fifth.", "scale": "likert5"},
                ],
            },
        ],
        "scoring": {"method": "mean", "min_answered": 0.5},
        "bands": [
            {"min": 0, "max": 50, "label": "Low", "meaning": "Work on it."},
            {"min": 50, "max": 100, "label": "High", "meaning": "Keep it up."},
        ],
        "subscales": [
            {"key": "all-likert", "title": "Likert items", "items": ["a1", "a2", "c2"]}
        ],
    }


def test_a_valid_definition_parses():
    definition = parse_definition(valid())
    assert definition.key == "test-instrument"
    assert [s.key for s in definition.sections] == ["lead", "time", "team"]
    assert [i.key for i in definition.items] == ["a1", "a2", "b1", "c1", "c2"]
    assert definition.item("a2").reverse is True
    assert definition.item("c1").asked_of == ("board",)
    assert definition.item("c2").asked_of == ("board", "managers", "staff", "patients")
    assert definition.sections[0].tag_label == "Leadership and governance"
    assert definition.sections[1].tag_label == "Timing"
    assert definition.sections[2].tag_label == "Teamwork"
    assert validate_definition(valid()) == []


def test_json_text_parses_too():
    assert parse_definition(json.dumps(valid())).name == "Test instrument"


def test_defaults_are_written_out():
    data = valid()
    del data["scoring"], data["bands"], data["subscales"], data["version"]
    del data["scales"]["likert5"]["labels"]
    stored = parse_definition(data).to_dict()
    assert stored["version"] == "1"
    assert stored["scoring"] == {"method": "mean", "min_answered": 0.5}
    assert stored["bands"] == [] and stored["subscales"] == []
    assert stored["scales"]["likert5"]["labels"] == ["1", "2", "3", "4", "5"]
    assert stored["sections"][0]["items"][0]["reverse"] is False


def test_to_dict_parses_back_to_the_same_definition():
    definition = parse_definition(valid())
    assert parse_definition(definition.to_dict()) == definition
    assert parse_definition(json.loads(json.dumps(definition.to_dict()))) == definition


def test_a_numeric_version_is_kept_as_text():
    data = valid()
    data["version"] = 2
    assert parse_definition(data).version == "2"


def test_scale_choices_and_answers():
    definition = parse_definition(valid())
    likert, ynp, stages = (definition.scales[n] for n in ("likert5", "ynp", "stages"))
    assert likert.choices[0] == (1, "One")
    assert ynp.choices == [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]
    assert stages.choices[2] == (3, "Done")
    assert likert.parse_answer("4") == 4
    assert likert.parse_answer("") is None
    assert ynp.parse_answer("Partly") == "partly"
    with pytest.raises(
        ValueError, match=r"6 is not an answer on scale 'likert5' \(1, 2, 3, 4, 5\)"
    ):
        likert.parse_answer(6)
    with pytest.raises(ValueError, match="'maybe' is not an answer on scale 'ynp'"):
        ynp.parse_answer("maybe")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the valid definition: set the value at a dotted path (list indexes as numbers)."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = copy.deepcopy(value)

    return change


_DELETE = object()

CASES = [
    # The document and its top-level fields
    (
        _set("colour", "blue"),
        "colour: 'colour' is not a field of the definition; remove it or correct its spelling",
    ),
    (_set("key", _DELETE), "key: 'key' is required; add it as non-empty text"),
    (
        _set("key", "Bad Key"),
        "key: 'Bad Key' is not a valid key; use lower-case letters, digits, '-' and '_'",
    ),
    (_set("key", "k" * 61), "key: is 61 characters long; shorten it to at most 60"),
    (_set("name", 7), "name: must be text, not the number 7"),
    (_set("version", True), 'version: must be text such as "1"'),
    (
        _set("version", "v" * 21),
        "version: is 21 characters long; shorten it to at most 20",
    ),
    # Scales
    (
        _set("scales", _DELETE),
        "scales: 'scales' is required; define at least one response scale",
    ),
    (_set("scales", {}), "scales: must be an object naming at least one scale"),
    (
        _set("scales.Likert 5", {"type": "yes_partly_no"}),
        "scales.Likert 5: 'Likert 5' is not a valid scale name",
    ),
    (_set("scales.likert5", []), "scales.likert5: must be an object {...}, not a list"),
    (
        _set("scales.likert5.type", "slider"),
        'scales.likert5.type: "slider" is not a scale type; use one of likert, yes_partly_no, levels',
    ),
    (
        _set("scales.likert5.colour", "red"),
        "scales.likert5.colour: 'colour' is not a field of a scale",
    ),
    (
        _set("scales.ynp.points", 3),
        "scales.ynp.points: a yes_partly_no scale has fixed answers; remove 'points'",
    ),
    (
        _set("scales.likert5.levels", []),
        "scales.likert5.levels: a likert scale has points, not levels",
    ),
    (
        _set("scales.likert5.points", "5"),
        'scales.likert5.points: must be a whole number of points from 2 to 11, not the text "5"',
    ),
    (
        _set("scales.likert5.points", 1),
        "scales.likert5.points: is 1; a likert scale needs from 2 to 11 points",
    ),
    (
        _set("scales.likert5.points", 12),
        "scales.likert5.points: is 12; a likert scale needs from 2 to 11 points",
    ),
    (
        _set("scales.likert5.labels", ["One", ""]),
        "scales.likert5.labels: must be a list of non-empty texts",
    ),
    (
        _set("scales.likert5.labels", ["One", "Two"]),
        "scales.likert5.labels: has 2 labels for 5 points; give one label for each point",
    ),
    (
        _set("scales.likert5.labels", ["One"]),
        "scales.likert5.labels: has 1 label for 5 points; give one label for each point",
    ),
    (
        _set("scales.stages.points", 3),
        "scales.stages.points: a levels scale describes each level in 'levels'; remove 'points'",
    ),
    (
        _set("scales.stages.levels", [{"value": 1, "label": "Only"}]),
        "scales.stages.levels: must be a list of at least two levels",
    ),
    (
        _set("scales.stages.levels.0.value", "one"),
        'scales.stages.levels[0].value: must be a number, not the text "one"',
    ),
    (
        _set("scales.stages.levels.1.value", 1),
        "scales.stages.levels[1].value: 1 is the value of another level; give each level its own value",
    ),
    (
        _set("scales.stages.levels.1.label", ""),
        "scales.stages.levels[1].label: 'label' is required",
    ),
    (
        _set("scales.stages.levels.1.colour", "red"),
        "scales.stages.levels[1].colour: 'colour' is not a field of a level",
    ),
    # Sections
    (_set("sections", []), "sections: must be a list of at least one section"),
    (
        _set("sections.0", "lead"),
        'sections[0]: must be an object {...}, not the text "lead"',
    ),
    (
        _set("sections.1.key", "lead"),
        "sections[1].key: 'lead' is used by more than one section; give each section its own key",
    ),
    (_set("sections.0.title", _DELETE), "sections[0].title: 'title' is required"),
    (
        _set("sections.0.items", []),
        "sections[0].items: must be a list of at least one item",
    ),
    (
        _set("sections.0.tag", _DELETE),
        "sections[0].tag: 'tag' is required; tag the section like",
    ),
    (
        _set("sections.0.tag", {"enabler": "leadership", "factor": "x"}),
        "sections[0].tag: must name exactly one of enabler, barrier or factor",
    ),
    (
        _set("sections.0.tag", {"theme": "x"}),
        "sections[0].tag: 'theme' is not a kind of tag; use enabler, barrier or factor",
    ),
    (
        _set("sections.0.tag", {"enabler": "money"}),
        'sections[0].tag.enabler: "money" is not an enabler category; use one of leadership, infrastructure, skills, culture',
    ),
    (
        _set("sections.0.tag", {"barrier": "money"}),
        'sections[0].tag.barrier: "money" is not a barrier category; use one of culture, leadership, focus, resources, information, timing, engagement',
    ),
    (
        _set("sections.0.tag", {"factor": " "}),
        "sections[0].tag.factor: must be the factor's name as non-empty text",
    ),
    # Items
    (
        _set("sections.2.items.1.key", "a1"),
        "sections[2].items[1].key: 'a1' is used by more than one item; give each item its own key",
    ),
    (
        _set("sections.0.items.0.text", ""),
        "sections[0].items[0].text: 'text' is required",
    ),
    (
        _set("sections.2.items.1.scale", "likert9"),
        "sections[2].items[1].scale: 'likert9' is not a scale defined in scales; define it or use one of likert5, stages, ynp",
    ),
    (
        _set("sections.0.items.0.reverse", "yes"),
        'sections[0].items[0].reverse: must be true or false, not the text "yes"',
    ),
    (
        _set("sections.0.items.0.asked_of", []),
        "sections[0].items[0].asked_of: must be a list of one or more respondent groups (board, managers, staff, patients); leave it out to ask everyone",
    ),
    (
        _set("sections.0.items.0.asked_of", ["nurses"]),
        'sections[0].items[0].asked_of: "nurses" is not a respondent group; use board, managers, staff, patients',
    ),
    (
        _set("sections.0.items.0.asked_of", ["staff", "staff"]),
        "sections[0].items[0].asked_of: names a respondent group twice",
    ),
    (
        _set("sections.0.items.0.weight", 2),
        "sections[0].items[0].weight: 'weight' is not a field of an item",
    ),
    # Scoring
    (_set("scoring", "mean"), 'scoring: must be an object {...}, not the text "mean"'),
    (
        _set("scoring.method", "sum"),
        'scoring.method: "sum" is not a scoring method; use mean',
    ),
    (
        _set("scoring.min_answered", "half"),
        'scoring.min_answered: must be a number, not the text "half"',
    ),
    (
        _set("scoring.min_answered", 0),
        "scoring.min_answered: is 0; give the least share of a section's items that must be answered, above 0 and at most 1",
    ),
    (_set("scoring.min_answered", 50), "scoring.min_answered: is 50;"),
    # Bands
    (_set("bands", {}), "bands: must be a list of bands"),
    (
        _set("bands.0.min", 60),
        "bands[0]: runs from 60 to 50; a band needs min below max, within the score range 0 to 100",
    ),
    (_set("bands.1.max", 120), "bands[1]: runs from 50 to 120;"),
    (
        _set("bands.1.label", "Low"),
        "bands[1].label: 'Low' labels another band too; give each band its own label",
    ),
    (_set("bands.0.min", 10), "bands: start at 10; the lowest band must start at 0"),
    (_set("bands.1.max", 90), "bands: end at 90; the highest band must end at 100"),
    (
        _set("bands.1.min", 40),
        "bands: 'Low' (0–50) overlaps 'High' (40–100); make each band start where the one below ends",
    ),
    (
        _set("bands.1.min", 60),
        "bands: scores from 50 to 60 fall in no band; start 'High' at 50",
    ),
    (
        _set("bands.0.max", "fifty"),
        'bands[0].max: must be a number, not the text "fifty"',
    ),
    # Subscales
    (_set("subscales", "all"), "subscales: must be a list of subscales"),
    (
        _set("subscales.0.items", []),
        "subscales[0].items: must be a list of one or more item keys",
    ),
    (
        _set("subscales.0.items", ["a1", "zz"]),
        'subscales[0].items: "zz" is not the key of an item; use the key of an item in sections',
    ),
    (
        _set("subscales.0.items", ["a1", "a1"]),
        "subscales[0].items: names an item twice; list each item once",
    ),
    (
        _set("subscales.0.key", "lead"),
        "subscales[0].key: 'lead' is the key of a section; give the subscale a key of its own",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"),
    CASES,
    ids=[m.split(":")[0] + " " + m.split(":")[1][:40] for _, m in CASES],
)
def test_each_problem_is_named_with_its_path_and_fix(change, message):
    data = valid()
    change(data)
    errors = validate_definition(data)
    assert any(error.startswith(message) for error in errors), errors
    with pytest.raises(DefinitionError) as raised:
        parse_definition(data)
    assert raised.value.errors == errors


def test_a_definition_that_is_not_an_object_is_refused():
    assert validate_definition([1, 2]) == ["must be an object {...}, not a list"]


def test_every_problem_is_listed_at_once():
    data = valid()
    data["key"] = "Bad Key"
    data["sections"][0]["items"][0]["scale"] = "missing"
    data["scoring"]["min_answered"] = 2
    errors = validate_definition(data)
    assert [e.split(":")[0] for e in errors] == [
        "key",
        "sections[0].items[0].scale",
        "scoring.min_answered",
    ]
    assert str(DefinitionError(errors)).count(";") >= 3


def test_text_that_is_not_json_names_the_line_and_column():
    with pytest.raises(DefinitionError) as raised:
        parse_definition('{"key": "x",\n "name": }')
    assert raised.value.errors[0].startswith("not valid JSON at line 2, column 10")


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(DefinitionError, match="the file is not UTF-8 text"):
        parse_definition(b"\xff\xfe{")
