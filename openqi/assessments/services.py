"""Assessment rounds, anonymous links and responses, results and the action plan.

Who may change things: ``can_edit_assessments`` (administrators and the QI team);
every member may read the results. Results never show a score or a spread for a
group of fewer than ``MIN_RESPONSES`` responses (see ``suppressed``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openqi.core.categories import BarrierCategory, EnablerCategory
from openqi.core.tokens import new_token, token_hash
from openqi.organisations.models import (
    Membership,
    Organisation,
    Role,
    StaffRecord,
    Unit,
)

from . import scoring
from .definition import (
    SCORE_MAX,
    Band,
    Definition,
    Item,
    Scale,
    Section,
    parse_definition,
)
from .models import (
    ActionItem,
    AssessmentRound,
    Instrument,
    RespondentGroup,
    Response,
    ResponseLink,
)

#: The fewest responses a group needs before its scores or spread are shown.
MIN_RESPONSES = 5

#: The roles that run assessments and keep the action plan.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.QI_TEAM})

#: How many of the weakest sections become suggested actions.
SUGGESTED_ACTIONS = 3

#: The most links made at once.
MAX_LINKS = 500

GENERIC_ACTIONS = {
    EnablerCategory.LEADERSHIP: (
        "Agree with the board how improvement is governed and reported, "
        "and who sponsors it."
    ),
    EnablerCategory.INFRASTRUCTURE: (
        "Secure the time, data and analytical support that improvement teams need."
    ),
    EnablerCategory.SKILLS: (
        "Plan improvement training for each level of staff, with coaching "
        "for project leads."
    ),
    EnablerCategory.CULTURE: (
        "Create regular, safe spaces for teams to reflect, speak up and learn together."
    ),
}


# --- Reading an instrument's definition ---------------------------------------


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


#: What to try for a weak section tagged with a barrier category.
BARRIER_ACTIONS = {
    BarrierCategory.CULTURE: "Make it safe to raise problems: leaders ask for, and act on, what staff see.",
    BarrierCategory.LEADERSHIP: "Give each improvement priority a named senior sponsor who unblocks the work.",
    BarrierCategory.FOCUS: "Cut the number of improvement priorities to a few, and stop work outside them.",
    BarrierCategory.RESOURCES: "Protect time for improvement work in job plans and rotas.",
    BarrierCategory.INFORMATION: "Give teams timely data on their own measures, shown as SPC charts.",
    BarrierCategory.TIMING: "Plan improvement work around the organisation's busiest periods.",
    BarrierCategory.ENGAGEMENT: "Involve staff and patients in choosing and testing changes.",
}

#: The enabler category an action on a barrier belongs to (our reading of which
#: enabler removes that barrier).
BARRIER_ENABLERS = {
    BarrierCategory.CULTURE: EnablerCategory.CULTURE,
    BarrierCategory.LEADERSHIP: EnablerCategory.LEADERSHIP,
    BarrierCategory.FOCUS: EnablerCategory.LEADERSHIP,
    BarrierCategory.RESOURCES: EnablerCategory.INFRASTRUCTURE,
    BarrierCategory.INFORMATION: EnablerCategory.INFRASTRUCTURE,
    BarrierCategory.TIMING: EnablerCategory.LEADERSHIP,
    BarrierCategory.ENGAGEMENT: EnablerCategory.CULTURE,
}


# --- Who may change things --------------------------------------------------


def can_edit_assessments(membership: Membership) -> bool:
    """Administrators and the QI team run rounds and keep the action plan."""
    return membership.role in EDITOR_ROLES


def require_assessment_editor(membership: Membership) -> None:
    if not can_edit_assessments(membership):
        raise PermissionDenied(
            "Only the QI team or an administrator of this organisation can do this."
        )


# --- Instruments and rounds ---------------------------------------------------


def instruments_for(organisation: Organisation) -> QuerySet[Instrument]:
    """The built-in instruments and the organisation's own."""
    return Instrument.objects.available_to(organisation).order_by("name", "version")


