"""A round's results: computed once when it closes, stored on it, and read back
by pages, exports and the API.

Results never show a score or a spread for a group of fewer than
``MIN_RESPONSES`` responses, nor anything from which such a group could be
worked out (see ``published_tables`` and disclosure.py), and only once the round
has closed (``results_are_available``). Results are computed once, when the
round closes, and stored on it (``publish_results``); pages, exports and the API
read the stored results (``results_for``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from openqi.organisations.models import StaffRecord, Unit

from .. import disclosure, scoring
from ..definition import Band, Definition, Section
from ..models import AssessmentRound, RespondentGroup, Response
from .actions import SUGGESTED_ACTIONS, action_text, enabler_for
from .instruments import (
    categories_of,
    category_of,
    definition_of,
    is_below_middle,
    tone_of,
)

#: The fewest responses a group needs before its scores or spread are shown.
MIN_RESPONSES = 5


class ResultsNotAvailable(Exception):
    """The round is not closed, so its results are not published yet."""


#: What the results page and the API say while a round's results are not published.
RESULTS_PENDING = (
    "The results will be available when the round closes. While a round is open "
    "they would change with every response, so comparing them before and after "
    "one response would give that person's answers away."
)


def results_are_available(assessment_round: AssessmentRound) -> bool:
    """Results are published only once a round closes: a closed round takes no
    more responses and never opens again, so its results never change."""
    return assessment_round.status == AssessmentRound.Status.CLOSED


#: Why a result is hidden: its group has fewer than ``MIN_RESPONSES`` responses ...
FEW_RESPONSES = "few_responses"
#: ... or it is hidden only so that a smaller group cannot be worked out from it
#: and the other published results (secondary suppression, see disclosure.py).
COMPLEMENTARY = "complementary"


@dataclass
class Cell:
    """One score as the results show it: a mean (0–100) over ``n`` scores, rounded
    as shown (``scoring.shown_score``) with the band of that shown score; or
    suppressed (``score`` None, ``suppression`` saying why); ``n`` 0 is no data."""

    n: int
    score: float | None = None
    band: Band | None = None
    tone: int = 0
    suppression: str = ""

    @property
    def is_suppressed(self) -> bool:
        return bool(self.suppression)

    @property
    def is_complementary(self) -> bool:
        """Hidden only to protect a smaller group, not for its own size."""
        return self.suppression == COMPLEMENTARY


@dataclass
class Row:
    """One group of responses (a unit, a staff group, a respondent group, or all).
    ``suppression`` is set when the group has fewer than ``MIN_RESPONSES``
    responses, or when every one of its scores is hidden."""

    key: str
    label: str
    n: int
    cells: dict[str, Cell]
    categories: dict[str, Cell]
    suppression: str = ""

    @property
    def is_suppressed(self) -> bool:
        return bool(self.suppression)

    @property
    def is_complementary(self) -> bool:
        return self.suppression == COMPLEMENTARY


@dataclass
class ItemSpread:
    """How many chose each answer to an item; hidden below ``MIN_RESPONSES``
    answers, or to protect a smaller group (``suppression`` says why)."""

    key: str
    text: str
    n: int
    counts: list[tuple[str, int]]
    is_suppressed: bool
    suppression: str = ""

    @property
    def is_complementary(self) -> bool:
        return self.suppression == COMPLEMENTARY


@dataclass
class Suggestion:
    section: Section
    cell: Cell
    category: str
    text: str


@dataclass
class Results:
    assessment_round: AssessmentRound
    definition: Definition
    categories: list[tuple[str, str]]
    overall: Row
    #: Per section: the sample standard deviation of the scores (None when hidden).
    overall_sd: dict[str, float | None]
    by_unit: list[Row]
    by_staff_group: list[Row]
    by_respondent_group: list[Row]
    spreads: dict[str, list[ItemSpread]]
    previous: AssessmentRound | None
    change: dict[str, float | None]
    category_change: dict[str, float | None]
    suggestions: list[Suggestion]
    min_responses: int = MIN_RESPONSES


Scores = dict[str, float | None]

#: A column of the results: ("section", key) or ("category", key).
Column = tuple[str, str]


@dataclass(frozen=True)
class _Scored:
    """One response as the published numbers use it: its section and category
    scores, its asked and answered items' scores, and the weight of each item in
    each score (a section's score is its answered items' mean)."""

    scores: dict[Column, float]
    weights: dict[Column, dict[str, float]]
    items: dict[str, float]


def _scored(definition: Definition, response: Response) -> _Scored:
    group = response.respondent_group
    sections = scoring.section_scores(definition, response.answers, group)
    items = {
        item.key: score
        for item in definition.items
        if item.is_asked_of(group)
        and (
            score := scoring.item_score(
                definition, item.key, response.answers.get(item.key)
            )
        )
        is not None
    }
    scores: dict[Column, float] = {}
    weights: dict[Column, dict[str, float]] = {}
    by_category: dict[str, list[Section]] = {}
    for section in definition.sections:
        value = sections.get(section.key)
        if value is None:
            continue
        answered = [item.key for item in section.items if item.key in items]
        scores[("section", section.key)] = value
        weights[("section", section.key)] = dict.fromkeys(answered, 1 / len(answered))
        if key := category_of(section):
            by_category.setdefault(key, []).append(section)
    for key, scored_sections in by_category.items():
        share = 1 / len(scored_sections)
        scores[("category", key)] = share * sum(
            scores[("section", s.key)] for s in scored_sections
        )
        combined: dict[str, float] = {}
        for section in scored_sections:
            for item, weight in weights[("section", section.key)].items():
                combined[item] = combined.get(item, 0.0) + share * weight
        weights[("category", key)] = combined
    return _Scored(scores, weights, items)


def _columns(definition: Definition) -> list[Column]:
    return [("section", s.key) for s in definition.sections] + [
        ("category", key) for key, _label in categories_of(definition)
    ]


def _cell(definition: Definition, values: list[float], suppression: str) -> Cell:
    n = len(values)
    if n == 0:
        return Cell(n=0)
    if n < MIN_RESPONSES:
        return Cell(n=n, suppression=FEW_RESPONSES)
    if suppression:
        return Cell(n=n, suppression=suppression)
    score = scoring.shown_score(sum(values) / n)
    band = scoring.band_for(definition, score)
    return Cell(n=n, score=score, band=band, tone=tone_of(definition, band))


def _row(
    definition: Definition,
    key: str,
    label: str,
    scored: list[_Scored],
    suppression: Mapping[Column, str],
) -> Row:
    """A group's row; ``suppression`` says which of its columns are hidden and why."""
    cells = {
        column[1]: _cell(
            definition,
            [s.scores[column] for s in scored if column in s.scores],
            suppression.get(column, ""),
        )
        for column in _columns(definition)
    }
    present = [cell for cell in cells.values() if cell.n]
    if len(scored) < MIN_RESPONSES:
        hidden = FEW_RESPONSES
    elif present and all(cell.is_suppressed for cell in present):
        hidden = (
            COMPLEMENTARY
            if any(cell.is_complementary for cell in present)
            else FEW_RESPONSES
        )
    else:
        hidden = ""
    sections = {s.key for s in definition.sections}
    return Row(
        key=key,
        label=label,
        n=len(scored),
        cells={k: cell for k, cell in cells.items() if k in sections},
        categories={k: cell for k, cell in cells.items() if k not in sections},
        suppression=hidden,
    )


