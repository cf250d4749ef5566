"""The action plan, and the actions suggested for a round's weakest sections."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from openqi.core.categories import BarrierCategory, EnablerCategory
from openqi.organisations.access import find_for
from openqi.organisations.models import Membership, Organisation

from ..definition import Section
from ..models import ActionItem, AssessmentRound
from .instruments import definition_of

#: How many of the weakest sections become suggested actions.
SUGGESTED_ACTIONS = 3

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


def action_text(section: Section) -> str:
    """The suggested action for a weak section: a sentence for its category."""
    if section.tag_kind == "enabler":
        return GENERIC_ACTIONS[EnablerCategory(section.tag)]
    if section.tag_kind == "barrier":
        return BARRIER_ACTIONS[BarrierCategory(section.tag)]
    return f"Agree with the teams concerned what would most improve {section.title.lower()}, and try it."


def enabler_for(section: Section) -> str:
    """The enabler category an action on this section belongs to ('' for a free factor)."""
    if section.tag_kind == "enabler":
        return section.tag
    if section.tag_kind == "barrier":
        return BARRIER_ENABLERS[BarrierCategory(section.tag)]
    return ""


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


def get_action_for(membership: Membership, pk: int) -> ActionItem:
    """An action of the member's organisation's plan, or 404."""
    return find_for(
        membership,
        actions_for(membership.organisation),
        pk,
        "action",
        "actions",
    )


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
