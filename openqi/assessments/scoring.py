"""Scoring assessment responses: pure functions over a definition and answers.

The whole API::

    section_scores(definition, answers, respondent_group=None) -> {section key: score | None}
    subscale_scores(definition, answers, respondent_group=None) -> {subscale key: score | None}
    item_score(definition, item_key, answer) -> score | None
    shown_score(score) -> float
    band_for(definition, score) -> Band | None
    summarise(definition, responses) -> Summary

``definition`` is a parsed :class:`~openqi.assessments.definition.Definition` or
the stored JSON (``instrument.definition``); ``answers`` maps item keys to
answers as the item's scale defines them (1–N for Likert, "yes"/"partly"/"no",
a level's value; numbers may come as form strings; None or "" is unanswered).

How scores are made (docs/assessments.md says the same for users):

* **Every item scores 0–100**, whatever its scale: Likert answer k of N points
  scores (k − 1)/(N − 1) × 100; yes, partly, no score 100, 50, 0; described levels
  score linearly by value from the lowest (0) to the highest (100). A reverse-scored
  item scores 100 minus that. So a higher score is always better, and sections on
  different scales sit side by side in one heatmap.
* **A section's score** for one response is the mean of the scores of its answered
  items — counting only the items put to the respondent's group (``asked_of``). If
  fewer than the definition's ``min_answered`` share of those items were answered,
  the score is missing (None), as it is when no item of the section is put to the
  group. Subscales are scored the same way over their items.
* **Scores are shown as whole numbers** (``shown_score``: halves round up), and a
  score's band is the band of the score as shown: 39.6 is shown as 40 and falls in
  a band that starts at 40, never in the band below it.
* **A summary** of many responses gives, per section and subscale, the mean of the
  responses' scores, the sample standard deviation (n − 1; None below two), the
  number scored and missing, the band of the mean and how many responses fall in
  each band; per item, the mean item score and the count of every answer on its
  scale (the spread). Suppressing small groups is the caller's business.

Answers that are not on an item's scale raise ``ValueError`` naming the item;
answers to keys the definition does not hold are ignored.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .definition import SCORE_MAX, Band, Definition, Item, parse_definition

__all__ = [
    "AnswerCount",
    "ItemSummary",
    "ScoreSummary",
    "Summary",
    "SCORE_DECIMALS",
    "band_for",
    "item_score",
    "section_scores",
    "shown_score",
    "subscale_scores",
    "summarise",
]

Answers = Mapping[str, Any]

#: The decimal places a score is shown with, on pages and in the API.
SCORE_DECIMALS = 0


@dataclass(frozen=True)
class AnswerCount:
    value: Any
    label: str
    count: int


@dataclass(frozen=True)
class ItemSummary:
    """One item over many responses.

    ``n`` responses answered it and ``skipped`` were asked it but left it blank;
    ``mean`` is the mean item score (0–100, reversal applied; None if none answered);
    ``counts`` gives every answer on the scale, in scale order, with how many chose it.
    """

    key: str
    text: str
    section_key: str
    reverse: bool
    n: int
    skipped: int
    mean: float | None
    counts: tuple[AnswerCount, ...]


@dataclass(frozen=True)
class ScoreSummary:
    """A section (or subscale) over many responses.

    ``n`` responses have a score and ``missing`` were asked the section but
    answered too few of its items; ``mean`` and ``sd`` are of those ``n`` scores
    (``sd`` is the sample standard deviation, None below two scores); ``band`` is
    the band of the mean, and ``band_counts`` how many scores fall in each band,
    as ``((label, count), ...)`` in band order. ``tag_kind`` and ``tag`` are
    empty for a subscale.
    """

    key: str
    title: str
    tag_kind: str
    tag: str
    n: int
    missing: int
    mean: float | None
    sd: float | None
    band: Band | None
    band_counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Summary:
    """Many responses to one instrument: ``n`` responses, and each section,
    subscale and item summarised, keyed by key in the definition's order."""

    n: int
    sections: dict[str, ScoreSummary]
    subscales: dict[str, ScoreSummary]
    items: dict[str, ItemSummary]


