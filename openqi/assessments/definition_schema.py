"""The instrument definition format as pydantic models, and the messages for what
does not fit it.

Each model mirrors one object of the document (docs/assessments.md). Pydantic
checks the shapes and types and says where each problem is; :func:`check`
turns its errors into the messages people read, "path: what is wrong; the
fix", the path built from pydantic's location (``sections[0].items[1].scale``).
Rules between fields (a key used twice, an item's scale that is not defined, a
band overlapping another) are custom validators; rules across the document read
what the earlier parts defined from the validation context (:class:`_Seen`),
so that one pass lists every problem.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from openqi.core.categories import BarrierCategory, EnablerCategory

from .models import RespondentGroup

RESPONDENT_GROUPS: tuple[str, ...] = tuple(RespondentGroup.values)
_GROUP_SET = frozenset(RESPONDENT_GROUPS)
#: Each set of respondent groups → the groups in their usual order.
_IN_ORDER: dict[frozenset[str], tuple[str, ...]] = {
    frozenset(chosen): chosen
    for size in range(len(RESPONDENT_GROUPS) + 1)
    for chosen in itertools.combinations(RESPONDENT_GROUPS, size)
}
SCALE_TYPES = ("likert", "yes_partly_no", "levels")
SCORING_METHODS = ("mean",)
LIKERT_MAX_POINTS = 11
DEFAULT_MIN_ANSWERED = 0.5
SCORE_MIN = 0.0
SCORE_MAX = 100.0
KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
TAG_EXAMPLE = (
    '{"enabler": "leadership"}, {"barrier": "timing"} or {"factor": "Teamwork"}'
)


# --- Helpers for messages ----------------------------------------------------------


def json_type(value: Any) -> str:
    """How a message names a JSON value of the wrong type."""
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


def plain_number(value: float) -> int | float:
    """3.0 → 3, so that documents and answers keep whole numbers whole."""
    return int(value) if float(value).is_integer() else value


def _problem(message: str) -> PydanticCustomError:
    """A problem found by a custom validator, in its final words."""
    return PydanticCustomError("definition", "{message}", {"message": message})


def _problems(
    title: str, found: Iterable[tuple[tuple[str | int, ...], Any, str]]
) -> None:
    """Raise every ``(location, value, message)`` found at once (locations are
    relative to the field or model being validated)."""
    if not found:
        return
    details = [
        InitErrorDetails(type=_problem(message), loc=loc, input=value)
        for loc, value, message in found
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


@dataclass
class _Seen:
    """What the document has defined so far, for the rules across it. Pydantic
    validates fields in the order they are declared, so scales come before the
    items that use them and sections before the subscales that name their items."""

    scale_names: set[str] = field(default_factory=set)
    keys: dict[str, set[str]] = field(default_factory=dict)


def _seen(info: ValidationInfo) -> _Seen:
    context = info.context
    seen = context.get("seen") if context is not None else None
    return seen if isinstance(seen, _Seen) else _Seen()  # _Seen(): validated alone


def _unique_key(key: str, info: ValidationInfo, what: str) -> str:
    keys = _seen(info).keys
    seen = keys.get(what)
    if seen is None:
        seen = keys[what] = set()
    if key in seen:
        raise _problem(
            f"'{key}' is used by more than one {what}; give each {what} its own key"
        )
    seen.add(key)
    return key


# --- Field types --------------------------------------------------------------------


def _blank_if_null(value: Any) -> Any:
    return "" if value is None else value


#: Required text: missing, null and "" all say it is required.
Text = Annotated[StrictStr, StringConstraints(min_length=1)]
ShortText = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[StrictStr, StringConstraints(min_length=1, max_length=60)]
#: Optional text: null is the same as leaving it out.
OptionalText = Annotated[StrictStr, BeforeValidator(_blank_if_null)]
Key = Annotated[
    StrictStr, StringConstraints(min_length=1, max_length=60, pattern=KEY_PATTERN)
]
ScaleName = Annotated[StrictStr, StringConstraints(pattern=KEY_PATTERN)]
#: A number: whole numbers are taken as floats (true and false are not numbers).
Number = StrictFloat


class _Part(BaseModel):
    """One object of the document: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    #: How messages name this kind of object ("a scale", "an item").
    kind: ClassVar[str]


