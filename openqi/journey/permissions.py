"""Who may do what with the organisation's six-step journey."""

from __future__ import annotations

from openqi.organisations.permissions import define, is_member, is_qi

VIEW_JOURNEY = define(
    "journey.view_journey",
    is_member,
    refused="Only members of this organisation can see its journey.",
)
#: Moving a step on, its notes, milestones and evidence.
CHANGE_JOURNEY = define(
    "journey.change_journey",
    is_qi,
    refused="Only the QI team or an administrator of this organisation can do this.",
)