def rounds_for(organisation: Organisation) -> QuerySet[AssessmentRound]:
    """The organisation's rounds, newest first, each with ``response_count``."""
    return (
        AssessmentRound.objects.for_organisation(organisation)
        .select_related("instrument")
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("-created_at", "-pk")
    )


def create_round(
    organisation: Organisation,
    *,
    instrument: Instrument,
    title: str,
    units: Iterable[Unit],
    created_by: Any = None,
) -> AssessmentRound:
    """A draft round; no units means the whole organisation."""
    with transaction.atomic():
        assessment_round = AssessmentRound.objects.create(
            organisation=organisation,
            instrument=instrument,
            title=title,
            created_by=created_by,
        )
        assessment_round.units.set(list(units))
    return assessment_round


def open_round(assessment_round: AssessmentRound) -> AssessmentRound:
    """Open a draft round for responses (a closed round stays closed)."""
    if assessment_round.status == AssessmentRound.Status.DRAFT:
        assessment_round.status = AssessmentRound.Status.OPEN
        assessment_round.opened_on = timezone.localdate()
        assessment_round.save()
    return assessment_round


def close_round(assessment_round: AssessmentRound) -> AssessmentRound:
    """Close an open round: its links stop taking responses."""
    if assessment_round.status == AssessmentRound.Status.OPEN:
        assessment_round.status = AssessmentRound.Status.CLOSED
        assessment_round.closed_on = timezone.localdate()
        assessment_round.save()
    return assessment_round


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


# --- Anonymous links and responses ------------------------------------------


def link_counts(assessment_round: AssessmentRound) -> dict[str, int]:
    counts = assessment_round.links.aggregate(
        total=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False))
    )
    return {"used": counts["used"], "unused": counts["total"] - counts["used"]}


def create_links(
    assessment_round: AssessmentRound,
    *,
    count: int,
    unit: Unit | None,
    staff_group: str,
    respondent_group: str,
) -> list[str]:
    """Make ``count`` anonymous links and return their raw tokens.

    Only each token's hash is stored, so the tokens returned here are the only
    copy: the page shows them once.
    """
    tokens = [new_token() for _ in range(count)]
    ResponseLink.objects.bulk_create(
        ResponseLink(
            round=assessment_round,
            token_hash=token_hash(token),
            unit=unit,
            staff_group=staff_group,
            respondent_group=respondent_group,
        )
        for token in tokens
    )
    return tokens


def link_for_token(raw: str) -> ResponseLink | None:
    return (
        ResponseLink.objects.select_related("round__instrument", "round__organisation")
        .filter(token_hash=token_hash(raw))
        .first()
    )


class LinkAlreadyUsed(Exception):
    """The link was used while this response was being filled in."""


def submit_response(link: ResponseLink, answers: Mapping[str, Any]) -> Response:
    """Store one anonymous response and mark its link used, together or not at all.

    Only the date is stored, and nothing about who answered beyond what the
    link carries (unit, staff group, respondent group).
    """
    with transaction.atomic():
        # The update is the lock: of two submissions racing, only one marks the link.
        marked = ResponseLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not marked:
            raise LinkAlreadyUsed
        return Response.objects.create(
            round=link.round,
            unit=link.unit,
            staff_group=link.staff_group,
            respondent_group=link.respondent_group,
            submitted_on=timezone.localdate(),
            answers=dict(answers),
        )


# --- Results ----------------------------------------------------------------