# --- Scales ---------------------------------------------------------------------------


class Level(_Part):
    kind = "level"
    value: Number
    label: Text
    description: OptionalText = ""


class LikertScale(_Part):
    kind = "scale"
    type: Literal["likert"]
    points: StrictInt = Field(ge=2, le=LIKERT_MAX_POINTS)
    labels: Any = None
    levels: Any = None

    @field_validator("levels", mode="before")
    @classmethod
    def _no_levels(cls, levels: Any) -> Any:
        raise _problem(
            "a likert scale has points, not levels; remove 'levels' or use type \"levels\""
        )

    @field_validator("labels", mode="after")
    @classmethod
    def _labels(cls, labels: Any) -> Any:
        if labels is None:
            return None
        if not isinstance(labels, list) or not all(
            isinstance(label, str) and label.strip() for label in labels
        ):
            raise _problem(
                "must be a list of non-empty texts, one for each point from the lowest"
            )
        return [label.strip() for label in labels]

    @model_validator(mode="after")
    def _one_label_a_point(self) -> LikertScale:
        if self.labels is not None and len(self.labels) != self.points:
            count = len(self.labels)
            _problems(
                "scale",
                [
                    (
                        ("labels",),
                        self.labels,
                        f"has {count} label{'' if count == 1 else 's'} for {self.points} points; "
                        "give one label for each point, from the lowest",
                    )
                ],
            )
        return self


class YesPartlyNoScale(_Part):
    kind = "scale"
    type: Literal["yes_partly_no"]
    points: Any = None
    labels: Any = None
    levels: Any = None

    @field_validator("points", "labels", "levels", mode="before")
    @classmethod
    def _fixed(cls, value: Any, info: ValidationInfo) -> Any:
        raise _problem(
            f"a yes_partly_no scale has fixed answers; remove '{info.field_name}'"
        )


class LevelsScale(_Part):
    kind = "scale"
    type: Literal["levels"]
    levels: list[Level] = Field(min_length=2)
    points: Any = None
    labels: Any = None

    @field_validator("points", "labels", mode="before")
    @classmethod
    def _described(cls, value: Any, info: ValidationInfo) -> Any:
        raise _problem(
            f"a levels scale describes each level in 'levels'; remove '{info.field_name}'"
        )

    @field_validator("levels", mode="after")
    @classmethod
    def _values_differ(cls, levels: list[Level]) -> list[Level]:
        values: set[float] = set()
        found = []
        for index, level in enumerate(levels):
            if level.value in values:
                found.append(
                    (
                        (index, "value"),
                        level.value,
                        f"{plain_number(level.value)} is the value of another level; "
                        "give each level its own value",
                    )
                )
            values.add(level.value)
        _problems("levels", found)
        return levels


def _scale_type(spec: Any) -> str | None:
    kind = spec.get("type") if isinstance(spec, dict) else None
    return kind if kind in SCALE_TYPES else None


Scale = Annotated[
    Annotated[LikertScale, Tag("likert")]
    | Annotated[YesPartlyNoScale, Tag("yes_partly_no")]
    | Annotated[LevelsScale, Tag("levels")],
    Discriminator(
        _scale_type,
        custom_error_type="scale_type",
        custom_error_message="not a scale type",
    ),
]


# --- Sections and items -------------------------------------------------------------


