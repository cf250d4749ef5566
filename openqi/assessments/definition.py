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
the path, what is wrong and how to fix it. :meth:`Definition.to_dict` gives
the document back with every default written out: that is what is stored on an
``Instrument`` and exported.

Every item scores on a common 0–100 range, whatever its scale (see
:meth:`Scale.score`), so sections, instruments and heatmaps compare alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openqi.core.categories import BarrierCategory, EnablerCategory

from .models import RespondentGroup

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

#: The common range every item, section and subscale scores on.
SCORE_MIN = 0.0
SCORE_MAX = 100.0

RESPONDENT_GROUPS: tuple[str, ...] = tuple(RespondentGroup.values)
SCALE_TYPES = ("likert", "yes_partly_no", "levels")
TAG_KINDS = ("enabler", "barrier", "factor")
SCORING_METHODS = ("mean",)
LIKERT_MAX_POINTS = 11
DEFAULT_MIN_ANSWERED = 0.5
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

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
    checker = _Checker()
    checker.definition(data)
    return checker.errors


def parse_definition(data: Any) -> Definition:
    """The :class:`Definition` for ``data`` — a parsed document, or JSON text.

    Raises :class:`DefinitionError` listing every problem if the definition is not valid.
    """
    if isinstance(data, str | bytes):
        data = load_definition_text(data)
    checker = _Checker()
    definition = checker.definition(data)
    if checker.errors or definition is None:
        raise DefinitionError(checker.errors)
    return definition


# ---------------------------------------------------------------------------
# Validation. Each check records a message "path: what is wrong; the fix" and
# carries on, so that one pass lists everything a user must correct.