def item_score(
    definition: Definition | Mapping[str, Any], item_key: str, answer: Any
) -> float | None:
    """The item's score for ``answer`` on the 0–100 range, reversal applied; None if unanswered."""
    definition = _definition(definition)
    return _item_score(definition, definition.item(item_key), answer)


def section_scores(
    definition: Definition | Mapping[str, Any],
    answers: Answers,
    respondent_group: str | None = None,
) -> dict[str, float | None]:
    """Each section's score (0–100) for one response, or None where too few items were answered.

    ``respondent_group`` (board, managers, staff, patients) limits each section to
    the items put to that group; None counts every item.
    """
    definition = _definition(definition)
    return {
        section.key: _mean_score(definition, section.items, answers, respondent_group)
        for section in definition.sections
    }


def subscale_scores(
    definition: Definition | Mapping[str, Any],
    answers: Answers,
    respondent_group: str | None = None,
) -> dict[str, float | None]:
    """Each subscale's score (0–100) for one response, scored as sections are."""
    definition = _definition(definition)
    return {
        subscale.key: _mean_score(
            definition,
            [definition.item(key) for key in subscale.items],
            answers,
            respondent_group,
        )
        for subscale in definition.subscales
    }


def shown_score(score: float) -> float:
    """``score`` as it is shown: rounded to ``SCORE_DECIMALS`` places, halves up
    (39.5 → 40), on the decimal value written rather than its binary neighbour."""
    places = Decimal(1).scaleb(-SCORE_DECIMALS)
    return float(Decimal(repr(score)).quantize(places, rounding=ROUND_HALF_UP))


def band_for(
    definition: Definition | Mapping[str, Any], score: float | None
) -> Band | None:
    """The interpretation band holding ``score`` as it is shown (``shown_score``):
    a band holds min ≤ shown score < max, and the top band its max too; so a score
    shown as 40 is in the band from 40, whatever its unrounded value. None for a
    missing score or no bands."""
    if score is None:
        return None
    score = shown_score(score)
    definition = _definition(definition)
    for band in definition.bands:
        if band.min <= score < band.max or (score == band.max == SCORE_MAX):
            return band
    return None


def summarise(
    definition: Definition | Mapping[str, Any],
    responses: Iterable[Answers | tuple[Answers, str | None]],
) -> Summary:
    """Summarise many responses: per section, subscale and item (see the module notes).

    Each response is its answers, or a pair ``(answers, respondent_group)`` —
    as in ``[(r.answers, r.respondent_group) for r in round.responses.all()]``.
    """
    definition = _definition(definition)
    section_lists: dict[str, list[float]] = {s.key: [] for s in definition.sections}
    section_missing = dict.fromkeys(section_lists, 0)
    subscale_lists: dict[str, list[float]] = {s.key: [] for s in definition.subscales}
    subscale_missing = dict.fromkeys(subscale_lists, 0)
    item_scores: dict[str, list[float]] = {item.key: [] for item in definition.items}
    item_skipped = dict.fromkeys(item_scores, 0)
    item_counts: dict[str, dict[Any, int]] = {
        item.key: {value: 0 for value, _ in definition.scale_for(item).choices}
        for item in definition.items
    }
    n = 0
    for response in responses:
        answers, group = response if isinstance(response, tuple) else (response, None)
        n += 1
        for section in definition.sections:
            _collect(
                definition,
                section.key,
                section.items,
                answers,
                group,
                section_lists,
                section_missing,
            )
        for subscale in definition.subscales:
            subscale_items = [definition.item(key) for key in subscale.items]
            _collect(
                definition,
                subscale.key,
                subscale_items,
                answers,
                group,
                subscale_lists,
                subscale_missing,
            )
        for item in definition.items:
            if not item.is_asked_of(group):
                continue
            value = _parse(definition, item, answers.get(item.key))
            if value is None:
                item_skipped[item.key] += 1
                continue
            item_counts[item.key][value] += 1
            item_scores[item.key].append(_item_score(definition, item, value) or 0.0)

    sections = {
        s.key: _score_summary(
            definition,
            s.key,
            s.title,
            s.tag_kind,
            s.tag,
            section_lists[s.key],
            section_missing[s.key],
        )
        for s in definition.sections
    }
    subscales = {
        s.key: _score_summary(
            definition,
            s.key,
            s.title,
            "",
            "",
            subscale_lists[s.key],
            subscale_missing[s.key],
        )
        for s in definition.subscales
    }
    items: dict[str, ItemSummary] = {}
    for section in definition.sections:
        for item in section.items:
            scores = item_scores[item.key]
            labels = dict(definition.scale_for(item).choices)
            items[item.key] = ItemSummary(
                key=item.key,
                text=item.text,
                section_key=section.key,
                reverse=item.reverse,
                n=len(scores),
                skipped=item_skipped[item.key],
                mean=statistics.fmean(scores) if scores else None,
                counts=tuple(
                    AnswerCount(value=value, label=labels[value], count=count)
                    for value, count in item_counts[item.key].items()
                ),
            )
    return Summary(n=n, sections=sections, subscales=subscales, items=items)