class Item(_Part):
    kind = "item"
    key: Key
    text: Text
    scale: Text
    reverse: StrictBool = False
    asked_of: Any = RESPONDENT_GROUPS

    @field_validator("key", mode="after")
    @classmethod
    def _key(cls, key: str, info: ValidationInfo) -> str:
        return _unique_key(key, info, "item")

    @field_validator("scale", mode="after")
    @classmethod
    def _scale_is_defined(cls, scale: str, info: ValidationInfo) -> str:
        if info.context is None:  # validated on its own: no scales to check against
            return scale
        names = _seen(info).scale_names
        if scale not in names:
            defined = ", ".join(sorted(names)) or "none defined yet"
            raise _problem(
                f"'{scale}' is not a scale defined in scales; define it or use one of {defined}"
            )
        return scale

    @field_validator("asked_of", mode="after")
    @classmethod
    def _groups(cls, asked_of: Any) -> tuple[str, ...]:
        try:  # the usual case first: a list of known groups, each once
            ordered = _IN_ORDER[frozenset(asked_of)]
        except (KeyError, TypeError):
            pass
        else:
            if len(ordered) == len(asked_of) and ordered:
                return ordered
        groups = ", ".join(RESPONDENT_GROUPS)
        if not isinstance(asked_of, list) or not asked_of:
            raise _problem(
                f"must be a list of one or more respondent groups ({groups}); leave it out to ask everyone"
            )
        found: list[tuple[tuple[str | int, ...], Any, str]] = [
            ((), group, f"{json.dumps(group)} is not a respondent group; use {groups}")
            for group in asked_of
            if not isinstance(group, str) or group not in _GROUP_SET
        ]
        if len(set(map(str, asked_of))) != len(asked_of):
            found.append(
                ((), asked_of, "names a respondent group twice; list each group once")
            )
        _problems("asked_of", found)
        return tuple(group for group in RESPONDENT_GROUPS if group in asked_of)


class SectionTag(_Part):
    """``{"enabler": category}``, ``{"barrier": category}`` or ``{"factor": name}``."""

    kind = "tag"
    enabler: EnablerCategory | None = Field(None, strict=False)
    barrier: BarrierCategory | None = Field(None, strict=False)
    factor: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _exactly_one(cls, data: Any) -> Any:
        if not isinstance(data, dict) or len(data) != 1:
            raise _problem(
                f"must name exactly one of enabler, barrier or factor, like {TAG_EXAMPLE}"
            )
        ((kind, _value),) = data.items()
        if kind not in ("enabler", "barrier", "factor"):
            raise _problem(
                f"'{kind}' is not a kind of tag; use enabler, barrier or factor, like {TAG_EXAMPLE}"
            )
        return data

    @property
    def kind_and_value(self) -> tuple[str, str]:
        if self.enabler is not None:
            return "enabler", str(self.enabler)
        if self.barrier is not None:
            return "barrier", str(self.barrier)
        return "factor", str(self.factor)


class Section(_Part):
    kind = "section"
    key: Key
    title: ShortText
    description: OptionalText = ""
    tag: SectionTag
    items: list[Item] = Field(min_length=1)

    @field_validator("key", mode="after")
    @classmethod
    def _key(cls, key: str, info: ValidationInfo) -> str:
        return _unique_key(key, info, "section")


# --- Scoring, bands and subscales ---------------------------------------------------


class Scoring(_Part):
    kind = "scoring"
    method: Literal["mean"] = "mean"
    min_answered: Number = Field(DEFAULT_MIN_ANSWERED, gt=0, le=1)


class Band(_Part):
    kind = "band"
    min: Number
    max: Number
    label: Label
    meaning: OptionalText = ""

    @model_validator(mode="after")
    def _within_the_range(self) -> Band:
        if not (SCORE_MIN <= self.min < self.max <= SCORE_MAX):
            raise _problem(
                f"runs from {plain_number(self.min)} to {plain_number(self.max)}; a band needs min below max, "
                f"within the score range {plain_number(SCORE_MIN)} to {plain_number(SCORE_MAX)}"
            )
        return self