#: The breakdowns of a round's responses, and each response's group in them.
BREAKDOWNS: dict[str, Callable[[Response], str]] = {
    "unit": lambda r: str(r.unit_id or ""),
    "staff_group": lambda r: r.staff_group,
    "respondent_group": lambda r: r.respondent_group,
}


@dataclass
class Tables:
    """Every number a round publishes, suppression applied."""

    overall: Row
    breakdowns: dict[str, dict[str, Row]]
    spreads: dict[str, list[ItemSpread]]
    summary: scoring.Summary


def published_tables(definition: Definition, responses: list[Response]) -> Tables:
    """Build every published table of a round, then hide what would disclose a
    group of fewer than ``MIN_RESPONSES``: first each cell with fewer scores than
    that, then, across all tables together, whatever a linear combination of
    the rest would give away (``disclosure.secondary_suppression``).

    Published numbers: the score of every group (all responses, each unit, staff
    group and respondent group) in every section and category, with the number
    scored, and the spread of answers to every item over all responses. The
    standard deviations are shown only with the overall score of their section,
    over its single set of responses, so they cannot be differenced; the change
    since an earlier round is two published overall scores subtracted.
    """
    scored = [_scored(definition, r) for r in responses]
    groups: dict[str, dict[str, list[int]]] = {"all": {"all": list(range(len(scored)))}}
    for name, key_of in BREAKDOWNS.items():
        groups[name] = {}
        for index, response in enumerate(responses):
            groups[name].setdefault(key_of(response), []).append(index)
    cells: list[disclosure.Published] = []
    hidden: dict[Hashable, str] = {}
    for name, members in groups.items():
        for key, ids in members.items():
            for column in _columns(definition):
                with_score = [i for i in ids if column in scored[i].scores]
                cell_key = (name, key, *column)
                if 0 < len(with_score) < MIN_RESPONSES:
                    hidden[cell_key] = FEW_RESPONSES
                elif with_score:
                    weights: dict[tuple[Hashable, Hashable], float] = {
                        (i, item): weight
                        for i in with_score
                        for item, weight in scored[i].weights[column].items()
                    }
                    tier = 2 if name == "all" else 0
                    cells.append(disclosure.Published(cell_key, weights, tier))
    for item in definition.items:
        answered = [i for i, one in enumerate(scored) if item.key in one.items]
        spread_key = ("spread", item.key)
        if 0 < len(answered) < MIN_RESPONSES:
            hidden[spread_key] = FEW_RESPONSES
        elif answered:
            weights = {(i, item.key): 1.0 for i in answered}
            cells.append(disclosure.Published(spread_key, weights, tier=1))
    for hidden_key in disclosure.secondary_suppression(cells, MIN_RESPONSES):
        hidden[hidden_key] = COMPLEMENTARY

    def row(name: str, key: str, label: str, ids: list[int]) -> Row:
        suppression = {
            column: hidden.get((name, key, *column), "")
            for column in _columns(definition)
        }
        return _row(definition, key, label, [scored[i] for i in ids], suppression)

    summary = scoring.summarise(
        definition, [(r.answers, r.respondent_group) for r in responses]
    )
    return Tables(
        overall=row("all", "all", "All responses", groups["all"]["all"]),
        breakdowns={
            name: {key: row(name, key, key, ids) for key, ids in groups[name].items()}
            for name in BREAKDOWNS
        },
        spreads=_spreads(definition, summary, hidden),
        summary=summary,
    )