_FIELDS = {
    "definition": (
        {"key", "name", "version", "description", "scales", "sections"}
        | {"scoring", "bands", "subscales"}
    ),
    "scale": {"type", "points", "labels", "levels"},
    "level": {"value", "label", "description"},
    "section": {"key", "title", "description", "tag", "items"},
    "item": {"key", "text", "scale", "reverse", "asked_of"},
    "scoring": {"method", "min_answered"},
    "band": {"min", "max", "label", "meaning"},
    "subscale": {"key", "title", "items"},
}


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.scale_names: set[str] = set()
        self.item_keys: set[str] = set()
        self.section_keys: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}" if path else message)

    # -- small checks --------------------------------------------------------

    def is_object(self, value: Any, path: str, kind: str) -> bool:
        if not isinstance(value, dict):
            self.error(path, f"must be an object {{...}}, not {_json_type(value)}")
            return False
        unknown = sorted(set(value) - _FIELDS[kind])
        for name in unknown:
            allowed = ", ".join(sorted(_FIELDS[kind]))
            self.error(
                _join(path, name),
                f"'{name}' is not a field of {_article(kind)}; "
                f"remove it or correct its spelling (fields: {allowed})",
            )
        return True

    def text(
        self,
        obj: Mapping[str, Any],
        name: str,
        path: str,
        *,
        required: bool = True,
        max_length: int | None = None,
    ) -> str:
        value = obj.get(name)
        where = _join(path, name)
        if value is None or value == "":
            if required:
                self.error(where, f"'{name}' is required; add it as non-empty text")
            return ""
        if not isinstance(value, str):
            self.error(where, f"must be text, not {_json_type(value)}")
            return ""
        if max_length is not None and len(value) > max_length:
            self.error(
                where,
                f"is {len(value)} characters long; shorten it to at most {max_length}",
            )
        return value.strip()

    def key(self, obj: Mapping[str, Any], path: str, seen: set[str], what: str) -> str:
        key = self.text(obj, "key", path, max_length=60)
        if not key:
            return ""
        if not _KEY.match(key):
            self.error(
                _join(path, "key"),
                f"'{key}' is not a valid key; use lower-case letters, digits, '-' and '_', "
                "starting with a letter or digit",
            )
        if key in seen:
            self.error(
                _join(path, "key"),
                f"'{key}' is used by more than one {what}; give each {what} its own key",
            )
        seen.add(key)
        return key

    def number(self, value: Any, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"must be a number, not {_json_type(value)}")
            return None
        return float(value)

    # -- the document ----------------------------------------------------------

    def definition(self, data: Any) -> Definition | None:
        if not self.is_object(data, "", "definition"):
            return None
        key = self.key(data, "", set(), "instrument")
        name = self.text(data, "name", "", max_length=200)
        version = data.get("version", "1")
        if isinstance(version, int | float) and not isinstance(version, bool):
            version = str(_plain_number(float(version)))
        if not isinstance(version, str) or not version.strip():
            self.error("version", 'must be text such as "1" or "2024-1"')
            version = "1"
        elif len(version) > 20:
            self.error(
                "version",
                f"is {len(version)} characters long; shorten it to at most 20",
            )
        description = self.text(data, "description", "", required=False)
        scales = self.scales(data.get("scales"))
        sections = self.sections(data.get("sections"))
        method, min_answered = self.scoring(data.get("scoring", {}))
        bands = self.bands(data.get("bands", []))
        subscales = self.subscales(data.get("subscales", []))
        if self.errors:
            return None
        return Definition(
            key=key,
            name=name,
            version=version.strip(),
            description=description,
            scales=scales,
            sections=sections,
            method=method,
            min_answered=min_answered,
            bands=bands,
            subscales=subscales,
        )

    def scales(self, data: Any) -> dict[str, Scale]:
        scales: dict[str, Scale] = {}
        if data is None:
            self.error(
                "scales", "'scales' is required; define at least one response scale"
            )
            return scales
        if not isinstance(data, dict) or not data:
            self.error(
                "scales",
                'must be an object naming at least one scale, such as {"agree5": {"type": "likert", "points": 5, ...}}',
            )
            return scales
        for name, spec in data.items():
            path = f"scales.{name}"
            if not _KEY.match(name):
                self.error(
                    path,
                    f"'{name}' is not a valid scale name; use lower-case letters, digits, '-' and '_'",
                )
            self.scale_names.add(name)
            scale = self.scale(name, spec, path)
            if scale is not None:
                scales[name] = scale
        return scales

    def scale(self, name: str, spec: Any, path: str) -> Scale | None:
        if not self.is_object(spec, path, "scale"):
            return None
        kind = spec.get("type")
        if kind not in SCALE_TYPES:
            self.error(
                _join(path, "type"),
                f"{json.dumps(kind)} is not a scale type; use one of {', '.join(SCALE_TYPES)}",
            )
            return None
        if kind == "yes_partly_no":
            for extra in ("points", "labels", "levels"):
                if extra in spec:
                    self.error(
                        _join(path, extra),
                        f"a yes_partly_no scale has fixed answers; remove '{extra}'",
                    )
            return Scale(name=name, type=kind)
        if kind == "likert":
            return self.likert(name, spec, path)
        return self.levels(name, spec, path)

    def likert(self, name: str, spec: Mapping[str, Any], path: str) -> Scale | None:
        if "levels" in spec:
            self.error(
                _join(path, "levels"),
                "a likert scale has points, not levels; remove 'levels' or use type \"levels\"",
            )
        points = spec.get("points")
        if isinstance(points, bool) or not isinstance(points, int):
            self.error(
                _join(path, "points"),
                f"must be a whole number of points from 2 to {LIKERT_MAX_POINTS}, not {_json_type(points)}",
            )
            return None
        if not 2 <= points <= LIKERT_MAX_POINTS:
            self.error(
                _join(path, "points"),
                f"is {points}; a likert scale needs from 2 to {LIKERT_MAX_POINTS} points",
            )
            return None
        labels = spec.get("labels")
        if labels is None:
            return Scale(
                name=name,
                type="likert",
                points=points,
                labels=tuple(str(n) for n in range(1, points + 1)),
            )
        if not isinstance(labels, list) or not all(
            isinstance(label, str) and label.strip() for label in labels
        ):
            self.error(
                _join(path, "labels"),
                "must be a list of non-empty texts, one for each point from the lowest",
            )
            return None
        if len(labels) != points:
            self.error(
                _join(path, "labels"),
                f"has {len(labels)} label{'' if len(labels) == 1 else 's'} for {points} points; give one label for each point, from the lowest",
            )
            return None
        return Scale(
            name=name,
            type="likert",
            points=points,
            labels=tuple(label.strip() for label in labels),
        )

    def levels(self, name: str, spec: Mapping[str, Any], path: str) -> Scale | None:
        for extra in ("points", "labels"):
            if extra in spec:
                self.error(
                    _join(path, extra),
                    f"a levels scale describes each level in 'levels'; remove '{extra}'",
                )
        data = spec.get("levels")
        if not isinstance(data, list) or len(data) < 2:
            self.error(
                _join(path, "levels"),
                'must be a list of at least two levels, each {"value", "label", "description"}',
            )
            return None
        levels: list[Level] = []
        values: set[float] = set()
        for index, level in enumerate(data):
            where = f"{path}.levels[{index}]"
            if not self.is_object(level, where, "level"):
                continue
            value = self.number(level.get("value"), _join(where, "value"))
            label = self.text(level, "label", where)
            description = self.text(level, "description", where, required=False)
            if value is None:
                continue
            if value in values:
                self.error(
                    _join(where, "value"),
                    f"{_plain_number(value)} is the value of another level; give each level its own value",
                )
            values.add(value)
            levels.append(Level(value=value, label=label, description=description))
        if len(levels) != len(data):
            return None
        return Scale(name=name, type="levels", levels=tuple(levels))

    def sections(self, data: Any) -> tuple[Section, ...]:
        if not isinstance(data, list) or not data:
            self.error("sections", "must be a list of at least one section")
            return ()
        sections: list[Section] = []
        for index, spec in enumerate(data):
            section = self.section(spec, f"sections[{index}]", self.section_keys)
            if section is not None:
                sections.append(section)
        return tuple(sections)

    def section(self, spec: Any, path: str, seen: set[str]) -> Section | None:
        if not self.is_object(spec, path, "section"):
            return None
        key = self.key(spec, path, seen, "section")
        title = self.text(spec, "title", path, max_length=200)
        description = self.text(spec, "description", path, required=False)
        tag = self.tag(spec.get("tag"), _join(path, "tag"))
        items_data = spec.get("items")
        items: list[Item] = []
        if not isinstance(items_data, list) or not items_data:
            self.error(_join(path, "items"), "must be a list of at least one item")
        else:
            for index, item_spec in enumerate(items_data):
                item = self.item(item_spec, f"{path}.items[{index}]")
                if item is not None:
                    items.append(item)
        if tag is None:
            return None
        return Section(
            key=key,
            title=title,
            tag_kind=tag[0],
            tag=tag[1],
            items=tuple(items),
            description=description,
        )

    def tag(self, data: Any, path: str) -> tuple[str, str] | None:
        example = (
            '{"enabler": "leadership"}, {"barrier": "timing"} or {"factor": "Teamwork"}'
        )
        if data is None:
            self.error(path, f"'tag' is required; tag the section like {example}")
            return None
        if not isinstance(data, dict) or len(data) != 1:
            self.error(
                path,
                f"must name exactly one of enabler, barrier or factor, like {example}",
            )
            return None
        ((kind, value),) = data.items()
        if kind == "enabler":
            choices = EnablerCategory.values
        elif kind == "barrier":
            choices = BarrierCategory.values
        elif kind == "factor":
            if not isinstance(value, str) or not value.strip():
                self.error(
                    _join(path, "factor"), "must be the factor's name as non-empty text"
                )
                return None
            return kind, value.strip()
        else:
            self.error(
                path,
                f"'{kind}' is not a kind of tag; use enabler, barrier or factor, like {example}",
            )
            return None
        if value not in choices:
            self.error(
                _join(path, kind),
                f"{json.dumps(value)} is not {'an enabler' if kind == 'enabler' else 'a barrier'} category; "
                f"use one of {', '.join(choices)}",
            )
            return None
        return kind, value

    def item(self, spec: Any, path: str) -> Item | None:
        if not self.is_object(spec, path, "item"):
            return None
        key = self.key(spec, path, self.item_keys, "item")
        text = self.text(spec, "text", path)
        scale = self.text(spec, "scale", path)
        if scale and scale not in self.scale_names:
            defined = ", ".join(sorted(self.scale_names)) or "none defined yet"
            self.error(
                _join(path, "scale"),
                f"'{scale}' is not a scale defined in scales; define it or use one of {defined}",
            )
        reverse = spec.get("reverse", False)
        if not isinstance(reverse, bool):
            self.error(
                _join(path, "reverse"),
                f"must be true or false, not {_json_type(reverse)}",
            )
            reverse = False
        asked_of = spec.get("asked_of", list(RESPONDENT_GROUPS))
        groups = ", ".join(RESPONDENT_GROUPS)
        if not isinstance(asked_of, list) or not asked_of:
            self.error(
                _join(path, "asked_of"),
                f"must be a list of one or more respondent groups ({groups}); leave it out to ask everyone",
            )
            asked_of = list(RESPONDENT_GROUPS)
        for group in asked_of:
            if group not in RESPONDENT_GROUPS:
                self.error(
                    _join(path, "asked_of"),
                    f"{json.dumps(group)} is not a respondent group; use {groups}",
                )
        if len(set(map(str, asked_of))) != len(asked_of):
            self.error(
                _join(path, "asked_of"),
                "names a respondent group twice; list each group once",
            )
        ordered = tuple(group for group in RESPONDENT_GROUPS if group in asked_of)
        return Item(key=key, text=text, scale=scale, reverse=reverse, asked_of=ordered)

    def scoring(self, data: Any) -> tuple[str, float]:
        if not self.is_object(data, "scoring", "scoring"):
            return "mean", DEFAULT_MIN_ANSWERED
        method = data.get("method", "mean")
        if method not in SCORING_METHODS:
            self.error(
                "scoring.method",
                f"{json.dumps(method)} is not a scoring method; use {', '.join(SCORING_METHODS)}",
            )
        min_answered = data.get("min_answered", DEFAULT_MIN_ANSWERED)
        share = self.number(min_answered, "scoring.min_answered")
        if share is None:
            return "mean", DEFAULT_MIN_ANSWERED
        if not 0 < share <= 1:
            self.error(
                "scoring.min_answered",
                f"is {_plain_number(share)}; give the least share of a section's items that must be answered, "
                "above 0 and at most 1 (0.5 is half)",
            )
        return str(method), share

    def bands(self, data: Any) -> tuple[Band, ...]:
        if not isinstance(data, list):
            self.error(
                "bands",
                'must be a list of bands, each {"min", "max", "label", "meaning"}',
            )
            return ()
        bands: list[Band] = []
        labels: set[str] = set()
        for index, spec in enumerate(data):
            path = f"bands[{index}]"
            if not self.is_object(spec, path, "band"):
                continue
            low = self.number(spec.get("min"), _join(path, "min"))
            high = self.number(spec.get("max"), _join(path, "max"))
            label = self.text(spec, "label", path, max_length=60)
            meaning = self.text(spec, "meaning", path, required=False)
            if label in labels:
                self.error(
                    _join(path, "label"),
                    f"'{label}' labels another band too; give each band its own label",
                )
            labels.add(label)
            if low is None or high is None:
                continue
            if not (SCORE_MIN <= low < high <= SCORE_MAX):
                self.error(
                    path,
                    f"runs from {_plain_number(low)} to {_plain_number(high)}; a band needs min below max, "
                    f"within the score range {_plain_number(SCORE_MIN)} to {_plain_number(SCORE_MAX)}",
                )
                continue
            bands.append(Band(min=low, max=high, label=label, meaning=meaning))
        if not bands or len(bands) != len(data):
            return tuple(bands)
        ordered = sorted(bands, key=lambda band: band.min)
        if ordered[0].min != SCORE_MIN:
            self.error(
                "bands",
                f"start at {_plain_number(ordered[0].min)}; the lowest band must start at {_plain_number(SCORE_MIN)}",
            )
        if ordered[-1].max != SCORE_MAX:
            self.error(
                "bands",
                f"end at {_plain_number(ordered[-1].max)}; the highest band must end at {_plain_number(SCORE_MAX)}",
            )
        for below, above in zip(ordered, ordered[1:], strict=False):
            if above.min < below.max:
                self.error(
                    "bands",
                    f"'{below.label}' ({_plain_number(below.min)}–{_plain_number(below.max)}) overlaps "
                    f"'{above.label}' ({_plain_number(above.min)}–{_plain_number(above.max)}); "
                    "make each band start where the one below ends",
                )
            elif above.min > below.max:
                self.error(
                    "bands",
                    f"scores from {_plain_number(below.max)} to {_plain_number(above.min)} fall in no band; "
                    f"start '{above.label}' at {_plain_number(below.max)}",
                )
        return tuple(ordered)

    def subscales(self, data: Any) -> tuple[Subscale, ...]:
        if not isinstance(data, list):
            self.error(
                "subscales",
                'must be a list of subscales, each {"key", "title", "items"}',
            )
            return ()
        subscales: list[Subscale] = []
        seen: set[str] = set()
        for index, spec in enumerate(data):
            path = f"subscales[{index}]"
            if not self.is_object(spec, path, "subscale"):
                continue
            key = self.key(spec, path, seen, "subscale")
            if key in self.section_keys:
                self.error(
                    _join(path, "key"),
                    f"'{key}' is the key of a section; give the subscale a key of its own",
                )
            title = self.text(spec, "title", path, max_length=200)
            items = spec.get("items")
            if not isinstance(items, list) or not items:
                self.error(
                    _join(path, "items"), "must be a list of one or more item keys"
                )
                continue
            for item_key in items:
                if item_key not in self.item_keys:
                    self.error(
                        _join(path, "items"),
                        f"{json.dumps(item_key)} is not the key of an item; use the key of an item in sections",
                    )
            if len(set(map(str, items))) != len(items):
                self.error(
                    _join(path, "items"), "names an item twice; list each item once"
                )
            subscales.append(
                Subscale(key=key, title=title, items=tuple(map(str, items)))
            )
        return tuple(subscales)


def _article(kind: str) -> str:
    if kind == "definition":
        return "the definition"
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _json_type(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {json.dumps(value)}"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _plain_number(value: float) -> int | float:
    """3.0 → 3, so that documents and answers keep whole numbers whole."""
    return int(value) if float(value).is_integer() else value


def _as_number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw)
    try:
        return float(str(raw).strip())
    except ValueError:
        return None