def _bands_problems(
    bands: list[Band],
) -> Iterable[tuple[tuple[str | int, ...], Any, str]]:
    labels: set[str] = set()
    for index, band in enumerate(bands):
        if band.label in labels:
            yield (
                (index, "label"),
                band.label,
                f"'{band.label}' labels another band too; give each band its own label",
            )
        labels.add(band.label)
    if not bands:
        return
    n = plain_number
    ordered = sorted(bands, key=lambda band: band.min)
    if ordered[0].min != SCORE_MIN:
        yield (
            (),
            bands,
            f"start at {n(ordered[0].min)}; the lowest band must start at {n(SCORE_MIN)}",
        )
    if ordered[-1].max != SCORE_MAX:
        yield (
            (),
            bands,
            f"end at {n(ordered[-1].max)}; the highest band must end at {n(SCORE_MAX)}",
        )
    for below, above in zip(ordered, ordered[1:], strict=False):
        if above.min < below.max:
            yield (
                (),
                bands,
                f"'{below.label}' ({n(below.min)}–{n(below.max)}) overlaps "
                f"'{above.label}' ({n(above.min)}–{n(above.max)}); "
                "make each band start where the one below ends",
            )
        elif above.min > below.max:
            yield (
                (),
                bands,
                f"scores from {n(below.max)} to {n(above.min)} fall in no band; "
                f"start '{above.label}' at {n(below.max)}",
            )


class Subscale(_Part):
    kind = "subscale"
    key: Key
    title: ShortText
    items: list[Any] = Field(min_length=1)

    @field_validator("key", mode="after")
    @classmethod
    def _key(cls, key: str, info: ValidationInfo) -> str:
        key = _unique_key(key, info, "subscale")
        if key in _seen(info).keys.get("section", set()):
            raise _problem(
                f"'{key}' is the key of a section; give the subscale a key of its own"
            )
        return key

    @field_validator("items", mode="after")
    @classmethod
    def _items_exist(cls, items: list[Any], info: ValidationInfo) -> list[str]:
        known = _seen(info).keys.get("item", set())
        found: list[tuple[tuple[str | int, ...], Any, str]] = [
            (
                (),
                key,
                f"{json.dumps(key)} is not the key of an item; use the key of an item in sections",
            )
            for key in items
            if info.context is not None and key not in known
        ]
        if len(set(map(str, items))) != len(items):
            found.append(((), items, "names an item twice; list each item once"))
        _problems("items", found)
        return [str(key) for key in items]


# --- The document ---------------------------------------------------------------------


def _version_as_text(version: Any) -> Any:
    if isinstance(version, int | float) and not isinstance(version, bool):
        return str(plain_number(float(version)))
    if not isinstance(version, str) or not version.strip():
        raise _problem('must be text such as "1" or "2024-1"')
    return version


class Document(_Part):
    """The whole definition, as written."""

    kind = "definition"
    key: Key
    name: ShortText
    version: Annotated[
        StrictStr, Field(max_length=20), BeforeValidator(_version_as_text)
    ] = "1"
    description: OptionalText = ""
    scales: dict[ScaleName, Scale] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    scoring: Scoring = Field(default_factory=lambda: Scoring.model_validate({}))
    bands: list[Band] = Field(default_factory=list)
    subscales: list[Subscale] = Field(default_factory=list)

    @field_validator("key", mode="after")
    @classmethod
    def _key(cls, key: str, info: ValidationInfo) -> str:
        return _unique_key(key, info, "instrument")

    @field_validator("scales", mode="before")
    @classmethod
    def _name_the_scales(cls, scales: Any, info: ValidationInfo) -> Any:
        """Every scale named, valid or not, so items are checked against the names."""
        if isinstance(scales, dict):
            _seen(info).scale_names.update(map(str, scales))
        return scales

    @field_validator("bands", mode="after")
    @classmethod
    def _bands_cover_the_range(cls, bands: list[Band]) -> list[Band]:
        _problems("bands", _bands_problems(bands))
        return sorted(bands, key=lambda band: band.min)