def _ordered(rows: Mapping[str, Row], labels: Mapping[str, str]) -> list[Row]:
    """The rows labelled, in the order of ``labels`` (others last)."""
    order = list(labels)
    labelled = [replace(row, label=labels.get(key, key)) for key, row in rows.items()]
    labelled.sort(
        key=lambda row: order.index(row.key) if row.key in order else len(order)
    )
    return labelled


def _spreads(
    definition: Definition,
    summary: scoring.Summary,
    hidden: Mapping[Hashable, str],
) -> dict[str, list[ItemSpread]]:
    spreads: dict[str, list[ItemSpread]] = {}
    for section in definition.sections:
        spreads[section.key] = []
        for item in section.items:
            one = summary.items[item.key]
            suppression = (
                FEW_RESPONSES
                if 0 < one.n < MIN_RESPONSES
                else hidden.get(("spread", item.key), "")
            )
            spreads[section.key].append(
                ItemSpread(
                    key=item.key,
                    text=item.text,
                    n=one.n,
                    counts=(
                        []
                        if suppression or one.n == 0
                        else [(c.label, c.count) for c in one.counts]
                    ),
                    is_suppressed=bool(suppression),
                    suppression=suppression,
                )
            )
    return spreads


def previous_round(assessment_round: AssessmentRound) -> AssessmentRound | None:
    """The round this one's change is measured against: the latest closed round
    started before it of the same instrument (and version) over the same units
    (the whole organisation only against the whole organisation). None when there
    is no such round: a round over other units asked other people, so the
    difference would not be a change."""
    population = {unit.pk for unit in assessment_round.units.all()}
    earlier: QuerySet[AssessmentRound] = (
        AssessmentRound.objects.for_organisation(assessment_round.organisation)
        .filter(
            instrument=assessment_round.instrument,
            status=AssessmentRound.Status.CLOSED,
            created_at__lt=assessment_round.created_at,
        )
        .defer("published_results")
        .prefetch_related("units")
        .order_by("-created_at", "-pk")
    )
    for candidate in earlier:
        if {unit.pk for unit in candidate.units.all()} == population:
            return candidate
    return None


