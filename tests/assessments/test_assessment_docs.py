"""docs/assessments.md: its example definitions load, and it names every field the format has."""

from __future__ import annotations

import re
from pathlib import Path

from openqi.assessments.definition import parse_definition
from openqi.assessments.definition_schema import FIELDS
from openqi.assessments.scoring import summarise

DOC = Path(__file__).resolve().parents[2] / "docs" / "assessments.md"


def _json_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_every_example_definition_validates():
    definitions = [parse_definition(block) for block in _json_blocks()]
    assert [d.key for d in definitions] == ["ward-huddle-check", "oric"]


def test_the_oric_example_has_its_shape_and_placeholder_wording():
    oric = parse_definition(_json_blocks()[1])
    assert [(s.key, len(s.items)) for s in oric.sections] == [
        ("change-commitment", 5),
        ("change-efficacy", 7),
    ]
    assert oric.scales["agree5"].points == 5
    assert oric.method == "mean"
    assert all(item.text.startswith("[") for item in oric.items)
    # Everyone agreeing fully scores 100 on both subscales.
    summary = summarise(oric, [{item.key: 5 for item in oric.items}])
    assert [s.mean for s in summary.sections.values()] == [100.0, 100.0]


def test_every_field_is_documented():
    text = DOC.read_text(encoding="utf-8")
    fields = set().union(*FIELDS.values())
    missing = sorted(name for name in fields if f"`{name}`" not in text)
    assert not missing, f"document these fields in docs/assessments.md: {missing}"
