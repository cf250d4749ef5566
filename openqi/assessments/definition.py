"""Assessment instruments as data: the definition format, parsed and validated.

An instrument is a JSON document (documented in full in docs/assessments.md)::

    {"key", "name", "version", "description",
     "scales": {name: scale, ...},
     "sections": [{"key", "title", "description", "tag", "items": [item, ...]}, ...],
     "scoring": {"method": "mean", "min_answered": 0.5},
     "bands": [{"min", "max", "label", "meaning"}, ...],
     "subscales": [{"key", "title", "items": [item key, ...]}, ...]}

:func:`parse_definition` turns such a document into a frozen :class:`Definition`
or raises :class:`DefinitionError` listing every problem found, each naming
the path, what is wrong and how to fix it. The format itself is a set of
pydantic models (definition_schema.py), which check the document and say where
each problem is. :meth:`Definition.to_dict` gives
the document back with every default written out: that is what is stored on an
``Instrument`` and exported.

Every item scores on a common 0–100 range, whatever its scale (see
:meth:`Scale.score`), so sections, instruments and heatmaps compare alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openqi.core.categories import BarrierCategory, EnablerCategory

from . import definition_schema as schema
from .definition_schema import (
    DEFAULT_MIN_ANSWERED,
    RESPONDENT_GROUPS,
    SCORE_MAX,
    SCORE_MIN,
)
from .definition_schema import plain_number as _plain_number

__all__ = [
    "SCORE_MAX",
    "SCORE_MIN",
    "Band",
    "Definition",
    "DefinitionError",
    "Item",
    "Level",
    "Scale",
    "Section",
    "Subscale",
    "load_definition_text",
    "parse_definition",
    "validate_definition",
]

#: The common range every item, section and subscale scores on: SCORE_MIN to
#: SCORE_MAX (defined with the format, in definition_schema.py).


#: Yes/partly/no answers, their labels and their scores on the 0–100 range.
YES_PARTLY_NO = (("yes", "Yes", 100.0), ("partly", "Partly", 50.0), ("no", "No", 0.0))


class DefinitionError(ValueError):
    """A definition that cannot be used; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True)
class Level:
    value: float
    label: str
    description: str = ""


@dataclass(frozen=True)
class Scale:
    """A response scale. ``type`` is ``likert``, ``yes_partly_no`` or ``levels``."""

    name: str
    type: str
    points: int = 0
    labels: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()

    @property
    def choices(self) -> list[tuple[Any, str]]:
        """The answers in the order a respondent sees them: ``[(value, label), ...]``."""
        if self.type == "likert":
            return [(n, self.labels[n - 1]) for n in range(1, self.points + 1)]
        if self.type == "yes_partly_no":
            return [(value, label) for value, label, _ in YES_PARTLY_NO]
        return [(_plain_number(level.value), level.label) for level in self.levels]

    def parse_answer(self, raw: Any) -> Any:
        """The canonical answer for ``raw`` (as JSON or a form posts it), or None if
        unanswered; ``ValueError`` if it is not an answer on this scale."""
        if raw is None or raw == "":
            return None
        if self.type == "yes_partly_no":
            value = str(raw).strip().lower()
            if value in {v for v, _, _ in YES_PARTLY_NO}:
                return value
        else:
            number = _as_number(raw)
            for value, _ in self.choices:
                if number is not None and number == value:
                    return value
        allowed = ", ".join(str(value) for value, _ in self.choices)
        raise ValueError(f"{raw!r} is not an answer on scale '{self.name}' ({allowed})")

    def score(self, raw: Any) -> float | None:
        """The answer on the 0–100 range (before any reversal), or None if unanswered.

        Likert with N points: answer k scores (k − 1) / (N − 1) × 100, so 1, 3 and 5
        of five points score 0, 50 and 100. Yes, partly and no score 100, 50 and 0.
        Described levels score by value, linearly from the lowest level (0) to the
        highest (100).
        """
        value = self.parse_answer(raw)
        if value is None:
            return None
        if self.type == "likert":
            return float(value - 1) / (self.points - 1) * SCORE_MAX
        if self.type == "yes_partly_no":
            return next(score for v, _, score in YES_PARTLY_NO if v == value)
        values = [level.value for level in self.levels]
        low, high = min(values), max(values)
        return float(value - low) / (high - low) * SCORE_MAX

    def to_dict(self) -> dict[str, Any]:
        if self.type == "likert":
            return {
                "type": "likert",
                "points": self.points,
                "labels": list(self.labels),
            }
        if self.type == "yes_partly_no":
            return {"type": "yes_partly_no"}
        return {
            "type": "levels",
            "levels": [
                {
                    "value": _plain_number(level.value),
                    "label": level.label,
                    "description": level.description,
                }
                for level in self.levels
            ],
        }


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    scale: str
    reverse: bool = False
    asked_of: tuple[str, ...] = RESPONDENT_GROUPS

    def is_asked_of(self, respondent_group: str | None) -> bool:
        """Whether the item is put to ``respondent_group`` (None: every item is)."""
        return respondent_group is None or respondent_group in self.asked_of

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "text": self.text,
            "scale": self.scale,
            "reverse": self.reverse,
            "asked_of": list(self.asked_of),
        }