def _change(now: Cell, before: Cell | None) -> float | None:
    if before is None or now.score is None or before.score is None:
        return None
    return now.score - before.score


def _suggestions(definition: Definition, overall: Row) -> list[Suggestion]:
    """The weakest sections scoring below the middle band, lowest first."""
    weak = [
        (cell.score, index, section)
        for index, section in enumerate(definition.sections)
        if (cell := overall.cells[section.key]).score is not None
        and is_below_middle(definition, cell.score)
    ]
    weak.sort(key=lambda found: (found[0], found[1]))
    return [
        Suggestion(
            section,
            overall.cells[section.key],
            enabler_for(section),
            action_text(section),
        )
        for _score, _index, section in weak[:SUGGESTED_ACTIONS]
    ]


def _round_tables(
    assessment_round: AssessmentRound,
) -> tuple[Definition, list[Response], Tables]:
    definition = definition_of(assessment_round)
    responses = list(assessment_round.responses.select_related("unit"))
    return definition, responses, published_tables(definition, responses)


#: The version of the method that turns responses into published results
#: (``published_tables``, disclosure.py, the stored form below). Raise it when a
#: change there would publish other numbers: results stored by an older version
#: are computed again on their next read, or by ``manage.py publish_round_results``.
RESULTS_METHOD_VERSION = 1


def publish_results(assessment_round: AssessmentRound) -> dict[str, Any]:
    """Compute a closed round's published results once and store them on the
    round (``published_results``), for every page, export and API call to read.

    Called when the round closes. A closed round takes no more responses, so what
    is stored never goes stale; and since it is stored, later changes (a unit
    deleted, which leaves its responses without a unit, or renamed) do not
    change results already published. Raises ``ResultsNotAvailable`` for a round
    that is not closed.
    """
    if not results_are_available(assessment_round):
        raise ResultsNotAvailable(RESULTS_PENDING)
    definition, responses, tables = _round_tables(assessment_round)
    units = {str(u.pk): u.name for u in round_units(assessment_round)}
    for response in responses:
        if response.unit is not None:  # a unit since moved out of the round
            units.setdefault(str(response.unit_id), response.unit.name)
    units[""] = "Unit not given"
    staff_groups = {**dict(StaffRecord.StaffGroup.choices), "": "Staff group not given"}
    breakdowns = {
        "unit": _ordered(tables.breakdowns["unit"], units),
        "staff_group": _ordered(tables.breakdowns["staff_group"], staff_groups),
        "respondent_group": _ordered(
            tables.breakdowns["respondent_group"], dict(RespondentGroup.choices)
        ),
    }
    overall = tables.overall
    stored = {
        "overall": _stored_row(overall),
        "overall_sd": {
            key: None if overall.cells[key].score is None else one.sd
            for key, one in tables.summary.sections.items()
        },
        # Lists, not objects: PostgreSQL's jsonb does not keep the order of keys.
        "breakdowns": {
            name: [_stored_row(row) for row in rows]
            for name, rows in breakdowns.items()
        },
        "spreads": {
            key: [
                {
                    "key": one.key,
                    "n": one.n,
                    "counts": [[label, count] for label, count in one.counts],
                    "suppression": one.suppression,
                }
                for one in spreads
            ]
            for key, spreads in tables.spreads.items()
        },
    }
    computed_at = timezone.now()
    # An update, not save(): storing results is no edit of the round, so it
    # neither moves the round's version nor writes to the audit trail.
    AssessmentRound.objects.filter(pk=assessment_round.pk).update(
        published_results=stored,
        results_computed_at=computed_at,
        results_method_version=RESULTS_METHOD_VERSION,
    )
    assessment_round.published_results = stored
    assessment_round.results_computed_at = computed_at
    assessment_round.results_method_version = RESULTS_METHOD_VERSION
    return stored


def has_stored_results(assessment_round: AssessmentRound) -> bool:
    """Whether the round's stored results are there and from the current method."""
    return (
        assessment_round.results_method_version == RESULTS_METHOD_VERSION
        and assessment_round.published_results is not None
    )


def stored_results(assessment_round: AssessmentRound) -> dict[str, Any]:
    """The round's stored results; a round closed before results were stored (or
    stored by an older method) gets them computed and stored now, once."""
    if not results_are_available(assessment_round):
        raise ResultsNotAvailable(RESULTS_PENDING)
    if not has_stored_results(assessment_round):
        return publish_results(assessment_round)
    results = assessment_round.published_results
    assert results is not None  # has_stored_results
    return dict(results)