# --- Messages -------------------------------------------------------------------------

#: Every field of every kind of object, for messages and the format page.
FIELDS: dict[str, set[str]] = {
    "definition": set(Document.model_fields),
    "scale": {"type", "points", "labels", "levels"},
    "level": set(Level.model_fields),
    "section": set(Section.model_fields),
    "item": set(Item.model_fields),
    "scoring": set(Scoring.model_fields),
    "band": set(Band.model_fields),
    "subscale": set(Subscale.model_fields),
}

#: The example as a template of the messages below (braces doubled).
_TAG_EXAMPLE = TAG_EXAMPLE.replace("{", "{{").replace("}", "}}")
_NUMBER = "must be a number, not {got}"
_REQUIRED = "'{name}' is required; add it as non-empty text"

#: What each kind of pydantic error says, unless the field says otherwise below.
_SAYS: dict[str, str] = {
    "missing": _REQUIRED,
    "string_type": "must be text, not {got}",
    "string_too_short": _REQUIRED,
    "string_too_long": "is {length} characters long; shorten it to at most {max_length}",
    "string_pattern_mismatch": "'{input}' is not a valid key; use lower-case letters, "
    "digits, '-' and '_', starting with a letter or digit",
    "bool_type": "must be true or false, not {got}",
    "float_type": _NUMBER,
    "int_type": _NUMBER,
    "model_type": "must be an object {{...}}, not {got}",
    "model_attributes_type": "must be an object {{...}}, not {got}",
    "dict_type": "must be an object {{...}}, not {got}",
    "extra_forbidden": "'{name}' is not a field of {article}; remove it or correct its "
    "spelling (fields: {fields})",
}

#: What a field says instead, by (kind of object, field): by pydantic error type,
#: "*" for any.
_FIELD_SAYS: dict[tuple[str, str], dict[str, str]] = {
    ("definition", "scales"): {
        "missing": "'scales' is required; define at least one response scale",
        "*": 'must be an object naming at least one scale, such as {{"agree5": '
        '{{"type": "likert", "points": 5, ...}}}}',
    },
    ("definition", "sections"): {"*": "must be a list of at least one section"},
    ("definition", "bands"): {
        "*": 'must be a list of bands, each {{"min", "max", "label", "meaning"}}'
    },
    ("definition", "subscales"): {
        "*": 'must be a list of subscales, each {{"key", "title", "items"}}'
    },
    ("scale", "points"): {
        "greater_than_equal": "is {input}; a likert scale needs from 2 to "
        f"{LIKERT_MAX_POINTS} points",
        "less_than_equal": "is {input}; a likert scale needs from 2 to "
        f"{LIKERT_MAX_POINTS} points",
        "*": f"must be a whole number of points from 2 to {LIKERT_MAX_POINTS}, not {{got}}",
    },
    ("scale", "levels"): {
        "*": 'must be a list of at least two levels, each {{"value", "label", "description"}}'
    },
    ("level", "value"): {"*": _NUMBER},
    ("band", "min"): {"*": _NUMBER},
    ("band", "max"): {"*": _NUMBER},
    ("section", "items"): {"*": "must be a list of at least one item"},
    ("section", "tag"): {
        "missing": f"'tag' is required; tag the section like {_TAG_EXAMPLE}",
        "*": f"must name exactly one of enabler, barrier or factor, like {_TAG_EXAMPLE}",
    },
    ("tag", "enabler"): {
        "*": "{input_json} is not an enabler category; use one of "
        + ", ".join(EnablerCategory.values)
    },
    ("tag", "barrier"): {
        "*": "{input_json} is not a barrier category; use one of "
        + ", ".join(BarrierCategory.values)
    },
    ("tag", "factor"): {"*": "must be the factor's name as non-empty text"},
    ("scoring", "method"): {
        "*": "{input_json} is not a scoring method; use " + ", ".join(SCORING_METHODS)
    },
    ("scoring", "min_answered"): {
        "greater_than": "is {input}; give the least share of a section's items that "
        "must be answered, above 0 and at most 1 (0.5 is half)",
        "less_than_equal": "is {input}; give the least share of a section's items that "
        "must be answered, above 0 and at most 1 (0.5 is half)",
        "*": _NUMBER,
    },
    ("subscale", "items"): {"*": "must be a list of one or more item keys"},
}