@dataclass(frozen=True)
class Section:
    """A group of items scored together. ``tag_kind`` is ``enabler``, ``barrier``
    or ``factor``; ``tag`` is the category value or the free-text factor."""

    key: str
    title: str
    tag_kind: str
    tag: str
    items: tuple[Item, ...]
    description: str = ""

    @property
    def tag_label(self) -> str:
        """The category's name as shown to people ("Leadership and governance")."""
        if self.tag_kind == "enabler":
            return str(EnablerCategory(self.tag).label)
        if self.tag_kind == "barrier":
            return str(BarrierCategory(self.tag).label)
        return self.tag

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "tag": {self.tag_kind: self.tag},
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True)
class Subscale:
    """Items scored together across sections (for example an instrument's two halves)."""

    key: str
    title: str
    items: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "items": list(self.items)}


@dataclass(frozen=True)
class Band:
    """An interpretation band: scores from ``min`` up to (not including) ``max``;
    the top band includes its ``max``."""

    min: float
    max: float
    label: str
    meaning: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "min": _plain_number(self.min),
            "max": _plain_number(self.max),
            "label": self.label,
            "meaning": self.meaning,
        }


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    version: str
    description: str
    scales: Mapping[str, Scale]
    sections: tuple[Section, ...]
    method: str = "mean"
    min_answered: float = DEFAULT_MIN_ANSWERED
    bands: tuple[Band, ...] = ()
    subscales: tuple[Subscale, ...] = ()

    @property
    def items(self) -> list[Item]:
        """Every item, in order."""
        return [item for section in self.sections for item in section.items]

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def scale_for(self, item: Item) -> Scale:
        return self.scales[item.scale]

    def to_dict(self) -> dict[str, Any]:
        """The document with every default written out (stored and exported)."""
        return {
            "key": self.key,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "scales": {name: scale.to_dict() for name, scale in self.scales.items()},
            "sections": [section.to_dict() for section in self.sections],
            "scoring": {"method": self.method, "min_answered": self.min_answered},
            "bands": [band.to_dict() for band in self.bands],
            "subscales": [subscale.to_dict() for subscale in self.subscales],
        }


def load_definition_text(text: str | bytes) -> Any:
    """The JSON document in ``text``; ``DefinitionError`` if it is not valid JSON."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DefinitionError(
                ["the file is not UTF-8 text; save it as UTF-8 JSON and load it again"]
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionError(
            [
                f"not valid JSON at line {error.lineno}, column {error.colno}: "
                f"{error.msg}; correct the file and load it again"
            ]
        ) from None


def validate_definition(data: Any) -> list[str]:
    """Every problem with the definition ``data`` (a parsed JSON document); empty if none."""
    _document, errors = schema.check(data)
    return errors


def parse_definition(data: Any) -> Definition:
    """The :class:`Definition` for ``data`` — a parsed document, or JSON text.

    Raises :class:`DefinitionError` listing every problem if the definition is not valid.
    """
    if isinstance(data, str | bytes):
        data = load_definition_text(data)
    return _checked(data)


def _checked(data: Any) -> Definition:
    document, errors = schema.check(data)
    if document is None:
        raise DefinitionError(errors)
    return _definition(document)


# ---------------------------------------------------------------------------
# From the validated document (definition_schema.py) to the frozen definition.


def _scale(name: str, spec: schema.Scale) -> Scale:
    if isinstance(spec, schema.LikertScale):
        labels = spec.labels or [str(n) for n in range(1, spec.points + 1)]
        return Scale(name=name, type="likert", points=spec.points, labels=tuple(labels))
    if isinstance(spec, schema.LevelsScale):
        levels = tuple(
            Level(
                value=float(level.value),
                label=level.label,
                description=level.description,
            )
            for level in spec.levels
        )
        return Scale(name=name, type="levels", levels=levels)
    return Scale(name=name, type="yes_partly_no")


def _section(spec: schema.Section) -> Section:
    tag_kind, tag = spec.tag.kind_and_value
    return Section(
        key=spec.key,
        title=spec.title,
        tag_kind=tag_kind,
        tag=tag,
        items=tuple(
            Item(
                key=item.key,
                text=item.text,
                scale=item.scale,
                reverse=item.reverse,
                asked_of=item.asked_of,
            )
            for item in spec.items
        ),
        description=spec.description,
    )


def _definition(document: schema.Document) -> Definition:
    return Definition(
        key=document.key,
        name=document.name,
        version=document.version,
        description=document.description,
        scales={name: _scale(name, spec) for name, spec in document.scales.items()},
        sections=tuple(_section(spec) for spec in document.sections),
        method=document.scoring.method,
        min_answered=float(document.scoring.min_answered),
        bands=tuple(
            Band(min=float(b.min), max=float(b.max), label=b.label, meaning=b.meaning)
            for b in document.bands
        ),
        subscales=tuple(
            Subscale(key=s.key, title=s.title, items=tuple(s.items))
            for s in document.subscales
        ),
    )


def _as_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(str(raw).strip())
    except ValueError:
        return None