def _stored_cell(cell: Cell) -> dict[str, Any]:
    return {"n": cell.n, "score": cell.score, "suppression": cell.suppression}


def _stored_row(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "n": row.n,
        "suppression": row.suppression,
        "cells": {key: _stored_cell(cell) for key, cell in row.cells.items()},
        "categories": {key: _stored_cell(cell) for key, cell in row.categories.items()},
    }


def _read_cell(definition: Definition, data: Mapping[str, Any] | None) -> Cell:
    if data is None:
        return Cell(n=0)
    score = data["score"]
    band = None if score is None else scoring.band_for(definition, score)
    return Cell(
        n=data["n"],
        score=score,
        band=band,
        tone=tone_of(definition, band),
        suppression=data["suppression"],
    )


def _read_row(definition: Definition, data: Mapping[str, Any]) -> Row:
    """A stored row, its cells in the definition's order (jsonb keeps none)."""
    return Row(
        key=data["key"],
        label=data["label"],
        n=data["n"],
        cells={
            s.key: _read_cell(definition, data["cells"].get(s.key))
            for s in definition.sections
        },
        categories={
            key: _read_cell(definition, data["categories"].get(key))
            for key, _label in categories_of(definition)
        },
        suppression=data["suppression"],
    )


def _read_spreads(
    definition: Definition, stored: Mapping[str, list[dict[str, Any]]]
) -> dict[str, list[ItemSpread]]:
    spreads: dict[str, list[ItemSpread]] = {}
    for section in definition.sections:
        by_key = {one["key"]: one for one in stored.get(section.key, [])}
        spreads[section.key] = [
            ItemSpread(
                key=item.key,
                text=item.text,
                n=one["n"],
                counts=[(label, count) for label, count in one["counts"]],
                is_suppressed=bool(one["suppression"]),
                suppression=one["suppression"],
            )
            for item in section.items
            if (one := by_key.get(item.key)) is not None
        ]
    return spreads


def results_for(assessment_round: AssessmentRound) -> Results:
    """Everything the results page, exports and the API publish, read from the
    round's stored results (``stored_results``), with small groups and whatever
    would give them away already suppressed. The change since the previous round
    compares with that round's stored results. Raises ``ResultsNotAvailable``
    for a round that is not closed."""
    stored = stored_results(assessment_round)
    definition = definition_of(assessment_round)
    overall = _read_row(definition, stored["overall"])
    previous = previous_round(assessment_round)
    change: dict[str, float | None] = {}
    category_change: dict[str, float | None] = {}
    if previous is not None:
        # The same instrument (previous_round), so the same definition.
        before = _read_row(definition, stored_results(previous)["overall"])
        change = {
            key: _change(cell, before.cells.get(key))
            for key, cell in overall.cells.items()
        }
        category_change = {
            key: _change(cell, before.categories.get(key))
            for key, cell in overall.categories.items()
        }
    breakdowns = {
        name: [_read_row(definition, row) for row in rows]
        for name, rows in stored["breakdowns"].items()
    }
    return Results(
        assessment_round=assessment_round,
        definition=definition,
        categories=categories_of(definition),
        overall=overall,
        overall_sd={
            s.key: stored["overall_sd"].get(s.key) for s in definition.sections
        },
        by_unit=breakdowns["unit"],
        by_staff_group=breakdowns["staff_group"],
        by_respondent_group=breakdowns["respondent_group"],
        spreads=_read_spreads(definition, stored["spreads"]),
        previous=previous,
        change=change,
        category_change=category_change,
        suggestions=_suggestions(definition, overall),
    )


def round_units(assessment_round: AssessmentRound) -> QuerySet[Unit]:
    """The units a round covers: its chosen units and the units under them, or
    every unit of the organisation when none were chosen."""
    units = Unit.objects.filter(organisation=assessment_round.organisation)
    chosen = list(assessment_round.units.all())
    if not chosen:
        return units.order_by("name")
    wanted: set[int] = {unit.pk for unit in chosen}
    frontier = set(wanted)
    while frontier:
        frontier = (
            set(units.filter(parent__in=frontier).values_list("pk", flat=True)) - wanted
        )
        wanted |= frontier
    return units.filter(pk__in=wanted).order_by("name")
