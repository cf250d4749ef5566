"""The demo's data files: read into records by their types, and a mistake in them is named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

import pytest

from openqi.demo.records import DataError, build, load


class _Point(NamedTuple):
    at: datetime.date
    value: float


@dataclass(frozen=True)
class _Thing:
    name: str
    points: tuple[_Point, ...] = ()
    ends: datetime.date | None = None


def test_objects_become_records_lists_tuples_and_iso_dates_dates() -> None:
    thing = build(
        _Thing,
        {"name": "a", "points": [{"at": "2026-01-05", "value": 2}]},
        "things.json",
    )
    assert thing == _Thing("a", (_Point(datetime.date(2026, 1, 5), 2),), None)
    assert isinstance(thing.points[0].value, int)  # numbers are kept as written


def test_an_unknown_key_is_named_with_where_it_is() -> None:
    with pytest.raises(DataError, match=r"things.json\[0\]: unknown colour"):
        build(_Thing, {"name": "a", "colour": "red"}, "things.json[0]")


def test_a_missing_key_without_a_default_is_an_error() -> None:
    with pytest.raises(DataError, match="things.json: .*name"):
        build(_Thing, {"points": []}, "things.json")


def test_every_data_file_is_an_object_of_lists_and_values() -> None:
    for name in (
        "organisations",
        "measures",
        "priorities",
        "projects",
        "assessments",
        "journey",
        "barriers",
    ):
        assert isinstance(load(name), dict), name
