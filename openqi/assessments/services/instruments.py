"""Instruments, and reading an instrument's definition: the survey's sections and
questions, the categories results are grouped in, and the bands' colours."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation

from .. import scoring
from ..definition import (
    SCORE_MAX,
    Band,
    Definition,
    Item,
    Scale,
    Section,
    parse_definition,
)
from ..models import AssessmentRound, Instrument


def instruments_for(organisation: Organisation) -> QuerySet[Instrument]:
    """The built-in instruments and the organisation's own."""
    return Instrument.objects.available_to(organisation).order_by("name", "version")


def get_instrument_for(membership: Membership, pk: int) -> Instrument:
    """An instrument the member's organisation can use (built in or its own), or 404."""
    return find_for(
        membership,
        instruments_for(membership.organisation),
        pk,
        "instrument",
        "instruments",
    )


@dataclass(frozen=True)
class Question:
    """One item as the survey asks it: its answers as (form value, label) pairs."""

    item: Item
    choices: list[tuple[str, str]]
    scale: Scale


@dataclass(frozen=True)
class SurveySection:
    section: Section
    questions: list[Question]


def definition_of(assessment_round: AssessmentRound) -> Definition:
    return parse_definition(assessment_round.instrument.definition)


def survey_sections(
    definition: Definition, respondent_group: str
) -> list[SurveySection]:
    """The sections and items put to ``respondent_group``, in the definition's order."""
    shown = []
    for section in definition.sections:
        questions = [
            Question(
                item,
                [(str(value), label) for value, label in scale.choices],
                scale,
            )
            for item in section.items
            if item.is_asked_of(respondent_group)
            for scale in [definition.scale_for(item)]
        ]
        if questions:
            shown.append(SurveySection(section, questions))
    return shown


def category_of(section: Section) -> str:
    """The key results group a section under: ``enabler:leadership``,
    ``barrier:timing``; empty for a free factor."""
    return "" if section.tag_kind == "factor" else f"{section.tag_kind}:{section.tag}"


def categories_of(definition: Definition) -> list[tuple[str, str]]:
    """The (key, label) of each category the sections are tagged with, in order."""
    seen: dict[str, str] = {}
    for section in definition.sections:
        if key := category_of(section):
            kind = "Enabler" if section.tag_kind == "enabler" else "Barrier"
            seen.setdefault(key, f"{section.tag_label} ({kind.lower()})")
    return list(seen.items())


def tone_of(definition: Definition, band: Band | None) -> int:
    """The heatmap colour of a band, from 1 (weakest) to 5 (strongest),
    whatever the number of bands; 0 for no band."""
    if band is None or band not in definition.bands:
        return 0
    total = len(definition.bands)
    if total == 1:
        return 3
    return 1 + round(definition.bands.index(band) * 4 / (total - 1))


def is_below_middle(definition: Definition, score: float) -> bool:
    """Whether a score falls in a band below the middle one (below 50 with no bands)."""
    band = scoring.band_for(definition, score)
    if band is None or band not in definition.bands:
        return score < (SCORE_MAX / 2)
    return definition.bands.index(band) < (len(definition.bands) - 1) / 2