def _kind_at(loc: tuple[str | int, ...]) -> str:
    """The kind of object at ``loc`` (scale tags already taken out)."""
    shapes: dict[tuple[str, ...], str] = {
        (): "definition",
        ("scales", "*"): "scale",
        ("scales", "*", "levels", "#"): "level",
        ("sections", "#"): "section",
        ("sections", "#", "tag"): "tag",
        ("sections", "#", "items", "#"): "item",
        ("scoring",): "scoring",
        ("bands", "#"): "band",
        ("subscales", "#"): "subscale",
    }
    shape = tuple(
        "#" if isinstance(part, int) else "*" if i == 1 and loc[0] == "scales" else part
        for i, part in enumerate(loc)
    )
    return shapes.get(shape, "")


def _without_tags(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Pydantic puts the chosen scale type in the location; the document does not."""
    if len(loc) > 2 and loc[0] == "scales" and loc[2] in SCALE_TYPES:
        return loc[:2] + loc[3:]
    return loc


def path_of(loc: Iterable[str | int]) -> str:
    """``("sections", 0, "items", 1, "scale")`` → ``sections[0].items[1].scale``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _article(kind: str) -> str:
    if kind == "definition":
        return "the definition"
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _shown(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return plain_number(value)
    return value


def message_for(error: ErrorDetails) -> str:
    """One pydantic error as "path: what is wrong; the fix"."""
    loc = _without_tags(tuple(error["loc"]))
    kind_type = error["type"]
    value = error.get("input")
    if loc and loc[-1] == "[key]":  # a scale's name
        loc = loc[:-1]
        message = (
            f"'{loc[-1]}' is not a valid scale name; use lower-case letters, digits, "
            "'-' and '_'"
        )
        return f"{path_of(loc)}: {message}"
    if kind_type == "scale_type":
        if not isinstance(value, dict):
            message = f"must be an object {{...}}, not {json_type(value)}"
        else:
            loc = (*loc, "type")
            message = (
                f"{json.dumps(value.get('type'))} is not a scale type; "
                f"use one of {', '.join(SCALE_TYPES)}"
            )
        return f"{path_of(loc)}: {message}"
    if kind_type == "definition":
        message = str(error["msg"])
    else:
        name = str(loc[-1]) if loc else ""
        owner = _kind_at(loc[:-1]) if loc else ""
        if kind_type == "missing" or (kind_type == "string_type" and value is None):
            kind_type, value = "missing", None
        says = _FIELD_SAYS.get((owner, name), {})
        template = says.get(kind_type) or says.get("*") or _SAYS.get(kind_type)
        if template is None:
            template = str(error["msg"])
        message = template.format(
            name=name,
            got=json_type(value),
            input=_shown(value),
            input_json=json.dumps(value),
            length=len(value) if isinstance(value, str) else 0,
            article=_article(owner or "definition"),
            fields=", ".join(sorted(FIELDS.get(owner, ()))),
            **{
                key: item
                for key, item in (error.get("ctx") or {}).items()
                if key in {"max_length"}
            },
        )
    path = path_of(loc)
    return f"{path}: {message}" if path else message


def check(data: Any) -> tuple[Document | None, list[str]]:
    """The document validated, or every problem with it as messages."""
    try:
        return Document.model_validate(data, context={"seen": _Seen()}), []
    except ValidationError as error:
        return None, _in_order(message_for(one) for one in error.errors())


def _in_order(messages: Iterable[str]) -> list[str]:
    """Each message once, in the order found."""
    return list(dict.fromkeys(messages))