def suppressed(counts: Mapping[Any, int], hidden: Iterable[Any] = ()) -> set[Any]:
    """The groups of one breakdown whose results must not be shown, from each
    group's count (``hidden``: groups already hidden for another reason).

    The rule (within a breakdown, whose total is always shown):

    1. a group with fewer than ``MIN_RESPONSES`` responses (but some) is hidden;
    2. if any group is hidden, the hidden groups together must hold at least two
       groups and at least ``MIN_RESPONSES`` responses, otherwise the total less
       the shown groups would give away the small group's result; so the
       smallest shown groups are hidden too until that holds (complementary
       suppression).
    """
    present = {key: n for key, n in counts.items() if n > 0}
    hidden = {key for key, n in present.items() if n < MIN_RESPONSES} | (
        set(hidden) & set(present)
    )
    if hidden:
        shown = sorted(
            (n, str(key), key) for key, n in present.items() if key not in hidden
        )
        while shown and (
            len(hidden) < 2 or sum(present[key] for key in hidden) < MIN_RESPONSES
        ):
            hidden.add(shown.pop(0)[2])
    return hidden


def suppressed_across(
    breakdowns: Mapping[str, Mapping[Any, frozenset[int]]],
) -> dict[str, set[Any]]:
    """The hidden groups of several breakdowns of the same responses (by unit, by
    staff group, ...), each group given as the set of its responses' ids.

    Besides :func:`suppressed` within each breakdown, a shown group that holds a
    shown group of another breakdown plus fewer than ``MIN_RESPONSES`` others
    is hidden (its result less the smaller group's would describe those few),
    and the rule is applied again until nothing changes. Differences of three or
    more groups are not searched for: a known limit of this rule.
    """
    hidden = {
        name: suppressed({key: len(ids) for key, ids in groups.items()})
        for name, groups in breakdowns.items()
    }
    changed = True
    while changed:
        changed = False
        for name, groups in breakdowns.items():
            for key, ids in groups.items():
                if key in hidden[name]:
                    continue
                for other_name, other_groups in breakdowns.items():
                    if other_name == name:
                        continue
                    if any(
                        other_ids < ids and len(ids - other_ids) < MIN_RESPONSES
                        for other_key, other_ids in other_groups.items()
                        if other_key not in hidden[other_name]
                    ):
                        hidden[name].add(key)
                        changed = True
                        break
        for name, groups in breakdowns.items():
            again = suppressed(
                {key: len(ids) for key, ids in groups.items()}, hidden[name]
            )
            changed = changed or again != hidden[name]
            hidden[name] = again
    return hidden


#: Why a result is hidden: its group has fewer than ``MIN_RESPONSES`` responses ...
FEW_RESPONSES = "few_responses"
#: ... or it is hidden only so that a smaller hidden group cannot be worked out
#: from it and the total (complementary suppression).
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
    """One group of responses (a unit, a staff group, a respondent group, or all)."""

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
    """How many chose each answer to an item; hidden below ``MIN_RESPONSES`` answers."""

    key: str
    text: str
    n: int
    counts: list[tuple[str, int]]
    is_suppressed: bool


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


def _cell(definition: Definition, values: list[float], hide: bool) -> Cell:
    n = len(values)
    if n == 0:
        return Cell(n=0)
    if n < MIN_RESPONSES:
        return Cell(n=n, suppression=FEW_RESPONSES)
    if hide:
        return Cell(n=n, suppression=COMPLEMENTARY)
    score = scoring.shown_score(sum(values) / n)
    band = scoring.band_for(definition, score)
    return Cell(n=n, score=score, band=band, tone=tone_of(definition, band))


def _category_scores(definition: Definition, scores: Scores) -> Scores:
    """One response's score per category: the mean of its scored sections there."""
    by_category: dict[str, list[float]] = {}
    for section in definition.sections:
        value = scores.get(section.key)
        if (key := category_of(section)) and value is not None:
            by_category.setdefault(key, []).append(value)
    return {key: sum(v) / len(v) for key, v in by_category.items()}