def _definition(definition: Definition | Mapping[str, Any]) -> Definition:
    return (
        definition
        if isinstance(definition, Definition)
        else parse_definition(definition)
    )


def _parse(definition: Definition, item: Item, raw: Any) -> Any:
    try:
        return definition.scale_for(item).parse_answer(raw)
    except ValueError as error:
        raise ValueError(f"answer to item '{item.key}': {error}") from None


def _item_score(definition: Definition, item: Item, raw: Any) -> float | None:
    score = definition.scale_for(item).score(_parse(definition, item, raw))
    if score is None:
        return None
    return SCORE_MAX - score if item.reverse else score


def _mean_score(
    definition: Definition, items: Iterable[Item], answers: Answers, group: str | None
) -> float | None:
    asked = [item for item in items if item.is_asked_of(group)]
    if not asked:
        return None
    scores = [
        score
        for item in asked
        if (score := _item_score(definition, item, answers.get(item.key))) is not None
    ]
    # The tolerance keeps 7 of 10 items enough for a share of 0.7 (0.7 × 10 is 7.000…1 in floats).
    if not scores or len(scores) < definition.min_answered * len(asked) - 1e-9:
        return None
    return statistics.fmean(scores)


def _collect(
    definition: Definition,
    key: str,
    items: Iterable[Item],
    answers: Answers,
    group: str | None,
    scores: dict[str, list[float]],
    missing: dict[str, int],
) -> None:
    items = list(items)
    if not any(item.is_asked_of(group) for item in items):
        return
    score = _mean_score(definition, items, answers, group)
    if score is None:
        missing[key] += 1
    else:
        scores[key].append(score)


def _score_summary(
    definition: Definition,
    key: str,
    title: str,
    tag_kind: str,
    tag: str,
    scores: list[float],
    missing: int,
) -> ScoreSummary:
    mean = statistics.fmean(scores) if scores else None
    band_counts = {band.label: 0 for band in definition.bands}
    for score in scores:
        band = band_for(definition, score)
        if band is not None:
            band_counts[band.label] += 1
    return ScoreSummary(
        key=key,
        title=title,
        tag_kind=tag_kind,
        tag=tag,
        n=len(scores),
        missing=missing,
        mean=mean,
        sd=statistics.stdev(scores) if len(scores) >= 2 else None,
        band=band_for(definition, mean),
        band_counts=tuple(band_counts.items()),
    )