def _row(
    definition: Definition,
    key: str,
    label: str,
    scores: list[Scores],
    hidden: set[str] = frozenset(),  # type: ignore[assignment]
    is_hidden: bool = False,
) -> Row:
    """A group's row; ``hidden`` names the columns (sections, categories) to suppress."""
    cells = {
        section.key: _cell(
            definition,
            [s[section.key] for s in scores if s.get(section.key) is not None],  # type: ignore[misc]
            is_hidden or section.key in hidden,
        )
        for section in definition.sections
    }
    per_category = [_category_scores(definition, s) for s in scores]
    categories = {
        key: _cell(
            definition,
            [c[key] for c in per_category if c.get(key) is not None],  # type: ignore[misc]
            is_hidden or key in hidden,
        )
        for key, _label in categories_of(definition)
    }
    return Row(
        key=key,
        label=label,
        n=len(scores),
        cells=cells,
        categories=categories,
        suppression=(
            FEW_RESPONSES
            if len(scores) < MIN_RESPONSES
            else COMPLEMENTARY
            if is_hidden
            else ""
        ),
    )


def _groups(
    responses: list[Response], key_of: Callable[[Response], str]
) -> dict[str, frozenset[int]]:
    """Each group's responses, by index into ``responses``."""
    groups: dict[str, set[int]] = {}
    for index, response in enumerate(responses):
        groups.setdefault(key_of(response), set()).add(index)
    return {key: frozenset(ids) for key, ids in groups.items()}


def _breakdown(
    definition: Definition,
    scores: list[Scores],
    groups: Mapping[str, frozenset[int]],
    hidden_groups: set[str],
    labels: Mapping[str, str],
) -> list[Row]:
    """A row per group with responses, in the order of ``labels``. Besides the
    hidden groups, each column (a section or category that some responses did
    not score) hides its own small groups and their complements."""
    hidden: dict[str, set[str]] = {key: set() for key in groups}
    per_category = [_category_scores(definition, one) for one in scores]
    columns = [(s.key, scores) for s in definition.sections]
    columns += [(key, per_category) for key, _label in categories_of(definition)]
    for column, values in columns:
        scored = {
            key: sum(1 for i in ids if values[i].get(column) is not None)
            for key, ids in groups.items()
        }
        for key in suppressed(scored, hidden_groups):
            hidden[key].add(column)
    order = list(labels)
    rows = [
        _row(
            definition,
            key,
            labels.get(key, key),
            [scores[i] for i in sorted(ids)],
            hidden[key],
            is_hidden=key in hidden_groups,
        )
        for key, ids in groups.items()
    ]
    rows.sort(key=lambda row: order.index(row.key) if row.key in order else len(order))
    return rows


def _spreads(
    definition: Definition, summary: scoring.Summary
) -> dict[str, list[ItemSpread]]:
    spreads: dict[str, list[ItemSpread]] = {}
    for section in definition.sections:
        spreads[section.key] = []
        for item in section.items:
            one = summary.items[item.key]
            hide = one.n < MIN_RESPONSES
            spreads[section.key].append(
                ItemSpread(
                    key=item.key,
                    text=item.text,
                    n=one.n,
                    counts=[] if hide else [(c.label, c.count) for c in one.counts],
                    is_suppressed=hide and one.n > 0,
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
    earlier = (
        AssessmentRound.objects.for_organisation(assessment_round.organisation)
        .filter(
            instrument=assessment_round.instrument,
            status=AssessmentRound.Status.CLOSED,
            created_at__lt=assessment_round.created_at,
        )
        .prefetch_related("units")
        .order_by("-created_at", "-pk")
    )
    for candidate in earlier:
        if {unit.pk for unit in candidate.units.all()} == population:
            return candidate
    return None


def _scores(definition: Definition, responses: Iterable[Response]) -> list[Scores]:
    return [
        scoring.section_scores(definition, r.answers, r.respondent_group)
        for r in responses
    ]


def _change(now: Cell, before: Cell | None) -> float | None:
    if before is None or now.score is None or before.score is None:
        return None
    return now.score - before.score


def action_text(section: Section) -> str:
    """The suggested action for a weak section: a sentence for its category."""
    if section.tag_kind == "enabler":
        return GENERIC_ACTIONS[section.tag]
    if section.tag_kind == "barrier":
        return BARRIER_ACTIONS[section.tag]
    return f"Agree with the teams concerned what would most improve {section.title.lower()}, and try it."


def enabler_for(section: Section) -> str:
    """The enabler category an action on this section belongs to ('' for a free factor)."""
    if section.tag_kind == "enabler":
        return section.tag
    if section.tag_kind == "barrier":
        return BARRIER_ENABLERS[section.tag]
    return ""


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


def results_for(assessment_round: AssessmentRound) -> Results:
    """Everything the results page shows, with small groups already suppressed."""
    definition = definition_of(assessment_round)
    responses = list(assessment_round.responses.select_related("unit"))
    scores = _scores(definition, responses)
    overall = _row(definition, "all", "All responses", scores)
    summary = scoring.summarise(
        definition, [(r.answers, r.respondent_group) for r in responses]
    )
    units = {str(u.pk): u.name for u in round_units(assessment_round)}
    for response in responses:
        if response.unit is not None:  # a unit since moved out of the round
            units.setdefault(str(response.unit_id), response.unit.name)
    units[""] = "Unit not given"
    staff_groups = {**dict(StaffRecord.StaffGroup.choices), "": "Staff group not given"}
    groups = {
        "unit": _groups(responses, lambda r: str(r.unit_id or "")),
        "staff_group": _groups(responses, lambda r: r.staff_group),
        "respondent_group": _groups(responses, lambda r: r.respondent_group),
    }
    hidden = suppressed_across(groups)
    previous = previous_round(assessment_round)
    change: dict[str, float | None] = {}
    category_change: dict[str, float | None] = {}
    if previous is not None:
        before_definition = definition_of(previous)
        before = _row(
            before_definition,
            "all",
            "All responses",
            _scores(before_definition, previous.responses.all()),
        )
        change = {
            key: _change(cell, before.cells.get(key))
            for key, cell in overall.cells.items()
        }
        category_change = {
            key: _change(cell, before.categories.get(key))
            for key, cell in overall.categories.items()
        }
    return Results(
        assessment_round=assessment_round,
        definition=definition,
        categories=categories_of(definition),
        overall=overall,
        overall_sd={
            key: None if overall.cells[key].score is None else one.sd
            for key, one in summary.sections.items()
        },
        by_unit=_breakdown(definition, scores, groups["unit"], hidden["unit"], units),
        by_staff_group=_breakdown(
            definition,
            scores,
            groups["staff_group"],
            hidden["staff_group"],
            staff_groups,
        ),
        by_respondent_group=_breakdown(
            definition,
            scores,
            groups["respondent_group"],
            hidden["respondent_group"],
            dict(RespondentGroup.choices),
        ),
        spreads=_spreads(definition, summary),
        previous=previous,
        change=change,
        category_change=category_change,
        suggestions=_suggestions(definition, overall),
    )


# --- The action plan ------------------------------------------------------------


def actions_for(
    organisation: Organisation, *, status: str = "", category: str = ""
) -> QuerySet[ActionItem]:
    items = ActionItem.objects.for_organisation(organisation).select_related(
        "owner", "round"
    )
    if status:
        items = items.filter(status=status)
    if category:
        items = items.filter(category=category)
    return items


def suggested_action(
    assessment_round: AssessmentRound, section_key: str
) -> dict[str, Any]:
    """Initial values for an action turned from a section of a round's results
    (empty if the section is not in the round's instrument)."""
    section = next(
        (s for s in definition_of(assessment_round).sections if s.key == section_key),
        None,
    )
    if section is None:
        return {}
    return {
        "title": f"Improve {section.title[0].lower()}{section.title[1:]}"[:200],
        "description": action_text(section),
        "category": enabler_for(section),
        "round": assessment_round.pk,
        "section_key": section.key,
    }


def save_action(action: ActionItem) -> ActionItem:
    with transaction.atomic():
        action.full_clean()
        action.save()
    return action


def delete_action(action: ActionItem) -> None:
    action.delete()
